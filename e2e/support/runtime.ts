/**
 * The real standalone runtime for browser tests: `node dist/runtime/main.mjs serve --port 0` with a
 * temp data dir and a temp git repo as the trusted default workspace; url and token come from
 * `<data-dir>/runtime.json` as a user's script would read them.
 */
import { spawn, execFileSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile, mkdir, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface E2eRuntime {
  url: string;
  token: string;
  dataDir: string;
  workspaceDir: string;
  proc: ChildProcess;
  stderr(): string;
  /** The checked-in JSON API, for set-up and assertions. */
  json<T = any>(path: string, init?: { method?: string; body?: unknown }): Promise<T>;
  stop(): Promise<void>;
  /** Stop the process but keep the data dir (to restart on the same port and token). */
  kill(): Promise<void>;
}

export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, GIT_AUTHOR_NAME: 'E2E', GIT_AUTHOR_EMAIL: 'e2e@example.com', GIT_COMMITTER_NAME: 'E2E', GIT_COMMITTER_EMAIL: 'e2e@example.com' },
  }).trim();
}

/** A git repo with a few files, one commit, and whatever extra files a test wants (in `parent`, or a new temp folder). */
export async function makeRepo(files: Record<string, string> = {}, options: { parent?: string } = {}): Promise<string> {
  const dir = await realpath(await mkdtemp(join(options.parent ?? tmpdir(), 'wr-e2e-repo-')));
  const all: Record<string, string> = {
    'README.md': '# Demo project\n\nUsed by the browser tests.\n',
    'src/index.js': "export function hello(name) {\n  return `hello ${name}`;\n}\n",
    'src/util/math.js': 'export const add = (a, b) => a + b;\n',
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'user.name', 'E2E');
  git(dir, 'config', 'user.email', 'e2e@example.com');
  git(dir, 'add', '-A');
  git(dir, 'commit', '-q', '-m', 'Initial commit');
  return dir;
}

export async function startRuntime(options: { workspaceDir?: string; env?: Record<string, string>; extraArgs?: string[]; dataDir?: string; port?: number } = {}): Promise<E2eRuntime> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'wr-e2e-data-')));
  const workspaceDir = options.workspaceDir ?? (await makeRepo());
  const proc = spawn(process.execPath, [join(repoRoot, 'dist/runtime/main.mjs'), 'serve', '--port', String(options.port ?? 0), '--data-dir', dataDir, '--workspace', workspaceDir, ...(options.extraArgs ?? [])], {
    cwd: repoRoot,
    env: { ...process.env, ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  proc.stderr?.on('data', (d: Buffer) => (err += d.toString()));
  proc.stdout?.resume();
  const discovery = join(dataDir, 'runtime.json');
  const until = Date.now() + 20_000;
  let info: { url: string; token: string } | undefined;
  while (!info) {
    if (proc.exitCode !== null) throw new Error(`runtime exited ${proc.exitCode}: ${err}`);
    if (Date.now() > until) throw new Error(`runtime did not start: ${err}`);
    // The file may be missing or half-written while the runtime starts.
    info = await readFile(discovery, 'utf8').then(
      (t) => {
        try {
          return JSON.parse(t) as { url: string; token: string };
        } catch {
          return undefined;
        }
      },
      () => undefined,
    );
    if (!info) await new Promise((r) => setTimeout(r, 50));
  }
  const { url, token } = info;
  return {
    url,
    token,
    dataDir,
    workspaceDir,
    proc,
    stderr: () => err,
    async json(path, init = {}) {
      const res = await fetch(`${url}${path}`, {
        method: init.method ?? 'GET',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      });
      const text = await res.text();
      if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path} → ${res.status}: ${text}`);
      return (text ? JSON.parse(text) : undefined) as never;
    },
    async kill() {
      if (proc.exitCode !== null) return;
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    },
    async stop() {
      if (proc.exitCode === null) {
        proc.kill('SIGTERM');
        await new Promise((r) => {
          const t = setTimeout(() => (proc.kill('SIGKILL'), r(undefined)), 8000);
          proc.once('exit', () => (clearTimeout(t), r(undefined)));
        });
      }
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
