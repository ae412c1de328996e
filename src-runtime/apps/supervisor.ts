/**
 * One app's process lifecycle: spawn its start command as a process group, stream its output as
 * lines, decide when it is ready, apply the restart policy when it exits, and stop it (the
 * optional stop command, then SIGTERM to the group and SIGKILL after the grace period). The
 * service decides what to launch (command, env, port); the supervisor owns the running process.
 */
import type { App } from '../contract/apps.js';
import { splitOutputLines } from '../platform/line-splitter.js';
import { startShellGroup, type ProcessGroup, type ProcessOwner } from '../platform/process.js';
import { groupListensOn } from '../platform/process-group.js';
import { logMatcher, waitReady, type ReadinessSpec } from './readiness.js';

export type AppStatus = App['status'];

export interface LaunchSpec {
  command: string;
  cwd: string;
  env: Record<string, string>;
  port: number | null;
  portMode: 'auto' | 'fixed' | 'none';
  readiness: ReadinessSpec;
  readinessTimeoutMs: number;
  restart: 'never' | 'on-failure' | 'always';
  stopCommand?: string;
  stopTimeoutMs: number;
}

export interface SupervisorHooks {
  status(sup: AppSupervisor): void;
  log(sup: AppSupervisor, stream: 'stdout' | 'stderr' | 'system', line: string): void;
  /** Who owns (marks and records) the app's start command and its stop command. */
  owner(sup: AppSupervisor, kind: 'app' | 'app-stop'): ProcessOwner;
  /** A fresh launch spec for a restart or a port retry (a new port when the old one was taken). */
  relaunch(sup: AppSupervisor, reason: 'restart' | 'port_in_use'): Promise<LaunchSpec | undefined>;
}

const MAX_PORT_RETRIES = 3;

export class AppNotReadyError extends Error {
  constructor(
    message: string,
    readonly logTail: string[],
  ) {
    super(message);
  }
}

export class AppSupervisor {
  status: AppStatus = 'stopped';
  pid: number | null = null;
  port: number | null = null;
  restarts = 0;
  startedAt: Date | null = null;
  exitCode: number | null = null;
  exitSignal: string | null = null;
  lastError: string | null = null;
  /** Bumped by every stop(), so a start still preparing (port, env) knows it was cancelled. */
  stopEpoch = 0;

  private group?: ProcessGroup;
  private spec?: LaunchSpec;
  private readyWaiters: Array<{ resolve: () => void; reject: (e: Error) => void }> = [];
  private readinessAbort?: AbortController;
  private stopping?: Promise<void>;
  private stopRequested = false;
  private restartTimer?: NodeJS.Timeout;
  private quickFailures = 0;
  private portRetries = 0;
  private sawAddrInUse = false;
  private exited?: Promise<void>;
  private readonly recent: string[] = [];

  constructor(
    readonly appId: string,
    readonly workspaceId: string,
    readonly manifestId: string,
    private readonly hooks: SupervisorHooks,
  ) {}

  get active(): boolean {
    return this.status === 'starting' || this.status === 'running' || this.status === 'ready';
  }

  get settled(): boolean {
    return this.status === 'running' || this.status === 'ready';
  }

  /** Last output lines, for error messages. */
  tail(n = 20): string[] {
    return this.recent.slice(-n);
  }

  /** Resolves when the app is ready (or running, without a readiness check); rejects when it dies first. */
  whenReady(): Promise<void> {
    if (this.settled) return Promise.resolve();
    if (!this.active) return Promise.reject(new AppNotReadyError(this.lastError ?? `app is ${this.status}`, this.tail()));
    return new Promise((resolve, reject) => this.readyWaiters.push({ resolve, reject }));
  }

  private setStatus(status: AppStatus): void {
    if (this.status === status) return;
    this.status = status;
    this.hooks.status(this);
    if (status === 'ready' || status === 'running') {
      const waiters = this.readyWaiters.splice(0);
      waiters.forEach((w) => w.resolve());
    } else if (status === 'crashed' || status === 'stopped') {
      const waiters = this.readyWaiters.splice(0);
      const error = new AppNotReadyError(this.lastError ?? `app ${status}`, this.tail());
      waiters.forEach((w) => w.reject(error));
    }
  }

  private remember(line: string): void {
    this.recent.push(line);
    if (this.recent.length > 200) this.recent.splice(0, 100);
  }

  /** Spawn the start command; returns at once (status `starting`, or `running` without readiness). */
  launch(spec: LaunchSpec): void {
    if (this.active && this.group) throw new Error('already running');
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.spec = spec;
    this.stopRequested = false;
    this.stopping = undefined;
    this.port = spec.port;
    this.exitCode = null;
    this.exitSignal = null;
    this.sawAddrInUse = false;
    this.startedAt = new Date();
    this.hooks.log(this, 'system', `$ ${spec.command}${spec.port !== null ? `   (PORT=${spec.port})` : ''}`);
    const group = startShellGroup(spec.command, { owner: this.hooks.owner(this, 'app'), cwd: spec.cwd, env: spec.env });
    this.group = group;
    this.pid = group.pid > 0 ? group.pid : null;
    this.status = 'starting';
    this.hooks.status(this);

    const matchLog = spec.readiness.kind === 'log' ? logMatcher(spec.readiness.pattern) : undefined;
    const lines = splitOutputLines(group, (stream, line) => {
      this.remember(line);
      if (line.includes('EADDRINUSE')) this.sawAddrInUse = true;
      this.hooks.log(this, stream, line);
      if (matchLog && this.status === 'starting' && this.group === group && matchLog(line)) this.setStatus('ready');
    });
    // Flush a stream's unterminated last line as soon as that stream closes.
    group.stdout.on('end', () => lines.out.end());
    group.stderr.on('end', () => lines.err.end());

    this.exited = group.done.then(async (result) => {
      lines.end();
      await this.onExit(group, result.exitCode, result.signal, result.spawnError);
    });

    this.readinessAbort?.abort();
    const abort = new AbortController();
    this.readinessAbort = abort;
    if (spec.readiness.kind === 'none') {
      this.setStatus('running');
    } else {
      const timer = setTimeout(() => {
        if (this.group !== group || this.status !== 'starting') return;
        this.lastError = `not ready after ${Math.round(spec.readinessTimeoutMs / 100) / 10}s (${describeReadiness(spec.readiness)})`;
        this.hooks.log(this, 'system', this.lastError);
        abort.abort();
        void this.failAndStop(group);
      }, spec.readinessTimeoutMs);
      timer.unref();
      abort.signal.addEventListener('abort', () => clearTimeout(timer));
      if (spec.readiness.kind !== 'log') {
        void waitReady(spec.readiness, spec.readinessTimeoutMs, abort.signal, (port) => groupListensOn(group.pid, port)).then((ok) => {
          if (ok && this.group === group && this.status === 'starting') this.setStatus('ready');
        });
      }
      const clear = () => abort.abort();
      this.readyWaiters.push({ resolve: clear, reject: clear });
    }
  }

