/**
 * The runtime goes away and comes back (same port, same data dir, so same token): the status bar
 * shows the connection dropping and recovering, and after the reconnect the window refetches what
 * may have changed meanwhile (a file created while the runtime was down appears in the tree).
 */
import { afterAll, beforeAll, it } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { FilesPage } from './pages/files-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser()]);
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

it('shows the connection state, reconnects and refreshes stale data', async () => {
  const app = new AppPage(browser.page, rt.url, rt.token);
  await app.open('files');
  const files = new FilesPage(browser.page);
  await files.treeItem('README.md').waitFor();
  const port = Number(new URL(rt.url).port);
  await rt.kill();
  await browser.page.locator('[data-testid="connection-state"][data-state="reconnecting"]').waitFor();
  await screenshot(browser.page, 'reconnecting');
  // Changed while nobody was watching: no file_changed event will ever announce it.
  await writeFile(join(rt.workspaceDir, 'made-while-down.txt'), 'x');
  rt = await startRuntime({ workspaceDir: rt.workspaceDir, dataDir: rt.dataDir, port });
  await browser.page.locator('[data-testid="connection-state"][data-state="open"]').waitFor({ timeout: 30_000 });
  await files.treeItem('made-while-down.txt').waitFor({ timeout: 15_000 });
});
