/**
 * Supervises the runtime process: forks the entry, waits for its ready message (with a timeout),
 * restarts it with exponential backoff when it dies (up to a cap), and stops it gracefully (a
 * `shutdown` request, then a kill after a grace period). Written against the `ForkRuntime` seam so it
 * runs under Electron (utilityProcess.fork) and under plain Node in tests (child_process.fork).
 */
import { EventEmitter } from 'node:events';
import type { ParentCommand, ReadyMessage, RuntimeMessage, StoreErrorMessage } from '../src-runtime/contract/runtime-process.js';
import type { RuntimeConnection } from '../src-runtime/contract/desktop-bridge.js';

export interface ForkOptions {
  /** Shown by the OS task manager for the utility process. */
  serviceName: string;
  env: Record<string, string | undefined>;
}

export interface ForkedRuntime {
  readonly pid: number | undefined;
  postMessage(message: ParentCommand): void;
  onMessage(listener: (message: unknown) => void): void;
  /** Called once when the process has ended (code null when killed by a signal). */
  onExit(listener: (code: number | null) => void): void;
  /** Stderr output, when the fork exposes it (for the error shown when the runtime cannot start). */
  onStderr?(listener: (chunk: string) => void): void;
  /** Ends the process now, without asking. */
  kill(): void;
}

export type ForkRuntime = (entry: string, args: string[], options: ForkOptions) => ForkedRuntime;

export interface RuntimeHostOptions {
  entry: string;
  dataDir: string;
  fork: ForkRuntime;
  env?: Record<string, string | undefined>;
  serviceName?: string;
  /** How long a fresh process has to post `ready` (default 30 s). */
  readyTimeoutMs?: number;
  /** How long a graceful shutdown may take before the process is killed (default 12 s). */
  shutdownTimeoutMs?: number;
  /** First restart delay (default 500 ms), doubled per consecutive failure up to maxDelayMs (default 30 s). */
  initialDelayMs?: number;
  maxDelayMs?: number;
  /** Consecutive failed starts/crashes before giving up (default 6). */
  maxRestarts?: number;
  /** A runtime that stayed up this long resets the failure count (default 60 s). */
  stableAfterMs?: number;
}

export type RuntimeHostState = 'idle' | 'starting' | 'running' | 'waiting' | 'stopping' | 'stopped' | 'failed';

export class RuntimeStartError extends Error {
  constructor(
    readonly code: 'ready_timeout' | 'exited_before_ready' | 'start_failed' | 'stopped' | string,
    message: string,
    readonly stderrTail = '',
    /** Set when the runtime refused to start because db.json is unreadable (code `store_unreadable`). */
    readonly store?: StoreErrorMessage,
  ) {
    super(message);
    this.name = 'RuntimeStartError';
  }
}

export interface RuntimeHostEvents {
  /** A runtime is up. `restarted` is true after a crash; `originChanged` when it came back on another port. */
  ready: [connection: RuntimeConnection, info: { restarted: boolean; originChanged: boolean; pid: number | undefined }];
  /** The runtime died or failed to start; another attempt follows after `delayMs`. */
  crashed: [info: { code: number | null; reason: string; attempt: number; delayMs: number }];
  /** Restarts exhausted: the runtime stays down until `restart()`. */
  'gave-up': [error: RuntimeStartError];
  exit: [info: { code: number | null; pid: number | undefined }];
}

export interface StopResult {
  /** The process exited by itself after the shutdown request (no kill needed). */
  graceful: boolean;
  /** The runtime confirmed with a `stopped` message before exiting. */
  confirmed: boolean;
  exitCode: number | null;
}

interface Attempt {
  child: ForkedRuntime;
  exited: Promise<number | null>;
  exitCode?: number | null;
  stopped: boolean;
  stderr: string[];
  store?: StoreErrorMessage;
}

const STDERR_TAIL_LINES = 40;
/** The runtime's exit code for a start refused on an unreadable store (contract/runtime-process.ts). */
const STORE_UNREADABLE_EXIT_CODE = 78;

export class RuntimeHost extends EventEmitter<RuntimeHostEvents> {
  private readonly options: Required<Omit<RuntimeHostOptions, 'env'>> & { env: Record<string, string | undefined> };
  private attempt: Attempt | undefined;
  private connection: RuntimeConnection | undefined;
  private lastPort = 0;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;
  private stableTimer: NodeJS.Timeout | undefined;
  private stopping: Promise<StopResult> | undefined;
  private everReady = false;
  private currentState: RuntimeHostState = 'idle';
  private lastError: RuntimeStartError | undefined;
  private recoverNext = false;

