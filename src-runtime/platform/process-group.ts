/**
 * What /proc says about process groups: a process's group, start time and command line, the live
 * members of a group (zombies excluded), whether a group is still alive, and whether it holds a
 * listening port. Without /proc (macOS) the answers fall back to what signals can tell.
 */
import { existsSync } from 'node:fs';
import { readdir, readFile, readlink } from 'node:fs/promises';

export interface ProcInfo {
  pid: number;
  pgid: number;
  startTime: string;
  cmdline: string;
  state: string;
}

/** /proc/<pid>/stat and cmdline, or undefined when the process is gone (or not on Linux). */
export async function readProc(pid: number): Promise<ProcInfo | undefined> {
  try {
    const [stat, cmd] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')]);
    // comm (field 2) may contain spaces and parentheses: split after the last ')'.
    const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // rest[0] is field 3 (state); field 5 pgrp = rest[2]; field 22 starttime = rest[19].
    return { pid, state: rest[0] ?? '?', pgid: Number(rest[2]), startTime: rest[19] ?? '', cmdline: cmd.split('\0').filter(Boolean).join(' ') };
  } catch {
    return undefined;
  }
}

const procAvailable = existsSync('/proc/self/stat');

/** The live members of a process group (zombies excluded). */
export async function groupMembers(pgid: number): Promise<ProcInfo[]> {
  let names: string[];
  try {
    names = await readdir('/proc');
  } catch {
    return [];
  }
  const infos = await Promise.all(names.filter((n) => /^\d+$/.test(n)).map((n) => readProc(Number(n))));
  return infos.filter((i): i is ProcInfo => !!i && i.pgid === pgid && i.state !== 'Z');
}

/** Whether any process of the group is still alive (kill 0 succeeds for zombies too: check /proc). */
export async function groupAlive(pgid: number): Promise<boolean> {
  try {
    process.kill(-pgid, 0);
  } catch {
    return false;
  }
  // Without /proc (macOS) the signal probe is all we have; zombies are reaped by Node promptly.
  if (!procAvailable) return true;
  return (await groupMembers(pgid)).length > 0;
}

/** Inodes of the sockets listening on `port` (IPv4 and IPv6), from /proc/net/tcp{,6}. */
async function listeningInodes(port: number): Promise<Set<string> | undefined> {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  const inodes = new Set<string>();
  let readable = false;
  for (const file of ['/proc/net/tcp', '/proc/net/tcp6']) {
    const text = await readFile(file, 'utf8').catch(() => undefined);
    if (text === undefined) continue;
    readable = true;
    for (const line of text.split('\n').slice(1)) {
      const cols = line.trim().split(/\s+/);
      // cols: sl, local_address, rem_address, st, tx:rx, tr:when, retrnsmt, uid, timeout, inode
      if (cols[3] === '0A' && cols[1]?.endsWith(`:${hex}`) && cols[9]) inodes.add(cols[9]);
    }
  }
  return readable ? inodes : undefined;
}

/**
 * Whether the socket listening on `port` belongs to a process of group `pgid`. A readiness probe
 * that connects to *another* program on that port (it won the race for the port; our app is
 * about to die with EADDRINUSE) must not count. True when it cannot be told (no /proc).
 */
export async function groupListensOn(pgid: number, port: number): Promise<boolean> {
  if (!procAvailable) return true;
  const inodes = await listeningInodes(port);
  if (!inodes || inodes.size === 0) return true;
  const holds = async (pid: number) => {
    let fds: string[];
    try {
      fds = await readdir(`/proc/${pid}/fd`);
    } catch {
      return false;
    }
    for (const fd of fds) {
      const target = await readlink(`/proc/${pid}/fd/${fd}`).catch(() => '');
      const m = /^socket:\[(\d+)\]$/.exec(target);
      if (m && inodes.has(m[1]!)) return true;
    }
    return false;
  };
  // Fast path: the leader and its descendants (usually sh → node), without scanning all of /proc.
  const seen = new Set<number>();
  let level = [pgid];
  for (let depth = 0; depth < 6 && level.length; depth += 1) {
    const next: number[] = [];
    for (const pid of level) {
      if (seen.has(pid)) continue;
      seen.add(pid);
      // A descendant that moved to its own group (detached) is no longer the app.
      if (pid !== pgid && (await readProc(pid))?.pgid !== pgid) continue;
      if (await holds(pid)) return true;
      const children = await readFile(`/proc/${pid}/task/${pid}/children`, 'utf8').catch(() => '');
      next.push(...children.split(' ').filter(Boolean).map(Number));
    }
    level = next;
  }
  // Members that left the tree (re-parented after their parent exited) but stayed in the group.
  for (const member of await groupMembers(pgid)) if (!seen.has(member.pid) && (await holds(member.pid))) return true;
  return false;
}
