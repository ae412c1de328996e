/**
 * Flow: edit and save a file and see it on disk. Also: the tree updates live when a file appears
 * on disk, quick open finds a file, a save after someone else changed the file shows the
 * conflict prompt (412), and a new file can be created from the UI.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { FilesPage } from './pages/files-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
  await new AppPage(browser.page, rt.url, rt.token).open('files');
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

it('edits a file, saves it with Ctrl+S and the change is on disk', async () => {
  const files = new FilesPage(browser.page);
  await files.openPath('src/index.js');
  expect(await files.editorText()).toContain('return `hello ${name}`;');
  await files.typeAtEnd('\nexport const edited = true;');
  await files.dirtyMarker().waitFor();
  await screenshot(browser.page, 'files-dirty');
  await files.save();
  await files.dirtyMarker().waitFor({ state: 'detached' });
  await expect.poll(() => readFile(join(rt.workspaceDir, 'src/index.js'), 'utf8')).toContain('export const edited = true;');
  await screenshot(browser.page, 'files-saved');
});

it('shows files created on disk without a reload, and finds them with quick open', async () => {
  const files = new FilesPage(browser.page);
  await writeFile(join(rt.workspaceDir, 'appeared-on-disk.txt'), 'hello from outside\n');
  await files.treeItem('appeared-on-disk.txt').waitFor({ timeout: 10_000 });
  await files.quickOpen('appeared', 'appeared-on-disk.txt');
  await expect.poll(() => files.editorText()).toContain('hello from outside');
});

it('prompts when the file changed on disk since it was opened (etag conflict)', async () => {
  const files = new FilesPage(browser.page);
  await files.openPath('README.md');
  await files.typeAtEnd('\nMy local edit.');
  // Someone else writes the file meanwhile.
  await writeFile(join(rt.workspaceDir, 'README.md'), '# Changed by another tool\n');
  await browser.page.getByText('Changed on disk').waitFor({ timeout: 10_000 });
  await files.save();
  const dialog = browser.page.getByRole('dialog', { name: 'The file changed on disk' });
  await dialog.waitFor();
  await screenshot(browser.page, 'files-conflict');
  await dialog.getByRole('button', { name: 'Overwrite with my version' }).click();
  await expect.poll(() => readFile(join(rt.workspaceDir, 'README.md'), 'utf8')).toContain('My local edit.');
});

it('creates a new file from the toolbar', async () => {
  const files = new FilesPage(browser.page);
  await browser.page.getByRole('button', { name: 'New file' }).click();
  const dialog = browser.page.getByRole('dialog', { name: 'New file' });
  await dialog.getByRole('textbox').fill('notes/todo.md');
  await dialog.getByRole('button', { name: 'Create' }).click();
  await files.editor().waitFor();
  await files.typeAtEnd('- write tests');
  await files.save();
  await expect.poll(() => readFile(join(rt.workspaceDir, 'notes/todo.md'), 'utf8').catch(() => '')).toBe('- write tests');
});

it('uploads files dropped on a folder of the tree', async () => {
  const files = new FilesPage(browser.page);
  // Runs in the page (DOM types are not in the Node tsconfig, hence the globalThis lookups).
  const transfer = await browser.page.evaluateHandle(() => {
    const g = globalThis as unknown as { DataTransfer: new () => { items: { add(f: unknown): void } }; File: new (parts: string[], name: string, o: object) => unknown };
    const dt = new g.DataTransfer();
    dt.items.add(new g.File(['dropped bytes\n'], 'dropped.txt', { type: 'text/plain' }));
    return dt;
  });
  const target = files.treeItem('src');
  await target.dispatchEvent('dragover', { dataTransfer: transfer });
  await target.dispatchEvent('drop', { dataTransfer: transfer });
  await browser.page.getByText('Uploaded 1 file to src').waitFor();
  await expect.poll(() => readFile(join(rt.workspaceDir, 'src/dropped.txt'), 'utf8').catch(() => '')).toBe('dropped bytes\n');
});

it('is keyboard reachable: arrows move in the tree, Enter opens, F2 renames', async () => {
  const files = new FilesPage(browser.page);
  const page = browser.page;
  await files.treeItem('src/util').click(); // selects (and toggles) the folder
  await expect.poll(() => files.treeItem('src/util').getAttribute('aria-selected')).toBe('true');
  if ((await files.treeItem('src/util').getAttribute('aria-expanded')) !== 'true') await page.keyboard.press('ArrowRight');
  // ArrowDown moves to the next row that is an entry: wait for the folder's children to be listed, or it lands on a sibling.
  await files.treeItem('src/util/math.js').waitFor();
  await page.keyboard.press('ArrowDown');
  await expect.poll(() => files.treeItem('src/util/math.js').getAttribute('aria-selected')).toBe('true');
  await page.keyboard.press('Enter');
  await expect.poll(() => files.editorText()).toContain('export const add');
  await files.tree().focus();
  await page.keyboard.press('F2');
  const dialog = page.getByRole('dialog', { name: 'Rename math.js' });
  await dialog.getByRole('textbox').fill('arith.js');
  await page.keyboard.press('Enter');
  await files.treeItem('src/util/arith.js').waitFor();
  await expect.poll(() => readFile(join(rt.workspaceDir, 'src/util/arith.js'), 'utf8').catch(() => '')).toContain('export const add');
  await screenshot(page, 'files-keyboard');
});
