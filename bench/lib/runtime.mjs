// Starts the real standalone runtime (`node bin/workspace-runtime.mjs serve --port 0`) as a child
// process with a temp data dir and reads url + token from <data-dir>/runtime.json.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export async function startRuntime({ workspace } = {}) {
  const dataDir = await mkdtemp(join(tmpdir(), 'wr-bench-data-'));
  const args = [join(repo, 'bin', 'workspace-runtime.mjs'), 'serve', '--port', '0', '--data-dir', dataDir];
  if (workspace) args.push('--workspace', workspace);
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      if (out.includes('"ready"')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`runtime exited with ${code}`)));
  });
  const info = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
  const headers = { authorization: `Bearer ${info.token}` };
  const api = async (path, init = {}) => {
    const res = await fetch(info.url + path, { ...init, headers: { ...headers, ...init.headers } });
    return res;
  };
  return {
    url: info.url,
    token: info.token,
    pid: child.pid,
    api,
    async json(path, init) {
      return (await api(path, init)).json();
    },
    async stop() {
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

export async function rssBytes(pid) {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kb * 1024;
}

export function percentile(sorted, p) {
  if (!sorted.length) return null;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i];
}

export const round = (n, d = 2) => (n === null || n === undefined ? null : Math.round(n * 10 ** d) / 10 ** d);
