import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server, type Socket } from 'node:net';
import { readFile, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { appsFeature } from './feature.js';
import { LineSplitter } from '../platform/line-splitter.js';
import { findFreePort, portFree, preferredPort } from './ports.js';
import { readSse, type SseMessage } from '../../test-support/sse.js';
import { waitFor } from '../../test-support/wait.js';
import { readPid, writeServer } from './test-fixtures.js';

function listen(port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen({ port, host, exclusive: true }, () => resolve(s));
  });
}

describe('ports', () => {
  it('derives the preferred port from workspace and app position inside the range', () => {
    const range = { start: 41000, end: 41999 };
    expect(preferredPort(range, 0, 0)).toBe(41000);
    expect(preferredPort(range, 0, 3)).toBe(41003);
    expect(preferredPort(range, 2, 1)).toBe(41041);
    expect(preferredPort({ start: 5000, end: 5009 }, 1, 2)).toBe(5002); // wraps inside a small range
  });

  it('sees a port as taken when something listens on 127.0.0.1 or only on ::1, and skips it', async () => {
    const v4 = await listen(0, '127.0.0.1');
    const p4 = (v4.address() as { port: number }).port;
    expect(await portFree(p4)).toBe(false);
    let v6: Server | undefined;
    try {
      v6 = await listen(0, '::1');
    } catch {
      // no IPv6 loopback here
    }
    if (v6) {
      const p6 = (v6.address() as { port: number }).port;
      expect(await portFree(p6)).toBe(false);
      v6.close();
    }
    const range = { start: p4, end: p4 + 50 };
    const found = await findFreePort(range, p4, new Set([p4 + 1]));
    expect(found).not.toBe(p4);
    expect(found).not.toBe(p4 + 1);
    v4.close();
  });
});

describe('line splitting', () => {
  it('joins partial chunks, handles CRLF, keeps ANSI and caps very long lines', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l));
    s.push('\u001b[31mre');
    s.push('d\u001b[0m\r\nsecond\n\nthi');
    s.push('rd');
    s.end();
    expect(lines).toEqual(['\u001b[31mred\u001b[0m', 'second', '', 'third']);
    const long: string[] = [];
    const t = new LineSplitter((l) => long.push(l));
    t.push('x'.repeat(40_000));
    t.end();
    expect(long.map((l) => l.length)).toEqual([16384, 16384, 7232]);
  });
});

