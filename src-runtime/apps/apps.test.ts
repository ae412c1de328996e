import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { openspecFeature } from '../openspec/feature.js';
import { scriptsFeature } from '../scripts/feature.js';
import { appsFeature } from './feature.js';
import { readSse } from '../../test-support/sse.js';
import { waitFor } from '../../test-support/wait.js';
import { alive, readPid, writeServer } from './test-fixtures.js';

const MANIFEST = `
apps:
  - id: api
    cwd: ./api
    start: node server.js
    env: { GC_FILE: grandchild.pid }
    stop_timeout: 1s
  - id: web
    cwd: ./web
    start: node ../api/server.js
    env: { GC_FILE: web-grandchild.pid }
    depends_on: [api]
    readiness: { http: /, timeout: 10s }
    stop_timeout: 1s
  - id: flaky
    start: node -e "console.log('boom'); process.exit(3)"
    port: none
    restart: on-failure
  - id: never-ready
    start: node -e "console.log('still warming'); setInterval(() => {}, 1000)"
    port: none
    readiness: { log: "ready!", timeout: 1s }
    stop_timeout: 500ms
  - id: built
    port: none
    setup: echo installing && echo oops 1>&2
    build: node -e "console.log('\\u001b[1mbuilt\\u001b[0m')"
    start: node -e "setInterval(() => {}, 1000)"
  - id: broken-build
    port: none
    build: echo failing && exit 7
    start: "true"
scripts:
  hello: echo hello
actions:
  review: "Review the uncommitted changes."
`;

