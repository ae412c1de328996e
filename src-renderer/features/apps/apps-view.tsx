/**
 * Apps and scripts: each app of the workspace's app.runtime.yaml with its state, start / stop /
 * restart / setup, its port as a link, the last build and a live ANSI log; below, the scripts
 * (package.json, manifest, Makefile) with Run, live output and the exit code.
 */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { appsApi, scriptsApi, type App, type Execution } from '../../../src-runtime/contract/apps.js';
import type { WireEvent } from '../../../src-runtime/contract/events.js';
import { api } from '../../api/client.js';
import { bridge } from '../../api/connection.js';
import type { WorkspaceViewProps } from '../../app/views.js';
import { EmptyState, QueryView } from '../../ui/states.js';
import { useToasts } from '../../ui/toasts.js';
import { LogView, useSseLines } from './log-view.js';
import { appsQuery, buildStatusQuery, runsQuery, scriptsQuery, useAppAction, useRunScript } from './queries.js';

const STATUS_PILL: Record<App['status'], string> = {
  stopped: 'pill',
  starting: 'pill pill-warn',
  running: 'pill pill-ok',
  ready: 'pill pill-ok',
  crashed: 'pill pill-danger',
  invalid: 'pill pill-danger',
};

export default function AppsView({ workspace }: WorkspaceViewProps) {
  return (
    <div className="content section" style={{ flex: 1 }}>
      {!workspace.trusted && (
        <p className="pill pill-warn" role="note" style={{ marginBottom: 12 }}>
          This workspace is not trusted: apps and scripts cannot run until you trust it (top bar).
        </p>
      )}
      <h2 style={{ marginBottom: 8 }}>Apps</h2>
      <AppsList workspaceId={workspace.id} />
      <h2 style={{ margin: '20px 0 8px' }}>Scripts</h2>
      <ScriptsPanel workspaceId={workspace.id} />
    </div>
  );
}

function AppsList({ workspaceId }: { workspaceId: string }) {
  const apps = useQuery(appsQuery(workspaceId));
  return (
    <QueryView
      query={apps}
      loading="Loading apps"
      isEmpty={(d) => d.apps.length === 0}
      empty={
        <EmptyState title="No apps declared">
          Add an <code>app.runtime.yaml</code> with an <code>apps:</code> list to run this workspace’s servers from here.
        </EmptyState>
      }
    >
      {(data) => data.apps.map((app) => <AppCard key={app.id} workspaceId={workspaceId} app={app} />)}
    </QueryView>
  );
}

function openExternal(url: string) {
  const b = bridge();
  if (b) void b.openExternal(url);
  else window.open(url, '_blank', 'noopener,noreferrer');
}

function AppCard({ workspaceId, app }: { workspaceId: string; app: App }) {
  const action = useAppAction(workspaceId);
  const toasts = useToasts();
  const [showLogs, setShowLogs] = useState(false);
  const build = useQuery({ ...buildStatusQuery(app.id), enabled: app.has_setup });
  const live = app.status === 'running' || app.status === 'ready' || app.status === 'starting';
  const url = app.url ?? (app.port ? `http://127.0.0.1:${app.port}` : null);
  const logsUrl = showLogs ? api().url(appsApi.logs, { params: { app_id: app.id } }) : null;
  const lines = useSseLines(logsUrl, (e) => (e.type === 'app_log' ? { line: String(e.line ?? ''), stream: String(e.stream ?? 'stdout') } : null));
  const run = (kind: 'start' | 'stop' | 'restart' | 'setup') =>
    action.mutate(
      { app, action: kind },
      {
        onSuccess: () => kind === 'setup' && toasts.show('info', `Setting up ${app.name}…`),
        onError: (e) => toasts.error(`Could not ${kind} ${app.name}`, e),
      },
    );
  const b = build.data?.build_status;
  return (
    <article className="card" aria-label={`App ${app.name}`} data-testid="app-card" data-app={app.manifest_id}>
      <div className="card-header">
        <h3>{app.name}</h3>
        <span className={STATUS_PILL[app.status]} data-testid="app-status">
          {app.status}
        </span>
        {url && live && (
          <a
            href={url}
            target="_blank"
            rel="noopener noreferrer"
            onClick={(e) => {
              e.preventDefault();
              openExternal(url);
            }}
            aria-label={`Open ${app.name} at port ${app.port}`}
          >
            :{app.port} ↗
          </a>
        )}
        {!live ? (
          <button type="button" className="button button-primary button-small" disabled={action.isPending || app.status === 'invalid'} onClick={() => run('start')}>
            Start
          </button>
        ) : (
          <>
            <button type="button" className="button button-small" disabled={action.isPending} onClick={() => run('restart')}>
              Restart
            </button>
            <button type="button" className="button button-small" disabled={action.isPending} onClick={() => run('stop')}>
              Stop
            </button>
          </>
        )}
        {app.has_setup && (
          <button type="button" className="button button-small" disabled={action.isPending || b?.state === 'running'} onClick={() => run('setup')}>
            {b?.state === 'running' ? 'Setting up…' : 'Setup'}
          </button>
        )}
        <button type="button" className="button button-small" aria-expanded={showLogs} onClick={() => setShowLogs((s) => !s)}>
          {showLogs ? 'Hide logs' : 'Logs'}
        </button>
      </div>
      <div className="muted" style={{ fontSize: 12, marginTop: 4 }}>
        {app.manifest_path} · {app.manifest_id}
        {app.pid ? ` · pid ${app.pid}` : ''}
        {app.restarts ? ` · ${app.restarts} restarts` : ''}
        {app.exit_code !== null && !live ? ` · exited ${app.exit_code}` : ''}
        {b && b.state !== 'never' ? ` · build ${b.state}${b.exit_code !== null ? ` (exit ${b.exit_code})` : ''}` : ''}
      </div>
      {app.last_error && (
        <p className="invalid" role="alert">
          {app.last_error}
        </p>
      )}
      {app.errors.map((err, i) => (
        <p key={i} className="invalid">
          {err.file}
          {err.line ? `:${err.line}` : ''} {err.field ? `${err.field}: ` : ''}
          {err.message}
        </p>
      ))}
      {showLogs && <LogView lines={lines} label={`${app.name} logs`} />}
    </article>
  );
}

