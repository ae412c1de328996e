/**
 * The window keeps the user's work: unsaved edits, open tabs, the cursor, undo history and the
 * tree's open folders survive every view switch (Alt+2…5 and the activity bar) and clean tabs
 * survive a reload; closing a dirty tab and switching workspace with a dirty file ask Save /
 * Don't save / Cancel and each choice does what it says. Dialogs take the keyboard at once:
 * Ctrl+P then typing filters, F2 pre-selects the name without its extension, Escape cancels.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { makeRepo, startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { FilesPage } from './pages/files-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;
let app: AppPage;
let files: FilesPage;
let firstId: string;
let otherId: string;

const MATH = 'export const add = (a, b) => a + b;\n';
const disk = (path: string) => readFile(join(rt.workspaceDir, path), 'utf8');

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
  const other = await makeRepo({ 'other.txt': 'the other project\n' });
  const { workspace } = await rt.json<{ workspace: { id: string } }>('/api/v1/workspaces/resolve', { method: 'POST', body: { path: other } });
  otherId = workspace.id;
  // Trusted, so switching to it does not stop at the trust prompt (trust.e2e.ts covers that).
  await rt.json(`/api/v1/workspaces/${otherId}`, { method: 'PATCH', body: { trusted: true } });
  const { workspaces } = await rt.json<{ workspaces: Array<{ id: string; root_dir: string }> }>('/api/v1/workspaces');
  firstId = workspaces.find((w) => w.root_dir === rt.workspaceDir)?.id ?? '';
  app = new AppPage(browser.page, rt.url, rt.token);
  files = new FilesPage(browser.page);
  await app.open('files');
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

const tabs = () => browser.page.getByRole('tablist', { name: 'Open files' }).getByRole('tab');
const tabNames = async () => (await tabs().allTextContents()).map((t) => t.replace('×', '').trim());
const mainView = (name: string) => browser.page.getByRole('main', { name });

it('keeps unsaved text, tabs, cursor, undo and open folders across every view switch', async () => {
  const page = browser.page;
  await expect.poll(() => app.workspaceSelect().inputValue()).toBe(firstId);
  await files.openPath('src/index.js');
  await files.openPath('src/util/math.js');
  await files.typeAtEnd('// unsaved edit');
  await files.dirtyMarker().waitFor();

  const views: Array<[string, string]> = [
    ['Alt+2', 'Git'],
    ['Alt+3', 'Agents'],
    ['Alt+4', 'Apps'],
    ['Alt+5', 'Settings'],
  ];
  for (const [key, name] of views) {
    await page.keyboard.press(key);
    await mainView(name).waitFor();
    await expect.poll(() => files.editor().count()).toBe(0); // the Files view really unmounted
    await page.keyboard.press('Alt+1');
    await files.editor().waitFor();
    expect(await tabNames()).toEqual(['index.js', 'math.js']);
    expect(await files.editorText()).toContain('// unsaved edit');
    await files.dirtyMarker().waitFor();
    expect(await files.treeItem('src/util').getAttribute('aria-expanded')).toBe('true');
  }
  for (const name of ['Git', 'Agents', 'Apps', 'Settings'] as const) {
    await app.goTo(name);
    await mainView(name).waitFor();
    await app.goTo('Files');
    await files.editor().waitFor();
    expect(await files.editorText()).toContain('// unsaved edit');
  }
  await screenshot(page, 'window-keeps-work-after-switches');

  // The cursor is where it was (the end of the edit): typing continues there.
  await page.keyboard.type('!');
  await expect.poll(() => files.editorText()).toContain('// unsaved edit!');
  // Undo history survived too: undoing everything brings back the disk text, and the tab is clean.
  for (let i = 0; i < 40 && (await files.dirtyMarker().count()) > 0; i++) await page.keyboard.press('Control+z');
  await files.dirtyMarker().waitFor({ state: 'detached' });
  expect(await files.editorText()).toBe(MATH);
  expect(await disk('src/util/math.js')).toBe(MATH);
});

it('brings back clean tabs and open folders after a reload', async () => {
  const page = browser.page;
  await page.reload();
  await app.page.getByTestId('connection-state').and(page.locator('[data-state="open"]')).waitFor();
  await files.editor().waitFor();
  expect(await tabNames()).toEqual(['index.js', 'math.js']);
  await expect.poll(() => files.editorText()).toContain('export const add');
  expect(await files.treeItem('src/util').getAttribute('aria-expanded')).toBe('true');
  await screenshot(page, 'window-after-reload');
});

it('asks Save / Don\'t save / Cancel when a dirty tab is closed, and each does what it says', async () => {
  const page = browser.page;
  await files.openPath('src/util/math.js');
  await files.typeAtEnd('// close me');
  await files.dirtyMarker().waitFor();
  const ask = page.getByRole('dialog', { name: 'Save changes to math.js?' });

  await page.getByRole('button', { name: 'Close math.js' }).click();
  await ask.waitFor();
  // Focus is on Save, not on the ×.
  expect(await page.evaluate('document.activeElement?.textContent')).toBe('Save');
  await screenshot(page, 'window-close-dirty-tab');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'hidden' });
  expect(await tabNames()).toContain('math.js');
  expect(await files.editorText()).toContain('// close me');

  await page.getByRole('button', { name: 'Close math.js' }).click();
  await ask.getByRole('button', { name: "Don't save" }).click();
  await ask.waitFor({ state: 'hidden' });
  expect(await tabNames()).not.toContain('math.js');
  expect(await disk('src/util/math.js')).toBe(MATH);

  await files.openPath('src/util/math.js');
  expect(await files.editorText()).not.toContain('// close me');
  await files.typeAtEnd('// saved on close');
  await page.getByRole('button', { name: 'Close math.js' }).click();
  await ask.getByRole('button', { name: 'Save', exact: true }).click();
  await ask.waitFor({ state: 'hidden' });
  expect(await tabNames()).not.toContain('math.js');
  expect(await disk('src/util/math.js')).toContain('// saved on close');
});

it('asks Save / Don\'t save / Cancel before switching workspace with a dirty file', async () => {
  const page = browser.page;
  await files.openPath('README.md');
  await files.typeAtEnd('\nDirty in the first workspace.');
  await files.dirtyMarker().waitFor();
  const ask = page.getByRole('dialog', { name: 'Save changes to README.md?' });

  // Cancel: nothing changes.
  await app.workspaceSelect().selectOption(otherId);
  await ask.waitFor();
  await screenshot(page, 'window-switch-workspace-dirty');
  await ask.getByRole('button', { name: 'Cancel' }).click();
  await ask.waitFor({ state: 'hidden' });
  expect(await app.workspaceSelect().inputValue()).toBe(firstId);
  expect(await files.editorText()).toContain('Dirty in the first workspace.');

  // Don't save: switches; coming back, the tab is there with the disk's text.
  await app.workspaceSelect().selectOption(otherId);
  await ask.getByRole('button', { name: "Don't save" }).click();
  await expect.poll(() => app.workspaceSelect().inputValue()).toBe(otherId);
  await files.treeItem('other.txt').waitFor();
  expect(await disk('README.md')).not.toContain('Dirty in the first workspace.');
  await app.workspaceSelect().selectOption(firstId);
  await expect.poll(() => app.workspaceSelect().inputValue()).toBe(firstId);
  await files.editor().waitFor();
  expect(await tabNames()).toContain('README.md');
  expect(await files.editorText()).not.toContain('Dirty in the first workspace.');
  expect(await files.dirtyMarker().count()).toBe(0);

  // Save: written to disk, then switched.
  await files.typeAtEnd('\nSaved before switching.');
  await files.dirtyMarker().waitFor();
  await app.workspaceSelect().selectOption(otherId);
  await ask.getByRole('button', { name: 'Save', exact: true }).click();
  await expect.poll(() => app.workspaceSelect().inputValue()).toBe(otherId);
  expect(await disk('README.md')).toContain('Saved before switching.');
  await app.workspaceSelect().selectOption(firstId);
  await expect.poll(() => app.workspaceSelect().inputValue()).toBe(firstId);
});

it('Ctrl+P then typing filters at once; Enter opens the match; Escape cancels', async () => {
  const page = browser.page;
  await files.tree().focus();
  await page.keyboard.press('Control+p');
  const dialog = page.getByRole('dialog', { name: 'Quick open' });
  await dialog.waitFor();
  await page.keyboard.type('math');
  await expect.poll(() => dialog.getByRole('combobox', { name: 'File name' }).inputValue()).toBe('math');
  await dialog.getByRole('option', { name: 'src/util/math.js' }).waitFor();
  await screenshot(page, 'window-quick-open-typed');
  await page.keyboard.press('Enter');
  await dialog.waitFor({ state: 'hidden' });
  await expect.poll(() => files.editorText()).toContain('export const add');

  await page.keyboard.press('Control+p');
  await dialog.waitFor();
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});

it('F2 pre-selects the name without its extension; typing replaces it and Enter renames', async () => {
  const page = browser.page;
  await files.treeItem('src/util/math.js').click();
  await files.tree().focus();
  await page.keyboard.press('F2');
  const dialog = page.getByRole('dialog', { name: 'Rename math.js' });
  const field = dialog.getByRole('textbox');
  await dialog.waitFor();
  const selection = await field.evaluate((el) => {
    const input = el as unknown as { selectionStart: number; selectionEnd: number; value: string };
    return input.value.slice(input.selectionStart, input.selectionEnd);
  });
  expect(selection).toBe('math');
  await screenshot(page, 'window-rename-selection');
  await page.keyboard.type('sum');
  expect(await field.inputValue()).toBe('sum.js');
  await page.keyboard.press('Enter');
  await files.treeItem('src/util/sum.js').waitFor();
  await expect.poll(() => disk('src/util/sum.js').catch(() => '')).toContain('export const add');
  // The open tab followed the rename.
  expect(await tabNames()).toContain('sum.js');
});

it('Open folder focuses the path field and Escape closes it', async () => {
  const page = browser.page;
  await page.getByRole('button', { name: 'Open folder…' }).first().click();
  const dialog = page.getByRole('dialog', { name: 'Open a folder' });
  await dialog.waitFor();
  expect(await page.evaluate('document.activeElement?.id')).toBe('open-path');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'hidden' });
});
