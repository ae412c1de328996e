import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, readFile, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { readAgentEvents, waitRun, waitSession, type Ev } from '../../test-support/agent-helpers.js';
import { waitFor } from '../../test-support/wait.js';
import { settingsFeature } from '../settings/feature.js';
import { agentsFeature } from './feature.js';

const script = fileURLToPath(new URL('./testing/scripted-acp-agent.mjs', import.meta.url));

describe('agent sessions over ACP (scripted agent, real child process)', () => {
  let rt: TestRuntime;
  let root: string;
  let home: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-ws-'));
    home = await realpath(await makeTempDir('wr-home-'));
    process.env.WR_USER_HOME = home;
    rt = await startTestRuntime({ workspace: root, features: [settingsFeature, agentsFeature] });
    const cfg = await rt.json('/api/v1/runtime/config', {
      method: 'PATCH',
      json: {
        agents: [
          { name: 'scripted', protocol: 'acp', command: process.execPath, args: [script] },
          { name: 'with-mcp', protocol: 'acp', command: process.execPath, args: [script], mcp_servers: [{ name: 'search', transport: 'stdio', command: 'search-mcp', secret_env: ['WR_TEST_SECRET'] }] },
          { name: 'hanger', protocol: 'acp', command: process.execPath, args: [script], silence_timeout_s: 2 },
          { name: 'stuck', protocol: 'acp', command: process.execPath, args: [script], env: { SCRIPTED_HANG_INIT: '1' }, silence_timeout_s: 1 },
        ],
        default_agent: 'scripted',
      },
    });
    expect(cfg.status).toBe(200);
  });
  afterAll(() => rt.close());

  async function newSession(): Promise<string> {
    const { status, body } = await rt.json('/api/v1/agent-sessions', { method: 'POST', json: { agent: 'scripted' } });
    expect(status).toBe(201);
    await waitSession(rt, body.session.id, ['idle']);
    return body.session.id as string;
  }

  async function send(sessionId: string, content: string, extra: Record<string, unknown> = {}) {
    const { status, body } = await rt.json(`/api/v1/sessions/${sessionId}/messages`, { method: 'POST', json: { content, ...extra } });
    expect(status).toBe(202);
    return body.run as { id: string; status: string };
  }

  it('lists the configured agent and the detected claude CLI, with providers', async () => {
    const { body } = await rt.json('/api/v1/agents');
    const scripted = body.agents.find((a: { name: string }) => a.name === 'scripted');
    expect(scripted).toMatchObject({ protocol: 'acp', source: 'config', available: true, command: process.execPath });
    const claude = body.agents.find((a: { name: string }) => a.name === 'claude');
    expect(claude).toMatchObject({ protocol: 'claude-code', source: 'detected', available: true });
    expect(claude.version).toMatch(/^\d+\.\d+/);
    expect(body.agents.find((a: { name: string }) => a.name === 'goose')).toMatchObject({ available: false, unavailable_reason: expect.stringContaining('not found') });
    expect(body.providers.map((p: { name: string }) => p.name)).toContain('anthropic');
  });

  it('refuses sessions in an untrusted workspace with 403 workspace_untrusted', async () => {
    const other = join(root, 'untrusted');
    await mkdir(other);
    const { body: ws } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: other } });
    const res = await rt.json('/api/v1/sessions', { method: 'POST', json: { workspace_id: ws.workspace.id, agent: 'scripted' } });
    expect(res).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
    const unknown = await rt.json('/api/v1/sessions', { method: 'POST', json: { agent: 'nope' } });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'agent_not_found' } });
  });

  it('streams thought and text chunks and a plan, completes the run, and keeps a transcript', async () => {
    const id = await newSession();
    const session = (await rt.json(`/api/v1/sessions/${id}`)).body.session;
    expect(session).toMatchObject({ protocol: 'acp', agent_name: 'scripted', acp_caps: { supports_load_session: true, supported_modes: ['default'] } });
    expect(session.agent_session_id).toMatch(/^scripted-/);
    const run = await send(id, 'hello there');
    const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done' && e.run_id === run.id));
    const types = events.filter((e) => e.run_id === run.id).map((e) => e.type);
    expect(types).toEqual(['run_status', 'run_status', 'user', 'thinking', 'plan', 'text', 'text', 'run_status', 'done']);
    expect(events.find((e) => e.type === 'thinking')?.content).toBe('thinking about hello there');
    expect(events.filter((e) => e.type === 'text').map((e) => e.content).join('')).toBe('Hello, you said: hello there');
    const seqs = events.map((e) => e.seq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const done = await waitRun(rt, run.id, ['completed']);
    expect(done.stop_reason).toBe('end_turn');
    const transcript = (await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages;
    expect(transcript).toMatchObject([
      { role: 'user', content: 'hello there' },
      { role: 'assistant', content: 'Hello, you said: hello there', thinking: 'thinking about hello there' },
    ]);
  });

  it('maps tool calls with their updates', async () => {
    const id = await newSession();
    const run = await send(id, 'TOOL');
    const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done'));
    const tool = events.filter((e) => e.tool_call_id === 'call_1');
    expect(tool.map((e) => [e.type, e.status])).toEqual([
      ['tool_use', 'pending'],
      ['tool_update', 'in_progress'],
      ['tool_result', 'completed'],
    ]);
    expect(tool[0]).toMatchObject({ tool: 'Read README.md', input: { path: 'README.md' }, kind: 'read', run_id: run.id });
    expect(tool[2]?.output).toEqual({ bytes: 42 });
  });

  it('surfaces a permission request as requires_action, answers it over HTTP once (409 the second time)', async () => {
    const id = await newSession();
    const run = await send(id, 'PERMISSION');
    await waitRun(rt, run.id, ['requires_action']);
    const perms = (await rt.json(`/api/v1/runs/${run.id}/permissions`)).body.permissions;
    expect(perms).toHaveLength(1);
    expect(perms[0]).toMatchObject({ status: 'pending', tool: 'Delete build/', tool_call_id: 'call_p', input: { path: 'build/' } });
    expect(perms[0].id).toMatch(/^perm_/);
    const bad = await rt.json(`/api/v1/runs/${run.id}/permissions/${perms[0].id}`, { method: 'POST', json: { option_id: 'maybe' } });
    expect(bad).toMatchObject({ status: 400, body: { code: 'invalid_option' } });
    const ok = await rt.json(`/api/v1/runs/${run.id}/permissions/${perms[0].id}`, { method: 'POST', json: { option_id: 'allow' } });
    expect(ok).toMatchObject({ status: 200, body: { permission: { status: 'resolved', option_id: 'allow' } } });
    const twice = await rt.json(`/api/v1/runs/${run.id}/permissions/${perms[0].id}`, { method: 'POST', json: { option_id: 'reject' } });
    expect(twice).toMatchObject({ status: 409, body: { code: 'permission_already_resolved' } });
    await waitRun(rt, run.id, ['completed']);
    const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done'));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['permission_request', 'permission_resolved']));
    expect(events.filter((e) => e.type === 'text').map((e) => e.content).join('')).toBe('permission: allow');
    expect(events.filter((e) => e.type === 'run_status').map((e) => e.status)).toEqual(['queued', 'running', 'requires_action', 'running', 'completed']);
  });

  it('times an unanswered permission request out to a recorded outcome (permission_timeout_s)', async () => {
    await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { permission_timeout_s: 1 } });
    try {
      const id = await newSession();
      const run = await send(id, 'PERMISSION');
      await waitRun(rt, run.id, ['completed'], 10_000);
      const perms = (await rt.json(`/api/v1/runs/${run.id}/permissions`)).body.permissions;
      expect(perms[0]).toMatchObject({ status: 'timed_out', option_id: 'reject' });
      const late = await rt.json(`/api/v1/runs/${run.id}/permissions/${perms[0].id}`, { method: 'POST', json: { option_id: 'allow' } });
      expect(late.status).toBe(409);
      const transcript = (await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages;
      expect(transcript[1].content).toBe('permission: reject');
    } finally {
      await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { permission_timeout_s: 600 } });
    }
  });

  it('cancels a running turn; a pending permission is answered cancelled', async () => {
    const id = await newSession();
    const run = await send(id, 'SLOW 100');
    // Cancel a turn that is under way: the agent has started answering.
    await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'text' && e.run_id === run.id));
    const cancelled = await rt.json(`/api/v1/runs/${run.id}/cancel`, { method: 'POST' });
    expect(cancelled.status).toBe(200);
    const final = await waitRun(rt, run.id, ['cancelled']);
    expect(final.stop_reason).toBe('cancelled');
    const again = await rt.json(`/api/v1/runs/${run.id}/cancel`, { method: 'POST' });
    expect(again).toMatchObject({ status: 409, body: { code: 'run_finished' } });

    const perm = await send(id, 'PERMISSION');
    await waitRun(rt, perm.id, ['requires_action']);
    await rt.json(`/api/v1/runs/${perm.id}/cancel`, { method: 'POST' });
    await waitRun(rt, perm.id, ['cancelled']);
    const perms = (await rt.json(`/api/v1/runs/${perm.id}/permissions`)).body.permissions;
    expect(perms[0].status).toBe('cancelled');
    const next = await send(id, 'after cancel');
    await waitRun(rt, next.id, ['completed']);
  });

  it('queues messages behind the active run, lists, removes and promotes them, and interrupts on request', async () => {
    const id = await newSession();
    const first = await send(id, 'SLOW 8');
    const second = await send(id, 'second');
    const third = await send(id, 'third');
    const fourth = await send(id, 'fourth');
    expect(second.status).toBe('queued');
    const queue = (await rt.json(`/api/v1/sessions/${id}/queue`)).body.runs.map((r: { id: string }) => r.id);
    expect(queue).toEqual([second.id, third.id, fourth.id]);
    const removed = await rt.json(`/api/v1/sessions/${id}/queue/${third.id}`, { method: 'DELETE' });
    expect(removed).toMatchObject({ status: 200, body: { run: { status: 'cancelled' } } });
    const promoted = await rt.json(`/api/v1/runs/${fourth.id}/guide`, { method: 'POST' });
    expect(promoted).toMatchObject({ status: 200, body: { steered: false } });
    expect((await rt.json(`/api/v1/sessions/${id}/queue`)).body.runs.map((r: { id: string }) => r.id)).toEqual([fourth.id, second.id]);
    await waitRun(rt, second.id, ['completed']);
    const runs = await Promise.all([first, fourth, second].map((r) => rt.json(`/api/v1/runs/${r.id}`)));
    const ended = runs.map((r) => r.body.run);
    expect(ended.map((r) => r.status)).toEqual(['completed', 'completed', 'completed']);
    expect(ended[0].ended_at <= ended[1].started_at && ended[1].ended_at <= ended[2].started_at).toBe(true);

    const slow = await send(id, 'SLOW 100');
    await waitRun(rt, slow.id, ['running']);
    const urgent = await send(id, 'urgent', { runningRunBehavior: 'interrupt' });
    await waitRun(rt, urgent.id, ['completed']);
    expect((await rt.json(`/api/v1/runs/${slow.id}`)).body.run.status).toBe('cancelled');
  });

  it('fails the run with a recorded reason when the agent crashes mid-run; the session restarts and the log is intact', async () => {
    const id = await newSession();
    const run = await send(id, 'CRASH');
    const failed = await waitRun(rt, run.id, ['failed']);
    expect(failed.stop_reason).toBe('agent_crashed');
    expect(failed.failure.summary).toContain('simulated crash');
    expect(failed.failure.summary).toContain('code 3');
    const session = (await rt.json(`/api/v1/sessions/${id}`)).body.session;
    expect(session).toMatchObject({ state: 'failed', failure: { kind: 'agent_crashed' } });
    const next = await send(id, 'still there?');
    await waitRun(rt, next.id, ['completed']);
    expect((await rt.json(`/api/v1/sessions/${id}`)).body.session.state).toBe('idle');
    const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.filter((e) => e.type === 'done').length === 2);
    expect(events.filter((e) => e.run_id === run.id).map((e) => e.type)).toEqual(['run_status', 'run_status', 'user', 'text', 'run_status', 'error', 'done']);
    const log = (await readFile(join(rt.dataDir, 'sessions', `${id}.jsonl`), 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as Ev);
    expect(log.map((e) => e.seq)).toEqual(events.map((e) => e.seq));

    const garbage = await send(id, 'GARBAGE');
    const g = await waitRun(rt, garbage.id, ['failed']);
    expect(g.failure.kind).toMatch(/agent_crashed|agent_error/);
  });

  it('fails a turn of an agent that stops talking (agent_hung) and restarts it for the next message', async () => {
    const { body } = await rt.json('/api/v1/sessions', { method: 'POST', json: { agent: 'hanger' } });
    const id = body.session.id as string;
    await waitSession(rt, id, ['idle']);
    const run = await send(id, 'HANG');
    const failed = await waitRun(rt, run.id, ['failed']);
    expect(failed).toMatchObject({ stop_reason: 'agent_hung', failure: { kind: 'agent_hung' } });
    const next = await send(id, 'are you back?');
    await waitRun(rt, next.id, ['completed']);

    const stuck = (await rt.json('/api/v1/sessions', { method: 'POST', json: { agent: 'stuck' } })).body.session;
    const failedStart = await waitSession(rt, stuck.id, ['failed']);
    expect(failedStart.failure).toMatchObject({ kind: 'agent_start_timeout' });
    const refused = await send(stuck.id, 'hello?');
    expect((await waitRun(rt, refused.id, ['failed'])).stop_reason).toBe('agent_start_timeout');
  }, 90_000); // two 10 s start limits (the restarted agent, the stuck one) on top of the silence

  it('replays every event exactly once on SSE reconnect with Last-Event-ID, and over the session WebSocket', async () => {
    const id = await newSession();
    const run = await send(id, 'SLOW 10');
    const firstPart = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.filter((e) => e.type === 'text').length >= 3);
    const lastId = firstPart.ids[firstPart.ids.length - 1]!;
    const rest = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done' && e.run_id === run.id), { lastEventId: lastId });
    const all = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done' && e.run_id === run.id));
    const joined = [...firstPart.events, ...rest.events].map((e) => e.seq);
    expect(joined).toEqual(all.events.map((e) => e.seq));
    expect(new Set(joined).size).toBe(joined.length);

    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws/agent-sessions/${id}?after=${lastId}`, { headers: { authorization: `Bearer ${rt.token}` } });
    const got: Ev[] = [];
    await new Promise<void>((resolve, reject) => {
      ws.on('message', (raw) => {
        const e = JSON.parse(String(raw)) as Ev;
        if (e.type !== 'server.connected') got.push(e);
        if (e.type === 'done') resolve();
      });
      ws.on('error', reject);
    });
    ws.close();
    expect(got.map((e) => e.seq)).toEqual(rest.events.map((e) => e.seq));
  });

  it('hands the workspace MCP servers to the agent in session/new; settings round-trip in Claude Code formats', async () => {
    const put = await rt.json('/api/v1/settings/mcp', { method: 'PUT', json: { mcpServers: { docs: { command: 'node', args: ['docs-server.js'] } } } });
    expect(put.status).toBe(200);
    expect(JSON.parse(await readFile(join(root, '.mcp.json'), 'utf8'))).toEqual({ mcpServers: { docs: { command: 'node', args: ['docs-server.js'] } } });
    const id = await newSession();
    const run = await send(id, 'MCP');
    await waitRun(rt, run.id, ['completed']);
    expect((await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages[1].content).toBe('mcp: docs');
    const withMcp = (await rt.json('/api/v1/sessions', { method: 'POST', json: { agent: 'with-mcp' } })).body.session.id;
    await waitSession(rt, withMcp, ['idle']);
    const mcpRun = await send(withMcp, 'MCP');
    await waitRun(rt, mcpRun.id, ['completed']);
    expect((await rt.json(`/api/v1/sessions/${withMcp}/messages`)).body.messages[1].content).toBe('mcp: docs,search');

    const settings = await rt.json('/api/v1/settings', { method: 'PUT', json: { permissions: { allow: ['Bash(npm test)'] }, model: 'sonnet' } });
    expect(settings.body.path).toBe(join(root, '.claude', 'settings.json'));
    const hooks = await rt.json('/api/v1/settings/hooks', { method: 'PUT', json: { PreToolUse: [{ matcher: 'Bash', hooks: [{ type: 'command', command: 'echo hi' }] }] } });
    expect(hooks.status).toBe(200);
    const back = await rt.json('/api/v1/settings');
    expect(back.body.settings).toMatchObject({ permissions: { allow: ['Bash(npm test)'] }, model: 'sonnet', hooks: { PreToolUse: [{ matcher: 'Bash' }] } });
    const invalid = await rt.json('/api/v1/settings/hooks', { method: 'PUT', json: { PreToolUse: [{ hooks: [{ type: 'command' }] }] } });
    expect(invalid.status).toBe(400);
    const user = await rt.json('/api/v1/settings/mcp?scope=user', { method: 'PUT', json: { mcpServers: { web: { type: 'http', url: 'http://127.0.0.1:1/mcp' } } } });
    expect(user.body.path).toBe(join(home, '.claude.json'));
    await writeFile(join(root, '.claude', 'settings.json'), '{ not json');
    expect((await rt.json('/api/v1/settings')).body.code).toBe('settings_invalid');
  });

  it('writes files through the client fs capability only inside the workspace', async () => {
    const id = await newSession();
    const inside = await send(id, `WRITE ${join(root, 'out', 'acp.txt')} written by acp`);
    await waitRun(rt, inside.id, ['completed']);
    expect(await readFile(join(root, 'out', 'acp.txt'), 'utf8')).toBe('written by acp');
    const outside = await send(id, `WRITE ${join(home, 'escape.txt')} nope`);
    const failed = await waitRun(rt, outside.id, ['failed']);
    expect(failed.failure.summary).toContain('outside the workspace');
    await symlink(home, join(root, 'link-out'));
    const viaLink = await send(id, `WRITE ${join(root, 'link-out', 'escape.txt')} nope`);
    expect((await waitRun(rt, viaLink.id, ['failed'])).failure.summary).toContain('outside the workspace');
    await expect(readFile(join(home, 'escape.txt'), 'utf8')).rejects.toThrow();
  });

  it('runs agent-runs (202, creating a session) and streams one run over SSE until it ends', async () => {
    const started = await rt.json('/api/v1/agent-runs', { method: 'POST', json: { content: 'via agent-runs' } });
    expect(started.status).toBe(202);
    expect(started.body.session.agent_name).toBe('scripted');
    await waitRun(rt, started.body.run.id, ['completed']);
    const streamed = await readAgentEvents(rt, '/api/v1/agent-runs/stream', () => false, { method: 'POST', body: { content: 'streamed', session_id: started.body.session.id } });
    const types = streamed.events.map((e) => e.type);
    expect(types[types.length - 1]).toBe('done');
    expect(streamed.events.filter((e) => e.type === 'text').map((e) => e.content).join('')).toBe('Hello, you said: streamed');
    expect(new Set(streamed.events.map((e) => e.run_id)).size).toBe(1);
  });

  it('answers 404 action_not_found naming the available actions when the workspace has none', async () => {
    const id = await newSession();
    const res = await rt.json(`/api/v1/sessions/${id}/actions/review`, { method: 'POST', json: {} });
    expect(res).toMatchObject({ status: 404, body: { code: 'action_not_found', details: { actions: [] } } });

    // With an apps service declaring actions (the apps feature provides it), the action becomes a run.
    rt.ctx.services.apps = {
      listActions: async () => [{ name: 'review', description: 'Review changes', prompt: 'Review the uncommitted changes.', source: 'manifest' }],
      stopWorkspaceApps: async () => undefined,
      manifestScripts: async () => [],
    };
    try {
      const missing = await rt.json(`/api/v1/sessions/${id}/actions/deploy`, { method: 'POST', json: {} });
      expect(missing).toMatchObject({ status: 404, body: { code: 'action_not_found', details: { actions: ['review'] } } });
      expect(missing.body.error).toContain('review');
      const started = await rt.json(`/api/v1/sessions/${id}/actions/review`, { method: 'POST', json: { input: 'Focus on tests.' } });
      expect(started.status).toBe(202);
      expect(started.body.run).toMatchObject({ source: 'action', action: 'review', prompt: 'Review the uncommitted changes.\n\nFocus on tests.' });
      await waitRun(rt, started.body.run.id, ['completed']);
    } finally {
      delete rt.ctx.services.apps;
    }
  });

  it('publishes session status changes on WS /api/v1/ws', async () => {
    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws`, { headers: { authorization: `Bearer ${rt.token}` } });
    const seen: Ev[] = [];
    await new Promise<void>((resolve) => ws.on('open', () => resolve()));
    ws.on('message', (raw) => seen.push(JSON.parse(String(raw)) as Ev));
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['session_status'] }));
    await waitFor(() => seen.some((m) => m.type === 'subscribed'), 'the subscription to be acknowledged');
    const id = await newSession();
    const run = await send(id, 'hi');
    await waitRun(rt, run.id, ['completed']);
    const mine = () => seen.filter((e) => e.type === 'session_status' && e.session_id === id);
    await waitFor(() => mine().some((e) => e.run_id === run.id && e.run_status === 'completed'), 'the completed run on the socket');
    ws.close();
    expect(mine().map((e) => e.state)).toEqual(expect.arrayContaining(['starting', 'idle', 'running']));
  });

  it('DELETE stops the session and its agent but keeps the transcript; the workspace detail lists sessions and skills', async () => {
    await mkdir(join(root, '.claude', 'skills', 'deploy'), { recursive: true });
    await writeFile(join(root, '.claude', 'skills', 'deploy', 'SKILL.md'), '---\nname: deploy\ndescription: Ship it\n---\nSteps');
    const id = await newSession();
    const run = await send(id, 'keep me');
    await waitRun(rt, run.id, ['completed']);
    const del = await rt.json(`/api/v1/agent-sessions/${id}`, { method: 'DELETE' });
    expect(del.body.session).toMatchObject({ state: 'stopped', stop_reason: 'deleted' });
    const refused = await rt.json(`/api/v1/sessions/${id}/messages`, { method: 'POST', json: { content: 'more' } });
    expect(refused).toMatchObject({ status: 409, body: { code: 'session_stopped' } });
    expect((await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages).toHaveLength(2);
    const wsId = (await rt.json(`/api/v1/sessions/${id}`)).body.session.workspace_id;
    const detail = (await rt.json(`/api/v1/workspaces/${wsId}`)).body.workspace;
    expect(detail.sessions.some((s: { id: string }) => s.id === id)).toBe(true);
    const byPath = (await rt.json(`/api/v1/agent-sessions?workspace_id=${encodeURIComponent(root)}`)).body.sessions;
    expect(byPath.map((s: { id: string }) => s.id)).toContain(id);
    expect((await rt.json('/api/v1/sessions?workspace_id=ws_nope')).status).toBe(404);
    expect(detail.skills).toEqual([{ name: 'deploy', description: 'Ship it', path: join(root, '.claude', 'skills', 'deploy', 'SKILL.md'), scope: 'workspace' }]);
    expect(detail.agents.some((a: { name: string }) => a.name === 'scripted')).toBe(true);
    const busy = await newSession();
    const live = await send(busy, 'SLOW 100');
    const queuedRun = await send(busy, 'never runs');
    await waitRun(rt, live.id, ['running']);
    expect((await rt.json('/api/v1/runtime/status')).body.runtime.counts.live_sessions).toBeGreaterThan(0);
    const stopped = await rt.json(`/api/v1/sessions/${busy}`, { method: 'DELETE' });
    expect(stopped.body.session.state).toBe('stopped');
    expect((await rt.json(`/api/v1/runs/${live.id}`)).body.run).toMatchObject({ status: 'cancelled', stop_reason: 'session_stopped' });
    expect((await rt.json(`/api/v1/runs/${queuedRun.id}`)).body.run).toMatchObject({ status: 'cancelled', stop_reason: 'session_stopped' });
    await new Promise((r) => setTimeout(r, 200));
    expect((await rt.json(`/api/v1/sessions/${busy}`)).body.session.state).toBe('stopped');
  });
});

