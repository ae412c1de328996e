/**
 * Records of running process groups, for crash recovery: each group is recorded with its
 * leader's start time and command line from /proc, so a runtime that was killed can end them on
 * its next start — and only them: a pid reused by an unrelated process never matches the record.
 * Where the records are kept is the owner's business (the apps feature keeps them in the store).
 */
import { readFile } from 'node:fs/promises';
import { terminateGroup } from './process.js';
import { groupMembers, readProc } from './process-group.js';

export interface GroupRecord {
  owner: string;
  pid: number;
  pgid: number;
  /** Field 22 of /proc/<pid>/stat: clock ticks since boot. */
  start_time: string;
  cmdline: string;
  /** /proc/sys/kernel/random/boot_id when recorded: start times count from that boot. */
  boot_id?: string;
  recorded_at: string;
}

let bootIdRead: Promise<string | undefined> | undefined;
/** This boot's id (Linux), read once. */
export function bootId(): Promise<string | undefined> {
  bootIdRead ??= readFile('/proc/sys/kernel/random/boot_id', 'utf8').then((s) => s.trim() || undefined, () => undefined);
  return bootIdRead;
}

export async function recordFor(owner: string, pid: number): Promise<GroupRecord | undefined> {
  const info = await readProc(pid);
  if (!info) return undefined;
  return { owner, pid, pgid: info.pgid, start_time: info.startTime, cmdline: info.cmdline, boot_id: await bootId(), recorded_at: new Date().toISOString() };
}

/**
 * End a recorded group left by a previous runtime, when it is provably ours:
 * - the leader still runs with the recorded start time and group → signal the group. Within one
 *   boot, pid and start time name one process for good; the command line is compared only when the
 *   boot is unknown or another, because a leader may exec after it was recorded (`sh -c 'exec …'`);
 * - the leader is gone → its pid cannot have been reused as a group id while members of the old
 *   group live, so members with that pgid started no earlier than the leader are the orphans.
 * A leader pid now held by another process (start time, group or boot differ) is left alone.
 */
export async function endRecordedGroup(record: GroupRecord, graceMs?: number): Promise<'ended' | 'gone' | 'mismatch'> {
  const leader = await readProc(record.pid);
  if (leader) {
    const sameBoot = record.boot_id !== undefined && record.boot_id === (await bootId());
    if (leader.startTime !== record.start_time || leader.pgid !== record.pgid || (!sameBoot && leader.cmdline !== record.cmdline)) return 'mismatch';
    await terminateGroup(record.pgid, graceMs);
    return 'ended';
  }
  const members = (await groupMembers(record.pgid)).filter((m) => BigInt(m.startTime || '0') >= BigInt(record.start_time || '0'));
  if (!members.length) return 'gone';
  await terminateGroup(record.pgid, graceMs);
  return 'ended';
}

/** Where a {@link GroupRecords} keeps its list (read fresh each time, replaced as a whole). */
export interface GroupRecordStore {
  read(): GroupRecord[];
  write(groups: GroupRecord[]): void;
}

/** The running groups an owner has recorded: add when spawned, drop when ended, reap on the next start. */
export class GroupRecords {
  private readonly endedPids = new Set<number>();
  private closed = false;

  constructor(private readonly store: GroupRecordStore) {}

  async record(owner: string, pid: number): Promise<void> {
    this.endedPids.delete(pid);
    const record = await recordFor(owner, pid);
    // The group may have ended (or the owner shut down) while /proc was read: never keep a record for it.
    if (!record || this.closed || this.endedPids.has(pid)) return;
    this.store.write([...this.store.read().filter((g) => g.pid !== pid), record]);
  }

  drop(pid: number): void {
    this.endedPids.add(pid);
    if (this.endedPids.size > 1000) this.endedPids.delete(this.endedPids.values().next().value!);
    const groups = this.store.read();
    const kept = groups.filter((g) => g.pid !== pid);
    if (kept.length !== groups.length) this.store.write(kept);
  }

  /** No further records: the owner is shutting down and stops its groups itself. */
  close(): void {
    this.closed = true;
  }

  /** End the groups a previous runtime recorded and did not stop (it was killed); forget their records. */
  async reap(log: (line: string) => void): Promise<{ ended: number; mismatched: number }> {
    const records = [...this.store.read()];
    let ended = 0;
    let mismatched = 0;
    await Promise.all(
      records.map(async (record) => {
        const outcome = await endRecordedGroup(record);
        if (outcome === 'ended') ended += 1;
        if (outcome === 'mismatch') mismatched += 1;
        log(`recorded group ${record.pgid} (${record.owner}) ${outcome === 'mismatch' ? 'is now another process; left alone' : outcome}`);
      }),
    );
    this.store.write(this.store.read().filter((g) => !records.includes(g)));
    return { ended, mismatched };
  }
}
