/**
 * The channel to a parent process, if any: Electron's `process.parentPort` (utility process; message
 * events carry `{data}`), Node's `process.send` (forked with IPC), or none (standalone: the ready
 * line goes to stdout, without the token).
 */
export type { ParentCommand, ReadyMessage } from './contract/runtime-process.js';

export interface ParentMessageEvent {
  data: unknown;
}

export interface ParentPortLike {
  postMessage(message: unknown): void;
  on(event: 'message', listener: (event: ParentMessageEvent) => void): unknown;
}

export interface ParentChannel {
  kind: 'electron' | 'node-ipc' | 'none';
  post(message: unknown): void;
  onMessage(listener: (message: unknown) => void): void;
}

export interface ProcessLike {
  parentPort?: ParentPortLike;
  send?: (message: unknown) => boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  connected?: boolean;
}

export function detectParentChannel(proc: ProcessLike = process as unknown as ProcessLike): ParentChannel {
  const port = proc.parentPort;
  if (port) {
    return {
      kind: 'electron',
      post: (message) => port.postMessage(message),
      onMessage: (listener) => void port.on('message', (event) => listener(event.data)),
    };
  }
  if (typeof proc.send === 'function') {
    const send = proc.send.bind(proc);
    return {
      kind: 'node-ipc',
      post: (message) => {
        if (proc.connected !== false) send(message);
      },
      onMessage: (listener) => void proc.on('message', listener),
    };
  }
  return { kind: 'none', post: () => undefined, onMessage: () => undefined };
}

