// Idle memory: RSS of the runtime after start with 10 registered workspaces (target < 100 MB).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { round, startRuntime, tempDir } from './lib.mjs';

const rt = await startRuntime();
const root = tempDir();
for (let i = 0; i < 10; i++) {
  const dir = join(root, `w${i}`);
  mkdirSync(dir);
  await fetch(`${rt.url}/api/v1/workspaces`, { method: 'POST', headers: { ...rt.headers, 'content-type': 'application/json' }, body: JSON.stringify({ root_dir: dir }) });
}
await new Promise((r) => setTimeout(r, 2000));
const status = await (await fetch(`${rt.url}/api/v1/runtime/status`, { headers: rt.headers })).json();
const procRss = Number(/VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${rt.child.pid}/status`, 'utf8'))?.[1] ?? 0) * 1024;
console.log(JSON.stringify({ bench: 'idle-memory', workspaces: status.runtime.counts.workspaces, rss_mb: round(procRss / 1048576, 1), heap_used_mb: round(status.runtime.memory.heap_used_bytes / 1048576, 1), target: 'rss_mb < 100' }));
await rt.stop();
