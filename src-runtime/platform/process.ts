/**
 * Child processes, for every feature: starting a command as the leader of its own process group
 * (so stopping it reaches every grandchild), the one termination policy (SIGTERM to the group,
 * SIGKILL to what is left after a grace period), and running a short command to collect its
 * output under a timeout. Nothing else in the runtime spawns processes (git/core.ts aside).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';
import { groupAlive } from './process-group.js';

export type { ChildProcess };

/** How long a group gets between SIGTERM and SIGKILL unless its owner says otherwise (an app's stop_timeout). */
export const DEFAULT_GRACE_MS = 2000;

export interface StartOptions {
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
  /** {@link terminateGroup} for this group. */
  terminate(graceMs?: number): Promise<TerminateOutcome>;
}

function environment(options: StartOptions): NodeJS.ProcessEnv {
  if (!options.env) return process.env;
  return options.extendEnv === false ? options.env : { ...process.env, ...options.env };
}

/** Start `file` with `args` (no shell) as the leader of a new process group. */
export function startGroup(file: string, args: readonly string[], options: StartOptions = {}): ProcessGroup {
  const child = spawn(file, args, { cwd: options.cwd, env: environment(options), detached: true, stdio: [options.stdin ?? 'ignore', 'pipe', 'pipe'] });
  const done = new Promise<GroupExit>((resolve) => {
    // A failed spawn emits 'error' (no pid) and then 'close'; a later 'error' (a failed kill) changes nothing.
    child.on('error', (error) => {
      if (child.pid === undefined) resolve({ exitCode: null, signal: null, spawnError: error.message });
    });
    child.once('close', (exitCode, signal) => resolve({ exitCode, signal }));
  });
  const pid = child.pid ?? -1;
  return { pid, child, stdin: child.stdin, stdout: child.stdout!, stderr: child.stderr!, done, terminate: (graceMs) => terminateGroup(pid, graceMs) };
}

/** Start a shell command line (`/bin/sh -c`) as the leader of a new process group. */
export function startShellGroup(command: string, options: StartOptions = {}): ProcessGroup {
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
