/**
 * Hooks and MCP servers as forms: rows the user edits, converted to Claude Code's JSON formats,
 * validated with the contract's schemas (plus the field rules a schema cannot express: a stdio
 * server needs a command, an http/sse one a URL) before PUT, with the JSON shown beside the form.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { hooksSchema, mcpConfigSchema } from '../../../src-runtime/contract/agents.js';
import type { Workspace } from '../../../src-runtime/contract/workspaces.js';
import { JsonPreview, validate, type FieldErrors } from '../../ui/form.js';
import { QueryView } from '../../ui/states.js';
import { useToasts } from '../../ui/toasts.js';
import { hooksQuery, mcpQuery, useSaveHooks, useSaveMcp, type Hooks, type McpConfig, type Scope } from './queries.js';

const HOOK_EVENTS = ['PreToolUse', 'PostToolUse', 'UserPromptSubmit', 'Notification', 'Stop', 'SubagentStop', 'PreCompact', 'SessionStart', 'SessionEnd'];

interface HookRow {
  event: string;
  matcher: string;
  command: string;
  timeout: string;
}

export function hooksToRows(hooks: Hooks): HookRow[] {
  const rows: HookRow[] = [];
  for (const [event, groups] of Object.entries(hooks)) {
    for (const group of groups) {
      for (const h of group.hooks) rows.push({ event, matcher: group.matcher ?? '', command: h.command, timeout: h.timeout === undefined ? '' : String(h.timeout) });
    }
  }
  return rows;
}

export function rowsToHooks(rows: HookRow[]): Record<string, Array<{ matcher?: string; hooks: Array<{ type: 'command'; command: string; timeout?: number }> }>> {
  const out: ReturnType<typeof rowsToHooks> = {};
  for (const row of rows) {
    const groups = (out[row.event] ??= []);
    let group = groups.find((g) => (g.matcher ?? '') === row.matcher);
    if (!group) {
      group = row.matcher ? { matcher: row.matcher, hooks: [] } : { hooks: [] };
      groups.push(group);
    }
    group.hooks.push(row.timeout.trim() ? { type: 'command', command: row.command, timeout: Number(row.timeout) } : { type: 'command', command: row.command });
  }
  return out;
}

function ScopePicker({ scope, onChange, workspace }: { scope: Scope; onChange: (s: Scope) => void; workspace: Workspace | undefined }) {
  return (
    <div className="row" role="radiogroup" aria-label="Where to save" style={{ marginBottom: 10 }}>
      <label className="row">
        <input type="radio" checked={scope === 'workspace'} disabled={!workspace} onChange={() => onChange('workspace')} /> This workspace{workspace ? ` (${workspace.name})` : ''}
      </label>
      <label className="row">
        <input type="radio" checked={scope === 'user'} onChange={() => onChange('user')} /> User (all workspaces)
      </label>
    </div>
  );
}

export function HooksSettings({ workspace }: { workspace: Workspace | undefined }) {
  const [scope, setScope] = useState<Scope>(workspace ? 'workspace' : 'user');
  const query = useQuery(hooksQuery(workspace?.id, scope));
  return (
    <>
      <ScopePicker scope={scope} onChange={setScope} workspace={workspace} />
      <QueryView query={query} loading="Loading hooks">
        {(data) => <HooksEditor key={`${scope}:${data.path}`} initial={data.hooks} path={data.path} workspaceId={workspace?.id} scope={scope} />}
      </QueryView>
    </>
  );
}

function HooksEditor({ initial, path, workspaceId, scope }: { initial: Hooks; path: string; workspaceId: string | undefined; scope: Scope }) {
  const [rows, setRows] = useState<HookRow[]>(() => hooksToRows(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useSaveHooks(workspaceId, scope);
  const toasts = useToasts();
  useEffect(() => setRows(hooksToRows(initial)), [initial]);
  const json = useMemo(() => rowsToHooks(rows), [rows]);
  const set = (i: number, patch: Partial<HookRow>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const submit = () => {
    const rowErrors: FieldErrors = {};
    rows.forEach((r, i) => {
      if (!r.command.trim()) rowErrors[`${i}.command`] = 'A hook needs a command';
      if (r.timeout.trim() && !(Number(r.timeout) > 0)) rowErrors[`${i}.timeout`] = 'Timeout is a positive number of seconds';
    });
    const result = validate(hooksSchema, json);
    if (!result.ok || Object.keys(rowErrors).length) return setErrors({ ...rowErrors, ...(result.ok ? {} : result.errors) });
    setErrors({});
    save.mutate(result.data, { onSuccess: () => toasts.show('success', 'Hooks saved'), onError: (e) => toasts.error('Could not save the hooks', e) });
  };
  return (
    <div className="settings-grid">
      <form
        aria-label="Hooks"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="muted">
          Commands Claude Code runs on agent events, saved in <code>{path}</code>.
        </p>
        {rows.length === 0 && <p className="muted">No hooks.</p>}
        {rows.map((row, i) => (
          <fieldset key={i} className="card" aria-label={`Hook ${i + 1}`}>
            <div className="row">
              <label>
                Event{' '}
                <select className="select" value={row.event} onChange={(e) => set(i, { event: e.target.value })}>
                  {[...new Set([...HOOK_EVENTS, row.event])].map((ev) => (
                    <option key={ev}>{ev}</option>
                  ))}
                </select>
              </label>
              <label>
                Matcher <input className="input" placeholder="e.g. Write|Edit" value={row.matcher} onChange={(e) => set(i, { matcher: e.target.value })} />
              </label>
              <label>
                Timeout (s) <input className="input" style={{ width: 70 }} value={row.timeout} onChange={(e) => set(i, { timeout: e.target.value })} />
              </label>
              <button type="button" className="icon-button" aria-label={`Remove hook ${i + 1}`} onClick={() => setRows((r) => r.filter((_, j) => j !== i))}>
                ×
              </button>
            </div>
            <label className="field" style={{ marginTop: 6 }}>
              Command
              <input className="input mono" value={row.command} onChange={(e) => set(i, { command: e.target.value })} aria-invalid={!!errors[`${i}.command`]} />
            </label>
            {(errors[`${i}.command`] || errors[`${i}.timeout`]) && <span className="invalid">{errors[`${i}.command`] ?? errors[`${i}.timeout`]}</span>}
          </fieldset>
        ))}
        {Object.entries(errors)
          .filter(([k]) => !/^\d+\./.test(k))
          .map(([k, m]) => (
            <p key={k} className="invalid" role="alert">
              {k}: {m}
            </p>
          ))}
        <div className="row">
          <button type="button" className="button" onClick={() => setRows((r) => [...r, { event: 'PostToolUse', matcher: '', command: '', timeout: '' }])}>
            Add hook
          </button>
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save hooks'}
          </button>
        </div>
      </form>
      <JsonPreview value={{ hooks: json }} label="hooks JSON" />
    </div>
  );
}

interface McpRow {
  name: string;
  type: 'stdio' | 'http' | 'sse';
  command: string;
  args: string;
  url: string;
  env: string;
}

export function mcpToRows(mcp: McpConfig): McpRow[] {
  return Object.entries(mcp.mcpServers).map(([name, s]) => ({
    name,
    type: s.type ?? (s.url ? 'http' : 'stdio'),
    command: s.command ?? '',
    args: (s.args ?? []).join('\n'),
    url: s.url ?? '',
    env: Object.entries(s.env ?? {})
      .map(([k, v]) => `${k}=${v}`)
      .join('\n'),
  }));
}

export function rowsToMcp(rows: McpRow[], previous: McpConfig): McpConfig {
  const servers: McpConfig['mcpServers'] = {};
  for (const r of rows) {
    // Keep fields the form does not show (headers, extra keys) from the saved entry.
    const base = { ...(previous.mcpServers[r.name] ?? {}) };
    delete base.command;
    delete base.args;
    delete base.url;
    delete base.env;
    const env = Object.fromEntries(
      r.env
        .split('\n')
        .map((l) => l.trim())
        .filter(Boolean)
        .map((l) => [l.slice(0, l.indexOf('=') === -1 ? l.length : l.indexOf('=')), l.indexOf('=') === -1 ? '' : l.slice(l.indexOf('=') + 1)]),
    );
    const args = r.args
      .split('\n')
      .map((a) => a.trim())
      .filter(Boolean);
    servers[r.name] =
      r.type === 'stdio'
        ? { ...base, type: 'stdio', command: r.command, ...(args.length ? { args } : {}), ...(Object.keys(env).length ? { env } : {}) }
        : { ...base, type: r.type, url: r.url };
  }
  return { mcpServers: servers };
}

export function McpSettings({ workspace }: { workspace: Workspace | undefined }) {
  const [scope, setScope] = useState<Scope>(workspace ? 'workspace' : 'user');
  const query = useQuery(mcpQuery(workspace?.id, scope));
  return (
    <>
      <ScopePicker scope={scope} onChange={setScope} workspace={workspace} />
      <QueryView query={query} loading="Loading MCP servers">
        {(data) => <McpEditor key={`${scope}:${data.path}`} initial={data.mcp} path={data.path} workspaceId={workspace?.id} scope={scope} />}
      </QueryView>
    </>
  );
}

function McpEditor({ initial, path, workspaceId, scope }: { initial: McpConfig; path: string; workspaceId: string | undefined; scope: Scope }) {
  const [rows, setRows] = useState<McpRow[]>(() => mcpToRows(initial));
  const [errors, setErrors] = useState<FieldErrors>({});
  const save = useSaveMcp(workspaceId, scope);
  const toasts = useToasts();
  useEffect(() => setRows(mcpToRows(initial)), [initial]);
  const json = useMemo(() => rowsToMcp(rows, initial), [rows, initial]);
  const set = (i: number, patch: Partial<McpRow>) => setRows((r) => r.map((row, j) => (j === i ? { ...row, ...patch } : row)));
  const submit = () => {
    const rowErrors: FieldErrors = {};
    const names = new Set<string>();
    rows.forEach((r, i) => {
      if (!/^[\w.-]+$/.test(r.name)) rowErrors[`${i}.name`] = 'Name: letters, digits, dot, dash or underscore';
      else if (names.has(r.name)) rowErrors[`${i}.name`] = `Another server is also named ${r.name}`;
      names.add(r.name);
      if (r.type === 'stdio' && !r.command.trim()) rowErrors[`${i}.command`] = 'A stdio server needs a command';
      if (r.type !== 'stdio' && !/^https?:\/\//.test(r.url.trim())) rowErrors[`${i}.url`] = 'An http/sse server needs an http(s) URL';
      if (r.env.split('\n').some((l) => l.trim() && !/^[A-Za-z_][A-Za-z0-9_]*=/.test(l.trim()))) rowErrors[`${i}.env`] = 'Environment lines are NAME=value';
    });
    const result = validate(mcpConfigSchema, json);
    if (!result.ok || Object.keys(rowErrors).length) return setErrors({ ...rowErrors, ...(result.ok ? {} : result.errors) });
    setErrors({});
    save.mutate(result.data, { onSuccess: () => toasts.show('success', 'MCP servers saved'), onError: (e) => toasts.error('Could not save the MCP servers', e) });
  };
  const err = (i: number, field: string) =>
    errors[`${i}.${field}`] ? (
      <span className="invalid" role="alert">
        {errors[`${i}.${field}`]}
      </span>
    ) : null;
  return (
    <div className="settings-grid">
      <form
        aria-label="MCP servers"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <p className="muted">
          MCP servers agents may use, saved in <code>{path}</code>.
        </p>
        {rows.length === 0 && <p className="muted">No MCP servers.</p>}
        {rows.map((row, i) => (
          <fieldset key={i} className="card" aria-label={`MCP server ${row.name || i + 1}`}>
            <div className="row">
              <label>
                Name <input className="input" value={row.name} onChange={(e) => set(i, { name: e.target.value })} aria-invalid={!!errors[`${i}.name`]} />
              </label>
              <label>
                Transport{' '}
                <select className="select" value={row.type} onChange={(e) => set(i, { type: e.target.value as McpRow['type'] })}>
                  <option value="stdio">stdio</option>
                  <option value="http">http</option>
                  <option value="sse">sse</option>
                </select>
              </label>
              <button type="button" className="icon-button" aria-label={`Remove MCP server ${row.name || i + 1}`} onClick={() => setRows((r) => r.filter((_, j) => j !== i))}>
                ×
              </button>
            </div>
            {err(i, 'name')}
            {row.type === 'stdio' ? (
              <>
                <label className="field" style={{ marginTop: 6 }}>
                  Command
                  <input className="input mono" value={row.command} onChange={(e) => set(i, { command: e.target.value })} aria-invalid={!!errors[`${i}.command`]} />
                </label>
                {err(i, 'command')}
                <label className="field">
                  Arguments (one per line)
                  <textarea className="textarea" rows={2} value={row.args} onChange={(e) => set(i, { args: e.target.value })} />
                </label>
                <label className="field">
                  Environment (NAME=value per line)
                  <textarea className="textarea" rows={2} value={row.env} onChange={(e) => set(i, { env: e.target.value })} />
                </label>
                {err(i, 'env')}
              </>
            ) : (
              <>
                <label className="field" style={{ marginTop: 6 }}>
                  URL
                  <input className="input mono" value={row.url} onChange={(e) => set(i, { url: e.target.value })} aria-invalid={!!errors[`${i}.url`]} />
                </label>
                {err(i, 'url')}
              </>
            )}
          </fieldset>
        ))}
        <div className="row">
          <button type="button" className="button" onClick={() => setRows((r) => [...r, { name: '', type: 'stdio', command: '', args: '', url: '', env: '' }])}>
            Add server
          </button>
          <button type="submit" className="button button-primary" disabled={save.isPending}>
            {save.isPending ? 'Saving…' : 'Save MCP servers'}
          </button>
        </div>
      </form>
      <JsonPreview value={json} label=".mcp.json" />
    </div>
  );
}