  private async failAndStop(group: ProcessGroup): Promise<void> {
    this.stopRequested = true; // no restart for an app that never got ready
    this.setStatus('crashed');
    await group.terminate(this.spec?.stopTimeoutMs);
  }

  private async onExit(group: ProcessGroup, code: number | null, signal: string | null, spawnError?: string): Promise<void> {
    if (this.group !== group) return;
    // Leftover members of the group (a background grandchild) go with their leader.
    await group.terminate().catch(() => undefined);
    this.group = undefined;
    this.pid = null;
    this.exitCode = code;
    this.exitSignal = signal;
    this.readinessAbort?.abort();
    const wasStatus = this.status;
    if (this.stopRequested) {
      if (wasStatus !== 'crashed') this.setStatus('stopped');
      return;
    }
    const ranMs = this.startedAt ? Date.now() - this.startedAt.getTime() : 0;
    const failed = code !== 0 || signal !== null;
    if (spawnError) this.lastError = spawnError;
    else if (failed) this.lastError = signal ? `exited on ${signal}` : `exited with code ${code}`;
    this.hooks.log(this, 'system', spawnError ?? `exited (${signal ?? `code ${code}`}) after ${ranMs} ms`);

    const spec = this.spec;
    if (spec && wasStatus === 'starting' && this.sawAddrInUse && spec.portMode === 'auto' && this.portRetries < MAX_PORT_RETRIES) {
      this.portRetries += 1;
      const next = await this.hooks.relaunch(this, 'port_in_use');
      if (next && !this.stopRequested) {
        this.hooks.log(this, 'system', `port ${spec.port} was taken; retrying on ${next.port}`);
        this.launch(next);
        return;
      }
    }
    this.portRetries = 0;
    const restart = spec && !spawnError && (spec.restart === 'always' || (spec.restart === 'on-failure' && failed));
    this.setStatus(failed || wasStatus === 'starting' ? 'crashed' : 'stopped');
    if (!restart) return;
    this.quickFailures = ranMs < 10_000 ? this.quickFailures + 1 : 0;
    const delay = Math.min(500 * 2 ** Math.max(0, this.quickFailures - 1), 15_000);
    this.hooks.log(this, 'system', `restarting in ${delay} ms (restart: ${spec.restart})`);
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (this.stopRequested || this.active) return;
      // A relaunch that throws leaves the app crashed with the reason in its log, not an unhandled rejection.
      void this.hooks.relaunch(this, 'restart').then(
        (next) => {
          if (!next || this.stopRequested || this.active) return;
          this.restarts += 1;
          this.launch(next);
        },
        (error: unknown) => this.hooks.log(this, 'system', `restart failed: ${(error as Error).message}`),
      );
    }, delay);
    this.restartTimer.unref();
  }

  /** Stop: cancel a pending restart, run the stop command, SIGTERM the group, SIGKILL after the grace. */
  stop(): Promise<void> {
    this.stopEpoch += 1;
    this.stopRequested = true;
    clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
    this.readinessAbort?.abort();
    const group = this.group;
    if (!group) {
      if (this.status !== 'invalid' && this.status !== 'crashed') this.setStatus('stopped');
      return Promise.resolve();
    }
    this.stopping ??= (async () => {
      const spec = this.spec;
      const grace = spec?.stopTimeoutMs;
      if (spec?.stopCommand) {
        this.hooks.log(this, 'system', `$ ${spec.stopCommand}   (stop command)`);
        const stopper = startShellGroup(spec.stopCommand, { owner: this.hooks.owner(this, 'app-stop'), cwd: spec.cwd, env: spec.env });
        stopper.stdout.resume();
        stopper.stderr.resume();
        // A stop command gets the app's grace period to finish, then the same policy as the app.
        const timer = setTimeout(() => void stopper.terminate(), grace);
        await stopper.done;
        await stopper.terminate();
        clearTimeout(timer);
        // Give the app the grace period to exit by itself after its stop command.
        await Promise.race([this.exited, new Promise((r) => setTimeout(r, grace).unref())]);
      }
      if (this.group === group) await group.terminate(grace);
      await this.exited;
    })();
    return this.stopping;
  }
}

export function describeReadiness(spec: ReadinessSpec): string {
  switch (spec.kind) {
    case 'tcp':
      return `tcp port ${spec.port}`;
    case 'http':
      return `http GET ${spec.path} on port ${spec.port}`;
    case 'log':
      return `log line matching "${spec.pattern}"`;
    default:
      return 'no check';
  }
}
