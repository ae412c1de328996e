// Export memory: RSS of the runtime while it streams the tar.gz export of a workspace holding one
// 96 MiB poorly compressible file, sampled every 100 ms (target: it grows by less than 48 MB, i.e.
// the archive is never held in memory). The test suite checks only that the export streams
// (src-runtime/files/workspace-level.test.ts); how much memory it takes is measured here.
import { openSync, readFileSync, writeSync, closeSync } from 'node:fs';
import { join } from 'node:path';
import { round, startRuntime, tempDir } from './lib.mjs';

const MiB = 1024 * 1024;
const FILE_MIB = 96;
const workspace = tempDir('wr-bench-export-');
const chunk = Buffer.alloc(MiB);
for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE((i * 2654435761) >>> 0, i);
const fd = openSync(join(workspace, 'big.bin'), 'w');
for (let i = 0; i < FILE_MIB; i++) writeSync(fd, chunk);
closeSync(fd);

const rt = await startRuntime(['--workspace', workspace]);
const rss = () => Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${rt.child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
const id = (await (await fetch(`${rt.url}/api/v1/workspaces`, { headers: rt.headers })).json()).workspaces[0].id;
const before = rss();
let peak = before;
const sampler = setInterval(() => (peak = Math.max(peak, rss())), 100);
const started = performance.now();
const res = await fetch(`${rt.url}/api/v1/workspaces/${id}/export`, { headers: rt.headers });
let bytes = 0;
for await (const part of res.body) bytes += part.length;
const seconds = (performance.now() - started) / 1000;
clearInterval(sampler);
peak = Math.max(peak, rss());
console.log(
  JSON.stringify({
    bench: 'export-memory',
    file_mb: FILE_MIB,
    status: res.status,
    archive_mb: round(bytes / MiB, 1),
    seconds: round(seconds, 1),
    rss_before_mb: round(before / MiB, 1),
    rss_peak_mb: round(peak / MiB, 1),
    rss_growth_mb: round((peak - before) / MiB, 1),
    target: 'rss_growth_mb < 48',
  }),
);
await rt.stop();
