/**
 * The preload (bundled to one CommonJS file for the sandbox): exposes the DesktopBridge through
 * contextBridge. The page never sees ipcRenderer or event objects, only the functions below; folders
 * pushed by main before the page subscribed are kept until it does; folders dropped on the window
 * (and not taken by a drop zone of the page) are sent to main.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { DesktopBridge, DesktopWindow, RuntimeConnection, Unsubscribe } from '../src-runtime/contract/desktop-bridge.js';
import type { EventChannel, EventChannels, InvokeChannel, InvokeChannels, SendChannel, SendChannels } from './ipc-contract.js';

function invoke<C extends InvokeChannel>(channel: C, ...args: InvokeChannels[C]['args']): Promise<InvokeChannels[C]['result']> {
  return ipcRenderer.invoke(channel, ...args) as Promise<InvokeChannels[C]['result']>;
}

function send<C extends SendChannel>(channel: C, ...args: SendChannels[C]['args']): void {
  ipcRenderer.send(channel, ...args);
}

/** Subscribes to a pushed event; values that arrive while nobody listens wait for the first listener (when buffered). */
function channelListeners<C extends EventChannel>(channel: C, buffered: boolean) {
  const listeners = new Set<(payload: EventChannels[C]) => void>();
  const pending: Array<EventChannels[C]> = [];
  ipcRenderer.on(channel, (_event: IpcRendererEvent, payload: EventChannels[C]) => {
    if (listeners.size === 0) {
      if (buffered) pending.push(payload);
      return;
    }
    for (const listener of listeners) listener(payload);
  });
  return (listener: (payload: EventChannels[C]) => void): Unsubscribe => {
    if (typeof listener !== 'function') throw new TypeError('listener must be a function');
    listeners.add(listener);
    for (const payload of pending.splice(0)) listener(payload);
    return () => void listeners.delete(listener);
  };
}

function argValue(name: string): string | undefined {
  const prefix = `--${name}=`;
  return process.argv.find((arg) => arg.startsWith(prefix))?.slice(prefix.length);
}

export function createDesktopBridge(): DesktopBridge {
  const onReconnect = channelListeners('wr:runtime-reconnected', false);
  const onOpenFolder = channelListeners('wr:open-folder', true);
  const onCloseWorkspace = channelListeners('wr:close-workspace', false);
  const onCloseRequested = channelListeners('wr:close-requested', false);
  return {
    platform: process.platform,
    versions: {
      app: argValue('wr-app-version') ?? '',
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node ?? '',
    },
    getRuntime: () => invoke('wr:get-runtime'),
    openFolderDialog: () => invoke('wr:open-folder-dialog'),
    revealPath: (path: string) => invoke('wr:reveal-path', String(path)),
    openExternal: (url: string) => invoke('wr:open-external', String(url)),
    onReconnect: (listener: (runtime: RuntimeConnection) => void) => onReconnect((c) => listener({ url: c.url, token: c.token })),
    onOpenFolder: (listener: (path: string) => void) => onOpenFolder((path) => listener(path)),
    onCloseWorkspace: (listener: () => void) => onCloseWorkspace(() => listener()),
    onCloseRequested: (listener: () => void) => onCloseRequested(() => listener()),
    closeWindow: () => send('wr:close-window'),
  };
}

interface DropEventLike extends Event {
  dataTransfer: { files: ArrayLike<File>; types?: ArrayLike<string> } | null;
}

/** Drops of files from the OS that the page left alone (no preventDefault) open the folders among them. */
export function installDropHandler(target: EventTarget): void {
  const hasFiles = (event: DropEventLike) => Array.from(event.dataTransfer?.types ?? []).includes('Files');
  target.addEventListener('dragover', (event) => {
    if (hasFiles(event as DropEventLike)) event.preventDefault();
  });
  target.addEventListener('drop', (event) => {
    const drop = event as DropEventLike;
    if (drop.defaultPrevented || !drop.dataTransfer) return;
    event.preventDefault();
    const paths = Array.from(drop.dataTransfer.files)
      .map((file) => webUtils.getPathForFile(file))
      .filter((path) => path.length > 0);
    if (paths.length > 0) send('wr:dropped-paths', paths);
  });
}

/** The global the page finds the bridge under (checked against the contract's DesktopWindow). */
export const BRIDGE_GLOBAL = 'workspaceRuntimeDesktop' satisfies keyof DesktopWindow;

contextBridge.exposeInMainWorld(BRIDGE_GLOBAL, createDesktopBridge());
if (typeof window !== 'undefined') installDropHandler(window);
