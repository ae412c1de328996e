// Shared by the git benches: start the standalone runtime on a workspace (isolated from the user's
// git config), time things, summarise samples. A .js file so bench/run-all.mjs does not run it.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Git config isolated from the machine's (identity set here), shared by the runtime and direct git runs. */
export function isolatedGitEnv() {
  const dir = mkdtempSync(join(tmpdir(), 'wr-bench-gitcfg-'));
  const file = join(dir, 'gitconfig');
  writeFileSync(file, '[user]\n\tname = Bench\n\temail = bench@example.com\n[init]\n\tdefaultBranch = main\n');
  return { ...process.env, GIT_CONFIG_GLOBAL: file, GIT_CONFIG_NOSYSTEM: '1' };
}

export function run(file, args, options = {}) {
  return new Promise((resolve, reject) => {
    const child = execFile(file, args, { maxBuffer: 1024 * 1024 * 1024, ...options }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${file} ${args.join(' ')}: ${stderr || error.message}`));
      else resolve(stdout);
    });
    if (options.input !== undefined) child.stdin.end(options.input);
  });
}

export async function startRuntime(workspace, env) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wr-bench-data-'));
  const child = spawn(process.execPath, [join(root, 'bin', 'workspace-runtime.mjs'), 'serve', '--port', '0', '--data-dir', dataDir, '--workspace', workspace], {
    env,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const discovery = join(dataDir, 'runtime.json');
  const end = Date.now() + 60_000;
  while (!existsSync(discovery)) {
    if (child.exitCode !== null || Date.now() > end) throw new Error(`runtime did not start: ${stderr}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await new Promise((r) => setTimeout(r, 50));
  const { url, token } = JSON.parse(readFileSync(discovery, 'utf8'));
  const headers = { authorization: `Bearer ${token}` };
  const list = await (await fetch(`${url}/api/v1/workspaces`, { headers })).json();
  return {
    url,
    workspaceId: list.workspaces[0].id,
    async get(path) {
      const res = await fetch(`${url}${path}`, { headers });
      const body = await res.json();
      if (!res.ok) throw new Error(`${path}: ${res.status} ${JSON.stringify(body)}`);
      return body;
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
    },
  };
}

export async function time(fn) {
  const start = process.hrtime.bigint();
  const value = await fn();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

export function summary(samples) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p) => s[Math.min(s.length - 1, Math.floor(p * s.length))];
  const r = (x) => Math.round(x * 10) / 10;
  return { median_ms: r(q(0.5)), p90_ms: r(q(0.9)), min_ms: r(s[0]), max_ms: r(s[s.length - 1]), runs: s.length };
}
