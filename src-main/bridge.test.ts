// The preload's API surface, the main side's sender validation and the window's navigation lock,
// run under plain Node against ELECTRON_TEST_DOUBLE: a hand-written stand-in for the few electron
// APIs these modules touch (contextBridge, ipcRenderer, webUtils, ipcMain, shell, BrowserWindow).
import { EventEmitter } from 'node:events';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import type { DesktopBridge } from '../src-runtime/contract/desktop-bridge.js';
import { INVOKE_CHANNELS } from './ipc-contract.js';

const ELECTRON_TEST_DOUBLE = vi.hoisted(() => {
  type Listener = (...args: unknown[]) => unknown;
  const rendererListeners = new Map<string, Listener[]>();
  const double = {
    exposed: new Map<string, unknown>(),
    invoked: [] as unknown[][],
    sent: [] as unknown[][],
    openedExternally: [] as string[],
    mainHandlers: new Map<string, Listener>(),
    mainListeners: new Map<string, Listener>(),
    /** Plays main → renderer: delivers `payload` on `channel` to the preload's listeners. */
    pushToRenderer(channel: string, payload: unknown) {
      for (const listener of rendererListeners.get(channel) ?? []) listener({ sender: 'ipc-renderer-event' }, payload);
    },
    reset() {
      this.invoked.length = 0;
      this.sent.length = 0;
      this.openedExternally.length = 0;
    },
  };
  const module = {
    contextBridge: { exposeInMainWorld: (key: string, api: unknown) => double.exposed.set(key, api) },
    ipcRenderer: {
      invoke: async (...args: unknown[]) => {
        double.invoked.push(args);
        return { channel: args[0] };
      },
      send: (...args: unknown[]) => double.sent.push(args),
      on: (channel: string, listener: Listener) => rendererListeners.set(channel, [...(rendererListeners.get(channel) ?? []), listener]),
    },
    webUtils: { getPathForFile: (file: { fakePath: string }) => file.fakePath },
    ipcMain: {
      handle: (channel: string, handler: Listener) => double.mainHandlers.set(channel, handler),
      removeHandler: (channel: string) => double.mainHandlers.delete(channel),
      on: (channel: string, listener: Listener) => double.mainListeners.set(channel, listener),
      removeListener: (channel: string) => double.mainListeners.delete(channel),
    },
    shell: { openExternal: async (url: string) => void double.openedExternally.push(url) },
    BrowserWindow: class {},
    screen: {},
  };
  return { double, module };
});

vi.mock('electron', () => ELECTRON_TEST_DOUBLE.module);
const electron = ELECTRON_TEST_DOUBLE.double;

beforeEach(() => electron.reset());

