/**
 * The application menu as a template: File › Open Folder, Open Recent, Close Workspace; Edit (the
 * roles that make copy/paste shortcuts work on macOS); View › Reload, Toggle Developer Tools
 * (development builds only); Help › About with versions. Only types come from electron, so the
 * template is testable without it; main.ts builds and installs it.
 */
import type { MenuItemConstructorOptions } from 'electron';
import { basename } from 'node:path';

export interface MenuActions {
  openFolder(): void;
  openRecent(folder: string): void;
  clearRecent(): void;
  closeWorkspace(): void;
  reload(): void;
  toggleDevTools(): void;
  about(): void;
}

export interface MenuOptions {
  appName: string;
  isMac: boolean;
  /** Development builds (not packaged) get the developer tools. */
  isDev: boolean;
  recent: readonly string[];
  actions: MenuActions;
}

export function buildMenuTemplate({ appName, isMac, isDev, recent, actions }: MenuOptions): MenuItemConstructorOptions[] {
  const recentItems: MenuItemConstructorOptions[] =
    recent.length === 0
      ? [{ label: 'No Recent Folders', enabled: false }]
      : recent.map((folder) => ({ label: `${basename(folder) || folder} — ${folder}`, click: () => actions.openRecent(folder) }));

  const file: MenuItemConstructorOptions = {
    label: 'File',
    submenu: [
      { label: 'Open Folder…', accelerator: 'CmdOrCtrl+O', click: () => actions.openFolder() },
      { label: 'Open Recent', submenu: [...recentItems, { type: 'separator' }, { label: 'Clear Recent', enabled: recent.length > 0, click: () => actions.clearRecent() }] },
      { type: 'separator' },
      { label: 'Close Workspace', accelerator: 'CmdOrCtrl+Shift+W', click: () => actions.closeWorkspace() },
      ...(isMac ? [] : [{ type: 'separator' } as const, { role: 'quit' } as const]),
    ],
  };
  const edit: MenuItemConstructorOptions = {
    label: 'Edit',
    submenu: [{ role: 'undo' }, { role: 'redo' }, { type: 'separator' }, { role: 'cut' }, { role: 'copy' }, { role: 'paste' }, { role: 'selectAll' }],
  };
  const view: MenuItemConstructorOptions = {
    label: 'View',
    submenu: [
      { label: 'Reload', accelerator: 'CmdOrCtrl+R', click: () => actions.reload() },
      ...(isDev ? [{ label: 'Toggle Developer Tools', accelerator: isMac ? 'Alt+Cmd+I' : 'Ctrl+Shift+I', click: () => actions.toggleDevTools() }] : []),
      { type: 'separator' },
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
    ],
  };
  const help: MenuItemConstructorOptions = {
    role: 'help',
    submenu: [{ label: `About ${appName}`, click: () => actions.about() }],
  };
  const macApp: MenuItemConstructorOptions = {
    label: appName,
    submenu: [
      { label: `About ${appName}`, click: () => actions.about() },
      { type: 'separator' },
      { role: 'services' },
      { type: 'separator' },
      { role: 'hide' },
      { role: 'hideOthers' },
      { role: 'unhide' },
      { type: 'separator' },
      { role: 'quit' },
    ],
  };
  return [...(isMac ? [macApp] : []), file, edit, view, ...(isMac ? [{ role: 'windowMenu' } as const] : []), help];
}

export interface AboutVersions {
  app: string;
  electron: string;
  chrome: string;
  node: string;
  v8: string;
  os: string;
}

export function aboutDetail(v: AboutVersions): string {
  return [`Version ${v.app}`, `Electron ${v.electron}`, `Chromium ${v.chrome}`, `Node.js ${v.node}`, `V8 ${v.v8}`, `OS ${v.os}`].join('\n');
}
