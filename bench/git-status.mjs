// Bench: GET …/version-control/status on a generated repository (20,000 tracked files, 1,000
// modified, 100 untracked) beside `git status --porcelain=v2` run directly, alternating in the same
// run. Target: API median <= 1.3 x git median + 20 ms. Prints one JSON object.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedGitEnv, run, startRuntime, summary, time } from './git-support.js';

const TRACKED = 20_000;
const MODIFIED = 1_000;
const UNTRACKED = 100;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);

const env = isolatedGitEnv();
const repo = mkdtempSync(join(tmpdir(), 'wr-bench-status-'));
const setupStart = Date.now();
await run('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
for (let d = 0; d < TRACKED / 100; d++) {
  const dir = join(repo, 'src', `module-${d}`);
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < 100; f++) writeFileSync(join(dir, `file-${f}.ts`), `export const value${f} = ${d * 100 + f};\n`);
}
await run('git', ['add', '-A'], { cwd: repo, env });
await run('git', ['commit', '-q', '-m', 'generated'], { cwd: repo, env });
for (let i = 0; i < MODIFIED; i++) {
  const n = i * (TRACKED / MODIFIED);
  writeFileSync(join(repo, 'src', `module-${Math.floor(n / 100)}`, `file-${n % 100}.ts`), `export const changed = ${i};\n`);
}
mkdirSync(join(repo, 'new'), { recursive: true });
for (let i = 0; i < UNTRACKED; i++) writeFileSync(join(repo, 'new', `untracked-${i}.txt`), `${i}\n`);
const setupMs = Date.now() - setupStart;

const rt = await startRuntime(repo, env);
try {
  const apiPath = `/api/v1/workspaces/${rt.workspaceId}/version-control/status`;
  const plain = ['status', '--porcelain=v2'];
  const same = ['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '-z', '--untracked-files=all'];
  // Warm-up: page cache, index stat data, the runtime's JIT and repository lookup.
  for (let i = 0; i < 3; i++) {
    await run('git', plain, { cwd: repo, env });
    await rt.get(apiPath);
  }
  const api = [];
  const gitPlain = [];
  const gitSame = [];
  let last;
  for (let i = 0; i < RUNS; i++) {
    gitPlain.push((await time(() => run('git', plain, { cwd: repo, env }))).ms);
    const a = await time(() => rt.get(apiPath));
    api.push(a.ms);
    last = a.value.status;
    gitSame.push((await time(() => run('git', same, { cwd: repo, env }))).ms);
  }
  const apiS = summary(api);
  const gitS = summary(gitPlain);
  const budget = Math.round((1.3 * gitS.median_ms + 20) * 10) / 10;
  console.log(
    JSON.stringify({
      bench: 'git-status',
      repo: { tracked: TRACKED, modified: MODIFIED, untracked: UNTRACKED, setup_ms: setupMs },
      reported: { unstaged: last.unstaged.length, untracked: last.untracked.length, staged: last.staged.length },
      api: apiS,
      git_porcelain_v2: gitS,
      git_same_args: summary(gitSame),
      ratio_median: Math.round((apiS.median_ms / gitS.median_ms) * 100) / 100,
      target_ms: budget,
      within_target: apiS.median_ms <= budget,
    }),
  );
} finally {
  await rt.stop();
  rmSync(repo, { recursive: true, force: true });
}
