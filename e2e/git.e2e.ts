/**
 * Flows: commit from the UI and check it with the git CLI; create and switch branches (the
 * status bar follows); push to a local bare remote.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { git, startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { GitPage } from './pages/git-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;
let app: AppPage;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
  app = new AppPage(browser.page, rt.url, rt.token);
  await app.open('git');
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

it('stages a change, shows its diff and commits it; git log has the commit', async () => {
  const gitPage = new GitPage(browser.page);
  // The window's subscription starts the workspace's file watcher; a write before its first scan
  // is done would never be announced.
  await expect
    .poll(async () => (await rt.json('/api/v1/runtime/status')).runtime.features?.files?.watchers?.some((w: { ready: boolean }) => w.ready) ?? false, { timeout: 30_000 })
    .toBe(true);
  await writeFile(join(rt.workspaceDir, 'src/index.js'), "export function hello(name) {\n  return `hi ${name}!`;\n}\n");
  await writeFile(join(rt.workspaceDir, 'CHANGELOG.md'), '# Changes\n');
  await gitPage.changeRow('src/index.js').waitFor({ timeout: 30_000 });
  await gitPage.showDiff('src/index.js');
  await browser.page.getByRole('button', { name: 'Side by side' }).click();
  await screenshot(browser.page, 'git-diff-split');
  await gitPage.stage('src/index.js');
  await gitPage.commit('Greet more warmly');
  expect(git(rt.workspaceDir, 'log', '-1', '--format=%s')).toBe('Greet more warmly');
  expect(git(rt.workspaceDir, 'show', '--name-only', '--format=', 'HEAD')).toBe('src/index.js');
  // The untracked file was not part of the commit and is still listed.
  expect(git(rt.workspaceDir, 'status', '--porcelain')).toContain('?? CHANGELOG.md');
  await gitPage.changeRow('CHANGELOG.md').waitFor();
  await screenshot(browser.page, 'git-committed');
});

it('creates a branch and switches back; the status bar shows the branch', async () => {
  const gitPage = new GitPage(browser.page);
  await gitPage.createBranch('feature/login');
  expect(git(rt.workspaceDir, 'branch', '--show-current')).toBe('feature/login');
  await app.statusBar().getByTestId('git-status-item').getByText('feature/login').waitFor();
  await gitPage.switchBranch('main');
  expect(git(rt.workspaceDir, 'branch', '--show-current')).toBe('main');
  await app.statusBar().getByTestId('git-status-item').getByText('main').waitFor();
  await screenshot(browser.page, 'git-branch-switched');
});

it('pushes to a bare remote and shows history with a per-commit diff', async () => {
  const remote = await mkdtemp(join(tmpdir(), 'wr-e2e-remote-'));
  git(remote, 'init', '-q', '--bare', '-b', 'main');
  git(rt.workspaceDir, 'remote', 'add', 'origin', remote);
  await browser.page.getByRole('button', { name: 'Push', exact: true }).click();
  await browser.page.getByText('Pushed', { exact: true }).waitFor({ timeout: 20_000 });
  expect(git(remote, 'log', '-1', '--format=%s', 'main')).toBe('Greet more warmly');
  await app.statusBar().getByText('↑0 ↓0').waitFor();
  await browser.page.getByRole('tab', { name: 'History' }).click();
  await browser.page.getByRole('button', { name: /Greet more warmly/ }).click();
  await browser.page.getByTestId('diff-view').getByText('src/index.js').first().waitFor();
  await screenshot(browser.page, 'git-history');
});

it('snapshots before a discard and brings the change back with "Undo discard"', async () => {
  const page = browser.page;
  const gitPage = new GitPage(page);
  await page.getByRole('tab', { name: 'Changes' }).click();
  const edited = '# Edited\n\nA change worth keeping after all.\n';
  const original = await readFile(join(rt.workspaceDir, 'README.md'), 'utf8'); // clean: as committed
  await writeFile(join(rt.workspaceDir, 'README.md'), edited);
  await gitPage.changeRow('README.md').waitFor({ timeout: 30_000 });
  await gitPage.changeRow('README.md').getByRole('button', { name: 'Discard changes to README.md' }).click();
  await page.getByRole('dialog', { name: 'Discard changes?' }).getByRole('button', { name: 'Discard changes' }).click();
  await gitPage.changeRow('README.md').waitFor({ state: 'detached' });
  expect(await readFile(join(rt.workspaceDir, 'README.md'), 'utf8')).toBe(original);

  const entry = page.getByTestId('undo-entry').filter({ hasText: 'Discarded README.md' });
  await entry.waitFor();
  await screenshot(page, 'git-undo-discard');
  await entry.getByRole('button', { name: 'Undo discard' }).click();
  await entry.waitFor({ state: 'detached' });
  expect(await readFile(join(rt.workspaceDir, 'README.md'), 'utf8')).toBe(edited);
  await gitPage.changeRow('README.md').waitFor();
});
