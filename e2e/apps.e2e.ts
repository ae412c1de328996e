/**
 * Flows: run a script and see its output and exit code; start an app from app.runtime.yaml, see
 * it become ready with its logs, and open its port.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { makeRepo, startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { AppsPage } from './pages/apps-page.js';

const SERVER = `const http = require('node:http');
const port = Number(process.env.PORT);
http.createServer((req, res) => { res.setHeader('content-type', 'text/html'); res.end('<h1>Hello from the demo app</h1>'); })
  .listen(port, '127.0.0.1', () => console.log('\\u001b[32mlistening\\u001b[0m on ' + port));
`;

const MANIFEST = `apps:
  - id: web
    name: Demo web
    start: node server.cjs
    port: auto
    readiness: { http: / , timeout: 20s }
scripts:
  greet: "echo hello from a script; printf '\\\\033[33mwarn in yellow\\\\033[0m\\\\n'"
  fail: "echo about to fail >&2; exit 3"
`;

let rt: E2eRuntime;
let browser: E2eBrowser;

beforeAll(async () => {
  const repo = await makeRepo({ 'app.runtime.yaml': MANIFEST, 'server.cjs': SERVER });
  [rt, browser] = await Promise.all([startRuntime({ workspaceDir: repo }), launchBrowser()]);
  await new AppPage(browser.page, rt.url, rt.token).open('apps');
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

it('runs a script and shows its live output and exit code', async () => {
  const apps = new AppsPage(browser.page);
  await apps.runScript('greet');
  await apps.scriptOutput('greet').getByText('hello from a script').waitFor();
  await apps.scriptStatus().getByText(/succeeded · exit code 0/).waitFor();
  // ANSI colour became a styled span, not escape codes.
  const yellow = apps.scriptOutput('greet').locator('span', { hasText: 'warn in yellow' });
  expect(await yellow.getAttribute('style')).toMatch(/color:\s*rgb\(/);
  expect(await apps.scriptOutput('greet').textContent()).not.toContain('[33m');
  await apps.runScript('fail');
  await apps.scriptStatus().getByText(/failed · exit code 3/).waitFor();
  await apps.scriptOutput('fail').getByText('about to fail').waitFor();
  await screenshot(browser.page, 'apps-script');
});

it('starts an app from the manifest, shows its logs and opens its port', async () => {
  const apps = new AppsPage(browser.page);
  await apps.start('web');
  await apps.waitForStatus('web', 'ready');
  await apps.card('web').getByRole('button', { name: 'Logs' }).click();
  await apps.card('web').getByRole('log').getByText(/listening on \d+/).waitFor();
  const link = apps.portLink('web');
  const href = await link.getAttribute('href');
  expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+/);
  await screenshot(browser.page, 'apps-running');
  const [popup] = await Promise.all([browser.context.waitForEvent('page'), link.click()]);
  await popup.waitForLoadState();
  expect(await popup.locator('h1').textContent()).toBe('Hello from the demo app');
  await popup.close();
  await apps.card('web').getByRole('button', { name: 'Stop' }).click();
  await apps.waitForStatus('web', 'stopped');
});
