/**
 * "Acknowledged means kept": the built runtime is SIGKILLed 20 times while clients write
 * workspaces, config, snapshots, sessions and messages; after every restart each write the runtime
 * answered with a 2xx is there.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdir, readFile, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { makeTempDir } from '../../test-support/runtime-harness.js';

const ENTRY = join(process.cwd(), 'dist', 'runtime', 'main.mjs');
const SCRIPTED_AGENT = fileURLToPath(new URL('../agents/testing/scripted-acp-agent.mjs', import.meta.url));
const KILLS = 20;

interface Running {
  child: ChildProcess;
  url: string;
  exited: Promise<void>;
}

async function start(dataDir: string, workspace: string): Promise<Running> {
  const child = spawn(process.execPath, [ENTRY, 'serve', '--port', '0', '--data-dir', dataDir, '--workspace', workspace], { stdio: ['ignore', 'pipe', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  const url = await new Promise<string>((resolve, reject) => {
    createInterface({ input: child.stdout! }).once('line', (line) => resolve((JSON.parse(line) as { url: string }).url));
    child.once('exit', (code) => reject(new Error(`runtime exited ${code} before ready: ${err}`)));
  });
  return { child, url, exited };
}

describe('acknowledged writes survive SIGKILL', () => {
  it(`keeps every acknowledged workspace, config, snapshot, session and message across ${KILLS} kills`, { timeout: 300_000 }, async () => {
    const dataDir = await makeTempDir();
    const root = await realpath(await makeTempDir('wr-ack-ws-'));
    const extra = await makeTempDir('wr-ack-roots-');
    let rt = await start(dataDir, root);
    const { token } = JSON.parse(await readFile(join(dataDir, 'runtime.json'), 'utf8')) as { token: string };
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const call = async (path: string, method = 'GET', body?: unknown): Promise<{ status: number; body: any }> => {
      const res = await fetch(`${rt.url}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
      return { status: res.status, body: await res.json().catch(() => null) };
    };
    const setup = await call('/api/v1/runtime/config', 'PATCH', { agents: [{ name: 'scripted', protocol: 'acp', command: process.execPath, args: [SCRIPTED_AGENT] }], default_agent: 'scripted' });
    expect(setup.status).toBe(200);
    const workspaceId = ((await call('/api/v1/workspaces')).body.workspaces as Array<{ id: string; root_dir: string }>).find((w) => w.root_dir === root)!.id;

    const acked = { workspaces: [] as string[], snapshots: [] as string[], sessions: [] as string[], runs: [] as string[], model: 0 };
    let counter = 0;
    let totalAcks = 0;

    for (let kill = 0; kill < KILLS; kill++) {
      let stop = false;
      let acksThisRound = 0;
      const kindsThisRound = new Set<string>();
      // Each writer loops until the kill; a request cut off by the kill simply fails.
      const writer = (step: () => Promise<void>) =>
        (async () => {
          while (!stop) {
            try {
              await step();
            } catch {
              return; // the runtime is gone
            }
          }
        })();
      const writers = [
        writer(async () => {
          const dir = join(extra, `w${++counter}`);
          await mkdir(dir);
          const r = await call('/api/v1/workspaces', 'POST', { root_dir: dir });
          if (r.status === 201) {
            acked.workspaces.push(r.body.workspace.id);
            acksThisRound++;
            kindsThisRound.add('workspace');
          }
        }),
        writer(async () => {
          const next = acked.model + 1;
          const r = await call('/api/v1/runtime/config', 'PATCH', { model: `m-${next}` });
          if (r.status === 200) {
            acked.model = next;
            acksThisRound++;
            kindsThisRound.add('config');
          }
        }),
        writer(async () => {
          const r = await call(`/api/v1/workspaces/${workspaceId}/snapshots`, 'POST', { label: `k${kill}` });
          if (r.status === 201) {
            acked.snapshots.push(r.body.snapshot.id);
            acksThisRound++;
            kindsThisRound.add('snapshot');
          }
        }),
        writer(async () => {
          const r = await call('/api/v1/agent-sessions', 'POST', { workspace_id: workspaceId, agent: 'scripted' });
          if (r.status !== 201) return;
          acked.sessions.push(r.body.session.id);
          acksThisRound++;
          kindsThisRound.add('session');
          const m = await call(`/api/v1/sessions/${r.body.session.id}/messages`, 'POST', { content: `hello ${kill}` });
          if (m.status === 202) {
            acked.runs.push(m.body.run.id);
            acksThisRound++;
            kindsThisRound.add('message');
          }
        }),
      ];
      // Kill while writes are in flight: once every kind was acknowledged this round, without
      // waiting for the requests still under way.
      await expect.poll(() => kindsThisRound.size, { timeout: 60_000, interval: 5 }).toBe(5);
      rt.child.kill('SIGKILL');
      stop = true;
      totalAcks += acksThisRound;
      await rt.exited;
      await Promise.all(writers);

      rt = await start(dataDir, root);
      const workspaces = new Set(((await call('/api/v1/workspaces')).body.workspaces as Array<{ id: string }>).map((w) => w.id));
      for (const id of acked.workspaces) expect(workspaces.has(id), `workspace ${id} after kill ${kill + 1}`).toBe(true);
      const model = (await call('/api/v1/runtime/config')).body.config.model as string;
      // One PATCH may have landed without its answer: the stored value is the acknowledged one or the next.
      expect([`m-${acked.model}`, `m-${acked.model + 1}`], `config after kill ${kill + 1}`).toContain(model);
      if (model === `m-${acked.model + 1}`) acked.model += 1;
      const snapshots = new Set(((await call(`/api/v1/workspaces/${workspaceId}/snapshots`)).body.snapshots as Array<{ id: string }>).map((s) => s.id));
      for (const id of acked.snapshots) expect(snapshots.has(id), `snapshot ${id} after kill ${kill + 1}`).toBe(true);
      const sessions = new Set(((await call('/api/v1/agent-sessions')).body.sessions as Array<{ id: string }>).map((s) => s.id));
      for (const id of acked.sessions) expect(sessions.has(id), `session ${id} after kill ${kill + 1}`).toBe(true);
      for (const id of acked.runs) expect((await call(`/api/v1/runs/${id}`)).status, `run ${id} after kill ${kill + 1}`).toBe(200);
    }
    expect(acked.runs.length).toBeGreaterThanOrEqual(KILLS);
    expect(totalAcks).toBeGreaterThanOrEqual(KILLS * 5);
    rt.child.kill('SIGTERM');
    await rt.exited;
  });
});
