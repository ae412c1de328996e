/**
 * The Electron main process, kept thin: single-instance lock and folder arguments, the runtime host
 * (utility process, restarts, graceful shutdown on quit), the window, the menu, the bridge's IPC
 * handlers and permissions. Business logic lives in the runtime; the page is served by it.
 */
import { app, BrowserWindow, dialog, Menu, session, shell, type WebContents } from 'electron';
import { createWriteStream, existsSync, mkdirSync, renameSync, statSync, type WriteStream } from 'node:fs';
import { release } from 'node:os';
import { join } from 'node:path';
import type { RuntimeConnection } from '../src-runtime/contract/desktop-bridge.js';
import { folderArgs, readSecondInstanceData, type SecondInstanceData } from './folder-args.js';
import { registerBridgeIpc, sendToRenderer } from './ipc.js';
import { aboutDetail, buildMenuTemplate } from './menu.js';
import { addRecent, loadRecent, saveRecent } from './recent-folders.js';
import { runtimeEntryPath, runtimeEnv } from './runtime-env.js';
import { RuntimeHost, RuntimeStartError, type ForkRuntime } from './runtime-host.js';
import { utilityForkRuntime } from './utility-fork.js';
import { createMainWindow, openExternalUrl } from './window.js';

const APP_NAME = 'Workspace Runtime';
const APP_ID = 'dev.workspaceruntime.desktop';
const isMac = process.platform === 'darwin';
const isDev = !app.isPackaged;
/** Permissions a page of the runtime may get; everything else (camera, geolocation, …) is refused. */
const ALLOWED_PERMISSIONS = new Set(['clipboard-sanitized-write', 'fullscreen']);

