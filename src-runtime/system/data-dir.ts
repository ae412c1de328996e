/**
 * The data dir: created 0700; an exclusive lock (`runtime.lock`, created with O_EXCL, holding the
 * owner's pid) so one runtime owns it; the bearer token (generated once, 0600); and the discovery
 * file `runtime.json` (url, port, token, pid; 0600) that `workspace-runtime status` and scripts read.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, open, readFile, rm, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.WORKSPACE_RUNTIME_DATA_DIR) return env.WORKSPACE_RUNTIME_DATA_DIR;
  const base = env.XDG_DATA_HOME && env.XDG_DATA_HOME.startsWith('/') ? env.XDG_DATA_HOME : join(homedir(), '.local', 'share');
  return join(base, 'workspace-runtime');
}

export interface Discovery {
  url: string;
  port: number;
  token: string;
  pid: number;
  version: string;
  started_at: string;
}

export class DataDirLockedError extends Error {
  constructor(
    readonly dataDir: string,
    readonly owner: { pid: number; url?: string },
  ) {
    super(`Another workspace runtime (pid ${owner.pid}${owner.url ? `, ${owner.url}` : ''}) is already using the data dir ${dataDir}. Stop it, or pass a different --data-dir.`);
    this.name = 'DataDirLockedError';
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export async function prepareDataDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
}

/** Take the data dir lock; a stale lock (its pid is gone) is taken over. Returns the release function. */
export async function lockDataDir(dir: string): Promise<() => Promise<void>> {
  const lockFile = join(dir, 'runtime.lock');
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(lockFile, 'wx', 0o600);
      await fh.writeFile(JSON.stringify({ pid: process.pid, started_at: new Date().toISOString() }));
      await fh.close();
      return async () => {
        await rm(lockFile, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    let owner: { pid?: number } = {};
    try {
      owner = JSON.parse(await readFile(lockFile, 'utf8')) as { pid?: number };
    } catch {
      // Empty or torn lock file: its writer died between create and write.
    }
    if (owner.pid && owner.pid !== process.pid && pidAlive(owner.pid)) {
      const discovery = await readDiscovery(dir).catch(() => undefined);
      throw new DataDirLockedError(dir, { pid: owner.pid, url: discovery?.pid === owner.pid ? discovery.url : undefined });
    }
    await rm(lockFile, { force: true });
  }
  throw new Error(`Could not take the lock on ${dir}`);
}

export async function loadOrCreateToken(dir: string, given?: string): Promise<string> {
  if (given) return given;
  const file = join(dir, 'token');
  try {
    const existing = (await readFile(file, 'utf8')).trim();
    if (existing.length >= 32) return existing;
  } catch {
    // First start: generate below.
  }
  const token = randomBytes(32).toString('base64url');
  await writeFile(file, `${token}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
  return token;
}

export function discoveryPath(dir: string): string {
  return join(dir, 'runtime.json');
}

export async function writeDiscovery(dir: string, discovery: Discovery): Promise<void> {
  const file = discoveryPath(dir);
  await writeFile(file, `${JSON.stringify(discovery, null, 2)}\n`, { mode: 0o600 });
  await chmod(file, 0o600);
}

export async function readDiscovery(dir: string): Promise<Discovery> {
  return JSON.parse(await readFile(discoveryPath(dir), 'utf8')) as Discovery;
}

export async function removeDiscovery(dir: string): Promise<void> {
  await rm(discoveryPath(dir), { force: true });
}
