// Watcher on a tree of 100,000 files of which 90,000 are under node_modules: time to ready and the
// runtime's RSS once watching, and write-to-file_changed latency seen by a WebSocket client (p50,
// p99). Env: BENCH_FILES (default 100000), BENCH_WRITES (default 300).
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { percentile, round, rssBytes, startRuntime } from './lib/runtime.mjs';

const total = Number(process.env.BENCH_FILES ?? 100_000);
const writes = Number(process.env.BENCH_WRITES ?? 300);
const perDir = 100;
const nodeModulesFiles = Math.round(total * 0.9);
const srcFiles = total - nodeModulesFiles;
const root = await realpath(await mkdtemp(join(tmpdir(), 'wr-bench-watch-')));

async function fill(base, files) {
  const dirs = Math.ceil(files / perDir);
  for (let d = 0; d < dirs; d++) {
    const dir = join(base, `d${d}`);
    await mkdir(dir, { recursive: true });
    const n = Math.min(perDir, files - d * perDir);
    await Promise.all(Array.from({ length: n }, (_, i) => writeFile(join(dir, `f${i}.js`), 'x')));
  }
}
const t0 = Date.now();
await fill(join(root, 'node_modules'), nodeModulesFiles);
await fill(join(root, 'src'), srcFiles);
const createMs = Date.now() - t0;

const rt = await startRuntime({ workspace: root });
process.on('uncaughtException', async (error) => {
  console.error(error);
  await rt.stop();
  process.exit(1);
});
const wsId = (await rt.json('/api/v1/workspaces')).workspaces[0].id;
const rssBefore = await rssBytes(rt.pid);

const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws?access_token=${rt.token}`);
await new Promise((r, j) => (ws.once('open', r), ws.once('error', j)));
const waiting = new Map();
ws.on('message', (raw) => {
  const e = JSON.parse(String(raw));
  if (e.type === 'file_changed') waiting.get(e.path)?.(performance.now());
});
const subscribedAt = performance.now();
ws.send(JSON.stringify({ type: 'subscribe', topics: ['file_changed'], workspace_id: wsId }));
let watcher;
for (;;) {
  const status = await rt.json('/api/v1/runtime/status');
  watcher = status.runtime.features.files.watchers.find((w) => w.workspace_id === wsId);
  if (watcher?.ready) break;
  await new Promise((r) => setTimeout(r, 10));
}
const readyObservedMs = performance.now() - subscribedAt;
const rssWatching = await rssBytes(rt.pid);

const latencies = [];
let missed = 0;
for (let i = 0; i < writes; i++) {
  const path = `src/d${i % Math.ceil(srcFiles / perDir)}/f${i % perDir}.js`;
  const seen = new Promise((resolve) => {
    waiting.set(path, resolve);
    setTimeout(() => resolve(null), 2000);
  });
  const start = performance.now();
  await writeFile(join(root, path), `changed ${i}`);
  const at = await seen;
  waiting.delete(path);
  if (at === null) missed++;
  else latencies.push(at - start);
  await new Promise((r) => setTimeout(r, 5));
}
latencies.sort((a, b) => a - b);
const rssAfter = await rssBytes(rt.pid);
ws.close();
await rt.stop();
await rm(root, { recursive: true, force: true });
console.log(
  JSON.stringify({
    bench: 'watcher',
    files: total,
    node_modules_files: nodeModulesFiles,
    tree_create_ms: createMs,
    ready_ms_internal: watcher.ready_ms,
    ready_ms_observed: round(readyObservedMs, 0),
    rss_mb_before_watch: round(rssBefore / 1048576, 1),
    rss_mb_watching: round(rssWatching / 1048576, 1),
    rss_mb_after_writes: round(rssAfter / 1048576, 1),
    writes,
    missed,
    latency_p50_ms: round(percentile(latencies, 50), 1),
    latency_p99_ms: round(percentile(latencies, 99), 1),
    latency_max_ms: round(latencies.at(-1), 1),
    targets: { ready_ms_max: 1000, rss_mb_max: 150, latency_p99_ms_max: 200 },
  }),
);
