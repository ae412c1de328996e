import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { startBuiltRuntime } from '../../test-support/built-runtime.js';
import { makeTempDir, startTestRuntime } from '../../test-support/runtime-harness.js';
import { readStoreFile } from '../store/db.js';
import { appsFeature } from './feature.js';
import { readProc } from '../platform/process-group.js';
import { waitFor } from '../../test-support/wait.js';
import { alive, readPid, writeServer } from './test-fixtures.js';

const spawned: ChildProcess[] = [];

afterAll(() => {
  for (const child of spawned) if (child.pid) try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
});

describe('process groups left by a killed runtime', () => {
  it('a SIGKILLed runtime leaves its app running; the next start ends the recorded group, grandchild included', async () => {
    const root = await realpath(await makeTempDir('wr-recover-'));
    const dataDir = await makeTempDir('wr-recover-data-');
    await writeServer(root);
    await writeFile(join(root, 'app.runtime.yaml'), 'id: survivor\nstart: node server.js\nstop_timeout: 1s\n');
    const first = await startBuiltRuntime(dataDir, root);
    spawned.push(first.child);
    const auth = { authorization: `Bearer ${first.token}` };
    const apps = (await (await fetch(`${first.url}/api/v1/apps`, { headers: auth })).json()) as { apps: Array<{ id: string }> };
    const ensured = await fetch(`${first.url}/api/v1/apps/${apps.apps[0]!.id}/ensure-running`, { method: 'POST', headers: auth });
    expect(ensured.status).toBe(200);
    const app = ((await ensured.json()) as { app: { pid: number; port: number } }).app;
    const grandchild = await readPid(join(root, 'grandchild.pid'));
    // The record reaches db.json (coalesced write) before we kill the runtime.
    await waitFor(async () => ((await readStoreFile(dataDir)).sections.processes as { groups: unknown[] } | undefined)?.groups.length === 1, 'group record on disk');

    first.child.kill('SIGKILL');
    await new Promise((r) => first.child.once('exit', r));
    expect(await alive(app.pid)).toBe(true);
    expect(await alive(grandchild)).toBe(true);

    const second = await startTestRuntime({ dataDir, features: [appsFeature] });
    try {
      expect(await alive(app.pid)).toBe(false);
      expect(await alive(grandchild)).toBe(false);
      const status = await second.json('/api/v1/runtime/status');
      expect(status.body.runtime.features.processes).toMatchObject({ reaped_groups: 1 });
      await second.ctx.store.flush();
      expect(((await readStoreFile(dataDir)).sections.processes as { groups: unknown[] }).groups).toEqual([]);
    } finally {
      await second.close();
    }
  });

  // Seeded in the apps section, where runtimes before the process registry kept their records.
  it('never kills a process whose pid matches a record but whose start time or command line differ', async () => {
    const dataDir = await makeTempDir('wr-reuse-data-');
    // Unrelated processes, each leading its own group, standing in for pids reused after a reboot.
    const bystanderA = spawn('sleep', ['300'], { detached: true, stdio: 'ignore' });
    const bystanderB = spawn('sleep', ['301'], { detached: true, stdio: 'ignore' });
    const ours = spawn('sleep', ['302'], { detached: true, stdio: 'ignore' });
    spawned.push(bystanderA, bystanderB, ours);
    const [a, b, o] = await Promise.all([bystanderA, bystanderB, ours].map((c) => waitFor(() => readProc(c.pid!), 'proc')));
    const record = (p: NonNullable<typeof a>, patch: object) => ({ owner: 'app:test', pid: p.pid, pgid: p.pgid, start_time: p.startTime, cmdline: p.cmdline, recorded_at: new Date().toISOString(), ...patch });
    const seed = await startTestRuntime({ dataDir, features: [] });
    seed.ctx.store.update((d) => {
      d.sections.apps = {
        groups: [
          record(a!, { start_time: String(BigInt(a!.startTime) - 100n) }), // same pid, older start: pid reused
          record(b!, { cmdline: 'node server.js' }), // same pid and start, other command
          record(o!, {}), // exactly ours: must be ended
        ],
        builds: {},
      };
    });
    await seed.close();

    const rt = await startTestRuntime({ dataDir, features: [appsFeature] });
    try {
      expect(await alive(bystanderA.pid!)).toBe(true);
      expect(await alive(bystanderB.pid!)).toBe(true);
      expect(await alive(ours.pid!)).toBe(false);
      const status = await rt.json('/api/v1/runtime/status');
      expect(status.body.runtime.features.processes).toMatchObject({ reaped_groups: 1, left_alone_groups: 2 });
    } finally {
      await rt.close();
      bystanderA.kill('SIGKILL');
      bystanderB.kill('SIGKILL');
    }
  });
  it('ends the orphans of a recorded group whose leader already exited', async () => {
    const dataDir = await makeTempDir('wr-orphan-data-');
    const leader = spawn('sh', ['-c', 'sleep 303 & echo $!; sleep 0.4'], { detached: true, stdio: ['ignore', 'pipe', 'ignore'] });
    spawned.push(leader);
    const info = await waitFor(() => readProc(leader.pid!), 'leader proc');
    const orphan = Number(await new Promise<string>((r) => leader.stdout!.once('data', (d) => r(String(d).trim()))));
    await new Promise((r) => leader.once('exit', r));
    expect(await alive(orphan)).toBe(true);
    const seed = await startTestRuntime({ dataDir, features: [] });
    seed.ctx.store.update((d) => {
      d.sections.apps = { groups: [{ owner: 'app:test', pid: info.pid, pgid: info.pgid, start_time: info.startTime, cmdline: info.cmdline, recorded_at: new Date().toISOString() }], builds: {} };
    });
    await seed.close();
    const rt = await startTestRuntime({ dataDir, features: [appsFeature] });
    try {
      expect(await alive(orphan)).toBe(false);
    } finally {
      await rt.close();
    }
  });
});
