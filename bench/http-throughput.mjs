// Throughput and latency: authenticated GET /api/v1/runtime/status and GET /api/v1/workspaces with
// 50 connections (autocannon), beside a bare node:http server answering the same JSON and a bare
// Express app with the same route, in the same run. Targets: ≥ 25% of bare rps, p99 < 25 ms.
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { mkdirSync, writeFileSync } from 'node:fs';
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
const rt = await startRuntime();
for (let i = 0; i < 10; i++) {
  const dir = join(root, `w${i}`);
  mkdirSync(dir);
  await fetch(`${rt.url}/api/v1/workspaces`, { method: 'POST', headers: { ...rt.headers, 'content-type': 'application/json' }, body: JSON.stringify({ root_dir: dir }) });
}
const statusBody = JSON.stringify(await (await fetch(`${rt.url}/api/v1/runtime/status`, { headers: rt.headers })).json());
const listBody = JSON.stringify(await (await fetch(`${rt.url}/api/v1/workspaces`, { headers: rt.headers })).json());

// The baselines run in their own processes, like the runtime, so none shares the client's event loop.
const bodiesFile = join(tempDir(), 'bodies.json');
writeFileSync(bodiesFile, JSON.stringify({ status: statusBody, list: listBody }));
const serverScript = join(tempDir(), 'baseline.mjs');
writeFileSync(serverScript, `
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
const { status, list } = JSON.parse(readFileSync(process.argv[3], 'utf8'));
let server;
if (process.argv[2] === 'express') {
  const { default: express } = await import(${JSON.stringify(new URL('../node_modules/express/index.js', import.meta.url).href)});
  const app = express();
  app.get('/api/v1/runtime/status', (_q, r) => r.type('json').send(status));
  app.get('/api/v1/workspaces', (_q, r) => r.type('json').send(list));
  server = createServer(app);
} else {
  server = createServer((req, res) => { res.writeHead(200, { 'content-type': 'application/json' }); res.end(req.url === '/api/v1/workspaces' ? list : status); });
}
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`);
async function baseline(kind) {
  const child = spawn(process.execPath, [serverScript, kind, bodiesFile], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise((r) => createInterface({ input: child.stdout }).once('line', r));
  return { url: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}
const bare = await baseline('bare');
const ex = await baseline('express');
const bareUrl = bare.url;
const exUrl = ex.url;

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
bare.stop();
ex.stop();
process.exit(0);
