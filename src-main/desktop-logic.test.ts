// The main process's pure decisions: folder arguments, runtime environment, window placement,
// recent folders and the menu template.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { folderArgs, readSecondInstanceData } from './folder-args.js';
import { decideNavigation, decideWindowOpen } from './navigation.js';
import { aboutDetail, buildMenuTemplate, type MenuActions } from './menu.js';
import { addRecent, loadRecent, saveRecent } from './recent-folders.js';
import { runtimeEntryPath, runtimeEnv } from './runtime-env.js';
import { captureWindowState, fitToWorkAreas, loadWindowState, parseWindowState, saveWindowState, trackWindowState, type TrackedWindow } from './window-state.js';

describe('folder arguments', () => {
  const dirs = new Set(['/home/me/app', '/home/me/other', '/work/rel']);
  const isDirectory = (p: string) => dirs.has(p);

  it('takes existing directories from a packaged launch, resolved against its cwd', () => {
    expect(folderArgs(['/opt/wr/workspace-runtime-desktop', '/home/me/app', '--no-sandbox', 'rel', '/missing', '/home/me/app'], '/work', { isPackaged: true, isDirectory })).toEqual([
      '/home/me/app',
      '/work/rel',
    ]);
  });

  it('skips the app path of an unpackaged launch (electron . <folder>)', () => {
    expect(folderArgs(['/x/electron', '.', '/home/me/other'], '/home/me/app', { isPackaged: false, isDirectory })).toEqual(['/home/me/other']);
    // "." is the app path here, not the cwd as a folder to open.
    expect(folderArgs(['/x/electron', '.'], '/home/me/app', { isPackaged: false, isDirectory })).toEqual([]);
  });

  it('reads the folders a second instance passes as additional data', () => {
    expect(readSecondInstanceData({ folders: ['/a'] })).toEqual(['/a']);
    expect(readSecondInstanceData({ folders: [1] })).toBeUndefined();
    expect(readSecondInstanceData(null)).toBeUndefined();
  });
});

describe('navigation decisions', () => {
  it('allows only the runtime origin, sends http(s) out and drops the rest', () => {
    const runtime = 'http://127.0.0.1:4100';
    expect(decideNavigation('http://127.0.0.1:4100/a?b#c', runtime)).toBe('allow');
    expect(decideNavigation('http://127.0.0.1:4101/', runtime)).toBe('external');
    expect(decideNavigation('https://example.com', runtime)).toBe('external');
    expect(decideNavigation('file:///etc/hosts', runtime)).toBe('deny');
    expect(decideNavigation('javascript:alert(1)', runtime)).toBe('deny');
    expect(decideNavigation('http://127.0.0.1:4100/', undefined)).toBe('external');
    expect(decideWindowOpen('mailto:a@b.c')).toBe('deny');
    expect(decideWindowOpen('http://example.com')).toBe('external');
  });
});

