// ELECTRON MAIN TEST DOUBLE — not Electron. Loaded with `node -r` before dist/main/main.cjs by
// src-main/main-process.test.ts, it answers `require('electron')` with stand-ins for the APIs the
// main process uses. utilityProcess.fork is child_process.fork (the runtime then talks over
// process.send); windows "load" a URL by fetching it. Everything the main process does to Electron
// is reported to the test over this process's IPC channel; the test drives it with commands.
'use strict';
const Module = require('node:module');
const childProcess = require('node:child_process');
const { EventEmitter } = require('node:events');
const path = require('node:path');

const root = process.env.WR_TEST_ROOT;
const report = (event) => process.send && process.send(event);

const app = new EventEmitter();
Object.assign(app, {
  isPackaged: false,
  getPath: (name) => path.join(root, name === 'logs' ? 'logs' : 'userData'),
  setAppLogsPath: () => undefined,
  enableSandbox: () => report({ event: 'enable-sandbox' }),
  getAppPath: () => process.env.WR_APP_PATH,
  getVersion: () => '0.1.0-test',
  requestSingleInstanceLock: (data) => {
    report({ event: 'single-instance-lock', data });
    return true;
  },
  whenReady: () => new Promise((resolve) => setImmediate(resolve)),
  isReady: () => true,
  setAppUserModelId: () => undefined,
  addRecentDocument: (p) => report({ event: 'recent-document', path: p }),
  clearRecentDocuments: () => undefined,
  quit() {
    const event = { defaultPrevented: false, preventDefault() { this.defaultPrevented = true; } };
    app.emit('before-quit', event);
    report({ event: 'quit-requested', prevented: event.defaultPrevented });
    if (event.defaultPrevented) return;
    // As Electron does: windows close (their state is saved) before the process ends.
    for (const win of BrowserWindow.all) {
      win.emit('close', { preventDefault() {} });
      win.emit('closed');
    }
    setImmediate(() => process.exit(0));
  },
});

class WebContents extends EventEmitter {
  constructor(win) {
    super();
    this.win = win;
    this.url = '';
  }
  send(channel, payload) {
    report({ event: 'send', channel, payload });
  }
  isLoading() { return false; }
  getURL() { return this.url; }
  isDestroyed() { return false; }
  setWindowOpenHandler(handler) { this.openHandler = handler; }
  reload() { report({ event: 'reload' }); }
  toggleDevTools() { report({ event: 'toggle-devtools' }); }
}

class BrowserWindow extends EventEmitter {
  constructor(options) {
    super();
    this.options = options;
    this.webContents = new WebContents(this);
    BrowserWindow.all.push(this);
    report({ event: 'window', options });
    setImmediate(() => this.emit('ready-to-show'));
  }
  static fromWebContents(contents) { return contents.win; }
  async loadURL(url) {
    this.webContents.url = url;
    const res = await fetch(url);
    await res.text();
    report({ event: 'loaded', url, status: res.status, csp: res.headers.get('content-security-policy') });
    this.webContents.emit('did-finish-load');
  }
  isDestroyed() { return false; }
  isMinimized() { return false; }
  restore() {}
  show() { report({ event: 'show' }); }
  focus() {}
  maximize() {}
  setFullScreen() {}
  isMaximized() { return false; }
  isFullScreen() { return false; }
  getNormalBounds() { return { x: 10, y: 20, width: this.options.width, height: this.options.height }; }
}
BrowserWindow.all = [];

const ipcHandlers = new Map();
const ipcListeners = new Map();
let menuTemplate = [];

const utilityProcess = {
  fork(modulePath, args, options) {
    const child = childProcess.fork(modulePath, args, { env: options.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    const proc = new EventEmitter();
    proc.pid = child.pid;
    proc.stdout = child.stdout;
    proc.stderr = child.stderr;
    proc.postMessage = (message) => child.connected && child.send(message);
    proc.kill = () => child.kill('SIGTERM');
    child.on('message', (message) => proc.emit('message', message));
    child.on('exit', (code) => {
      report({ event: 'runtime-exit', pid: child.pid, code });
      proc.emit('exit', code);
    });
    child.on('error', () => undefined);
    report({ event: 'fork', pid: child.pid, modulePath, args, serviceName: options.serviceName, desktopEnv: options.env.WORKSPACE_RUNTIME_DESKTOP });
    return proc;
  },
};

const electron = {
  app,
  BrowserWindow,
  utilityProcess,
  screen: {
    getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
  },
  Menu: {
    buildFromTemplate: (template) => template,
    setApplicationMenu: (template) => {
      menuTemplate = template;
      report({ event: 'menu', labels: template.map((m) => m.label ?? m.role) });
    },
  },
  session: {
    defaultSession: {
      setPermissionRequestHandler: (handler) => {
        for (const permission of ['media', 'geolocation', 'notifications', 'clipboard-sanitized-write']) {
          handler(null, permission, (allowed) => report({ event: 'permission', permission, allowed }));
        }
      },
      setPermissionCheckHandler: () => undefined,
    },
  },
  ipcMain: {
    handle: (channel, handler) => ipcHandlers.set(channel, handler),
    removeHandler: (channel) => ipcHandlers.delete(channel),
    on: (channel, listener) => ipcListeners.set(channel, listener),
    removeListener: (channel) => ipcListeners.delete(channel),
  },
  dialog: {
    showMessageBox: async (...args) => {
      const options = args.length > 1 ? args[1] : args[0];
      report({ event: 'message-box', message: options.message, detail: options.detail });
      return { response: 1 };
    },
    showOpenDialog: async () => ({ canceled: false, filePaths: [process.env.WR_DIALOG_FOLDER] }),
  },
  shell: {
    openExternal: async (url) => report({ event: 'open-external', url }),
    showItemInFolder: (p) => report({ event: 'show-item', path: p }),
  },
};

const originalResolve = Module._resolveFilename;
Module._resolveFilename = function (request, ...rest) {
  return request === 'electron' ? 'electron' : originalResolve.call(this, request, ...rest);
};
require.cache.electron = { id: 'electron', filename: 'electron', loaded: true, exports: electron };

function findMenuItem(items, labels) {
  const [head, ...tail] = labels;
  const item = items.find((i) => i.label === head || i.role === head);
  if (!item) throw new Error(`no menu item ${head}`);
  return tail.length === 0 ? item : findMenuItem(item.submenu, tail);
}

process.on('message', async (command) => {
  const win = BrowserWindow.all[BrowserWindow.all.length - 1];
  if (command.cmd === 'invoke') {
    const handler = ipcHandlers.get(command.channel);
    try {
      const result = await handler({ senderFrame: { url: command.frameUrl }, sender: win.webContents }, ...command.args);
      report({ event: 'invoke-result', id: command.id, result });
    } catch (error) {
      report({ event: 'invoke-result', id: command.id, error: error.message });
    }
  } else if (command.cmd === 'drop') {
    ipcListeners.get('wr:dropped-paths')({ senderFrame: { url: command.frameUrl }, sender: win.webContents }, command.paths);
  } else if (command.cmd === 'second-instance') {
    app.emit('second-instance', {}, command.argv, command.cwd, command.data);
  } else if (command.cmd === 'menu') {
    findMenuItem(menuTemplate, command.path).click();
  } else if (command.cmd === 'navigate') {
    let prevented = false;
    win.webContents.emit('will-navigate', { url: command.url, preventDefault: () => (prevented = true) });
    report({ event: 'navigate-result', url: command.url, prevented });
  } else if (command.cmd === 'quit') {
    app.quit();
  }
});
