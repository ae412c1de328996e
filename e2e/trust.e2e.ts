/**
 * Flows: opening a folder never runs its code. An untrusted repository asks whether to trust it;
 * in restricted mode files, git and the status bar still work and a banner says what is off;
 * trusting from the banner removes it; trusting the parent folder trusts its siblings without asking.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtemp, realpath, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { makeRepo, startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { FilesPage } from './pages/files-page.js';
import { GitPage } from './pages/git-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;
let app: AppPage;

interface WorkspaceView {
  id: string;
  root_dir: string;
  trusted: boolean;
  trusted_by_folder: string | null;
}

const workspaceAt = async (root: string) => (await rt.json<{ workspaces: WorkspaceView[] }>('/api/v1/workspaces')).workspaces.find((w) => w.root_dir === root);

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
  app = new AppPage(browser.page, rt.url, rt.token);
  await app.open('files');
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

it('asks before trusting a repo; restricted mode still shows files, changes and the branch; Trust… → Trust lifts it', async () => {
  const repo = await makeRepo({ 'notes.txt': 'kept\n' });
  await writeFile(join(repo, 'src/index.js'), "export function hello(name) {\n  return `hi ${name}`;\n}\n");
  await writeFile(join(repo, 'TODO.md'), '- untracked\n');

  await app.openFolderWithBrowser(repo);
  const prompt = app.trustPrompt();
  await prompt.waitFor();
  expect(await prompt.getAttribute('aria-modal')).toBe('true');
  await expect.poll(() => prompt.locator('button:focus').textContent()).toBe('Trust');
  await prompt.getByText(dirname(repo), { exact: true }).waitFor();
  await screenshot(browser.page, 'trust-prompt');
  // The same prompt and banner in the dark theme.
  await browser.page.emulateMedia({ colorScheme: 'dark' });
  await screenshot(browser.page, 'trust-prompt-dark');
  await browser.page.emulateMedia({ colorScheme: 'light' });

  await app.answerTrustPrompt('Open in restricted mode');
  expect((await workspaceAt(repo))?.trusted).toBe(false);
  await app.restrictedBanner().waitFor();

  const files = new FilesPage(browser.page);
  await files.treeItem('README.md').waitFor();
  await files.treeItem('TODO.md').waitFor();
  await files.treeItem('src').waitFor();
  await app.statusBar().getByTestId('git-status-item').getByText('main').waitFor();
  await screenshot(browser.page, 'trust-restricted-files');

  await app.goTo('Git');
  const gitPage = new GitPage(browser.page);
  await gitPage.changeRow('src/index.js').waitFor({ timeout: 10_000 });
  await gitPage.changeRow('TODO.md').waitFor();
  await app.restrictedBanner().waitFor();
  await screenshot(browser.page, 'trust-restricted-git');

  // The answer is remembered: a reload does not ask again, the banner stays.
  await app.open('git');
  await app.restrictedBanner().waitFor();
  expect(await app.trustPrompt().isVisible()).toBe(false);

  await app.restrictedBanner().getByRole('button', { name: 'Trust…' }).click();
  await app.answerTrustPrompt('Trust');
  await app.restrictedBanner().waitFor({ state: 'hidden' });
  await browser.page.getByRole('button', { name: '✓ Trusted' }).waitFor();
  expect((await workspaceAt(repo))?.trusted).toBe(true);
});

it('trusting the parent folder trusts the next repo in it without asking', async () => {
  const parent = await realpath(await mkdtemp(join(tmpdir(), 'wr-e2e-parent-')));
  const [first, second] = [await makeRepo({}, { parent }), await makeRepo({}, { parent })];

  await app.goTo('Files');
  await app.openFolderWithBrowser(first);
  await app.trustPrompt().getByRole('button', { name: 'Trust the parent folder' }).getByText(parent, { exact: true }).waitFor();
  await app.answerTrustPrompt('Trust the parent folder');
  await app.restrictedBanner().waitFor({ state: 'hidden' });
  const config = await rt.json<{ config: { trusted_folders: string[] } }>('/api/v1/runtime/config');
  expect(config.config.trusted_folders).toContain(parent);
  expect(await workspaceAt(first)).toMatchObject({ trusted: true, trusted_by_folder: parent });

  await app.openFolderWithBrowser(second);
  await expect.poll(async () => (await app.workspaceSelect().locator('option:checked').textContent()) ?? '').toContain(basename(second));
  await browser.page.getByRole('button', { name: '✓ Trusted (folder)' }).waitFor();
  await new FilesPage(browser.page).treeItem('README.md').waitFor();
  expect(await app.trustPrompt().isVisible()).toBe(false);
  expect(await app.restrictedBanner().count()).toBe(0);
  expect(await workspaceAt(second)).toMatchObject({ trusted: true, trusted_by_folder: parent });
  await screenshot(browser.page, 'trust-parent-trusted');

  // The folder is listed in the runtime settings, where it can be taken back.
  await app.goTo('Settings');
  await expect.poll(() => browser.page.getByLabel('Trusted folders').inputValue()).toBe(parent);
});