describe('preload bridge', () => {
  async function bridge(): Promise<DesktopBridge> {
    await import('./preload.js');
    return electron.exposed.get('workspaceRuntimeDesktop') as DesktopBridge;
  }

  it('exposes exactly the DesktopBridge members under one global', async () => {
    const api = await bridge();
    expect([...electron.exposed.keys()]).toEqual(['workspaceRuntimeDesktop']);
    expect(Object.keys(api).sort()).toEqual(
      ['closeWindow', 'getRuntime', 'onCloseRequested', 'onCloseWorkspace', 'onOpenFolder', 'onReconnect', 'openExternal', 'openFolderDialog', 'platform', 'revealPath', 'versions'].sort(),
    );
    expect(api.platform).toBe(process.platform);
    expect(api.versions.node).toBe(process.versions.node);
  });

  it('maps each call to its typed invoke channel, with arguments coerced to strings', async () => {
    const api = await bridge();
    await api.getRuntime();
    await api.openFolderDialog();
    await api.revealPath('/home/me/project');
    await api.openExternal({ toString: () => 'https://example.com/' } as unknown as string);
    expect(electron.invoked).toEqual([['wr:get-runtime'], ['wr:open-folder-dialog'], ['wr:reveal-path', '/home/me/project'], ['wr:open-external', 'https://example.com/']]);
    for (const [channel] of electron.invoked) expect(INVOKE_CHANNELS).toContain(channel);
  });

  it('keeps folders pushed before anyone listened, and never hands the IPC event to the page', async () => {
    const api = await bridge();
    electron.pushToRenderer('wr:open-folder', '/early/one');
    electron.pushToRenderer('wr:open-folder', '/early/two');
    const received: unknown[][] = [];
    const unsubscribe = api.onOpenFolder((...args: unknown[]) => received.push(args));
    electron.pushToRenderer('wr:open-folder', '/later');
    unsubscribe();
    electron.pushToRenderer('wr:open-folder', '/after-unsubscribe');
    expect(received).toEqual([['/early/one'], ['/early/two'], ['/later']]);
  });

  it('delivers reconnects and close-workspace to subscribers only', async () => {
    const api = await bridge();
    electron.pushToRenderer('wr:runtime-reconnected', { url: 'http://127.0.0.1:1', token: 'old' }); // nobody listening: dropped
    const reconnects: unknown[][] = [];
    const closes: unknown[][] = [];
    api.onReconnect((...args: unknown[]) => reconnects.push(args));
    api.onCloseWorkspace((...args: unknown[]) => closes.push(args));
    electron.pushToRenderer('wr:runtime-reconnected', { url: 'http://127.0.0.1:2', token: 't', extra: 'not forwarded' });
    electron.pushToRenderer('wr:close-workspace', null);
    expect(reconnects).toEqual([[{ url: 'http://127.0.0.1:2', token: 't' }]]);
    expect(closes).toEqual([[]]);
    expect(() => api.onOpenFolder('not a function' as unknown as () => void)).toThrow(TypeError);
  });

  it('hears a close request and closes the window when asked to', async () => {
    const api = await bridge();
    const requests: unknown[][] = [];
    const off = api.onCloseRequested((...args: unknown[]) => requests.push(args));
    electron.pushToRenderer('wr:close-requested', null);
    off();
    electron.pushToRenderer('wr:close-requested', null);
    expect(requests).toEqual([[]]);
    api.closeWindow();
    expect(electron.sent).toEqual([['wr:close-window']]);
  });

  it('sends the paths of OS file drops the page did not handle', async () => {
    const { installDropHandler } = await import('./preload.js');
    const target = new EventTarget();
    installDropHandler(target);
    const drop = (files: string[], handledByPage: boolean) => {
      const event = new Event('drop', { cancelable: true }) as Event & { dataTransfer: unknown };
      event.dataTransfer = { files: files.map((fakePath) => ({ fakePath })), types: ['Files'] };
      if (handledByPage) event.preventDefault();
      target.dispatchEvent(event);
      return event;
    };
    const dragover = new Event('dragover', { cancelable: true }) as Event & { dataTransfer: unknown };
    dragover.dataTransfer = { files: [], types: ['Files'] };
    target.dispatchEvent(dragover);
    expect(dragover.defaultPrevented).toBe(true); // makes the window a drop target instead of navigating to file://

    expect(drop(['/home/me/a', '/home/me/b'], false).defaultPrevented).toBe(true);
    drop(['/home/me/ignored'], true);
    expect(electron.sent).toEqual([['wr:dropped-paths', ['/home/me/a', '/home/me/b']]]);
  });
});

describe('main-side IPC', () => {
  const RUNTIME = 'http://127.0.0.1:4100';
  type Handler = (event: unknown, ...args: unknown[]) => Promise<unknown>;

  async function setup() {
    const calls: unknown[][] = [];
    const { registerBridgeIpc } = await import('./ipc.js');
    const unregister = registerBridgeIpc(
      {
        getRuntime: () => ({ url: RUNTIME, token: 'secret-token-123456' }),
        openFolderDialog: async () => '/chosen',
        revealPath: (path) => void calls.push(['reveal', path]),
        openExternal: async (url) => void calls.push(['external', url]),
        droppedPaths: (_sender, paths) => void calls.push(['dropped', paths]),
        closeWindow: (sender) => void calls.push(['close', sender]),
      },
      () => RUNTIME,
    );
    const invoke = (channel: string, frameUrl: string | null, ...args: unknown[]) =>
      (electron.mainHandlers.get(channel) as Handler)({ senderFrame: frameUrl === null ? null : { url: frameUrl }, sender: {} }, ...args);
    return { calls, unregister, invoke };
  }

  it('answers frames of the runtime origin', async () => {
    const { invoke, calls } = await setup();
    expect(await invoke('wr:get-runtime', `${RUNTIME}/workspaces/ws_1?x=1`)).toEqual({ url: RUNTIME, token: 'secret-token-123456' });
    expect(await invoke('wr:open-folder-dialog', `${RUNTIME}/`)).toBe('/chosen');
    await invoke('wr:reveal-path', `${RUNTIME}/`, '/home/me/file.txt');
    await invoke('wr:open-external', `${RUNTIME}/`, 'https://example.com/docs');
    expect(calls).toEqual([
      ['reveal', '/home/me/file.txt'],
      ['external', 'https://example.com/docs'],
    ]);
  });

  it('refuses other origins, other ports, file: pages and detached frames, for every channel', async () => {
    const { invoke, calls } = await setup();
    for (const frame of ['http://127.0.0.1:4101/', 'http://localhost:4100/', 'https://127.0.0.1:4100/', 'file:///tmp/x.html', 'about:blank', '', null]) {
      for (const channel of INVOKE_CHANNELS) {
        await expect(invoke(channel, frame, '/x'), `${channel} from ${frame}`).rejects.toThrow(/IPC refused/);
      }
    }
    expect(calls).toEqual([]);
  });

  it('checks arguments: only http(s) goes to the browser, only absolute paths to the file manager', async () => {
    const { invoke, calls } = await setup();
    for (const url of ['javascript:alert(1)', 'file:///etc/passwd', 'smb://host/share', 'not a url', 42]) {
      await expect(invoke('wr:open-external', `${RUNTIME}/`, url)).rejects.toThrow();
    }
    for (const path of ['relative/path', '', 42, '/with\0nul']) {
      await expect(invoke('wr:reveal-path', `${RUNTIME}/`, path)).rejects.toThrow();
    }
    expect(calls).toEqual([]);
  });

  it('drops dropped-path messages from untrusted frames or with bad paths', async () => {
    const { calls, unregister } = await setup();
    const onDropped = electron.mainListeners.get('wr:dropped-paths')!;
    onDropped({ senderFrame: { url: 'http://127.0.0.1:9999/' }, sender: {} }, ['/a']);
    onDropped({ senderFrame: { url: `${RUNTIME}/` }, sender: {} }, ['relative']);
    onDropped({ senderFrame: { url: `${RUNTIME}/` }, sender: {} }, ['/home/me/project']);
    expect(calls).toEqual([['dropped', ['/home/me/project']]]);
    const onClose = electron.mainListeners.get('wr:close-window')!;
    onClose({ senderFrame: { url: 'file:///tmp/evil.html' }, sender: 'evil' });
    onClose({ senderFrame: null, sender: 'detached' });
    onClose({ senderFrame: { url: `${RUNTIME}/#/files` }, sender: 'the-window' });
    expect(calls.slice(1)).toEqual([['close', 'the-window']]);
    unregister();
    expect(electron.mainListeners.has('wr:close-window')).toBe(false);
    expect(electron.mainHandlers.size).toBe(0);
  });
});

