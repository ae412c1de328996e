// Listing a folder of 10,000 entries through the API: median (and p90) time of GET …/files/big-dir.
// Env: BENCH_ENTRIES (default 10000), BENCH_RUNS (default 30).
import { mkdir, mkdtemp, realpath, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { percentile, round, startRuntime } from './lib/runtime.mjs';

const entries = Number(process.env.BENCH_ENTRIES ?? 10_000);
const runs = Number(process.env.BENCH_RUNS ?? 30);
const root = await realpath(await mkdtemp(join(tmpdir(), 'wr-bench-list-')));
const dir = join(root, 'big-dir');
await mkdir(dir);
for (let i = 0; i < entries; i += 500) {
  await Promise.all(Array.from({ length: Math.min(500, entries - i) }, (_, j) => writeFile(join(dir, `file-${String(i + j).padStart(6, '0')}.txt`), 'x')));
}
const rt = await startRuntime({ workspace: root });
const wsId = (await rt.json('/api/v1/workspaces')).workspaces[0].id;
const times = [];
let count = 0;
let bytes = 0;
for (let i = 0; i < runs + 2; i++) {
  const t0 = performance.now();
  const res = await rt.api(`/api/v1/workspaces/${wsId}/files/big-dir`);
  const text = await res.text();
  const ms = performance.now() - t0;
  if (i >= 2) times.push(ms); // two warm-up runs
  count = JSON.parse(text).entries.length;
  bytes = text.length;
}
times.sort((a, b) => a - b);
await rt.stop();
await rm(root, { recursive: true, force: true });
console.log(JSON.stringify({ bench: 'files-list', entries: count, response_bytes: bytes, runs, median_ms: round(percentile(times, 50)), p90_ms: round(percentile(times, 90)), min_ms: round(times[0]) }));