describe('ACP sessions across a runtime restart', () => {
  it('lists the session, fails the in-flight run with runtime_restarted, and loads the agent session on the next message', async () => {
    const root = await realpath(await makeTempDir('wr-ws-'));
    const dataDir = await makeTempDir('wr-data-');
    let rt = await startTestRuntime({ workspace: root, features: [settingsFeature, agentsFeature], dataDir });
    try {
      await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { agents: [{ name: 'scripted', protocol: 'acp', command: process.execPath, args: [script] }], default_agent: 'scripted' } });
      const { body } = await rt.json('/api/v1/sessions', { method: 'POST', json: {} });
      const id = body.session.id as string;
      const agentSessionId = (await waitSession(rt, id, ['idle'])).agent_session_id;
      const run = (await rt.json(`/api/v1/sessions/${id}/messages`, { method: 'POST', json: { content: 'SLOW 100' } })).body.run;
      await waitRun(rt, run.id, ['running']);
      const lastSeqBefore = (await rt.json(`/api/v1/sessions/${id}`)).body.session.last_seq;
      await rt.close();
      rt = await startTestRuntime({ workspace: root, features: [settingsFeature, agentsFeature], dataDir });
      const session = (await rt.json(`/api/v1/sessions/${id}`)).body.session;
      expect(session).toMatchObject({ state: 'idle', agent_session_id: agentSessionId });
      expect(session.last_seq).toBeGreaterThan(lastSeqBefore);
      expect((await rt.json(`/api/v1/runs/${run.id}`)).body.run).toMatchObject({ status: 'failed', stop_reason: 'runtime_restarted' });
      const next = (await rt.json(`/api/v1/sessions/${id}/messages`, { method: 'POST', json: { content: 'back again' } })).body.run;
      await waitRun(rt, next.id, ['completed']);
      const transcript = (await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages;
      expect(transcript[transcript.length - 1].content).toBe('Hello, you said: back again (loaded)');
      const { events } = await readAgentEvents(rt, `/api/v1/sessions/${id}/events`, (evs) => evs.some((e) => e.type === 'done' && e.run_id === next.id));
      const seqs = events.map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    } finally {
      await rt.close();
    }
  });
});