function isDirectory(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

const initialFolders = folderArgs(process.argv, process.cwd(), { isPackaged: app.isPackaged, isDirectory });
const lockData: SecondInstanceData = { folders: initialFolders };
if (!app.requestSingleInstanceLock(lockData)) {
  // The running instance got our folders through 'second-instance'.
  app.quit();
} else {
  runMain();
}

function runMain(): void {
  if (process.platform === 'win32') app.setAppUserModelId(APP_ID);
  // Every renderer sandboxed, whatever its webPreferences say.
  app.enableSandbox();
  // ~/Library/Logs/<name> on macOS, <userData>/logs elsewhere; the runtime's stderr goes there.
  app.setAppLogsPath();
  const userData = app.getPath('userData');
  const recentFile = join(userData, 'recent-folders.json');
  const stateFile = join(userData, 'window-state.json');
  const pendingFolders: string[] = [];
  let recent = loadRecent(recentFile);
  let win: BrowserWindow | undefined;
  let host: RuntimeHost | undefined;
  let quitting = false;

  const runtimeLog = openRuntimeLog(join(app.getPath('logs'), 'runtime.log'));
  const loggingFork: ForkRuntime = (entry, args, options) => {
    const child = utilityForkRuntime(entry, args, options);
    child.onStderr?.((chunk) => runtimeLog?.write(chunk));
    return child;
  };

  function liveWindow(): BrowserWindow | undefined {
    return win && !win.isDestroyed() ? win : undefined;
  }

  function focusWindow(): void {
    const w = liveWindow();
    if (!w) return;
    if (w.isMinimized()) w.restore();
    w.show();
    w.focus();
  }

  function flushFolders(): void {
    const w = liveWindow();
    if (!w || w.webContents.isLoading()) return;
    for (const folder of pendingFolders.splice(0)) sendToRenderer(w.webContents, 'wr:open-folder', folder);
  }

  function rememberFolder(folder: string): void {
    recent = addRecent(recent, folder);
    saveRecent(recentFile, recent);
    if (app.isReady()) {
      app.addRecentDocument(folder);
      installMenu();
    }
  }

  /** Remembers the folder and hands it to the page (now, or once it has loaded). */
  function openFolder(folder: string): void {
    rememberFolder(folder);
    pendingFolders.push(folder);
    flushFolders();
    focusWindow();
  }

  for (const folder of initialFolders) openFolder(folder);

  async function chooseFolder(parent: BrowserWindow | undefined): Promise<string | null> {
    const options: Electron.OpenDialogOptions = { title: 'Open Folder', properties: ['openDirectory', 'createDirectory'] };
    const result = parent ? await dialog.showOpenDialog(parent, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : (result.filePaths[0] ?? null);
  }

  function showAbout(): void {
    const detail = aboutDetail({
      app: app.getVersion(),
      electron: process.versions.electron ?? '',
      chrome: process.versions.chrome ?? '',
      node: process.versions.node,
      v8: process.versions.v8,
      os: `${process.platform} ${process.arch} ${release()}`,
    });
    const options: Electron.MessageBoxOptions = { type: 'info', title: `About ${APP_NAME}`, message: APP_NAME, detail, buttons: ['OK'] };
    const w = liveWindow();
    void (w ? dialog.showMessageBox(w, options) : dialog.showMessageBox(options));
  }

  function installMenu(): void {
    const template = buildMenuTemplate({
      appName: APP_NAME,
      isMac,
      isDev,
      recent,
      actions: {
        openFolder: () => void chooseFolder(liveWindow()).then((folder) => folder && openFolder(folder)),
        openRecent: (folder) => {
          if (isDirectory(folder)) return openFolder(folder);
          recent = recent.filter((f) => f !== folder);
          saveRecent(recentFile, recent);
          installMenu();
          void dialog.showMessageBox({ type: 'warning', message: `${folder} no longer exists.`, detail: 'It was removed from the recent folders.' });
        },
        clearRecent: () => {
          recent = [];
          saveRecent(recentFile, recent);
          app.clearRecentDocuments();
          installMenu();
        },
        closeWorkspace: () => {
          const w = liveWindow();
          if (w) sendToRenderer(w.webContents, 'wr:close-workspace', null);
        },
        reload: () => liveWindow()?.webContents.reload(),
        toggleDevTools: () => liveWindow()?.webContents.toggleDevTools(),
        about: showAbout,
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  function openWindow(connection: RuntimeConnection): void {
    if (liveWindow()) {
      // A runtime that came back (Retry after a failure) reaches the page through the 'ready' handler.
      focusWindow();
      return;
    }
    const iconPath = app.isPackaged ? join(process.resourcesPath, 'icon.png') : join(app.getAppPath(), 'resources', 'icons', '512x512.png');
    const created = createMainWindow({
      preloadPath: join(__dirname, 'preload.cjs'),
      stateFile,
      appVersion: app.getVersion(),
      iconPath: existsSync(iconPath) ? iconPath : undefined,
      runtimeUrl: () => host?.current?.url,
    });
    created.webContents.on('did-finish-load', flushFolders);
    let lastRendererCrash = 0;
    created.webContents.on('render-process-gone', (_event, details) => {
      runtimeLog?.write(`[desktop] renderer gone: ${details.reason}\n`);
      // Reload after a crash, but not in a loop: a page that keeps crashing stays as it is.
      if (details.reason === 'clean-exit' || Date.now() - lastRendererCrash < 10_000) return;
      lastRendererCrash = Date.now();
      created.webContents.reload();
    });
    created.on('closed', () => {
      if (win === created) win = undefined;
    });
    win = created;
    void created.loadURL(`${connection.url}/`);
  }

  async function showRuntimeError(error: unknown): Promise<void> {
    if (quitting) return;
    if (error instanceof RuntimeStartError && error.code === 'store_unreadable') return showStoreError(error);
    const detail = [
      (error as Error).message,
      error instanceof RuntimeStartError && error.stderrTail ? `\n${error.stderrTail.split('\n').slice(-12).join('\n')}` : '',
      `\nLog: ${join(app.getPath('logs'), 'runtime.log')}`,
    ].join('\n');
    const { response } = await dialog.showMessageBox({
      type: 'error',
      title: APP_NAME,
      message: 'The workspace runtime is not running.',
      detail,
      buttons: ['Retry', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response === 0) await startRuntime();
    else app.quit();
  }

  /** db.json is unreadable: say so and offer Recover (start from db.json.prev, keeping the bad file). */
  async function showStoreError(error: RuntimeStartError): Promise<void> {
    const { response } = await dialog.showMessageBox({
      type: 'error',
      title: APP_NAME,
      message: 'The workspace runtime cannot read its store.',
      detail: `${error.message}\n\nLog: ${join(app.getPath('logs'), 'runtime.log')}`,
      buttons: ['Recover', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response === 0) await startRuntime({ recoverStore: true });
    else app.quit();
  }

  async function startRuntime(options: { recoverStore?: boolean } = {}): Promise<void> {
    if (!host) return;
    try {
      const connection = host.state === 'idle' && !options.recoverStore ? await host.start() : await host.restart(options);
      openWindow(connection);
    } catch (error) {
      await showRuntimeError(error);
    }
  }

  app.on('second-instance', (_event, argv, workingDirectory, additionalData) => {
    const folders = readSecondInstanceData(additionalData) ?? folderArgs(argv, workingDirectory, { isPackaged: app.isPackaged, isDirectory });
    focusWindow();
    for (const folder of folders) openFolder(folder);
  });

  // macOS: a folder dropped on the Dock icon or opened with "Open With".
  app.on('open-file', (event, path) => {
    event.preventDefault();
    if (isDirectory(path)) openFolder(path);
  });

  app.on('web-contents-created', (_event, contents: WebContents) => {
    contents.on('will-attach-webview', (e) => e.preventDefault());
  });

  app.on('before-quit', (event) => {
    if (!host || host.state === 'stopped' || host.state === 'idle') return;
    event.preventDefault();
    if (quitting) return;
    quitting = true;
    // Apps and agents the runtime started are stopped by it; only then does the app exit.
    void host.stop().finally(() => {
      runtimeLog?.end();
      app.quit();
    });
  });

  app.on('window-all-closed', () => {
    if (!isMac) app.quit();
  });

  app.on('activate', () => {
    const connection = host?.current;
    if (!liveWindow() && connection) openWindow(connection);
  });

  void app.whenReady().then(async () => {
    session.defaultSession.setPermissionRequestHandler((_contents, permission, callback) => callback(ALLOWED_PERMISSIONS.has(permission)));
    session.defaultSession.setPermissionCheckHandler((_contents, permission) => ALLOWED_PERMISSIONS.has(permission));
    installMenu();

    host = new RuntimeHost({
      entry: runtimeEntryPath(app.getAppPath()),
      dataDir: join(userData, 'runtime'),
      fork: loggingFork,
      serviceName: `${APP_NAME} (runtime)`,
      env: runtimeEnv(process.env, { resourcesPath: app.isPackaged ? process.resourcesPath : undefined, platform: process.platform, exists: existsSync }),
    });
    host.on('ready', (connection, info) => {
      const w = liveWindow();
      if (!info.restarted || !w) return;
      // Same origin: the page keeps its state and reconnects. A new port is a new origin: reload there.
      if (info.originChanged) void w.loadURL(`${connection.url}/`);
      else sendToRenderer(w.webContents, 'wr:runtime-reconnected', connection);
    });
    host.on('crashed', ({ reason, attempt, delayMs }) => runtimeLog?.write(`[desktop] runtime ${reason}; restart ${attempt} in ${delayMs} ms\n`));
    host.on('gave-up', (error) => void showRuntimeError(error));

    registerBridgeIpc(
      {
        getRuntime: () => host?.current,
        openFolderDialog: async (sender) => {
          const folder = await chooseFolder(BrowserWindow.fromWebContents(sender) ?? undefined);
          if (folder) rememberFolder(folder);
          return folder;
        },
        revealPath: (path) => shell.showItemInFolder(path),
        openExternal: async (url) => openExternalUrl(url),
        droppedPaths: (_sender, paths) => {
          for (const path of paths) if (isDirectory(path)) openFolder(path);
        },
        closeWindow: (sender) => BrowserWindow.fromWebContents(sender)?.close(),
      },
      () => host?.current?.url,
    );

    await startRuntime();
  });
}

function openRuntimeLog(file: string): WriteStream | undefined {
  try {
    mkdirSync(join(file, '..'), { recursive: true });
    if (existsSync(file) && statSync(file).size > 5 * 1024 * 1024) renameSync(file, `${file}.1`);
    const stream = createWriteStream(file, { flags: 'a' });
    stream.on('error', () => undefined);
    return stream;
  } catch {
    return undefined;
  }
}
