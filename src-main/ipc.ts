/**
 * The main side of the bridge: one handler per invoke channel of ipc-contract.ts, each refusing a
 * sender frame that is not a page of the runtime's origin (so a page that somehow got into a
 * window — an error page, an injected frame — never gets the token or the shell), and checking its
 * arguments before they reach dialog/shell.
 */
import { ipcMain, type IpcMainEvent, type IpcMainInvokeEvent, type WebContents } from 'electron';
import {
  INVOKE_CHANNELS,
  IpcArgumentError,
  isRuntimeOrigin,
  parseAbsolutePath,
  parseExternalUrl,
  parsePathList,
  type EventChannel,
  type EventChannels,
  type InvokeChannel,
  type InvokeChannels,
} from './ipc-contract.js';
import type { RuntimeConnection } from '../src-runtime/contract/desktop-bridge.js';

export interface BridgeHandlers {
  getRuntime(): RuntimeConnection | undefined;
  openFolderDialog(sender: WebContents): Promise<string | null>;
  revealPath(path: string): void;
  openExternal(url: string): Promise<void>;
  droppedPaths(sender: WebContents, paths: string[]): void;
  closeWindow(sender: WebContents): void;
}

export class UntrustedSenderError extends Error {}

type SenderEvent = Pick<IpcMainInvokeEvent | IpcMainEvent, 'senderFrame'>;

/** Throws unless the message comes from a live frame showing the runtime's origin. */
export function assertTrustedSender(event: SenderEvent, runtimeUrl: string | undefined): void {
  const frameUrl = event.senderFrame?.url;
  if (!isRuntimeOrigin(frameUrl, runtimeUrl)) {
    throw new UntrustedSenderError(`IPC refused from ${frameUrl ? new URL(frameUrl).origin : 'a detached frame'}`);
  }
}

type Handler<C extends InvokeChannel> = (event: IpcMainInvokeEvent, ...args: unknown[]) => Promise<InvokeChannels[C]['result']> | InvokeChannels[C]['result'];

/** Registers every channel; returns a function that removes them again. */
export function registerBridgeIpc(handlers: BridgeHandlers, runtimeUrl: () => string | undefined): () => void {
  const table: { [C in InvokeChannel]: Handler<C> } = {
    'wr:get-runtime': () => {
      const connection = handlers.getRuntime();
      if (!connection) throw new Error('the runtime is not running');
      return { url: connection.url, token: connection.token };
    },
    'wr:open-folder-dialog': (event) => handlers.openFolderDialog(event.sender),
    'wr:reveal-path': (_event, path) => handlers.revealPath(parseAbsolutePath(path)),
    'wr:open-external': (_event, url) => handlers.openExternal(parseExternalUrl(url).href),
  };
  for (const channel of INVOKE_CHANNELS) {
    const handler = table[channel] as Handler<InvokeChannel>;
    ipcMain.handle(channel, async (event, ...args) => {
      assertTrustedSender(event, runtimeUrl());
      try {
        return await handler(event, ...args);
      } catch (error) {
        // Argument errors go back to the caller as a plain message, without a main-process stack.
        // eslint-disable-next-line preserve-caught-error -- the cause (and its stack) must not cross to the page
        if (error instanceof IpcArgumentError) throw new Error(error.message);
        throw error;
      }
    });
  }
  // A fire-and-forget message has nobody to answer: an untrusted or malformed one is dropped.
  const fromTrusted =
    (handle: (event: IpcMainEvent, ...args: unknown[]) => void) =>
    (event: IpcMainEvent, ...args: unknown[]) => {
      try {
        assertTrustedSender(event, runtimeUrl());
        handle(event, ...args);
      } catch {
        // dropped
      }
    };
  const onDropped = fromTrusted((event, paths) => handlers.droppedPaths(event.sender, parsePathList(paths)));
  const onCloseWindow = fromTrusted((event) => handlers.closeWindow(event.sender));
  ipcMain.on('wr:dropped-paths', onDropped);
  ipcMain.on('wr:close-window', onCloseWindow);
  return () => {
    for (const channel of INVOKE_CHANNELS) ipcMain.removeHandler(channel);
    ipcMain.removeListener('wr:dropped-paths', onDropped);
    ipcMain.removeListener('wr:close-window', onCloseWindow);
  };
}

/** Typed push to a window's renderer. */
export function sendToRenderer<C extends EventChannel>(contents: WebContents, channel: C, payload: EventChannels[C]): void {
  if (!contents.isDestroyed()) contents.send(channel, payload);
}
