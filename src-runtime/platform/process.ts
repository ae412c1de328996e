/**
 * Child processes, for every feature: starting a command as the leader of its own process group
 * (so stopping it reaches every grandchild), the one termination policy (SIGTERM to the group,
 * SIGKILL to what is left after a grace period), and running a short command to collect its
 * output under a timeout. Nothing else in the runtime spawns processes (git/core.ts aside).
 *
 * Every start names its owner (the runtime's process registry, platform/process-registry.ts): the
 * child's environment gets the owner's `WR_OWNER` marker, the owner records the group when it is
 * spawned, and terminating the group also ends what carries its marker outside the group.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { groupAlive } from './process-group.js';
import { MARKER_VARIABLE } from './process-marker.js';

export type { ChildProcess };

/** How long a group gets between SIGTERM and SIGKILL unless its owner says otherwise (an app's stop_timeout). */
export const DEFAULT_GRACE_MS = 2000;

/** Who a group belongs to; `claim()` is called once per start, before the spawn. */
export interface ProcessOwner {
  claim(): GroupClaim;
}

/** One group's tie to its owner. */
export interface GroupClaim {
  /** The value of WR_OWNER in the child's environment. */
  readonly marker: string;
  /** The leader was spawned with this pid (the group id). */
  spawned(pid: number): void;
  /** The group was terminated: end whatever still carries the marker, forget the group. */
  terminated(graceMs: number): Promise<void>;
  /** The leader exited and its streams closed; the group may still have members. */
  exited(): void;
}

export interface StartOptions {
  owner: ProcessOwner;
  cwd?: string;
  /** Added to the runtime's environment (or used alone with `extendEnv: false`); the runtime's when absent. */
  env?: Record<string, string | undefined>;
  extendEnv?: boolean;
  /** `pipe` for programs spoken to over stdin (agents); `ignore` by default. */
  stdin?: 'ignore' | 'pipe';
}

export interface GroupExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the process could not be started at all (missing executable or working directory). */
  spawnError?: string;
}

export type TerminateOutcome = 'none' | 'term' | 'kill';

export interface ProcessGroup {
  /** The leader's pid, which is also the group id; -1 when the process could not be started. */
  readonly pid: number;
  readonly child: ChildProcess;
  readonly stdin: Writable | null;
  readonly stdout: Readable;
  readonly stderr: Readable;
  /** Resolves (never rejects) once the leader has exited and its output streams have closed. */
  readonly done: Promise<GroupExit>;
  /** {@link terminateGroup} for this group, then the processes carrying its marker (setsid escapees). */
  terminate(graceMs?: number): Promise<TerminateOutcome>;
}

function environment(options: StartOptions, marker: string): NodeJS.ProcessEnv {
  const base = !options.env ? process.env : options.extendEnv === false ? options.env : { ...process.env, ...options.env };
  return { ...base, [MARKER_VARIABLE]: marker };
}

/** Start `file` with `args` (no shell) as the leader of a new process group. */
export function startGroup(file: string, args: readonly string[], options: StartOptions): ProcessGroup {
  const claim = options.owner.claim();
  const child = spawn(file, args, { cwd: options.cwd, env: environment(options, claim.marker), detached: true, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const done = new Promise<GroupExit>((resolve) => {
    // A failed spawn emits 'error' (no pid) and then 'close'; a later 'error' (a failed kill) changes nothing.
    child.on('error', (error) => {
      if (child.pid === undefined) resolve({ exitCode: null, signal: null, spawnError: error.message });
    });
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const pid = child.pid ?? -1;
  if (pid > 0) {
    claim.spawned(pid);
    void done.then(() => claim.exited());
  }
  const terminate = async (graceMs = DEFAULT_GRACE_MS) => {
    const outcome = await terminateGroup(pid, graceMs);
    if (pid > 0) await claim.terminated(graceMs);
    return outcome;
  };
  return { pid, child, stdin: child.stdin, stdout: child.stdout!, stderr: child.stderr!, done, terminate };
}

/** Start a shell command line (`/bin/sh -c`) as the leader of a new process group. */
export function startShellGroup(command: string, options: StartOptions): ProcessGroup {
  return startGroup('/bin/sh', ['-c', command], options);
}

function signalGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * The termination policy: SIGTERM to the whole group, SIGKILL to whatever is left after
 * `graceMs`; resolves once the group is empty. 'none' when there was no group to signal.
 */
export async function terminateGroup(pgid: number, graceMs = DEFAULT_GRACE_MS): Promise<TerminateOutcome> {
  if (pgid <= 1 || !signalGroup(pgid, 'SIGTERM')) return 'none';
  const deadline = Date.now() + graceMs;
  while (Date.now() < deadline) {
    if (!(await groupAlive(pgid))) return 'term';
    await sleep(Math.min(50, Math.max(5, deadline - Date.now())));
  }
  if (!(await groupAlive(pgid))) return 'term';
  signalGroup(pgid, 'SIGKILL');
  for (let i = 0; i < 40 && (await groupAlive(pgid)); i += 1) await sleep(25);
  return 'kill';
}

export interface RunOptions extends StartOptions {
  /** The command's group is terminated after this long; `timedOut` says so. */
  timeoutMs: number;
  /** Each stream keeps at most this many characters (its end). */
  maxOutput?: number;
}

export interface RunResult extends GroupExit {
  stdout: string;
  stderr: string;
  timedOut: boolean;
}

/** Run a short command (a `--version` probe) to its end and collect its output; never rejects. */
export async function runCommand(file: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const max = options.maxOutput ?? 1024 * 1024;
  const group = startGroup(file, args, options);
  let stdout = '';
  let stderr = '';
  group.stdout.setEncoding('utf8');
  group.stderr.setEncoding('utf8');
  group.stdout.on('data', (chunk: string) => (stdout = (stdout + chunk).slice(-max)));
  group.stderr.on('data', (chunk: string) => (stderr = (stderr + chunk).slice(-max)));
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    void group.terminate();
  }, options.timeoutMs);
  const exit = await group.done;
  clearTimeout(timer);
  return { ...exit, stdout, stderr, timedOut };
}
