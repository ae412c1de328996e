/**
 * The runtime's process registry: the one owner of every child the runtime starts (apps, builds,
 * scripts, sandbox commands, agents, agent terminals, probes). It hands each start its marker
 * (`WR_OWNER=<instance>:<label>#<n>`, platform/process-marker.ts) and records long-lived groups
 * (GroupRecords, kept in the store) so that:
 * - terminating a group also ends the processes carrying its marker that left the group (setsid);
 * - at start, before any feature starts a process, the groups a killed runtime of this data dir
 *   recorded are ended (pid, start time and command line must match), and so is every process
 *   still carrying a marker of a previous instance of this data dir;
 * - at stop, whatever is still recorded and whatever carries this data dir's marker is ended.
 * Processes of another data dir's runtime never match: their marker names another data dir.
 */
import { realpath } from 'node:fs/promises';
import { DEFAULT_GRACE_MS, type GroupClaim, type ProcessOwner } from './process.js';
import { groupAlive } from './process-group.js';
import { dataDirMarkerId, endMarked, newInstanceId } from './process-marker.js';
import { GroupRecords, type GroupRecordStore } from './process-records.js';

export interface OwnerOptions {
  /**
   * Record the group for crash recovery (default true). Short probes with a timeout (a
   * `--version`, a search) are not recorded: their marker is enough for the sweeps.
   */
  record?: boolean;
}

export interface ReapSummary {
  /** Recorded groups of a previous runtime that were ended. */
  reaped_groups: number;
  /** Recorded groups whose pid is now another process (left alone). */
  left_alone_groups: number;
  /** Processes carrying a previous instance's marker that were ended (setsid escapees included). */
  reaped_marked: number;
}

export class ProcessRegistry {
  private readonly records: GroupRecords;
  private seq = 0;
  private stopped = false;
  private summary: ReapSummary = { reaped_groups: 0, left_alone_groups: 0, reaped_marked: 0 };

  private constructor(
    /** `<data dir id>.<nonce>`: the first part is the same for every runtime of this data dir. */
    readonly instanceId: string,
    readonly dataDirId: string,
    store: GroupRecordStore,
    private readonly log: (line: string) => void,
  ) {
    this.records = new GroupRecords(store);
  }

  static async open(dataDir: string, store: GroupRecordStore, log: (line: string) => void): Promise<ProcessRegistry> {
    const dataDirId = dataDirMarkerId(await realpath(dataDir).catch(() => dataDir));
    return new ProcessRegistry(newInstanceId(dataDirId), dataDirId, store, log);
  }

  /** The owner to pass to startGroup/startShellGroup/runCommand for a group labelled `label` (`app:app_…`). */
  owner(label: string, options: OwnerOptions = {}): ProcessOwner {
    const record = options.record ?? true;
    return { claim: () => this.claim(label, record) };
  }

  private claim(label: string, record: boolean): GroupClaim {
    const marker = `${this.instanceId}:${label}#${++this.seq}`;
    let pid = -1;
    return {
      marker,
      spawned: (spawnedPid) => {
        pid = spawnedPid;
        if (record && !this.stopped) void this.records.record(label, pid);
      },
      terminated: async (graceMs) => {
        await endMarked((m) => `${m.instance}:${m.group}` === marker, graceMs);
        if (record) this.records.drop(pid);
      },
      exited: () => {
        // A group whose leader is gone but members live (a background job) stays recorded until terminated.
        if (!record) return;
        void groupAlive(pid).then((alive) => {
          if (!alive) this.records.drop(pid);
        });
      },
    };
  }

  /**
   * End what a previous runtime of this data dir left: its recorded groups, then every process
   * still carrying one of its markers. Runs before any feature starts a process.
   */
  async reapPrevious(): Promise<ReapSummary> {
    const groups = await this.records.reap((line) => this.log(`processes: ${line}`));
    const marked = await endMarked((m) => m.dataDirId === this.dataDirId && m.instance !== this.instanceId, DEFAULT_GRACE_MS);
    if (marked) this.log(`processes: ended ${marked} process(es) left by a previous runtime of this data dir`);
    this.summary = { reaped_groups: groups.ended, left_alone_groups: groups.mismatched, reaped_marked: marked };
    return this.summary;
  }

  /** GET /api/v1/runtime/status `features.processes`. */
  status(): ReapSummary & { instance_id: string } {
    return { instance_id: this.instanceId, ...this.summary };
  }

  /**
   * After the features stopped: end the groups still recorded (a feature that did not stop its
   * own) and every process carrying a marker of this data dir, then forget the records.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.records.close();
    await this.records.reap((line) => this.log(`processes at stop: ${line}`));
    const marked = await endMarked((m) => m.dataDirId === this.dataDirId, DEFAULT_GRACE_MS);
    if (marked) this.log(`processes: ended ${marked} process(es) still carrying this runtime's marker at stop`);
  }
}
