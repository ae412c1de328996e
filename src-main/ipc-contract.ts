/**
 * Every IPC channel between the preload and the main process, in one place: the invoke channels
 * (renderer asks, main answers) with their argument and result types, the events main pushes to the
 * renderer, and the argument checks main applies. No electron import: the preload and tests use it.
 */
import type { RuntimeConnection } from '../src-runtime/contract/desktop-bridge.js';

export interface InvokeChannels {
  'wr:get-runtime': { args: []; result: RuntimeConnection };
  'wr:open-folder-dialog': { args: []; result: string | null };
  'wr:reveal-path': { args: [path: string]; result: void };
  'wr:open-external': { args: [url: string]; result: void };
}

/** Fire-and-forget messages from the renderer. */
export interface SendChannels {
  /** Paths of files/folders dropped on the window (main opens the folders among them). */
  'wr:dropped-paths': { args: [paths: string[]] };
  /** Close the sender's window (after its unsaved edits were saved or let go). */
  'wr:close-window': { args: [] };
}

/** Messages main pushes to the renderer. */
export interface EventChannels {
  'wr:runtime-reconnected': RuntimeConnection;
  'wr:open-folder': string;
  'wr:close-workspace': null;
  /** The window was asked to close while the page holds unsaved edits: ask the user, then `wr:close-window`. */
  'wr:close-requested': null;
}

export type InvokeChannel = keyof InvokeChannels;
export type SendChannel = keyof SendChannels;
export type EventChannel = keyof EventChannels;

export const INVOKE_CHANNELS: readonly InvokeChannel[] = ['wr:get-runtime', 'wr:open-folder-dialog', 'wr:reveal-path', 'wr:open-external'];
export const SEND_CHANNELS: readonly SendChannel[] = ['wr:dropped-paths', 'wr:close-window'];
export const EVENT_CHANNELS: readonly EventChannel[] = ['wr:runtime-reconnected', 'wr:open-folder', 'wr:close-workspace', 'wr:close-requested'];

export class IpcArgumentError extends Error {}

/** An http(s) URL, or an IpcArgumentError: other schemes (file:, javascript:, custom handlers) never reach the OS. */
export function parseExternalUrl(value: unknown): URL {
  if (typeof value !== 'string' || value.length > 8192) throw new IpcArgumentError('openExternal needs a URL string');
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new IpcArgumentError(`not a URL: ${value.slice(0, 200)}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new IpcArgumentError(`only http and https URLs are opened, not ${url.protocol}`);
  return url;
}

/** An absolute path without NUL bytes (POSIX `/x` or Windows `C:\x` / `\\server\share`). */
export function parseAbsolutePath(value: unknown): string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 32_768) throw new IpcArgumentError('expected a path string');
  if (value.includes('\0')) throw new IpcArgumentError('a path may not contain NUL');
  if (!(value.startsWith('/') || /^[a-zA-Z]:[\\/]/.test(value) || value.startsWith('\\\\'))) throw new IpcArgumentError(`expected an absolute path, got ${value.slice(0, 200)}`);
  return value;
}

export function parsePathList(value: unknown): string[] {
  if (!Array.isArray(value) || value.length > 1000) throw new IpcArgumentError('expected a list of paths');
  return value.map(parseAbsolutePath);
}

/**
 * Whether a frame URL belongs to the runtime origin (scheme, host and port equal). An about:blank,
 * a file: page or another port never passes.
 */
export function isRuntimeOrigin(frameUrl: string | undefined, runtimeUrl: string | undefined): boolean {
  if (!frameUrl || !runtimeUrl) return false;
  try {
    const frame = new URL(frameUrl);
    const runtime = new URL(runtimeUrl);
    return (frame.protocol === 'http:' || frame.protocol === 'https:') && frame.origin === runtime.origin;
  } catch {
    return false;
  }
}