describe('runtime environment', () => {
  it('forks the runtime from outside the asar in a packaged app', () => {
    expect(runtimeEntryPath('/opt/Workspace Runtime/resources/app.asar')).toBe('/opt/Workspace Runtime/resources/app.asar.unpacked/dist/runtime/main.mjs');
    expect(runtimeEntryPath('/home/me/src/workspace-runtime')).toBe('/home/me/src/workspace-runtime/dist/runtime/main.mjs');
  });

  const base = { PATH: '/usr/bin', GIT_EXEC_PATH: '/usr/lib/git-core', ELECTRON_RUN_AS_NODE: '1' };

  it('points dugite at the packaged git when resources/git holds one', () => {
    const files = new Set(['/app/resources/git/bin/git', '/app/resources/git/ssl/cacert.pem']);
    const env = runtimeEnv(base, { resourcesPath: '/app/resources', platform: 'linux', exists: (p) => files.has(p) });
    expect(env).toMatchObject({ PATH: '/usr/bin', LOCAL_GIT_DIRECTORY: '/app/resources/git', GIT_SSL_CAINFO: '/app/resources/git/ssl/cacert.pem', WORKSPACE_RUNTIME_DESKTOP: '1' });
    expect(env.GIT_EXEC_PATH).toBeUndefined();
    expect(env.ELECTRON_RUN_AS_NODE).toBeUndefined();
  });

  it('points the runtime at the packaged workspace templates', () => {
    const env = runtimeEnv(base, { resourcesPath: '/app/resources', platform: 'linux', exists: (p) => p === '/app/resources/templates' });
    expect(env.WR_TEMPLATES_DIR).toBe('/app/resources/templates');
    expect(runtimeEnv(base, { resourcesPath: undefined, platform: 'linux', exists: () => true }).WR_TEMPLATES_DIR).toBeUndefined();
  });

  it('looks for cmd\\git.exe on Windows and leaves the system git alone without a packaged one', () => {
    const win = runtimeEnv({}, { resourcesPath: 'C:\\app\\resources', platform: 'win32', exists: (p) => p.endsWith('git.exe') });
    expect(win.LOCAL_GIT_DIRECTORY).toBeDefined();
    expect(win.GIT_SSL_CAINFO).toBeUndefined();
    const dev = runtimeEnv(base, { resourcesPath: undefined, platform: 'linux', exists: () => true });
    expect(dev.LOCAL_GIT_DIRECTORY).toBeUndefined();
    expect(dev.GIT_EXEC_PATH).toBe('/usr/lib/git-core');
  });
});

