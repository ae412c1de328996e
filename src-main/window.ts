/**
 * The app window: sandboxed renderer with context isolation and no Node, the bridge preload,
 * remembered bounds, and navigation locked to the runtime's origin (other http(s) links and new
 * windows go to the system browser; any other scheme is dropped), and a close that would lose
 * unsaved edits handed to the page to ask about.
 */
import { BrowserWindow, screen, shell, type WebContents } from 'electron';
import { decideNavigation, decideWindowOpen } from './navigation.js';
import { fitToWorkAreas, loadWindowState, MIN_SIZE, trackWindowState } from './window-state.js';
import { sendToRenderer } from './ipc.js';

export interface MainWindowOptions {
  preloadPath: string;
  stateFile: string;
  appVersion: string;
  iconPath?: string;
  runtimeUrl: () => string | undefined;
}

export function openExternalUrl(url: string): void {
  if (decideWindowOpen(url) === 'external') void shell.openExternal(url);
}

/** Keeps a webContents on the runtime's origin. */
export function lockNavigation(contents: WebContents, runtimeUrl: () => string | undefined): void {
  contents.setWindowOpenHandler(({ url }) => {
    openExternalUrl(url);
    return { action: 'deny' };
  });
  contents.on('will-navigate', (event) => {
    const decision = decideNavigation(event.url, runtimeUrl());
    if (decision === 'allow') return;
    event.preventDefault();
    if (decision === 'external') openExternalUrl(event.url);
  });
  contents.on('will-redirect', (event) => {
    if (decideNavigation(event.url, runtimeUrl()) !== 'allow') event.preventDefault();
  });
  contents.on('will-attach-webview', (event) => event.preventDefault());
}

/**
 * A window closed while the page holds unsaved edits (its `beforeunload` objects): Electron then
 * cancels the close without a word. Instead the page is asked to show its Save / Don't save /
 * Cancel question and closes the window itself (`wr:close-window`) once nothing is left unsaved.
 * A reload the page objects to (not a close) stays cancelled.
 */
export function guardUnsavedClose(win: Pick<BrowserWindow, 'on'>, contents: WebContents): void {
  let closing = false;
  // The page answers `beforeunload` asynchronously, so the close attempt lasts until it objects
  // (will-prevent-unload) or the window goes; an objection without a close before it is a reload.
  win.on('close', () => {
    closing = true;
  });
  contents.on('will-prevent-unload', () => {
    if (!closing) return;
    closing = false;
    sendToRenderer(contents, 'wr:close-requested', null);
  });
}

export function createMainWindow(options: MainWindowOptions): BrowserWindow {
  const workAreas = screen.getAllDisplays().map((d) => d.workArea);
  const primary = screen.getPrimaryDisplay().workArea;
  const state = fitToWorkAreas(loadWindowState(options.stateFile), [primary, ...workAreas.filter((a) => a !== primary)]);
  const win = new BrowserWindow({
    x: state.x,
    y: state.y,
    width: state.width,
    height: state.height,
    minWidth: MIN_SIZE.width,
    minHeight: MIN_SIZE.height,
    show: false,
    title: 'Workspace Runtime',
    icon: options.iconPath,
    backgroundColor: '#1e1e1e',
    webPreferences: {
      preload: options.preloadPath,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      nodeIntegrationInSubFrames: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
      spellcheck: true,
      additionalArguments: [`--wr-app-version=${options.appVersion}`],
    },
  });
  if (state.maximized) win.maximize();
  if (state.fullScreen) win.setFullScreen(true);
  trackWindowState(win, options.stateFile);
  lockNavigation(win.webContents, options.runtimeUrl);
  guardUnsavedClose(win, win.webContents);
  win.once('ready-to-show', () => win.show());
  return win;
}
