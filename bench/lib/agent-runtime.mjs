// Shared by the agent benchmarks (bench/agent-*.mjs): start the standalone runtime as a child process on a temp data
// dir with a trusted workspace, configure the scripted ACP agent, and talk to it over HTTP.
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const scriptedAgent = join(root, 'src-runtime', 'agents', 'testing', 'scripted-acp-agent.mjs');

export async function startRuntime() {
  const dataDir = await mkdtemp(join(tmpdir(), 'wr-bench-data-'));
  const workspace = await mkdtemp(join(tmpdir(), 'wr-bench-ws-'));
  const nodeArgs = (process.env.BENCH_RUNTIME_NODE_ARGS ?? '').split(' ').filter(Boolean);
  // BENCH_RUNTIME_ENTRY runs another bundle (e.g. one built from an older commit) for a before/after figure.
  const entry = process.env.BENCH_RUNTIME_ENTRY ?? join(root, 'bin', 'workspace-runtime.mjs');
  const child = spawn(process.execPath, [...nodeArgs, entry, 'serve', '--port', '0', '--data-dir', dataDir, '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  await new Promise((resolve, reject) => {
    child.stdout.on('data', (d) => String(d).includes('"ready"') && resolve());
    child.once('exit', (code) => reject(new Error(`runtime exited ${code}: ${stderr}`)));
  });
  const { url, token } = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8'));
  const api = async (path, init = {}) => {
    const res = await fetch(`${url}${path}`, {
      method: init.method ?? 'GET',
      headers: { authorization: `Bearer ${token}`, ...(init.json ? { 'content-type': 'application/json' } : {}) },
      body: init.json ? JSON.stringify(init.json) : undefined,
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${init.method ?? 'GET'} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : undefined;
  };
  await api('/api/v1/runtime/config', { method: 'PATCH', json: { agents: [{ name: 'scripted', protocol: 'acp', command: process.execPath, args: [scriptedAgent] }], default_agent: 'scripted' } });
  return {
    url,
    token,
    workspace,
    pid: child.pid,
    api,
    async waitSession(id, states, timeoutMs = 60_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const { session } = await api(`/api/v1/sessions/${id}`);
        if (states.includes(session.state)) return session;
        await new Promise((r) => setTimeout(r, 50));
      }
      throw new Error(`session ${id} never reached ${states}`);
    },
    async waitRun(id, states, timeoutMs = 120_000) {
      const end = Date.now() + timeoutMs;
      while (Date.now() < end) {
        const { run } = await api(`/api/v1/runs/${id}`);
        if (states.includes(run.status)) return run;
        await new Promise((r) => setTimeout(r, 100));
      }
      throw new Error(`run ${id} never reached ${states}`);
    },
    async rssBytes() {
      const status = await readFile(`/proc/${child.pid}/status`, 'utf8');
      return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) * 1024;
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        await new Promise((r) => child.once('exit', r));
      }
      await rm(dataDir, { recursive: true, force: true });
      await rm(workspace, { recursive: true, force: true });
    },
  };
}
