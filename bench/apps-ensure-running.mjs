// ensure-running of a minimal Node HTTP app: time from the call to ready, beside starting the same
// app by hand (spawn + poll its port every 20 ms, as the runtime's tcp readiness does) in the same
// run. Alternates the two, N rounds each; prints one JSON object. Target: overhead ≤ 100 ms.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { median, percentile, round, startRuntime, tempDir } from './lib.mjs';

const ROUNDS = Number(process.env.ROUNDS ?? 15);
const SERVER = `require('node:http').createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), process.env.HOST || '127.0.0.1');\n`;

const freePort = () => new Promise((resolve) => {
  const s = createServer();
  s.listen(0, '127.0.0.1', () => {
    const { port } = s.address();
    s.close(() => resolve(port));
  });
});

const tcpOk = (port) => new Promise((resolve) => {
  const sock = connect({ port, host: '127.0.0.1' });
  sock.once('connect', () => (sock.destroy(), resolve(true)));
  sock.once('error', () => (sock.destroy(), resolve(false)));
});

async function byHand(dir) {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn('/bin/sh', ['-c', 'node server.js'], { cwd: dir, env: { ...process.env, PORT: String(port) }, detached: true, stdio: 'ignore' });
  while (!(await tcpOk(port))) await new Promise((r) => setTimeout(r, 20));
  const ms = performance.now() - t0;
  process.kill(-child.pid, 'SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return ms;
}

const dir = tempDir('wr-bench-app-');
await writeFile(join(dir, 'server.js'), SERVER);
await writeFile(join(dir, 'app.runtime.yaml'), 'id: web\nstart: node server.js\nstop_timeout: 2s\n');
const rt = withApi(await startRuntime(['--workspace', dir]));
try {
  const appId = (await rt.api('/api/v1/apps')).body.apps[0].id;
  const hand = [];
  const runtime = [];
  const idempotent = [];
  await byHand(dir); // warm the file cache for node
  for (let i = 0; i < ROUNDS; i += 1) {
    hand.push(await byHand(dir));
    const t0 = performance.now();
    const res = await rt.api(`/api/v1/apps/${appId}/ensure-running`, { method: 'POST' });
    runtime.push(performance.now() - t0);
    if (res.status !== 200 || res.body.app.status !== 'ready') throw new Error(`ensure-running answered ${res.status} ${JSON.stringify(res.body)}`);
    const t1 = performance.now();
    await rt.api(`/api/v1/apps/${appId}/ensure-running`, { method: 'POST' });
    idempotent.push(performance.now() - t1);
    await rt.api(`/api/v1/apps/${appId}/stop`, { method: 'POST' });
  }
  const overhead = median(runtime) - median(hand);
  console.log(JSON.stringify({
    bench: 'apps-ensure-running',
    rounds: ROUNDS,
    by_hand_ms: { median: round(median(hand)), p90: round(percentile(hand, 90)) },
    ensure_running_ms: { median: round(median(runtime)), p90: round(percentile(runtime, 90)) },
    already_running_ms: { median: round(median(idempotent)), p90: round(percentile(idempotent, 90)) },
    overhead_ms: round(overhead),
    target_overhead_ms: 100,
    within_target: overhead <= 100,
  }));
} finally {
  await rt.stop();
}

function withApi(rt) {
  rt.api = async (path, init = {}) => {
    const res = await fetch(`${rt.url}${path}`, { ...init, headers: { ...rt.headers, 'content-type': 'application/json' } });
    return { status: res.status, body: await res.json() };
  };
  return rt;
}
