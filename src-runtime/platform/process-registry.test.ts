import { afterAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../test-support/runtime-harness.js';
import { waitFor } from '../../test-support/wait.js';
import { readProc } from './process-group.js';
import { dataDirMarkerId, findMarked, MARKER_VARIABLE, newInstanceId, parseMarker } from './process-marker.js';
import type { GroupRecord } from './process-records.js';
import { ProcessRegistry } from './process-registry.js';
import { startShellGroup } from './process.js';

const bystanders: ChildProcess[] = [];
afterAll(() => {
  for (const b of bystanders) b.kill('SIGKILL');
});

function memoryStore() {
  let groups: GroupRecord[] = [];
  return { read: () => groups, write: (next: GroupRecord[]) => (groups = next) };
}

/** Gone, or a zombie nobody reaped yet (the container's init may not). */
async function gone(pid: number): Promise<boolean> {
  const info = await readProc(pid);
  return !info || info.state === 'Z';
}

async function readPid(file: string): Promise<number> {
  return waitFor(async () => Number(await readFile(file, 'utf8').catch(() => '')) || undefined, `pid in ${file}`);
}

/** A shell command that starts a grandchild in a session (and group) of its own, writing its pid to `file`. */
function setsidGrandchild(file: string): string {
  return `setsid sh -c 'echo $$ > ${file}; exec sleep 1000' </dev/null >/dev/null 2>&1 &`;
}

/** A process the test starts itself (not through the registry), with the environment given. */
function bystander(env: Record<string, string>): ChildProcess {
  const child = spawn('sleep', ['1000'], { env: { PATH: process.env.PATH, ...env }, stdio: 'ignore', detached: true });
  bystanders.push(child);
  return child;
}

async function environOf(pid: number): Promise<string[]> {
  return (await readFile(`/proc/${pid}/environ`, 'latin1')).split('\0');
}

describe('the WR_OWNER marker', () => {
  it('names the instance (data dir id and nonce) and the group', () => {
    const id = dataDirMarkerId('/data/a');
    expect(id).toBe(dataDirMarkerId('/data/a'));
    expect(id).not.toBe(dataDirMarkerId('/data/b'));
    const instance = newInstanceId(id);
    expect(instance).not.toBe(newInstanceId(id));
    expect(parseMarker(`${instance}:app:app_1#3`)).toEqual({ instance, dataDirId: id, group: 'app:app_1#3' });
    expect(parseMarker('no-colon')).toBeUndefined();
    expect(parseMarker('nodot:group')).toBeUndefined();
  });
});

describe('ProcessRegistry', () => {
  it('marks every child, and terminating a group ends the setsid grandchild that left it', async () => {
    const dir = await makeTempDir('wr-reg-');
    const registry = await ProcessRegistry.open(dir, memoryStore(), () => undefined);
    const file = join(dir, 'gc.pid');
    const group = startShellGroup(`${setsidGrandchild(file)} exec sleep 1000`, { owner: registry.owner('app:one') });
    const grandchild = await readPid(file);
    // It really left: its own group, so a group signal cannot reach it.
    expect((await readProc(grandchild))?.pgid).toBe(grandchild);
    expect((await readProc(grandchild))?.pgid).not.toBe(group.pid);
    const marker = (await environOf(grandchild)).find((e) => e.startsWith(`${MARKER_VARIABLE}=`));
    expect(marker).toBe(`${MARKER_VARIABLE}=${registry.instanceId}:app:one#1`);
    expect(await environOf(group.pid)).toContain(marker);
    const unmarked = bystander({});

    await group.terminate(500);
    expect(await gone(group.pid)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
    expect(await gone(unmarked.pid!)).toBe(false);
    await registry.stop();
  });

  it('records a group while it runs and forgets it once terminated; unrecorded owners write nothing', async () => {
    const dir = await makeTempDir('wr-reg-');
    const store = memoryStore();
    const registry = await ProcessRegistry.open(dir, store, () => undefined);
    const group = startShellGroup('exec sleep 1000', { owner: registry.owner('agent:ses_1') });
    await waitFor(() => store.read().length === 1 || undefined, 'record');
    expect(store.read()[0]).toMatchObject({ owner: 'agent:ses_1', pid: group.pid, pgid: group.pid });
    await group.terminate(500);
    expect(store.read()).toEqual([]);

    const probe = startShellGroup('exit 0', { owner: registry.owner('probe', { record: false }) });
    await probe.done;
    expect(store.read()).toEqual([]);
    // A leader that exits by itself with nothing left in its group is forgotten too.
    const short = startShellGroup('read line', { owner: registry.owner('exec:short'), stdin: 'pipe' });
    await waitFor(() => store.read().length === 1 || undefined, 'record of the short one');
    short.stdin!.end();
    await short.done;
    await waitFor(() => store.read().length === 0 || undefined, 'record dropped');
    await registry.stop();
  });

  it('after a crash, the next registry of the same data dir ends the recorded group and every process with an old marker, and nothing else', async () => {
    const dir = await makeTempDir('wr-reg-');
    const otherDir = await makeTempDir('wr-reg-other-');
    const store = memoryStore();
    const crashed = await ProcessRegistry.open(dir, store, () => undefined);
    const file = join(dir, 'gc.pid');
    // The leader exits after starting its escapee, as a shell script that daemonises does; a second group keeps running.
    const daemoniser = startShellGroup(setsidGrandchild(file), { owner: crashed.owner('exec:daemon') });
    const grandchild = await readPid(file);
    await daemoniser.done;
    const agent = startShellGroup('exec sleep 1000', { owner: crashed.owner('agent:ses_1') });
    await waitFor(() => store.read().some((g) => g.pid === agent.pid) || undefined, 'agent record');
    // A concurrent runtime of another data dir, and a process without any marker.
    const neighbour = await ProcessRegistry.open(otherDir, memoryStore(), () => undefined);
    const theirs = startShellGroup('exec sleep 1000', { owner: neighbour.owner('app:theirs') });
    const foreign = bystander({ [MARKER_VARIABLE]: `${newInstanceId(dataDirMarkerId('/elsewhere'))}:app:x#1` });
    const unmarked = bystander({});
    // `crashed` is never stopped: that is the crash.

    const next = await ProcessRegistry.open(dir, store, () => undefined);
    expect(next.instanceId).not.toBe(crashed.instanceId);
    expect(next.dataDirId).toBe(crashed.dataDirId);
    const summary = await next.reapPrevious();
    expect(await gone(agent.pid)).toBe(true);
    expect(await gone(grandchild)).toBe(true);
    expect(summary.reaped_groups).toBe(1);
    expect(summary.reaped_marked).toBeGreaterThanOrEqual(1);
    expect(store.read()).toEqual([]);
    expect(await gone(theirs.pid)).toBe(false);
    expect(await gone(foreign.pid!)).toBe(false);
    expect(await gone(unmarked.pid!)).toBe(false);

    await neighbour.stop();
    expect(await gone(theirs.pid)).toBe(true);
    expect(await gone(foreign.pid!)).toBe(false);
    await next.stop();
  });

  it('at stop, ends what its groups left behind that nobody terminated', async () => {
    const dir = await makeTempDir('wr-reg-');
    const registry = await ProcessRegistry.open(dir, memoryStore(), () => undefined);
    const file = join(dir, 'gc.pid');
    const group = startShellGroup(setsidGrandchild(file), { owner: registry.owner('command:c1') });
    const grandchild = await readPid(file);
    await group.done;
    expect(await findMarked((m) => m.instance === registry.instanceId)).toEqual([expect.objectContaining({ pid: grandchild })]);
    await registry.stop();
    expect(await gone(grandchild)).toBe(true);
  });
});
