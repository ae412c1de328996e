// Cold start: from spawning `workspace-runtime serve` (the bundle) to the first 200 on /health,
// median of 10, beside a bare node:http server started the same way. Target: ≤ 3× bare.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENTRY, median, round, tempDir } from './lib.mjs';

const RUNS = Number(process.env.RUNS ?? 10);
const bareScript = join(tempDir(), 'bare.mjs');
writeFileSync(bareScript, `import { createServer } from 'node:http';
createServer((req, res) => { res.writeHead(200, {'content-type':'application/json'}); res.end('{"status":"ok"}'); })
  .listen(Number(process.argv[2]), '127.0.0.1');`);

let nextPort = 43100 + Math.floor(Math.random() * 500);

async function timeToHealth(args) {
  for (let attempt = 0; attempt < 5; attempt++) {
    const port = nextPort++;
    const started = performance.now();
    const child = spawn(process.execPath, args(port), { stdio: 'ignore' });
    let exited = false;
    child.once('exit', () => (exited = true));
    let ms;
    while (!exited && ms === undefined) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health`);
        if (res.status === 200) ms = performance.now() - started;
      } catch {
        await new Promise((r) => setTimeout(r, 2));
      }
    }
    if (ms === undefined) continue; // the port was taken: try the next one
    await new Promise((r) => (child.once('exit', r), child.kill('SIGTERM')));
    return ms;
  }
  throw new Error('could not start a server in 5 attempts');
}

const runtime = [];
const bare = [];
for (let i = 0; i < RUNS; i++) {
  bare.push(await timeToHealth((port) => [bareScript, String(port)]));
  runtime.push(await timeToHealth((port) => [ENTRY, 'serve', '--port', String(port), '--data-dir', tempDir('wr-cold-')]));
}
const result = {
  bench: 'cold-start',
  runs: RUNS,
  runtime_median_ms: round(median(runtime)),
  bare_node_http_median_ms: round(median(bare)),
  ratio: round(median(runtime) / median(bare)),
  target: 'ratio <= 3',
};
console.log(JSON.stringify(result));