describe('workspace actions with the apps feature', () => {
  it('expands an app.runtime.yaml action into a run of the session', async () => {
    const { appsFeature } = await import('../apps/feature.js');
    const root = await realpath(await makeTempDir('wr-ws-'));
    await writeFile(join(root, 'app.runtime.yaml'), 'actions:\n  review: "Review the uncommitted changes and list risks."\n');
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature, settingsFeature, agentsFeature] });
    try {
      await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { agents: [{ name: 'scripted', protocol: 'acp', command: process.execPath, args: [script] }], default_agent: 'scripted' } });
      const id = (await rt.json('/api/v1/sessions', { method: 'POST', json: {} })).body.session.id as string;
      const missing = await rt.json(`/api/v1/sessions/${id}/actions/deploy`, { method: 'POST', json: {} });
      expect(missing).toMatchObject({ status: 404, body: { code: 'action_not_found' } });
      expect(missing.body.details.actions).toContain('review');
      const started = await rt.json(`/api/v1/sessions/${id}/actions/review`, { method: 'POST' });
      expect(started.status).toBe(202);
      expect(started.body.run).toMatchObject({ source: 'action', action: 'review', prompt: 'Review the uncommitted changes and list risks.' });
      await waitRun(rt, started.body.run.id, ['completed']);
      const transcript = (await rt.json(`/api/v1/sessions/${id}/messages`)).body.messages;
      expect(transcript[1].content).toBe('Hello, you said: Review the uncommitted changes and list risks.');
    } finally {
      await rt.close();
    }
  });
});
