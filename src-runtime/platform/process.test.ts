import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir } from '../../test-support/runtime-harness.js';
import { splitOutputLines } from './line-splitter.js';
import { groupAlive, readProc } from './process-group.js';
import { GroupRecords, recordFor, type GroupRecord } from './process-records.js';
import { runCommand, startGroup, startShellGroup, terminateGroup, type ProcessGroup, type StartOptions } from './process.js';
import { ProcessRegistry } from './process-registry.js';

const started: ProcessGroup[] = [];
const registry = await ProcessRegistry.open(await makeTempDir('wr-proc-owner-'), { read: () => [], write: () => undefined }, () => undefined);
const owner = registry.owner('test', { record: false });

afterEach(async () => {
  await Promise.all(started.splice(0).map((g) => terminateGroup(g.pid, 0)));
});

function start(command: string, options: Omit<StartOptions, 'owner'> = {}): ProcessGroup {
  const group = startShellGroup(command, { owner, ...options });
  started.push(group);
  return group;
}

/** The group's output lines as they arrive; `next(pattern)` resolves with the first line matching it. */
function lines(group: ProcessGroup) {
  const seen: string[] = [];
  splitOutputLines(group, (_stream, line) => seen.push(line));
  return {
    seen,
    next: (pattern: RegExp) => vi.waitFor(() => {
      const hit = seen.find((l) => pattern.test(l));
      if (!hit) throw new Error(`no line matching ${pattern} yet: ${JSON.stringify(seen)}`);
      return hit;
    }, { timeout: 10_000, interval: 20 }),
  };
}

/** Gone, or a zombie nobody reaped yet (the container's init may not). */
async function gone(pid: number): Promise<boolean> {
  const info = await readProc(pid);
  return !info || info.state === 'Z';
}

describe('startShellGroup', () => {
  it('runs a command line as the leader of its own group and reports its exit', async () => {
    const group = start('echo "out $WR_TEST_VAR"; echo err >&2; exit 3', { env: { WR_TEST_VAR: 'set' } });
    const output = lines(group);
    expect(await group.done).toEqual({ exitCode: 3, signal: null });
    expect(output.seen).toEqual(expect.arrayContaining(['out set', 'err']));
  });

  it('reports a process that cannot start as a spawn error, not an exit', async () => {
    const group = start('true', { cwd: join(await makeTempDir('wr-proc-'), 'missing') });
    expect(group.pid).toBe(-1);
    const exit = await group.done;
    expect(exit.spawnError).toMatch(/ENOENT/);
    expect(exit.exitCode).toBeNull();
    expect(await group.terminate()).toBe('none');
  });
});

describe('terminateGroup', () => {
  it('ends the whole group with SIGTERM: a background grandchild goes with its leader', async () => {
    const group = start('sleep 60 & echo "grandchild $!"; wait');
    const grandchild = Number((await lines(group).next(/^grandchild \d+$/)).split(' ')[1]);
    expect((await readProc(grandchild))?.pgid).toBe(group.pid);

    expect(await terminateGroup(group.pid)).toBe('term');
    expect(await groupAlive(group.pid)).toBe(false);
    expect(await gone(grandchild)).toBe(true);
    expect((await group.done).signal).toBe('SIGTERM');
  });

  it('sends SIGKILL after the grace period to a group that ignores SIGTERM', async () => {
    // The ignored disposition is inherited: neither the shell nor its sleep dies of SIGTERM.
    const group = start(`trap '' TERM; sleep 60 & echo "grandchild $!"; wait`);
    const grandchild = Number((await lines(group).next(/^grandchild \d+$/)).split(' ')[1]);

    expect(await terminateGroup(group.pid, 300)).toBe('kill');
    expect(await groupAlive(group.pid)).toBe(false);
    expect(await gone(grandchild)).toBe(true);
    expect((await group.done).signal).toBe('SIGKILL');
  });

  it('reaches a process started without a shell, and says "none" for a group that is gone', async () => {
    const group = startGroup(process.execPath, ['-e', 'console.log("up"); setInterval(() => {}, 1000)'], { owner });
    started.push(group);
    await lines(group).next(/^up$/);
    expect(await group.terminate()).toBe('term');
    await group.done;
    expect(await terminateGroup(group.pid)).toBe('none');
  });
});

describe('runCommand', () => {
  it('collects the output of a short command', async () => {
    const r = await runCommand(process.execPath, ['-e', 'console.log("v1.2.3"); console.error("note")'], { owner, timeoutMs: 10_000 });
    expect(r).toMatchObject({ exitCode: 0, signal: null, stdout: 'v1.2.3\n', stderr: 'note\n', timedOut: false });
  });

  it('ends a command that outlives its timeout, with its children', async () => {
    const dir = await makeTempDir('wr-proc-');
    const r = await runCommand('/bin/sh', ['-c', `sleep 60 & echo $! > ${join(dir, 'child.pid')}; echo started; wait`], { owner, timeoutMs: 1500 });
    expect(r).toMatchObject({ timedOut: true, exitCode: null, stdout: 'started\n' });
    expect(await gone(Number(await readFile(join(dir, 'child.pid'), 'utf8')))).toBe(true);
  });

  it('reports a missing executable as a spawn error', async () => {
    const r = await runCommand(join(await makeTempDir('wr-proc-'), 'no-such-tool'), ['--version'], { owner, timeoutMs: 10_000 });
    expect(r.spawnError).toMatch(/ENOENT/);
    expect(r.exitCode).toBeNull();
  });
});

describe('GroupRecords', () => {
  function memoryStore(initial: GroupRecord[] = []) {
    let groups = initial;
    return { read: () => groups, write: (next: GroupRecord[]) => (groups = next) };
  }

  it('keeps a record while the group runs and drops it when it ends', async () => {
    const store = memoryStore();
    const records = new GroupRecords(store);
    const group = start('sleep 60');
    await records.record('app:test', group.pid);
    expect(store.read()).toEqual([expect.objectContaining({ owner: 'app:test', pid: group.pid, pgid: group.pid })]);
    records.drop(group.pid);
    expect(store.read()).toEqual([]);
    // A record whose /proc read is still under way when the group ends is not kept.
    const pending = records.record('app:test', group.pid);
    records.drop(group.pid);
    await pending;
    expect(store.read()).toEqual([]);
    records.close();
    await records.record('app:late', group.pid);
    expect(store.read()).toEqual([]);
  });

  it('reaps recorded groups that are still ours and leaves a reused pid alone', async () => {
    const ours = start('sleep 60 & wait');
    const bystander = start('sleep 60');
    await vi.waitFor(async () => expect(await readProc(ours.pid)).toBeDefined());
    const record = (await recordFor('exec:ours', ours.pid))!;
    const stale = { ...(await recordFor('exec:old', bystander.pid))!, start_time: '1' };
    const store = memoryStore([record, stale]);
    const log: string[] = [];

    expect(await new GroupRecords(store).reap((line) => log.push(line))).toEqual({ ended: 1, mismatched: 1 });
    expect(await groupAlive(ours.pid)).toBe(false);
    expect(await groupAlive(bystander.pid)).toBe(true);
    expect(store.read()).toEqual([]);
    expect(log).toHaveLength(2);
  });
});
