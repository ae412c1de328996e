/**
 * Messages between the runtime process and the process that started it (Electron main through
 * parentPort, or a Node parent through IPC). Pure TS with no imports, so src-main can import it.
 */
/** Posted by the runtime once it listens. The token goes only over this channel, never stdout. */
export interface ReadyMessage {
  type: 'ready';
  port: number;
  url: string;
  token: string;
}

/** Posted by the runtime when start-up fails (data dir locked, port in use, …). */
export interface StartFailedMessage {
  type: 'start_failed';
  error: string;
  code: string;
}

/**
 * Posted (and printed as one JSON line on stderr) when the runtime refuses to start because a file
 * it must not lose is unreadable; it then exits with code 78. `hint` names the way out.
 */
export interface StoreErrorMessage {
  type: 'error';
  code: 'store_unreadable';
  file: string;
  /** The backup `serve --recover-store` would start from; null when none is usable (it starts empty). */
  backup: string | null;
  hint: string;
}

/** Exit code of a start refused because the store is unreadable (EX_CONFIG). */
export const STORE_UNREADABLE_EXIT_CODE = 78;

export type RuntimeMessage = ReadyMessage | StartFailedMessage | StoreErrorMessage | { type: 'stopped' };

/** What the parent may ask: a graceful shutdown (apps stopped, store flushed), then exit. */
export type ParentCommand = { type: 'shutdown' };