  constructor(options: RuntimeHostOptions) {
    super();
    this.options = {
      serviceName: 'Workspace Runtime',
      readyTimeoutMs: 30_000,
      shutdownTimeoutMs: 12_000,
      initialDelayMs: 500,
      maxDelayMs: 30_000,
      maxRestarts: 6,
      stableAfterMs: 60_000,
      env: {},
      ...options,
    };
  }

  get state(): RuntimeHostState {
    return this.currentState;
  }

  /** The live runtime's URL and token, while one is running. */
  get current(): RuntimeConnection | undefined {
    return this.currentState === 'running' ? this.connection : undefined;
  }

  get pid(): number | undefined {
    return this.attempt?.child.pid;
  }

  get error(): RuntimeStartError | undefined {
    return this.lastError;
  }

  /** The delay before restart number `attempt` (1-based): initial × 2^(attempt-1), capped. */
  delayFor(attempt: number): number {
    return Math.min(this.options.maxDelayMs, this.options.initialDelayMs * 2 ** Math.max(0, attempt - 1));
  }

  /**
   * Starts the runtime and resolves with its connection. A first start that fails rejects (no
   * retries: the caller shows the error and may call `restart()`); later crashes restart by themselves.
   */
  async start(): Promise<RuntimeConnection> {
    if (this.currentState !== 'idle' && this.currentState !== 'failed') throw new Error(`runtime host is ${this.currentState}`);
    this.failures = 0;
    this.lastError = undefined;
    try {
      return await this.launch();
    } catch (error) {
      // stop() may have been called meanwhile (TypeScript still has the state narrowed from above).
      const state = this.currentState as RuntimeHostState;
      if (state !== 'stopping' && state !== 'stopped') this.currentState = 'failed';
      this.lastError = error as RuntimeStartError;
      throw error;
    }
  }

  /** After `gave-up` or a failed start: try again now, with a fresh failure count. */
  async restart(options: { recoverStore?: boolean } = {}): Promise<RuntimeConnection> {
    clearTimeout(this.restartTimer);
    this.currentState = 'failed';
    this.recoverNext = options.recoverStore ?? false;
    return this.start();
  }

  private launch(): Promise<RuntimeConnection> {
    this.currentState = 'starting';
    const args = ['serve', '--port', String(this.lastPort), '--data-dir', this.options.dataDir];
    // "Recover" in the store error dialog: this one attempt starts from db.json.prev.
    if (this.recoverNext) args.push('--recover-store');
    this.recoverNext = false;
    const child = this.options.fork(this.options.entry, args, { serviceName: this.options.serviceName, env: this.options.env });
    let resolveExit!: (code: number | null) => void;
    const attempt: Attempt = { child, exited: new Promise((r) => (resolveExit = r)), stopped: false, stderr: [] };
    this.attempt = attempt;
    child.onStderr?.((chunk) => {
      attempt.stderr.push(...chunk.split(/\r?\n/).filter(Boolean));
      if (attempt.stderr.length > STDERR_TAIL_LINES) attempt.stderr.splice(0, attempt.stderr.length - STDERR_TAIL_LINES);
    });

    return new Promise<RuntimeConnection>((resolve, reject) => {
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const fail = (code: string, message: string) =>
        settle(() => {
          const error = new RuntimeStartError(code, message, attempt.stderr.join('\n'), attempt.store);
          reject(error);
        });
      const timer = setTimeout(() => {
        fail('ready_timeout', `the runtime did not report ready within ${this.options.readyTimeoutMs} ms`);
        child.kill();
      }, this.options.readyTimeoutMs);

      child.onMessage((raw) => {
        const message = raw as RuntimeMessage;
        if (message?.type === 'ready' && (this.currentState === 'stopping' || this.currentState === 'stopped')) {
          // Asked to stop while it was starting: the first request may have arrived before the
          // runtime listened for it, so ask again now that it is up.
          child.postMessage({ type: 'shutdown' });
          fail('stopped', 'the runtime host was stopped while the runtime was starting');
        } else if (message?.type === 'ready' && !settled) {
          const ready = message as ReadyMessage;
          settle(() => resolve(this.onReady(attempt, ready)));
        } else if (message?.type === 'start_failed') {
          if (message.code === 'port_in_use' && this.lastPort !== 0) {
            // The previous port was taken while the runtime was down: the next attempt takes any port.
            this.lastPort = 0;
          }
          fail('start_failed', `${message.error} (${message.code})`);
        } else if (message?.type === 'error' && message.code === 'store_unreadable') {
          attempt.store = message;
          fail('store_unreadable', storeMessage(message));
        } else if (message?.type === 'stopped') {
          attempt.stopped = true;
        }
      });
      child.onExit((code) => {
        attempt.exitCode = code;
        resolveExit(code);
        this.emit('exit', { code, pid: child.pid });
        fail('exited_before_ready', `the runtime exited with code ${code} before it was ready`);
        if (this.attempt === attempt) this.onAttemptExit(attempt, code);
      });
    });
  }

