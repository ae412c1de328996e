/**
 * Test helpers for real git repositories in temp folders: repositories with an identity and files,
 * bare remotes, clones, and `git` itself as the oracle (run synchronously with the same isolated
 * configuration as the runtime under test). Also a smart-HTTP remote (`git http-backend` behind a
 * node:http server) that demands Basic auth. Used by tests and benches only.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { realpathSync } from 'node:fs';

export const IDENTITY = { name: 'Test Author', email: 'author@example.com' };

/**
 * Cut this process (and the git it spawns, the runtime's included) off the user's and the system's
 * git configuration, so a test sees only what it sets per repository.
 */
export function isolateGitConfig(): string {
  const dir = mkdtempSync(join(tmpdir(), 'wr-gitcfg-'));
  const file = join(dir, 'gitconfig');
  writeFileSync(file, '[init]\n\tdefaultBranch = main\n[protocol "file"]\n\tallow = always\n');
  process.env.GIT_CONFIG_GLOBAL = file;
  process.env.GIT_CONFIG_NOSYSTEM = '1';
  delete process.env.GIT_AUTHOR_NAME;
  delete process.env.GIT_AUTHOR_EMAIL;
  delete process.env.GIT_COMMITTER_NAME;
  delete process.env.GIT_COMMITTER_EMAIL;
  delete process.env.EMAIL;
  return file;
}

/** Run git as the oracle; returns stdout. Throws with stderr on failure unless `allowFail`. */
export function git(cwd: string, args: string[], options: { input?: string; allowFail?: boolean; env?: Record<string, string> } = {}): string {
  try {
    return execFileSync('git', args, {
      cwd,
      input: options.input ?? '',
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', ...options.env },
      encoding: 'utf8',
      maxBuffer: 256 * 1024 * 1024,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
  } catch (error) {
    if (options.allowFail) return String((error as { stdout?: string }).stdout ?? '');
    const e = error as { stderr?: string; message: string };
    throw new Error(`git ${args.join(' ')} failed in ${cwd}: ${e.stderr ?? e.message}`, { cause: error });
  }
}

export function tempDir(prefix = 'wr-repo-'): string {
  return realpathSync(mkdtempSync(join(tmpdir(), prefix)));
}

export function writeFiles(root: string, files: Record<string, string | Buffer>): void {
  for (const [path, content] of Object.entries(files)) {
    const full = join(root, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, content);
  }
}

export function setIdentity(repo: string, identity = IDENTITY): void {
  git(repo, ['config', 'user.name', identity.name]);
  git(repo, ['config', 'user.email', identity.email]);
}

/** A repository on `main` with an identity; `files` are committed as the first commit when given. */
export function makeRepo(options: { files?: Record<string, string | Buffer>; identity?: boolean; dir?: string; message?: string } = {}): string {
  const repo = options.dir ?? tempDir();
  mkdirSync(repo, { recursive: true });
  git(repo, ['init', '-q', '-b', 'main']);
  if (options.identity !== false) setIdentity(repo);
  if (options.files) {
    writeFiles(repo, options.files);
    git(repo, ['add', '-A']);
    git(repo, ['commit', '-q', '-m', options.message ?? 'initial'], {
      env: options.identity === false ? { GIT_AUTHOR_NAME: 'x', GIT_AUTHOR_EMAIL: 'x@x', GIT_COMMITTER_NAME: 'x', GIT_COMMITTER_EMAIL: 'x@x' } : {},
    });
  }
  return repo;
}

export function commitFile(repo: string, path: string, content: string, message = `change ${path}`): string {
  writeFiles(repo, { [path]: content });
  git(repo, ['add', '--', path]);
  git(repo, ['commit', '-q', '-m', message]);
  return git(repo, ['rev-parse', 'HEAD']).trim();
}

export function makeBareRemote(dir = tempDir('wr-remote-')): string {
  mkdirSync(dir, { recursive: true });
  git(dir, ['init', '-q', '--bare', '-b', 'main']);
  return dir;
}

export function cloneRepo(remote: string, dir = join(tempDir('wr-clone-'), 'clone')): string {
  git(tmpdir(), ['clone', '-q', remote, dir]);
  setIdentity(dir);
  return dir;
}

export interface HttpRemote {
  url: string;
  /** URL with the accepted credentials embedded. */
  authUrl: string;
  requests: number;
  close(): Promise<void>;
}

/**
 * A smart-HTTP git server: `git http-backend` (CGI) behind node:http, serving bare repositories
 * under `projectRoot`, answering 401 + WWW-Authenticate to any request without `user:secret`.
 */
export async function startHttpRemote(projectRoot: string, user = 'user', password = 'secret'): Promise<HttpRemote> {
  const expected = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const execPath = execFileSync('git', ['--exec-path'], { encoding: 'utf8' }).trim();
  const state = { requests: 0 };
  const server: Server = createServer((req, res) => {
    state.requests++;
    if (req.headers.authorization !== expected) {
      res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"', 'Content-Type': 'text/plain' });
      res.end('authentication required\n');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const child = spawn(join(execPath, 'git-http-backend'), [], {
      env: {
        ...process.env,
        GIT_PROJECT_ROOT: projectRoot,
        GIT_HTTP_EXPORT_ALL: '1',
        PATH_INFO: decodeURIComponent(url.pathname),
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? 'GET',
        CONTENT_TYPE: req.headers['content-type'] ?? '',
        CONTENT_LENGTH: req.headers['content-length'] ?? '',
        HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
        GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
        REMOTE_USER: user,
        REMOTE_ADDR: '127.0.0.1',
      },
    });
    req.pipe(child.stdin);
    let head = Buffer.alloc(0);
    let headersDone = false;
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersDone) return void res.write(chunk);
      head = Buffer.concat([head, chunk]);
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      headersDone = true;
      let status = 200;
      for (const line of head.subarray(0, end).toString('utf8').split('\r\n')) {
        const i = line.indexOf(':');
        if (i < 0) continue;
        const name = line.slice(0, i).trim();
        const value = line.slice(i + 1).trim();
        if (name.toLowerCase() === 'status') status = Number(value.split(' ')[0]);
        else res.setHeader(name, value);
      }
      res.writeHead(status);
      res.write(head.subarray(end + 4));
    });
    child.stdout.on('end', () => res.end());
    child.on('error', () => {
      res.writeHead(500);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    authUrl: `http://${user}:${password}@127.0.0.1:${port}`,
    get requests() {
      return state.requests;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
