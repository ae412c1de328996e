/**
 * Messages between the runtime process and the process that started it (Electron main through
 * parentPort, or a Node parent through IPC). Type-only, so src-main can import it.
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

export type RuntimeMessage = ReadyMessage | StartFailedMessage | { type: 'stopped' };

/** What the parent may ask: a graceful shutdown (apps stopped, store flushed), then exit. */
export type ParentCommand = { type: 'shutdown' };