  private onReady(attempt: Attempt, ready: ReadyMessage): RuntimeConnection {
    const previous = this.connection;
    const connection: RuntimeConnection = { url: ready.url, token: ready.token };
    this.connection = connection;
    this.lastPort = ready.port;
    this.currentState = 'running';
    const restarted = this.everReady;
    this.everReady = true;
    clearTimeout(this.stableTimer);
    this.stableTimer = setTimeout(() => {
      if (this.attempt === attempt) this.failures = 0;
    }, this.options.stableAfterMs);
    this.stableTimer.unref?.();
    const originChanged = previous !== undefined && new URL(previous.url).origin !== new URL(connection.url).origin;
    this.emit('ready', connection, { restarted, originChanged, pid: attempt.child.pid });
    return connection;
  }

  /** The current process ended: unless we are stopping, schedule the next attempt (or give up). */
  private onAttemptExit(attempt: Attempt, code: number | null): void {
    clearTimeout(this.stableTimer);
    if (this.currentState === 'stopping' || this.currentState === 'stopped') return;
    const wasRunning = this.currentState === 'running';
    if (!wasRunning && !this.everReady) return; // first start: the start() promise reports the failure
    if (attempt.store || code === STORE_UNREADABLE_EXIT_CODE) {
      // Restarting cannot help: the store stays unreadable until the user recovers it.
      this.currentState = 'failed';
      const error = new RuntimeStartError('store_unreadable', attempt.store ? storeMessage(attempt.store) : 'the runtime store is unreadable', attempt.stderr.join('\n'), attempt.store);
      this.lastError = error;
      this.emit('gave-up', error);
      return;
    }
    this.failures += 1;
    const reason = wasRunning ? `exited with code ${code}` : 'failed to start';
    if (this.failures > this.options.maxRestarts) {
      this.currentState = 'failed';
      const error = new RuntimeStartError('gave_up', `the runtime ${reason}; gave up after ${this.options.maxRestarts} restarts`, attempt.stderr.join('\n'));
      this.lastError = error;
      this.emit('gave-up', error);
      return;
    }
    const delayMs = this.delayFor(this.failures);
    this.currentState = 'waiting';
    this.emit('crashed', { code, reason, attempt: this.failures, delayMs });
    this.restartTimer = setTimeout(() => {
      if (this.currentState !== 'waiting') return;
      this.launch().catch(() => {
        // An attempt that fails before ready ends in onAttemptExit (the timeout kills it), which
        // schedules the next one; nothing to do here.
      });
    }, delayMs);
  }

  /**
   * Asks the runtime to shut down (it stops features and apps, flushes the store, posts
   * `stopped`, exits 0), waits up to shutdownTimeoutMs, then kills it. Cancels pending restarts.
   */
  stop(): Promise<StopResult> {
    this.stopping ??= this.doStop();
    return this.stopping;
  }

  private async doStop(): Promise<StopResult> {
    clearTimeout(this.restartTimer);
    clearTimeout(this.stableTimer);
    this.currentState = 'stopping';
    const attempt = this.attempt;
    if (!attempt || attempt.exitCode !== undefined) {
      this.currentState = 'stopped';
      return { graceful: true, confirmed: attempt?.stopped ?? false, exitCode: attempt?.exitCode ?? null };
    }
    try {
      attempt.child.postMessage({ type: 'shutdown' });
    } catch {
      // The channel is already closed; the kill below ends it.
    }
    const timedOut = Symbol('timeout');
    let timer: NodeJS.Timeout | undefined;
    const result = await Promise.race([attempt.exited, new Promise<typeof timedOut>((r) => (timer = setTimeout(() => r(timedOut), this.options.shutdownTimeoutMs)))]);
    clearTimeout(timer);
    let graceful = true;
    let exitCode: number | null;
    if (result === timedOut) {
      graceful = false;
      attempt.child.kill();
      exitCode = await attempt.exited;
    } else {
      exitCode = result;
    }
    this.currentState = 'stopped';
    return { graceful, confirmed: attempt.stopped, exitCode };
  }
}

function storeMessage(store: StoreErrorMessage): string {
  return store.backup
    ? `The runtime's store ${store.file} is unreadable. Recover starts from the last good copy (${store.backup}); the unreadable file is kept.`
    : `The runtime's store ${store.file} is unreadable and there is no usable backup. Recover starts with an empty store; the unreadable file is kept.`;
}
