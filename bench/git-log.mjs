// Bench: GET …/version-control/log first page (100 commits) of a repository with 10,000 commits
// (made quickly with `git fast-import`), beside the equivalent `git log` run directly. Prints JSON.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isolatedGitEnv, run, startRuntime, summary, time } from './git-support.js';

const COMMITS = 10_000;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);

const env = isolatedGitEnv();
const repo = mkdtempSync(join(tmpdir(), 'wr-bench-log-'));
const setupStart = Date.now();
await run('git', ['init', '-q', '-b', 'main'], { cwd: repo, env });
const parts = [];
const t0 = 1_700_000_000;
for (let i = 1; i <= COMMITS; i++) {
  const message = `Commit number ${i}\n\nBody of commit ${i}: touches file-${i % 100}.txt.\n`;
  const content = `revision ${i}\n`;
  parts.push(
    `commit refs/heads/main\nmark :${i}\nauthor Bench Author <bench@example.com> ${t0 + i * 60} +0000\ncommitter Bench Author <bench@example.com> ${t0 + i * 60} +0000\n`,
    `data ${Buffer.byteLength(message)}\n${message}`,
    i > 1 ? `from :${i - 1}\n` : '',
    `M 100644 inline file-${i % 100}.txt\ndata ${Buffer.byteLength(content)}\n${content}\n`,
  );
}
await run('git', ['fast-import', '--quiet'], { cwd: repo, env, input: parts.join('') });
await run('git', ['reset', '-q', '--hard', 'main'], { cwd: repo, env });
const setupMs = Date.now() - setupStart;
const count = Number((await run('git', ['rev-list', '--count', 'HEAD'], { cwd: repo, env })).trim());

const rt = await startRuntime(repo, env);
try {
  const apiPath = `/api/v1/workspaces/${rt.workspaceId}/version-control/log?limit=100`;
  const direct = ['log', '--format=%x1e%H%x00%P%x00%an%x00%ae%x00%aI%x00%cn%x00%ce%x00%cI%x00%s%x00%b', '-z', '--max-count=101', 'HEAD', '--'];
  for (let i = 0; i < 3; i++) {
    await rt.get(apiPath);
    await run('git', direct, { cwd: repo, env });
  }
  const api = [];
  const gitRuns = [];
  let page;
  for (let i = 0; i < RUNS; i++) {
    const a = await time(() => rt.get(apiPath));
    api.push(a.ms);
    page = a.value;
    gitRuns.push((await time(() => run('git', direct, { cwd: repo, env }))).ms);
  }
  const withFiles = [];
  for (let i = 0; i < 10; i++) withFiles.push((await time(() => rt.get(`${apiPath}&files=true`))).ms);
  console.log(
    JSON.stringify({
      bench: 'git-log',
      repo: { commits: count, setup_ms: setupMs },
      page: { commits: page.commits.length, next_cursor: page.next_cursor ?? null },
      api_first_page: summary(api),
      api_first_page_with_files: summary(withFiles),
      git_log_direct: summary(gitRuns),
    }),
  );
} finally {
  await rt.stop();
  rmSync(repo, { recursive: true, force: true });
}