describe('window state', () => {
  const primary = { x: 0, y: 0, width: 1920, height: 1040 };
  const right = { x: 1920, y: 0, width: 1280, height: 1000 };

  it('parses saved state defensively', () => {
    expect(parseWindowState({ width: 'x', height: 10, x: 5 })).toEqual({ width: 1280, height: 820, maximized: false, fullScreen: false });
    expect(parseWindowState({ width: 900.4, height: 700, x: 10, y: 20, maximized: true })).toEqual({ width: 900, height: 700, x: 10, y: 20, maximized: true, fullScreen: false });
  });

  it('keeps a window on the display it mostly covers, and recentres one whose display is gone', () => {
    const onRight = fitToWorkAreas({ x: 2000, y: 100, width: 1000, height: 800, maximized: false, fullScreen: false }, [primary, right]);
    expect(onRight).toMatchObject({ x: 2000, y: 100, width: 1000, height: 800 });
    const gone = fitToWorkAreas({ x: 2000, y: 100, width: 1000, height: 800, maximized: false, fullScreen: false }, [primary]);
    expect(gone.x).toBeUndefined();
    expect(gone.y).toBeUndefined();
    const tooBig = fitToWorkAreas({ x: -100, y: -50, width: 3000, height: 2000, maximized: false, fullScreen: false }, [primary, right]);
    expect(tooBig).toMatchObject({ x: 0, y: 0, width: 1920, height: 1040 });
  });

  it('saves on close and reloads what it saved', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wr-winstate-'));
    try {
      const file = join(dir, 'nested', 'window-state.json');
      expect(loadWindowState(file)).toEqual({ width: 1280, height: 820, maximized: false, fullScreen: false });
      const listeners = new Map<string, () => void>();
      const win: TrackedWindow = {
        getNormalBounds: () => ({ x: 40, y: 50, width: 1000, height: 700 }),
        isMaximized: () => true,
        isFullScreen: () => false,
        on: (event, listener) => listeners.set(event, listener),
      };
      trackWindowState(win, file);
      listeners.get('close')!();
      expect(loadWindowState(file)).toEqual(captureWindowState(win));
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ maximized: true, width: 1000 });
      saveWindowState(file, { width: 800, height: 600, maximized: false, fullScreen: false });
      expect(loadWindowState(file)).toEqual({ width: 800, height: 600, maximized: false, fullScreen: false });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('recent folders', () => {
  it('keeps the newest first without duplicates, at most ten, across restarts', async () => {
    let list: string[] = [];
    for (let i = 0; i < 12; i++) list = addRecent(list, `/f${i}`);
    list = addRecent(list, '/f5');
    expect(list[0]).toBe('/f5');
    expect(list).toHaveLength(10);
    expect(new Set(list).size).toBe(10);
    const dir = await mkdtemp(join(tmpdir(), 'wr-recent-'));
    try {
      saveRecent(join(dir, 'recent.json'), list);
      expect(loadRecent(join(dir, 'recent.json'))).toEqual(list);
      expect(loadRecent(join(dir, 'missing.json'))).toEqual([]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('menu template', () => {
  function record() {
    const calls: string[] = [];
    const actions: MenuActions = {
      openFolder: () => calls.push('openFolder'),
      openRecent: (f) => calls.push(`openRecent ${f}`),
      clearRecent: () => calls.push('clearRecent'),
      closeWorkspace: () => calls.push('closeWorkspace'),
      reload: () => calls.push('reload'),
      toggleDevTools: () => calls.push('toggleDevTools'),
      about: () => calls.push('about'),
    };
    return { calls, actions };
  }
  const submenu = (template: MenuItemConstructorOptions[], label: string) => template.find((m) => m.label === label || m.role === label)!.submenu as MenuItemConstructorOptions[];
  const item = (items: MenuItemConstructorOptions[], label: string) => items.find((i) => i.label === label)!;
  const click = (i: MenuItemConstructorOptions) => (i.click as unknown as () => void)();

  it('has File › Open Folder, Open Recent, Close Workspace wired to their actions', () => {
    const { calls, actions } = record();
    const template = buildMenuTemplate({ appName: 'Workspace Runtime', isMac: false, isDev: false, recent: ['/home/me/app'], actions });
    const file = submenu(template, 'File');
    expect(item(file, 'Open Folder…').accelerator).toBe('CmdOrCtrl+O');
    click(item(file, 'Open Folder…'));
    const recent = item(file, 'Open Recent').submenu as MenuItemConstructorOptions[];
    click(recent[0]!);
    click(item(recent, 'Clear Recent'));
    click(item(file, 'Close Workspace'));
    click(item(submenu(template, 'View'), 'Reload'));
    click(item(submenu(template, 'help'), 'About Workspace Runtime'));
    expect(calls).toEqual(['openFolder', 'openRecent /home/me/app', 'clearRecent', 'closeWorkspace', 'reload', 'about']);
    expect(file.some((i) => i.role === 'quit')).toBe(true);
  });

  it('offers developer tools only in development builds, and the app menu only on macOS', () => {
    const { actions } = record();
    const packaged = buildMenuTemplate({ appName: 'WR', isMac: false, isDev: false, recent: [], actions });
    expect(submenu(packaged, 'View').some((i) => i.label === 'Toggle Developer Tools')).toBe(false);
    expect(item(item(submenu(packaged, 'File'), 'Open Recent').submenu as MenuItemConstructorOptions[], 'No Recent Folders').enabled).toBe(false);
    const dev = buildMenuTemplate({ appName: 'WR', isMac: true, isDev: true, recent: [], actions });
    expect(submenu(dev, 'View').some((i) => i.label === 'Toggle Developer Tools')).toBe(true);
    expect(dev[0]!.label).toBe('WR');
    expect(submenu(dev, 'File').some((i) => i.role === 'quit')).toBe(false);
  });

  it('lists every version in About', () => {
    const text = aboutDetail({ app: '0.1.0', electron: '45.4.1', chrome: '140.0', node: '22.1.0', v8: '14.0', os: 'linux x64 6.1' });
    for (const part of ['0.1.0', 'Electron 45.4.1', 'Chromium 140.0', 'Node.js 22.1.0', 'V8 14.0', 'linux x64']) expect(text).toContain(part);
  });
});