describe('window navigation lock', () => {
  class FakeContents extends EventEmitter {
    openHandler?: (details: { url: string }) => { action: string };
    setWindowOpenHandler(handler: (details: { url: string }) => { action: string }) {
      this.openHandler = handler;
    }
    navigate(kind: 'will-navigate' | 'will-redirect', url: string): boolean {
      let prevented = false;
      this.emit(kind, { url, preventDefault: () => (prevented = true) });
      return prevented;
    }
  }

  it('keeps the window on the runtime origin and sends http(s) elsewhere to the system browser', async () => {
    const { lockNavigation } = await import('./window.js');
    const contents = new FakeContents();
    let runtime = 'http://127.0.0.1:4100';
    lockNavigation(contents as never, () => runtime);

    expect(contents.navigate('will-navigate', 'http://127.0.0.1:4100/workspaces/ws_1')).toBe(false);
    expect(contents.navigate('will-navigate', 'https://github.com/')).toBe(true);
    expect(contents.navigate('will-navigate', 'file:///etc/passwd')).toBe(true);
    expect(contents.navigate('will-redirect', 'http://evil.example/')).toBe(true);
    expect(contents.openHandler!({ url: 'https://docs.example/' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'javascript:alert(1)' })).toEqual({ action: 'deny' });
    expect(electron.openedExternally).toEqual(['https://github.com/', 'https://docs.example/']);

    runtime = 'http://127.0.0.1:4200'; // restarted on another port
    expect(contents.navigate('will-navigate', 'http://127.0.0.1:4100/')).toBe(true);
    expect(contents.navigate('will-navigate', 'http://127.0.0.1:4200/')).toBe(false);
  });
});

describe('closing a window with unsaved edits', () => {
  class FakeContents extends EventEmitter {
    sentToPage: unknown[][] = [];
    isDestroyed() {
      return false;
    }
    send(...args: unknown[]) {
      this.sentToPage.push(args);
    }
  }

  it('asks the page when a close (not a reload) is held by its beforeunload', async () => {
    const { guardUnsavedClose } = await import('./window.js');
    const win = new EventEmitter();
    const contents = new FakeContents();
    guardUnsavedClose(win as never, contents as never);
    contents.emit('will-prevent-unload', { preventDefault: () => undefined }); // a reload: stays cancelled, nobody asked
    expect(contents.sentToPage).toEqual([]);
    win.emit('close', { preventDefault: () => undefined });
    contents.emit('will-prevent-unload', { preventDefault: () => undefined });
    expect(contents.sentToPage).toEqual([['wr:close-requested', null]]);
    // that close attempt is over: a later objection without a close is a reload
    contents.emit('will-prevent-unload', { preventDefault: () => undefined });
    expect(contents.sentToPage).toHaveLength(1);
  });
});