describe('apps API with real processes', () => {
  let rt: TestRuntime;
  let root: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-apps-'));
    await writeServer(join(root, 'api'));
    await mkdir(join(root, 'web'));
    await writeFile(join(root, 'app.runtime.yaml'), MANIFEST);
    await mkdir(join(root, 'apps', 'bad'), { recursive: true });
    await writeFile(join(root, 'apps', 'bad', 'app.runtime.yaml'), 'id: bad\nstart: node x.js\nport: sometimes\n');
    rt = await startTestRuntime({ workspace: root, features: [appsFeature, scriptsFeature, openspecFeature] });
    // A range of its own, so runtimes of test files running in parallel do not race for ports.
    await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { app_port_range: { start: 42000, end: 42499 } } });
    const { body } = await rt.json('/api/v1/apps');
    ids = Object.fromEntries(body.apps.map((a: { manifest_id: string; id: string }) => [a.manifest_id, a.id]));
  });
  afterAll(() => rt?.close());

  it('lists the apps of every manifest with stable opaque ids, and a broken manifest as invalid', async () => {
    const { status, body } = await rt.json('/api/v1/apps');
    expect(status).toBe(200);
    const api = body.apps.find((a: any) => a.manifest_id === 'api');
    expect(api).toMatchObject({ status: 'stopped', port: null, pid: null, manifest_path: 'app.runtime.yaml', cwd: join(root, 'api'), port_mode: 'auto' });
    expect(api.id).toMatch(/^app_/);
    const bad = body.apps.find((a: any) => a.manifest_id === 'bad');
    expect(bad).toMatchObject({ status: 'invalid', manifest_path: 'apps/bad/app.runtime.yaml' });
    expect(bad.errors[0]).toMatchObject({ file: 'apps/bad/app.runtime.yaml', line: 3, field: 'port' });
    const again = await rt.json('/api/v1/apps');
    expect(again.body.apps.map((a: any) => a.id)).toEqual(body.apps.map((a: any) => a.id));
    const start = await rt.json(`/api/v1/apps/${bad.id}/start`, { method: 'POST' });
    expect(start).toMatchObject({ status: 409, body: { code: 'app_invalid' } });
    const detail = await rt.json(`/api/v1/workspaces/${body.apps[0].workspace_id}`);
    expect(detail.body.workspace.apps.length).toBe(body.apps.length);
  });

  it('ensure-running is idempotent under concurrent calls: one start, everyone waits for readiness', async () => {
    const statusEvents: string[] = [];
    const untap = rt.ctx.bus.tap((stream, e) => {
      if (stream === `app:${ids.api}` && e.type === 'app_status_changed') statusEvents.push(String(e.status));
    });
    const calls = await Promise.all(Array.from({ length: 6 }, () => rt.json(`/api/v1/apps/${ids.api}/ensure-running`, { method: 'POST' })));
    untap();
    for (const c of calls) expect(c).toMatchObject({ status: 200, body: { app: { status: 'ready' } } });
    const pids = new Set(calls.map((c) => c.body.app.pid));
    expect(pids.size).toBe(1);
    expect(statusEvents).toEqual(['starting', 'ready']);
    const app = calls[0]!.body.app;
    const range = rt.ctx.config().app_port_range;
    expect(app.port).toBeGreaterThanOrEqual(range.start);
    expect(app.port).toBeLessThanOrEqual(range.end);
    const served = await (await fetch(app.url)).json();
    expect(served).toMatchObject({ port: String(app.port), host: '127.0.0.1', pid: expect.any(Number) });
    const again = await rt.json(`/api/v1/apps/${ids.api}/ensure-running`, { method: 'POST' });
    expect(again.body.app.pid).toBe(app.pid);
  });

  it('starts dependencies first and passes their ports as <ID>_PORT', async () => {
    const res = await rt.json(`/api/v1/apps/${ids.web}/ensure-running`, { method: 'POST' });
    expect(res.status).toBe(200);
    const api = (await rt.json(`/api/v1/apps/${ids.api}`)).body.app;
    const web = res.body.app;
    expect(web.port).not.toBe(api.port);
    const served = (await (await fetch(web.url)).json()) as { api_port: string };
    expect(served.api_port).toBe(String(api.port));
    const ports = await rt.json('/api/v1/apps/ports');
    expect(ports.body.ports.find((p: any) => p.app_id === ids.web)).toMatchObject({ port: web.port, source: 'running' });
    expect(ports.body.ports.find((p: any) => p.manifest_id === 'bad')).toMatchObject({ port: null, source: 'none' });
  });

  it('streams log lines (stdout and stderr marked, ANSI kept) and status changes over SSE', async () => {
    const events = await readSse(`${rt.url}/api/v1/apps/${ids.api}/logs`, (evs) => evs.some((e) => e.data?.line === 'a line on stderr') && evs.some((e) => e.event === 'app_status_changed' && e.data.status === 'ready'), { token: rt.token });
    const logs = events.filter((e) => e.event === 'app_log').map((e) => e.data);
    expect(logs).toContainEqual(expect.objectContaining({ stream: 'stdout', line: expect.stringContaining('\u001b[32mlistening\u001b[0m on ') }));
    expect(logs).toContainEqual(expect.objectContaining({ stream: 'stderr', line: 'a line on stderr' }));
    expect(events.some((e) => e.event === 'app_status_changed' && e.data.status === 'ready')).toBe(true);
    expect(events[0]?.event).toBe('server.connected');
  });

  it('stop ends the whole process group: the grandchild that ignores SIGTERM is SIGKILLed', async () => {
    const app = (await rt.json(`/api/v1/apps/${ids.web}`)).body.app;
    const grandchild = await readPid(join(root, 'web', 'web-grandchild.pid'));
    expect(await alive(app.pid)).toBe(true);
    expect(await alive(grandchild)).toBe(true);
    const stopped = await rt.json(`/api/v1/apps/${ids.web}/stop`, { method: 'POST' });
    expect(stopped).toMatchObject({ status: 200, body: { app: { status: 'stopped', pid: null, port: null } } });
    expect(await alive(app.pid)).toBe(false);
    expect(await alive(grandchild)).toBe(false);
  });

  it('restarts a crashing app on failure and reports crashed with the exit code', async () => {
    await rt.json(`/api/v1/apps/${ids.flaky}/start`, { method: 'POST' });
    const app = await waitFor(async () => {
      const a = (await rt.json(`/api/v1/apps/${ids.flaky}`)).body.app;
      return a.restarts >= 2 && a;
    }, 'two restarts');
    expect(app.last_error).toBe('exited with code 3');
    const stopped = await rt.json(`/api/v1/apps/${ids.flaky}/stop`, { method: 'POST' });
    expect(['stopped', 'crashed']).toContain(stopped.body.app.status);
    const restarts = stopped.body.app.restarts;
    await new Promise((r) => setTimeout(r, 1500));
    expect((await rt.json(`/api/v1/apps/${ids.flaky}`)).body.app.restarts).toBe(restarts);
  });

  it('answers 503 with the log tail when an app never gets ready, and stops it', async () => {
    const res = await rt.json(`/api/v1/apps/${ids['never-ready']}/ensure-running`, { method: 'POST' });
    expect(res).toMatchObject({ status: 503, body: { code: 'app_not_ready' } });
    expect(res.body.details.log_tail).toContain('still warming');
    const app = (await rt.json(`/api/v1/apps/${ids['never-ready']}`)).body.app;
    expect(app.status).toBe('crashed');
    await waitFor(async () => (await rt.json(`/api/v1/apps/${ids['never-ready']}`)).body.app.pid === null, 'process gone');
  });

  it('runs setup then build and reports build status with a log tail; a failing build is failed', async () => {
    const never = await rt.json(`/api/v1/apps/${ids.built}/build-status`);
    expect(never.body.build_status.state).toBe('never');
    const started = await rt.json(`/api/v1/apps/${ids.built}/setup`, { method: 'POST' });
    expect(started).toMatchObject({ status: 202, body: { build_status: { state: 'running' } } });
    const done = await waitFor(async () => {
      const s = (await rt.json(`/api/v1/apps/${ids.built}/build-status`)).body.build_status;
      return s.state !== 'running' && s;
    }, 'setup and build to end');
    expect(done).toMatchObject({ state: 'succeeded', exit_code: 0 });
    expect(done.steps.map((s: any) => [s.step, s.exit_code])).toEqual([['setup', 0], ['build', 0]]);
    expect(done.log_tail).toEqual(['installing', 'oops', '\u001b[1mbuilt\u001b[0m']);
    expect(done.duration_ms).toBeGreaterThan(0);
    await rt.json(`/api/v1/apps/${ids['broken-build']}/setup`, { method: 'POST' });
    const failed = await waitFor(async () => {
      const s = (await rt.json(`/api/v1/apps/${ids['broken-build']}/build-status`)).body.build_status;
      return s.state !== 'running' && s;
    }, 'the broken build to end');
    expect(failed).toMatchObject({ state: 'failed', exit_code: 7, log_tail: ['failing'] });
    const nothing = await rt.json(`/api/v1/apps/${ids.api}/setup`, { method: 'POST' });
    expect(nothing).toMatchObject({ status: 409, body: { code: 'nothing_to_run' } });
  });

  it('starts every resolved app of a workspace from the loopback internal route', async () => {
    const wsId = (await rt.json('/api/v1/apps')).body.apps[0].workspace_id;
    const res = await rt.json(`/api/v1/internal/workspaces/${wsId}/resolved-apps/start`, { method: 'POST', json: { wait: false } });
    expect(res.status).toBe(200);
    expect(res.body.failed.map((f: any) => f.manifest_id)).toContain('bad');
    const apiApp = res.body.apps.find((a: any) => a.manifest_id === 'api');
    expect(['starting', 'ready']).toContain(apiApp.status);
    const status = await rt.json('/api/v1/runtime/status');
    expect(status.body.runtime.counts.running_apps).toBeGreaterThan(0);
    const noToken = await fetch(`${rt.url}/api/v1/internal/workspaces/${wsId}/resolved-apps/start`, { method: 'POST', body: '{}' });
    expect(noToken.status).toBe(401);
  });

  it('gates apps and scripts of an untrusted workspace with 403 workspace_untrusted; listing still works', async () => {
    const dir = await realpath(await makeTempDir('wr-untrusted-'));
    await writeFile(join(dir, 'app.runtime.yaml'), 'id: x\nstart: node -e "setInterval(()=>{},1000)"\nport: none\nscripts:\n  hi: echo hi\n');
    const ws = (await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } })).body.workspace;
    expect(ws.trusted).toBe(false);
    const list = await rt.json(`/api/v1/apps?workspace_id=${ws.id}`);
    expect(list.status).toBe(200);
    const app = list.body.apps[0];
    for (const action of ['start', 'ensure-running', 'setup']) {
      const res = await rt.json(`/api/v1/apps/${app.id}/${action}`, { method: 'POST' });
      expect(res).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
      expect(res.body.error).toContain('"trusted": true');
    }
    const scripts = await rt.json(`/api/v1/scripts?workspace_id=${ws.id}`);
    expect(scripts.body.scripts.map((s: any) => s.id)).toEqual(['manifest:hi']);
    const run = await rt.json(`/api/v1/scripts/hi/run?workspace_id=${ws.id}`, { method: 'POST', json: {} });
    expect(run).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
    const internal = await rt.json(`/api/v1/internal/workspaces/${ws.id}/resolved-apps/start`, { method: 'POST', json: {} });
    expect(internal).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });
    await rt.json(`/api/v1/workspaces/${ws.id}`, { method: 'PATCH', json: { trusted: true } });
    const ok = await rt.json(`/api/v1/apps/${app.id}/ensure-running`, { method: 'POST' });
    expect(ok).toMatchObject({ status: 200, body: { app: { status: 'running' } } });
    await rt.json(`/api/v1/apps/${app.id}/stop`, { method: 'POST' });
  });

  it('exposes manifest actions and OpenSpec actions through services.apps', async () => {
    const ws = rt.ctx.services.workspaces.findById((await rt.json('/api/v1/apps')).body.apps[0].workspace_id)!;
    const actions = await rt.ctx.services.apps!.listActions(ws);
    expect(actions).toContainEqual({ name: 'review', description: 'Declared in app.runtime.yaml', prompt: 'Review the uncommitted changes.', source: 'manifest' });
    expect(actions.find((a) => a.name === 'openspec-initialize')?.source).toBe('openspec');
  });
});

describe('runtime shutdown', () => {
  it('stops every app it started, grandchildren included', async () => {
    const root = await realpath(await makeTempDir('wr-apps-stop-'));
    await writeServer(root);
    await writeFile(join(root, 'app.runtime.yaml'), 'id: one\nstart: node server.js\nstop_timeout: 1s\n');
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    const id = (await rt.json('/api/v1/apps')).body.apps[0].id;
    const app = (await rt.json(`/api/v1/apps/${id}/ensure-running`, { method: 'POST' })).body.app;
    const grandchild = await readPid(join(root, 'grandchild.pid'));
    expect(await alive(grandchild)).toBe(true);
    await rt.close();
    expect(await alive(app.pid)).toBe(false);
    expect(await alive(grandchild)).toBe(false);
  });
});