describe('apps lifecycle details', () => {
  let rt: TestRuntime;
  let root: string;
  let ids: Record<string, string>;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-apps-extra-'));
    await writeServer(root);
    await writeFile(
      join(root, 'retry.js'),
      `const fs = require('node:fs');
if (!fs.existsSync('first-attempt')) {
  fs.writeFileSync('first-attempt', process.env.PORT);
  console.error('Error: listen EADDRINUSE: address already in use 127.0.0.1:' + process.env.PORT);
  process.exit(1);
}
require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST);
`,
    );
    await writeFile(
      join(root, 'app.runtime.yaml'),
      `apps:
  - id: racer
    start: node retry.js
  - id: graceful
    start: node -e "require('fs').writeFileSync(process.env.PIDFILE, String(process.pid)); process.on('SIGTERM', () => {}); setInterval(() => {}, 1000)"
    stop: echo stopping > stop-ran && kill -INT $(cat graceful.pid)
    port: none
    stop_timeout: 2s
    env: { PIDFILE: graceful.pid }
  - id: always
    start: node -e "console.log('tick'); setTimeout(() => process.exit(0), 100)"
    port: none
    restart: always
  - id: logready
    start: node -e "setTimeout(() => console.log('Server ready on ' + process.env.PORT), 200); setInterval(() => {}, 1000)"
    readiness: { log: "/ready on \\\\d+/" }
`,
    );
    rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { app_port_range: { start: 42500, end: 42999 } } });
    ids = Object.fromEntries((await rt.json('/api/v1/apps')).body.apps.map((a: any) => [a.manifest_id, a.id]));
  });
  afterAll(() => rt?.close());

  it('retries on another port when the app dies with EADDRINUSE while starting (a probe race)', async () => {
    const res = await rt.json(`/api/v1/apps/${ids.racer}/ensure-running`, { method: 'POST' });
    expect(res).toMatchObject({ status: 200, body: { app: { status: 'ready', restarts: 0 } } });
    const firstPort = Number(await readFile(join(root, 'first-attempt'), 'utf8'));
    expect(res.body.app.port).not.toBe(firstPort);
    expect(await (await fetch(res.body.app.url)).text()).toBe('ok');
    await rt.json(`/api/v1/apps/${ids.racer}/stop`, { method: 'POST' });
  });

  it('runs the stop command before signalling the group', async () => {
    // The app ignores SIGTERM; only its stop command (SIGINT by pid file) ends it before the grace period.
    const started = await rt.json(`/api/v1/apps/${ids.graceful}/ensure-running`, { method: 'POST' });
    expect(started.body.app.status).toBe('running');
    await readPid(join(root, 'graceful.pid'));
    const stopped = await rt.json(`/api/v1/apps/${ids.graceful}/stop`, { method: 'POST' });
    expect(stopped.body.app.status).toBe('stopped');
    expect((await readFile(join(root, 'stop-ran'), 'utf8')).trim()).toBe('stopping');
    // The stop command's SIGINT ended it (the start shell reports 128 + 2), not the group SIGKILL
    // after the grace period (which would have killed the shell too).
    expect(stopped.body.app).toMatchObject({ exit_code: 130, exit_signal: null });
  });

  it('restart: always restarts an app that exits cleanly', async () => {
    await rt.json(`/api/v1/apps/${ids.always}/start`, { method: 'POST' });
    await waitFor(async () => (await rt.json(`/api/v1/apps/${ids.always}`)).body.app.restarts >= 2, 'restarts');
    await rt.json(`/api/v1/apps/${ids.always}/stop`, { method: 'POST' });
  });

  it('log readiness accepts a /regex/', async () => {
    const res = await rt.json(`/api/v1/apps/${ids.logready}/ensure-running`, { method: 'POST' });
    expect(res).toMatchObject({ status: 200, body: { app: { status: 'ready' } } });
    await rt.json(`/api/v1/apps/${ids.logready}/stop`, { method: 'POST' });
  });

  it('pushes app status changes and log lines to WS /api/v1/ws subscribers', async () => {
    const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws?after=${rt.ctx.bus.stream('global').lastSeq}`, { headers: { authorization: `Bearer ${rt.token}` } });
    const got: any[] = [];
    ws.on('message', (raw) => got.push(JSON.parse(String(raw))));
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['app_status_changed', 'app_log'] }));
    await waitFor(() => got.some((m) => m.type === 'subscribed'), 'subscribed');
    await rt.json(`/api/v1/apps/${ids.logready}/ensure-running`, { method: 'POST' });
    await waitFor(() => got.some((m) => m.type === 'app_log' && String(m.line).includes('Server ready')), 'app_log on the hub');
    expect(got.filter((m) => m.type === 'app_status_changed' && m.app_id === ids.logready).map((m) => m.status)).toEqual(['starting', 'ready']);
    ws.close();
    await rt.json(`/api/v1/apps/${ids.logready}/stop`, { method: 'POST' });
  });

  it('replays the log ring after a cursor (Last-Event-ID) without repeating', async () => {
    // The whole ring: up to the last seq that server.connected announces.
    const replayed = (evs: SseMessage[]) => evs.some((e) => e.id !== undefined && Number(e.id) >= evs[0]!.data.last_seq);
    const all = await readSse(`${rt.url}/api/v1/apps/${ids.logready}/logs`, replayed, { token: rt.token });
    const withIds = all.filter((e) => e.id);
    expect(withIds.some((e) => e.data.status === 'stopped')).toBe(true);
    const middle = withIds[Math.floor(withIds.length / 2)]!;
    const rest = await readSse(`${rt.url}/api/v1/apps/${ids.logready}/logs?after=${middle.id}`, replayed, { token: rt.token });
    expect(rest.filter((e) => e.id).map((e) => e.id)).toEqual(withIds.slice(withIds.indexOf(middle) + 1).map((e) => e.id));
  });
});

describe('dependency problems', () => {
  it('refuses a depends_on cycle with 409 and an unknown dependency as invalid', async () => {
    const root = await realpath(await makeTempDir('wr-apps-cycle-'));
    await writeFile(
      join(root, 'app.runtime.yaml'),
      'apps:\n  - id: a\n    start: "true"\n    depends_on: [b]\n  - id: b\n    start: "true"\n    depends_on: [a]\n  - id: c\n    start: "true"\n    depends_on: [ghost]\n',
    );
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    try {
      const apps = (await rt.json('/api/v1/apps')).body.apps;
      const byId = Object.fromEntries(apps.map((a: any) => [a.manifest_id, a]));
      const cycle = await rt.json(`/api/v1/apps/${byId.a.id}/ensure-running`, { method: 'POST' });
      expect(cycle).toMatchObject({ status: 409, body: { code: 'dependency_cycle', error: expect.stringContaining('a → b → a') } });
      expect(byId.c).toMatchObject({ status: 'invalid', errors: [expect.objectContaining({ field: 'depends_on', message: expect.stringContaining('ghost') })] });
    } finally {
      await rt.close();
    }
  });

  it('a stop that arrives while a start is being prepared wins', async () => {
    const root = await realpath(await makeTempDir('wr-apps-race-'));
    await writeFile(join(root, 'app.runtime.yaml'), 'id: slow\nstart: node -e "setInterval(() => {}, 1000)"\nport: none\n');
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    try {
      const id = (await rt.json('/api/v1/apps')).body.apps[0].id;
      const [ensured, stopped] = await Promise.all([
        rt.json(`/api/v1/apps/${id}/ensure-running`, { method: 'POST' }),
        rt.json(`/api/v1/apps/${id}/stop`, { method: 'POST' }),
      ]);
      expect(stopped.status).toBe(200);
      // Either order is legal; the app must not be left running after a stop that came last.
      const final = (await rt.json(`/api/v1/apps/${id}`)).body.app;
      if (ensured.status === 503) expect(final.status).toBe('stopped');
      else expect(['stopped', 'running']).toContain(final.status);
      await rt.json(`/api/v1/apps/${id}/stop`, { method: 'POST' });
      expect((await rt.json(`/api/v1/apps/${id}`)).body.app).toMatchObject({ status: 'stopped', pid: null });
    } finally {
      await rt.close();
    }
  });
});

describe('log streaming to a stalled client', () => {
  it('skips what a client that stops reading cannot take, tells it so, and carries on live', async () => {
    const root = await realpath(await makeTempDir('wr-apps-stall-'));
    // How much a paused loopback reader absorbs is the kernel's business (receive buffers autotune
    // to tens of MiB), so no fixed amount of log is sure to fill it. The app prints, waiting for
    // 'drain' like any well-behaved writer, until the test has seen the runtime's side of the
    // connection hold back data (the kernel stopped taking it), then 200 lines more, then writes
    // `printed` once they have drained into the runtime. The last line waits for the `go` file,
    // which the test writes once the client has caught up, however slow the machine is.
    await writeFile(
      join(root, 'chatty.js'),
      `const fs = require('node:fs');
const pad = 'x'.repeat(${LINE_BYTES});
let i = 0;
let last = -1;
function print() {
  for (;;) {
    if (last < 0 && i % 50 === 0 && fs.existsSync('full')) last = i + 200;
    if (i === last) return process.stdout.write('', () => done());
    if (!process.stdout.write('line ' + i++ + ' ' + pad + '\\n')) return process.stdout.once('drain', print);
  }
}
function done() {
  fs.writeFileSync('printed', String(i));
  const wait = setInterval(() => {
    if (!fs.existsSync('go')) return;
    clearInterval(wait);
    console.log('the end');
  }, 20);
}
print();
`,
    );
    await writeFile(join(root, 'app.runtime.yaml'), 'id: chatty\nport: none\nstart: node chatty.js\n');
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    const serverSockets: Socket[] = [];
    rt.server.on('connection', (socket: Socket) => serverSockets.push(socket));
    try {
      const id = (await rt.json('/api/v1/apps')).body.apps[0].id;
      const { request } = await import('node:http');
      const url = new URL(`${rt.url}/api/v1/apps/${id}/logs`);
      let body = '';
      let sawEnd: () => void = () => undefined;
      const ended = new Promise<void>((resolve) => (sawEnd = resolve));
      const res = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
        const req = request({ host: url.hostname, port: url.port, path: url.pathname, headers: { authorization: `Bearer ${rt.token}` } }, resolve);
        req.on('error', reject);
        req.end();
      });
      res.setEncoding('utf8');
      res.pause(); // a client that stops reading
      res.on('data', (c: string) => {
        // Only the new tail is searched: the body reaches tens of MiB on a machine whose kernel buffers a lot.
        const from = Math.max(0, body.length - 32);
        body += c;
        if (body.indexOf('"line":"the end"', from) >= 0) sawEnd();
      });
      const serverSide = serverSockets.find((s) => s.remotePort === res.socket.localPort);
      expect(serverSide).toBeDefined();
      await rt.json(`/api/v1/apps/${id}/start`, { method: 'POST' });
      await waitFor(() => serverSide!.writableLength > APP_LOG_TEST_CAP / 2, 'the kernel to stop taking the log (the runtime holding back half the cap)', 90_000);
      await writeFile(join(root, 'full'), '');
      const printed = Number(await waitFor(() => readFile(join(root, 'printed'), 'utf8').catch(() => ''), 'the app to print its last 200 lines'));
      res.resume();
      // The notice goes out once the client has drained below half its cap; a line printed
      // before that would rightly be skipped too.
      await waitFor(() => body.includes('event: backlog_truncated'), 'the client to drain and be told what it missed');
      await writeFile(join(root, 'go'), '');
      await ended;
      res.destroy();
      const blocks = body.split('\n\n');
      const truncated = blocks.filter((b) => b.startsWith('event: backlog_truncated'));
      expect(truncated.length).toBeGreaterThan(0);
      const skipped = truncated.map((b) => JSON.parse(b.slice(b.indexOf('data: ') + 6)).skipped as number).reduce((a, b) => a + b, 0);
      const received = blocks.filter((b) => b.includes('event: app_log') && b.includes('"stream":"stdout"')).length;
      expect(skipped).toBeGreaterThan(0);
      // Every line is either received or counted as skipped ("the end" is one of the received).
      expect(received + skipped).toBe(printed + 1);
      // The live line after the skip arrived, after the notice.
      expect(body.indexOf('"line":"the end"')).toBeGreaterThan(body.lastIndexOf('event: backlog_truncated'));
    } finally {
      await rt.close();
    }
  }, 150_000);
});

// Under the line splitter's 16 KiB cap: one event per line.
const LINE_BYTES = 8000;
// What an app-log client may hold back under the test runtime's fast timers (apps/routes.ts).
const APP_LOG_TEST_CAP = 256 * 1024;

describe('manifest edits while an app runs', () => {
  it('keeps an app removed from the manifest listed and stoppable until it stops', async () => {
    const root = await realpath(await makeTempDir('wr-apps-edit-'));
    await writeFile(join(root, 'app.runtime.yaml'), 'id: gone\nstart: node -e "setInterval(() => {}, 1000)"\nport: none\n');
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    try {
      const id = (await rt.json('/api/v1/apps')).body.apps[0].id;
      const started = await rt.json(`/api/v1/apps/${id}/ensure-running`, { method: 'POST' });
      expect(started.body.app.status).toBe('running');
      await writeFile(join(root, 'app.runtime.yaml'), 'id: other\nstart: node -e "1"\nport: none\n');
      const listed = await waitFor(async () => {
        const apps = (await rt.json('/api/v1/apps')).body.apps;
        return apps.length === 2 && apps;
      }, 'the new manifest to be read');
      expect(listed.map((a: any) => [a.manifest_id, a.status])).toEqual([['other', 'stopped'], ['gone', 'running']]);
      const stopped = await rt.json(`/api/v1/apps/${id}/stop`, { method: 'POST' });
      expect(stopped.body.app.status).toBe('stopped');
      expect((await rt.json('/api/v1/apps')).body.apps.map((a: any) => a.manifest_id)).toEqual(['other']);
      expect((await rt.json(`/api/v1/apps/${id}`)).status).toBe(404);
    } finally {
      await rt.close();
    }
  });
});

describe('readiness needs the app itself on the port', () => {
  it('does not count another program answering on the assigned port as ready', async () => {
    const root = await realpath(await makeTempDir('wr-apps-squat-'));
    // The app starts a squatter in its own session (not in the app's group) on $PORT and never
    // listens itself. The squatter counts the readiness probes that reach it; after three the app
    // exits. A runtime that took the squatter's answer for the app's would have answered 200 at
    // the first probe; a correct one is still waiting when the app exits, and answers 503. No
    // timer decides the outcome, so a slow machine only makes it take longer.
    await writeFile(
      join(root, 'squat.js'),
      `const { spawn } = require('node:child_process');
const fs = require('node:fs');
const squatter = "let n = 0; require('node:net').createServer((c) => { c.destroy(); if (++n === 3) require('node:fs').writeFileSync('probed', String(n)); }).listen(Number(process.env.PORT), '127.0.0.1'); setTimeout(() => process.exit(0), 120000)";
// Another program: it does not carry this runtime's process marker.
const env = { ...process.env }; delete env.WR_OWNER;
const s = spawn(process.execPath, ['-e', squatter], { detached: true, stdio: 'ignore', env });
fs.writeFileSync('squatter.pid', String(s.pid));
setInterval(() => fs.existsSync('probed') && process.exit(7), 20);
`,
    );
    await writeFile(join(root, 'app.runtime.yaml'), 'id: impostor\nstart: node squat.js\nreadiness: { tcp: true, timeout: 120s }\nstop_timeout: 500ms\n');
    const rt = await startTestRuntime({ workspace: root, features: [appsFeature] });
    let squatter = 0;
    try {
      const id = (await rt.json('/api/v1/apps')).body.apps[0].id;
      const res = await rt.json(`/api/v1/apps/${id}/ensure-running`, { method: 'POST' });
      squatter = await readPid(join(root, 'squatter.pid'));
      expect(res).toMatchObject({ status: 503, body: { code: 'app_not_ready' } });
      expect(Number(await readFile(join(root, 'probed'), 'utf8'))).toBe(3);
    } finally {
      if (squatter) process.kill(squatter, 'SIGKILL');
      await rt.close();
    }
  }, 60_000);
});
