// Log throughput: an app prints 100,000 lines (with ANSI colour); a client streams GET
// /api/v1/apps/{id}/logs (SSE) and counts the lines that reach it. Reports lines/s at the client,
// the same app's raw rate into a pipe for comparison, and the runtime's RSS before, at peak and
// after (bounded by the per-app ring buffer). Prints one JSON object.
import { spawn } from 'node:child_process';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { round, startRuntime, tempDir } from './lib.mjs';

const LINES = Number(process.env.LINES ?? 100_000);
const APP = `for (let i = 0; i < ${LINES}; i++) process.stdout.write('line ' + i + ' \\u001b[32mok\\u001b[0m some padding to make it a realistic log line\\n');\n`;

const rss = async (pid) => Number(/VmRSS:\s+(\d+)/.exec(await readFile(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const mb = (b) => round(b / 1024 / 1024, 1);

async function rawPipe(dir) {
  const t0 = performance.now();
  const child = spawn(process.execPath, ['app.js'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  let n = 0;
  child.stdout.on('data', (c) => {
    for (let i = c.indexOf(10); i !== -1; i = c.indexOf(10, i + 1)) n += 1;
  });
  await new Promise((r) => child.once('close', r));
  return { lines: n, ms: performance.now() - t0 };
}

const dir = tempDir('wr-bench-logs-');
await writeFile(join(dir, 'app.js'), APP);
await writeFile(join(dir, 'app.runtime.yaml'), 'id: chatty\nstart: node app.js\nport: none\n');
const raw = await rawPipe(dir);
// HEAP_MB caps the runtime's old space: finishing under a small cap shows the retained memory is bounded.
const rt = withApi(await startRuntime(['--workspace', dir], process.env.HEAP_MB ? { NODE_OPTIONS: `--max-old-space-size=${process.env.HEAP_MB}` } : {}));
try {
  const appId = (await rt.api('/api/v1/apps')).body.apps[0].id;
  await new Promise((r) => setTimeout(r, 500));
  const heap = async () => (await rt.api('/api/v1/runtime/status')).body.runtime.memory.heap_used_bytes;
  const heapBefore = await heap();
  const rssBefore = await rss(rt.child.pid);
  let peak = rssBefore;
  const sampler = setInterval(async () => (peak = Math.max(peak, await rss(rt.child.pid).catch(() => 0))), 50);

  const ac = new AbortController();
  const res = await fetch(`${rt.url}/api/v1/apps/${appId}/logs`, { headers: { authorization: `Bearer ${rt.token}` }, signal: ac.signal });
  let received = 0;
  let ansiKept = false;
  let t0 = 0;
  let tLast = 0;
  const done = (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of res.body) {
      buffer += decoder.decode(chunk, { stream: true });
      const blocks = buffer.split('\n\n');
      buffer = blocks.pop() ?? '';
      for (const block of blocks) {
        if (!block.startsWith('id:') || !block.includes('event: app_log')) continue;
        const data = JSON.parse(block.slice(block.indexOf('data: ') + 6));
        if (data.stream !== 'stdout') continue;
        received += 1;
        if (!ansiKept && data.line.includes('\u001b[32m')) ansiKept = true;
        tLast = performance.now();
      }
      if (received >= LINES) break;
    }
  })();
  t0 = performance.now();
  const started = await rt.api(`/api/v1/apps/${appId}/start`, { method: 'POST' });
  if (started.status !== 202) throw new Error(`start answered ${started.status}`);
  const timeout = setTimeout(() => ac.abort(), 120_000);
  await done.catch(() => undefined);
  clearTimeout(timeout);
  ac.abort();
  clearInterval(sampler);
  await new Promise((r) => setTimeout(r, 1000));
  global.gc?.();
  const rssAfter = await rss(rt.child.pid);
  const heapAfter = await heap();
  const seconds = (tLast - t0) / 1000;
  console.log(JSON.stringify({
    bench: 'apps-logs',
    lines: LINES,
    heap_cap_mb: process.env.HEAP_MB ? Number(process.env.HEAP_MB) : null,
    received,
    ansi_kept: ansiKept,
    client_lines_per_s: Math.round(received / seconds),
    client_seconds: round(seconds),
    raw_pipe_lines_per_s: Math.round(raw.lines / (raw.ms / 1000)),
    runtime_rss_mb: { before: mb(rssBefore), peak: mb(peak), after: mb(rssAfter), growth_after: mb(rssAfter - rssBefore), growth_peak: mb(peak - rssBefore) },
    runtime_heap_used_mb: { before: mb(heapBefore), after: mb(heapAfter) },
    ring_buffer_lines: 5000,
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