function ScriptsPanel({ workspaceId }: { workspaceId: string }) {
  const scripts = useQuery(scriptsQuery(workspaceId));
  const runs = useQuery(runsQuery(workspaceId));
  const runScript = useRunScript(workspaceId);
  const toasts = useToasts();
  const [current, setCurrent] = useState<Execution | null>(null);
  const [finished, setFinished] = useState<Execution | null>(null);
  const eventsUrl = current ? api().url(scriptsApi.events, { params: { id: current.id } }) : null;
  const lines = useSseLines(
    eventsUrl,
    (e) => (e.type === 'script_output' ? { line: String(e.line ?? ''), stream: String(e.stream ?? 'stdout') } : null),
    (e: WireEvent) => {
      if (e.type === 'script_finished') setFinished((e as unknown as { execution: Execution }).execution);
    },
  );
  const start = (name: string) =>
    runScript.mutate(name, {
      onSuccess: ({ execution }) => {
        setFinished(null);
        setCurrent(execution);
      },
      onError: (e) => toasts.error(`Could not run ${name}`, e),
    });
  const shown = finished && finished.id === current?.id ? finished : current;
  return (
    <QueryView
      query={scripts}
      loading="Loading scripts"
      isEmpty={(d) => d.scripts.length === 0}
      empty={<EmptyState title="No scripts">No package.json scripts, manifest scripts or Makefile targets found.</EmptyState>}
    >
      {(data) => (
        <>
          <table className="simple" aria-label="Scripts">
            <thead>
              <tr>
                <th>Script</th>
                <th>Command</th>
                <th>Source</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {data.scripts.map((s) => (
                <tr key={s.id}>
                  <td className="mono">{s.name}</td>
                  <td className="mono muted" style={{ maxWidth: 420, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }} title={s.command}>
                    {s.command}
                  </td>
                  <td className="muted">{s.source}</td>
                  <td>
                    <button type="button" className="button button-small" aria-label={`Run ${s.name}`} disabled={runScript.isPending} onClick={() => start(s.id)}>
                      Run
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {shown && (
            <section aria-label={`Output of ${shown.name}`} style={{ marginTop: 12 }}>
              <div className="row">
                <h3 style={{ flex: 1 }}>
                  {shown.name} <span className="muted mono">{shown.command}</span>
                </h3>
                <span
                  data-testid="script-status"
                  className={shown.status === 'succeeded' ? 'pill pill-ok' : shown.status === 'running' ? 'pill pill-warn' : 'pill pill-danger'}
                >
                  {shown.status === 'running' ? 'running…' : `${shown.status} · exit code ${shown.exit_code ?? shown.signal ?? '?'}`}
                  {shown.duration_ms !== null && shown.status !== 'running' ? ` · ${Math.round(shown.duration_ms)} ms` : ''}
                </span>
              </div>
              <LogView lines={lines} label={`${shown.name} output`} />
            </section>
          )}
          {runs.data && runs.data.executions.length > 0 && (
            <details style={{ marginTop: 12 }}>
              <summary>Recent runs ({runs.data.executions.length})</summary>
              <ul className="list">
                {runs.data.executions.slice(0, 20).map((x) => (
                  <li key={x.id}>
                    <button type="button" className="list-item" onClick={() => {
                        setFinished(x.status === 'running' ? null : x);
                        setCurrent(x);
                      }}>
                      <span className="grow mono">{x.name}</span>
                      <span className="muted">
                        {x.status} {x.exit_code !== null ? `(${x.exit_code})` : ''} · {new Date(x.started_at).toLocaleTimeString()}
                      </span>
                    </button>
                  </li>
                ))}
              </ul>
            </details>
          )}
        </>
      )}
    </QueryView>
  );
}
