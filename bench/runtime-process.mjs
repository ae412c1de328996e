// Shared by the apps benches: start the standalone runtime (bin/workspace-runtime.mjs serve) on an
// ephemeral port with a temp data dir, wait for runtime.json, and stop it.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));

export async function tempDir(prefix) {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startRuntime(workspace, nodeArgs = []) {
  const dataDir = await tempDir('wr-bench-data-');
  const child = spawn(process.execPath, [...nodeArgs, join(repo, 'bin/workspace-runtime.mjs'), 'serve', '--port', '0', '--data-dir', dataDir, '--workspace', workspace], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  child.stdout.resume();
  const deadline = Date.now() + 30_000;
  let discovery;
  while (!discovery) {
    if (Date.now() > deadline) throw new Error('runtime did not start');
    discovery = await readFile(join(dataDir, 'runtime.json'), 'utf8').then(JSON.parse, () => undefined);
    if (!discovery) await new Promise((r) => setTimeout(r, 50));
  }
  const headers = { authorization: `Bearer ${discovery.token}`, 'content-type': 'application/json' };
  return {
    child,
    url: discovery.url,
    token: discovery.token,
    pid: child.pid,
    async api(path, init = {}) {
      const res = await fetch(`${discovery.url}${path}`, { ...init, headers: { ...headers, ...init.headers } });
      return { status: res.status, body: await res.json() };
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export const round = (x) => Math.round(x * 10) / 10;
