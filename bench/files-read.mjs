// GET of a 4 KiB and a 1 MiB file through the runtime API beside a bare node:http server (its own
// process) streaming the same file, same run, 50 connections (autocannon). Prints one JSON object.
// Env: BENCH_SECONDS (default 8), BENCH_CONNECTIONS (default 50).
import { spawn } from 'node:child_process';
import { mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { round, startRuntime } from './lib/runtime.mjs';

const seconds = Number(process.env.BENCH_SECONDS ?? 8);
const connections = Number(process.env.BENCH_CONNECTIONS ?? 50);
const root = await realpath(await mkdtemp(join(tmpdir(), 'wr-bench-read-')));
await writeFile(join(root, 'small.txt'), Buffer.alloc(4096, 'a'));
await writeFile(join(root, 'large.bin'), Buffer.alloc(1024 * 1024, 'b'));

const bareSource = `
const http = require('node:http'); const fs = require('node:fs'); const path = require('node:path');
const root = ${JSON.stringify(root)};
const server = http.createServer((req, res) => {
  const file = path.join(root, req.url.slice(1));
  fs.stat(file, (err, st) => {
    if (err) { res.statusCode = 404; return res.end(); }
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': st.size });
    fs.createReadStream(file).pipe(res);
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));`;
const bare = spawn(process.execPath, ['-e', bareSource], { stdio: ['ignore', 'pipe', 'inherit'] });
const barePort = await new Promise((resolve) => bare.stdout.once('data', (d) => resolve(Number(String(d).trim()))));

const rt = await startRuntime({ workspace: root });
const wsId = (await rt.json('/api/v1/workspaces')).workspaces[0].id;

async function run(url, headers = {}) {
  const result = await autocannon({ url, connections, duration: seconds, headers });
  return { rps: round(result.requests.average, 0), p50_ms: result.latency.p50, p99_ms: result.latency.p99, errors: result.errors, non2xx: result.non2xx, throughput_mb_s: round(result.throughput.average / 1024 / 1024, 1) };
}

const out = { bench: 'files-read', connections, seconds_per_run: seconds, cases: {} };
for (const [name, file] of [['4KiB', 'small.txt'], ['1MiB', 'large.bin']]) {
  // Warm both (ETag cache, JIT).
  await fetch(`http://127.0.0.1:${barePort}/${file}`).then((r) => r.arrayBuffer());
  await rt.api(`/api/v1/workspaces/${wsId}/files/${file}`).then((r) => r.arrayBuffer());
  const bareResult = await run(`http://127.0.0.1:${barePort}/${file}`);
  const apiResult = await run(`${rt.url}/api/v1/workspaces/${wsId}/files/${file}`, { authorization: `Bearer ${rt.token}` });
  out.cases[name] = { bare: bareResult, api: apiResult, api_percent_of_bare: round((apiResult.rps / bareResult.rps) * 100, 1) };
}
out.targets = { api_percent_of_bare_min: 25, api_p99_ms_max: 25 };
out.met = Object.fromEntries(Object.entries(out.cases).map(([k, v]) => [k, v.api_percent_of_bare >= 25 && v.api.p99_ms < 25]));

await rt.stop();
bare.kill();
await rm(root, { recursive: true, force: true });
console.log(JSON.stringify(out));
