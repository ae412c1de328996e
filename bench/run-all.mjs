// `npm run bench`: builds the runtime, then runs every bench/*.mjs script (except helpers) one after
// another and prints their JSON lines; also saved to bench/results/latest.jsonl.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './lib.mjs';

spawnSync(process.execPath, [join(ROOT, 'scripts', 'build-runtime.mjs')], { stdio: 'inherit', cwd: ROOT });
const only = process.argv.slice(2);
const scripts = readdirSync(join(ROOT, 'bench')).filter((f) => f.endsWith('.mjs') && !['lib.mjs', 'run-all.mjs'].includes(f) && (only.length === 0 || only.some((o) => f.includes(o))));
const lines = [];
for (const script of scripts.sort()) {
  const r = spawnSync(process.execPath, [join(ROOT, 'bench', script)], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], timeout: 600_000 });
  const last = r.stdout.trim().split('\n').at(-1) ?? '';
  const line = r.status === 0 && last.startsWith('{') ? last : JSON.stringify({ bench: script, error: `exit ${r.status}` });
  console.log(line);
  lines.push(line);
}
mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
writeFileSync(join(ROOT, 'bench', 'results', 'latest.jsonl'), `${lines.join('\n')}\n`);
