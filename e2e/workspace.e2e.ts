/**
 * Flow: open a workspace. The runtime starts with one workspace; the user signs in through the
 * token hand-over, opens a second folder through the server-side folder browser, switches back
 * through the recent list and trusts the new one.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { makeRepo, startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { basename, dirname, join } from 'node:path';
import { existsSync } from 'node:fs';

let rt: E2eRuntime;
let browser: E2eBrowser;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

it('signs in with the token hand-over, opens a folder, switches and trusts it', async () => {
  const app = new AppPage(browser.page, rt.url, rt.token);
  await app.open();
  // The token left the address bar.
  expect(browser.page.url()).not.toContain('token=');
  await expect.poll(() => app.workspaceSelect().inputValue()).toMatch(/^ws_/);
  const first = await app.workspaceSelect().inputValue();

  const other = await makeRepo({ 'notes.txt': 'other project\n' });
  await app.openFolderWithBrowser(other);
  await expect.poll(async () => (await app.workspaceSelect().locator('option:checked').textContent()) ?? '').toContain(basename(other));
  const { workspaces } = await rt.json<{ workspaces: Array<{ id: string; root_dir: string; trusted: boolean }> }>('/api/v1/workspaces');
  const added = workspaces.find((w) => w.root_dir === other);
  expect(added?.trusted).toBe(false);

  // An untrusted folder asks once; trusting it from the prompt is what this flow checks.
  await app.answerTrustPrompt('Trust');
  await browser.page.getByRole('button', { name: '✓ Trusted' }).waitFor();
  const after = await rt.json<{ workspace: { trusted: boolean } }>(`/api/v1/workspaces/${added?.id}`);
  expect(after.workspace.trusted).toBe(true);

  await app.workspaceSelect().selectOption(first);
  await expect.poll(() => app.workspaceSelect().inputValue()).toBe(first);
  // The browse dialog: list folders of the repo's parent.
  await browser.page.getByRole('button', { name: 'Open folder…' }).first().click();
  const dialog = browser.page.getByRole('dialog', { name: 'Open a folder' });
  // It starts in the folder that held the last one opened, not in the home folder.
  await expect.poll(() => dialog.getByLabel('Folder path').inputValue()).toBe(dirname(other));
  await dialog.getByLabel('Folder path').fill(other);
  await dialog.getByRole('button', { name: 'Go', exact: true }).click();
  await dialog.getByText(other).waitFor();
  await screenshot(browser.page, 'workspace-open-dialog');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await screenshot(browser.page, 'workspace-open');
});

it('asks which workspace is meant for a folder inside one, and "Remove from list" keeps the folder', async () => {
  const page = browser.page;
  const app = new AppPage(page, rt.url, rt.token);
  await app.open();
  const { workspaces } = await rt.json<{ workspaces: Array<{ id: string; name: string; root_dir: string }> }>('/api/v1/workspaces');
  const parent = workspaces.find((w) => w.root_dir === rt.workspaceDir)!;
  await app.workspaceSelect().selectOption(parent.id);
  const sub = `${rt.workspaceDir}/src`;
  const question = page.getByRole('dialog', { name: 'This folder is inside a workspace' });
  const openFolderDialog = page.getByRole('dialog', { name: 'Open a folder' });
  const chooseInBrowser = async () => {
    await page.getByRole('button', { name: 'Open folder…' }).first().click();
    await openFolderDialog.getByLabel('Folder path').fill(sub);
    await openFolderDialog.getByRole('button', { name: 'Open', exact: true }).click();
    await question.waitFor();
  };

  // Open the workspace it is in: nothing new is registered.
  await chooseInBrowser();
  await screenshot(page, 'workspace-folder-inside');
  await question.getByRole('button', { name: `Open ${parent.name}` }).click();
  await openFolderDialog.waitFor({ state: 'hidden' });
  expect(await app.workspaceSelect().inputValue()).toBe(parent.id);
  expect((await rt.json<{ workspaces: unknown[] }>('/api/v1/workspaces')).workspaces).toHaveLength(workspaces.length);

  // Or add it as a workspace of its own (untrusted, like any new folder).
  await chooseInBrowser();
  await question.getByRole('button', { name: 'Add this folder as its own workspace' }).click();
  await app.answerTrustPrompt('Open in restricted mode');
  await expect
    .poll(async () => (await rt.json<{ workspaces: Array<{ id: string; root_dir: string; trusted: boolean }> }>('/api/v1/workspaces')).workspaces.find((w) => w.root_dir === sub))
    .toMatchObject({ trusted: false });
  const subId = (await rt.json<{ workspaces: Array<{ id: string; root_dir: string }> }>('/api/v1/workspaces')).workspaces.find((w) => w.root_dir === sub)!.id;
  await expect.poll(() => app.workspaceSelect().inputValue()).toBe(subId);

  // Remove from list: the runtime forgets it, the folder stays.
  await page.getByRole('button', { name: 'Remove from list' }).click();
  const confirm = page.getByRole('dialog', { name: 'Remove src from the list?' });
  await confirm.waitFor();
  await screenshot(page, 'workspace-remove-from-list');
  await confirm.getByRole('button', { name: 'Remove from list' }).click();
  await expect.poll(() => app.workspaceSelect().inputValue()).not.toBe(subId);
  expect((await rt.json<{ workspaces: Array<{ root_dir: string }> }>('/api/v1/workspaces')).workspaces.map((w) => w.root_dir)).not.toContain(sub);
  expect(existsSync(join(sub, 'index.js'))).toBe(true);
});
