// Throughput and latency: authenticated GET /api/v1/runtime/status and GET /api/v1/workspaces with
// 50 connections (autocannon), beside a bare node:http server answering the same JSON and a bare
// Express app with the same route, in the same run. Targets: ≥ 25% of bare rps, p99 < 25 ms.
import autocannon from 'autocannon';
import express from 'express';
import { createServer } from 'node:http';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { round, startRuntime, tempDir } from './lib.mjs';

const DURATION = Number(process.env.DURATION ?? 5);
const CONNECTIONS = 50;

function cannon(url, headers) {
  return new Promise((resolve, reject) => {
    autocannon({ url, connections: CONNECTIONS, duration: DURATION, headers }, (err, r) => (err ? reject(err) : resolve(r)));
  });
}

const summary = (r) => ({ rps: round(r.requests.average, 0), p50_ms: r.latency.p50, p99_ms: r.latency.p99, non_2xx: r.non2xx, errors: r.errors });

const root = tempDir();
const workspaceArgs = [];
const rt = await startRuntime();
for (let i = 0; i < 10; i++) {
  const dir = join(root, `w${i}`);
  mkdirSync(dir);
  await fetch(`${rt.url}/api/v1/workspaces`, { method: 'POST', headers: { ...rt.headers, 'content-type': 'application/json' }, body: JSON.stringify({ root_dir: dir }) });
}
void workspaceArgs;
const statusBody = JSON.stringify(await (await fetch(`${rt.url}/api/v1/runtime/status`, { headers: rt.headers })).json());
const listBody = JSON.stringify(await (await fetch(`${rt.url}/api/v1/workspaces`, { headers: rt.headers })).json());

const bare = createServer((req, res) => {
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(req.url === '/api/v1/workspaces' ? listBody : statusBody);
});
await new Promise((r) => bare.listen(0, '127.0.0.1', r));
const bareUrl = `http://127.0.0.1:${bare.address().port}`;

const app = express();
app.get('/api/v1/runtime/status', (_req, res) => res.type('json').send(statusBody));
app.get('/api/v1/workspaces', (_req, res) => res.type('json').send(listBody));
const ex = createServer(app);
await new Promise((r) => ex.listen(0, '127.0.0.1', r));
const exUrl = `http://127.0.0.1:${ex.address().port}`;

const out = { bench: 'http-throughput', connections: CONNECTIONS, duration_s: DURATION, routes: {} };
for (const path of ['/api/v1/runtime/status', '/api/v1/workspaces']) {
  const bareR = summary(await cannon(bareUrl + path));
  const expressR = summary(await cannon(exUrl + path));
  const runtimeR = summary(await cannon(rt.url + path, rt.headers));
  out.routes[path] = {
    runtime: runtimeR,
    bare_node_http: bareR,
    bare_express: expressR,
    runtime_pct_of_bare: round((100 * runtimeR.rps) / bareR.rps, 1),
    express_pct_of_bare: round((100 * expressR.rps) / bareR.rps, 1),
  };
}
out.target = 'runtime_pct_of_bare >= 25, runtime p99 < 25 ms';
console.log(JSON.stringify(out));
await rt.stop();
bare.close();
ex.close();
process.exit(0);
