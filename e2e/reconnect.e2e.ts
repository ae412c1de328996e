/**
 * The runtime goes away and comes back (same port, same data dir, so same token): a banner says
 * the runtime is unreachable and the actions that need it are disabled until it is back; the status
 * bar shows the connection dropping and recovering, and after the reconnect the window refetches what
 * may have changed meanwhile (a file created while the runtime was down appears in the tree).
 * Every socket the page opens, the first one and the reconnects, carries a fresh single-use
 * ticket and never the token; nothing the console prints about the failed attempts holds it.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
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
  const token = rt.token;
  const socketUrls: string[] = [];
  const consoleText: string[] = [];
  const requestUrls: string[] = [];
  browser.page.on('websocket', (ws) => socketUrls.push(ws.url()));
  browser.page.on('console', (m) => consoleText.push(m.text()));
  browser.page.on('pageerror', (e) => consoleText.push(String(e)));
  browser.page.on('request', (r) => requestUrls.push(r.url()));
  const app = new AppPage(browser.page, rt.url, rt.token);
  await app.open('files');
  const files = new FilesPage(browser.page);
  await files.treeItem('README.md').waitFor();
  const port = Number(new URL(rt.url).port);
  const newFile = browser.page.getByRole('button', { name: 'New file' });
  expect(await newFile.isDisabled()).toBe(false);
  await rt.kill();
  await browser.page.locator('[data-testid="connection-state"][data-state="reconnecting"]').waitFor();
  // The banner says the runtime (not the repository) is gone, and what needs it is disabled.
  const banner = browser.page.getByRole('alert').filter({ hasText: 'The workspace runtime is unreachable' });
  await banner.waitFor();
  expect(await newFile.isDisabled()).toBe(true);
  await screenshot(browser.page, 'reconnecting');
  // Changed while nobody was watching: no file_changed event will ever announce it.
  await writeFile(join(rt.workspaceDir, 'made-while-down.txt'), 'x');
  rt = await startRuntime({ workspaceDir: rt.workspaceDir, dataDir: rt.dataDir, port });
  // Retries are at most a second apart: the window is back about a second after the runtime.
  const restartedAt = Date.now();
  await browser.page.locator('[data-testid="connection-state"][data-state="open"]').waitFor({ timeout: 30_000 });
  console.log(`reconnected ${Date.now() - restartedAt} ms after the runtime was back`);
  await banner.waitFor({ state: 'detached' });
  await expect.poll(() => newFile.isDisabled()).toBe(false);
  await files.treeItem('made-while-down.txt').waitFor({ timeout: 15_000 });

  // The socket before the restart and the one after it: each with its own ticket, never the token.
  expect(socketUrls.length).toBeGreaterThanOrEqual(2);
  for (const url of socketUrls) {
    expect(url).not.toContain(token);
    expect(url).not.toContain('access_token');
    expect(new URL(url).searchParams.get('ticket')).toMatch(/^tkt_/);
  }
  expect(new Set(socketUrls.map((u) => new URL(u).searchParams.get('ticket'))).size).toBe(socketUrls.length);
  // Only the sign-in hand-over (/?token=…, which the page strips from the address bar) carries it.
  expect(requestUrls.filter((u) => u.includes(token) && !/\/\?token=/.test(u))).toEqual([]);
  expect(consoleText.filter((t) => t.includes(token))).toEqual([]);
});
