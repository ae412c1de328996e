/**
 * The ownership marker every child of the runtime carries in its environment,
 * `WR_OWNER=<instance>:<group>`, and the sweep that finds and ends marked processes by reading
 * /proc/<pid>/environ. The marker outlives what a process group can tell: a grandchild that
 * called `setsid` has left the group but still carries the environment it was started with.
 *
 * An instance id is `<data dir id>.<start nonce>`. The data dir id is derived from the data dir's
 * real path, so the next runtime of the same data dir recognises what a previous one left, and a
 * runtime of another data dir (the test suite runs many at once) never matches. Linux only:
 * without /proc the sweep finds nothing and only process groups are ended.
 */
import { createHash, randomBytes } from 'node:crypto';
import { readdir, readFile, stat } from 'node:fs/promises';
import { readProc } from './process-group.js';

export const MARKER_VARIABLE = 'WR_OWNER';

/** The data dir's part of every instance id: the same for every runtime of that data dir. */
export function dataDirMarkerId(realDataDir: string): string {
  return createHash('sha256').update(realDataDir).digest('hex').slice(0, 16);
}

/** A fresh instance id for one start of the runtime on that data dir. */
export function newInstanceId(dataDirId: string): string {
  return `${dataDirId}.${randomBytes(4).toString('hex')}`;
}

export interface ParsedMarker {
  /** `<data dir id>.<nonce>` */
  instance: string;
  dataDirId: string;
  group: string;
}

export function parseMarker(value: string): ParsedMarker | undefined {
  const colon = value.indexOf(':');
  if (colon <= 0) return undefined;
  const instance = value.slice(0, colon);
  const dot = instance.indexOf('.');
  if (dot <= 0) return undefined;
  return { instance, dataDirId: instance.slice(0, dot), group: value.slice(colon + 1) };
}

export interface MarkedProcess {
  pid: number;
  startTime: string;
  marker: ParsedMarker;
}

const PREFIX = `${MARKER_VARIABLE}=`;

async function markerOf(pid: number): Promise<string | undefined> {
  // Another user's environ is unreadable (EACCES) and a process may exit while we read: skipped.
  const environ = await readFile(`/proc/${pid}/environ`, 'latin1').catch(() => '');
  for (const entry of environ.split('\0')) if (entry.startsWith(PREFIX)) return entry.slice(PREFIX.length);
  return undefined;
}

/** Live processes of this user (the runtime itself excluded) whose marker satisfies `wanted`. */
export async function findMarked(wanted: (marker: ParsedMarker) => boolean): Promise<MarkedProcess[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const uid = process.getuid?.();
  const found = await Promise.all(
    names
      .filter((n) => /^\d+$/.test(n) && Number(n) !== process.pid)
      .map(async (n): Promise<MarkedProcess | undefined> => {
        const pid = Number(n);
        const value = await markerOf(pid);
        const marker = value === undefined ? undefined : parseMarker(value);
        if (!marker || !wanted(marker)) return undefined;
        if (uid !== undefined && (await stat(`/proc/${pid}`).catch(() => undefined))?.uid !== uid) return undefined;
        const info = await readProc(pid);
        if (!info || info.state === 'Z') return undefined;
        return { pid, startTime: info.startTime, marker };
      }),
  );
  return found.filter((p): p is MarkedProcess => !!p);
}

/** Still the process we found (same pid and start time) and not yet a zombie. */
async function stillThere(p: MarkedProcess): Promise<boolean> {
  const info = await readProc(p.pid);
  return !!info && info.state !== 'Z' && info.startTime === p.startTime;
}

async function signal(p: MarkedProcess, sig: NodeJS.Signals): Promise<void> {
  // A pid that now belongs to another process (ours exited and the pid was reused) is not signalled.
  if (!(await stillThere(p))) return;
  try {
    process.kill(p.pid, sig);
  } catch {
    // gone meanwhile
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** SIGTERM each, SIGKILL what is left after `graceMs`; resolves once they are gone (or after a last short wait). */
export async function endProcesses(processes: MarkedProcess[], graceMs: number): Promise<void> {
  if (!processes.length) return;
  await Promise.all(processes.map((p) => signal(p, 'SIGTERM')));
  const remaining = async () => (await Promise.all(processes.map(async (p) => ((await stillThere(p)) ? p : undefined)))).filter((p): p is MarkedProcess => !!p);
  const deadline = Date.now() + graceMs;
  let left = await remaining();
  while (left.length && Date.now() < deadline) {
    await sleep(Math.min(50, Math.max(5, deadline - Date.now())));
    left = await remaining();
  }
  if (!left.length) return;
  await Promise.all(left.map((p) => signal(p, 'SIGKILL')));
  for (let i = 0; i < 40 && (await remaining()).length; i += 1) await sleep(25);
}

/** Find the marked processes `wanted` selects and end them; how many there were. */
export async function endMarked(wanted: (marker: ParsedMarker) => boolean, graceMs: number): Promise<number> {
  const found = await findMarked(wanted);
  await endProcesses(found, graceMs);
  return found.length;
}
