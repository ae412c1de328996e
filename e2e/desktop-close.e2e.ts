/**
 * Closing the desktop window with unsaved edits, and folders the desktop hands over, in real Chromium. The Electron binary cannot run
 * here, so the page gets a stand-in for the preload bridge (the same DesktopBridge members, see
 * src-main/preload.ts): the test plays the main process's `wr:close-requested` (sent when a close
 * is held by the page's `beforeunload`, src-main/window.ts) and records `closeWindow()`.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { startRuntime, type E2eRuntime } from './support/runtime.js';
import { FilesPage } from './pages/files-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;
let files: FilesPage;

const MATH = 'export const add = (a, b) => a + b;\n';
const disk = (path: string) => readFile(join(rt.workspaceDir, path), 'utf8');

interface FakeDesktop {
  requestClose(): void;
  openFolder(path: string): void;
  closed: number;
}

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
  await browser.page.addInitScript(
    ({ url, token }) => {
      const state = { closeListeners: [] as Array<() => void>, folderListeners: [] as Array<(path: string) => void>, closed: 0 };
      const off = () => () => undefined;
      // Runs in the page (DOM types are not in the Node tsconfig, hence globalThis).
      const w = globalThis as unknown as { workspaceRuntimeDesktop: unknown; fakeDesktop: FakeDesktop };
      w.fakeDesktop = {
        requestClose: () => state.closeListeners.forEach((l) => l()),
        openFolder: (path: string) => state.folderListeners.forEach((l) => l(path)),
        get closed() {
          return state.closed;
        },
      };
      w.workspaceRuntimeDesktop = {
        platform: 'linux',
        versions: { app: 'e2e', electron: '', chrome: '', node: '' },
        getRuntime: async () => ({ url, token }),
        openFolderDialog: async () => null,
        revealPath: async () => undefined,
        openExternal: async () => undefined,
        onReconnect: off,
        onOpenFolder: (listener: (path: string) => void) => {
          state.folderListeners.push(listener);
          return () => (state.folderListeners = state.folderListeners.filter((l) => l !== listener));
        },
        onCloseWorkspace: off,
        onCloseRequested: (listener: () => void) => {
          state.closeListeners.push(listener);
          return () => (state.closeListeners = state.closeListeners.filter((l) => l !== listener));
        },
        closeWindow: () => void (state.closed += 1),
      };
    },
    { url: rt.url, token: rt.token },
  );
  files = new FilesPage(browser.page);
  await browser.page.goto(`${rt.url}/#/files`);
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

const requestClose = () => browser.page.evaluate('window.fakeDesktop.requestClose()');
const closedCount = () => browser.page.evaluate('window.fakeDesktop.closed') as Promise<number>;

it('closes at once when nothing is unsaved', async () => {
  await files.treeItem('README.md').waitFor();
  await requestClose();
  await expect.poll(closedCount).toBe(1);
});

it('asks Save / Don\'t save / Cancel before the window closes with unsaved text, and each does what it says', async () => {
  const page = browser.page;
  await files.openPath('src/util/math.js');
  await files.typeAtEnd('// before closing');
  await files.dirtyMarker().waitFor();
  const ask = page.getByRole('dialog', { name: 'Save changes to math.js?' });

  await requestClose();
  await ask.waitFor();
  await page.getByText('They are lost if you close the window without saving.').waitFor();
  await screenshot(page, 'desktop-close-unsaved');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'hidden' });
  expect(await closedCount()).toBe(1); // only the first test's close
  expect(await files.editorText()).toContain('// before closing');

  await requestClose();
  await ask.getByRole('button', { name: 'Save', exact: true }).click();
  await ask.waitFor({ state: 'hidden' });
  await expect.poll(closedCount).toBe(2);
  expect(await disk('src/util/math.js')).toBe(`${MATH}// before closing`);

  await files.typeAtEnd('// thrown away');
  await files.dirtyMarker().waitFor();
  await requestClose();
  await ask.getByRole('button', { name: "Don't save" }).click();
  await expect.poll(closedCount).toBe(3);
  expect(await disk('src/util/math.js')).toBe(`${MATH}// before closing`);
});

it('asks which workspace is meant when the menu, the command line or a drop opens a folder inside one', async () => {
  const page = browser.page;
  const { workspaces } = await rt.json<{ workspaces: Array<{ name: string; root_dir: string }> }>('/api/v1/workspaces');
  const parent = workspaces.find((w) => w.root_dir === rt.workspaceDir)!;
  await page.evaluate(`window.fakeDesktop.openFolder(${JSON.stringify(`${rt.workspaceDir}/src`)})`);
  const question = page.getByRole('dialog', { name: 'This folder is inside a workspace' });
  await question.waitFor();
  await question.getByRole('button', { name: `Open ${parent.name}` }).click();
  await question.waitFor({ state: 'hidden' });
  expect((await rt.json<{ workspaces: unknown[] }>('/api/v1/workspaces')).workspaces).toHaveLength(workspaces.length);
});
