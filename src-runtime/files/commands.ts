/**
 * Sandbox commands: a shell command line run in a workspace folder as its own process group, its
 * stdout/stderr published chunk by chunk on the `exec:<id>` stream (replayable) and kept (last
 * 1 MiB each) on the record, with exit code, signal, timeout and kill (SIGTERM to the group,
 * SIGKILL after a grace period). The runtime kills what is still running when it stops.
 */
import { relative, sep } from 'node:path';
import { notFound } from '../contract/errors.js';
import type { SandboxCommand } from '../contract/files.js';
import type { Workspace } from '../contract/workspaces.js';
import type { EventBus } from '../events/bus.js';
import { newId } from '../ids.js';
import { startShellGroup, type ProcessGroup, type ProcessOwner } from '../platform/process.js';

const KEEP_BYTES = 1024 * 1024;
const KEEP_COMMANDS = 100;

export interface RunningCommand {
  id: string;
  workspaceId: string;
  root: string;
  cmd: string;
  cwd: string;
  group: ProcessGroup;
  status: SandboxCommand['status'];
  exitCode: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  startedAt: string;
  endedAt: string | null;
  killed: boolean;
  done: Promise<void>;
}

export interface StartCommand {
  cmd: string;
  cwd: string;
  envs?: Record<string, string>;
  timeoutMs?: number;
}

export class CommandRunner {
  private readonly byWorkspace = new Map<string, RunningCommand[]>();

  constructor(
    private readonly bus: EventBus,
    /** The owner (marker and record) of the command with this execution id. */
    private readonly owner: (id: string) => ProcessOwner,
  ) {}

  start(workspace: Workspace, input: StartCommand): RunningCommand {
    const id = newId('execution');
    const stream = this.bus.stream(`exec:${id}`, { backlog: 5000 });
    const group = startShellGroup(input.cmd, { owner: this.owner(id), cwd: input.cwd, env: input.envs });
    const command: RunningCommand = {
      id,
      workspaceId: workspace.id,
      root: workspace.root_dir,
      cmd: input.cmd,
      cwd: input.cwd,
      group,
      status: 'running',
      exitCode: null,
      signal: null,
      stdout: '',
      stderr: '',
      startedAt: new Date().toISOString(),
      endedAt: null,
      killed: false,
      done: Promise.resolve(),
    };
    const list = this.byWorkspace.get(workspace.id) ?? [];
    list.unshift(command);
    if (list.length > KEEP_COMMANDS) {
      for (const old of list.splice(KEEP_COMMANDS)) if (old.status !== 'running') this.bus.drop(`exec:${old.id}`);
    }
    this.byWorkspace.set(workspace.id, list);
    const onData = (which: 'stdout' | 'stderr') => (data: string) => {
      command[which] = (command[which] + data).slice(-KEEP_BYTES);
      stream.publish('command_output', { command_id: id, stream: which, data });
    };
    group.stdout.setEncoding('utf8');
    group.stderr.setEncoding('utf8');
    group.stdout.on('data', onData('stdout'));
    group.stderr.on('data', onData('stderr'));
    const timer = input.timeoutMs ? setTimeout(() => void this.kill(command), input.timeoutMs) : undefined;
    timer?.unref();
    command.done = group.done.then(({ exitCode, signal, spawnError }) => {
      clearTimeout(timer);
      command.exitCode = exitCode;
      command.signal = signal;
      command.status = spawnError ? 'failed' : command.killed ? 'killed' : 'exited';
      if (spawnError) command.stderr += `\n${spawnError}`;
      command.endedAt = new Date().toISOString();
      stream.publish('command_exit', { command_id: id, exit_code: exitCode, signal, status: command.status });
    });
    return command;
  }

  view(c: RunningCommand): SandboxCommand {
    const rel = relative(c.root, c.cwd).split(sep).join('/');
    return {
      id: c.id,
      workspace_id: c.workspaceId,
      cmd: c.cmd,
      cwd: rel ? `/workspace/${rel}` : '/workspace',
      pid: c.group.pid > 0 ? c.group.pid : null,
      status: c.status,
      exit_code: c.exitCode,
      signal: c.signal,
      stdout: c.stdout,
      stderr: c.stderr,
      started_at: c.startedAt,
      ended_at: c.endedAt,
    };
  }

  list(workspaceId: string): RunningCommand[] {
    return this.byWorkspace.get(workspaceId) ?? [];
  }

  require(workspaceId: string, commandId: string): RunningCommand {
    const c = this.list(workspaceId).find((x) => x.id === commandId);
    if (!c) throw notFound('command_not_found', `No command "${commandId}" in this workspace`);
    return c;
  }

  async kill(c: RunningCommand): Promise<void> {
    if (c.status !== 'running' || c.group.pid <= 0) return;
    c.killed = true;
    await c.group.terminate();
    await c.done;
  }

  async stopAll(): Promise<void> {
    const running = [...this.byWorkspace.values()].flat().filter((c) => c.status === 'running');
    await Promise.all(running.map((c) => this.kill(c)));
  }

  running(): number {
    return [...this.byWorkspace.values()].flat().filter((c) => c.status === 'running').length;
  }
}
