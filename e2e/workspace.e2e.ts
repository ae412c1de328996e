/**
 * Flow: open a workspace. The runtime starts with one workspace; the user signs in through the
 * token hand-over, opens a second folder through the server-side folder browser, switches back
 * through the recent list and trusts the new one.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { makeRepo, startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { basename } from 'node:path';

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
  await dialog.getByLabel('Folder path').fill(other);
  await dialog.getByRole('button', { name: 'Go' }).click();
  await dialog.getByText(other).waitFor();
  await screenshot(browser.page, 'workspace-open-dialog');
  await dialog.getByRole('button', { name: 'Close' }).click();
  await screenshot(browser.page, 'workspace-open');
});
