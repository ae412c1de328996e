/**
 * Settings: the runtime config form saves through PUT; the MCP form refuses an invalid server
 * with a readable message, then writes a valid one into the workspace's .mcp.json; hooks are
 * written into .claude/settings.json. The JSON preview shows what is saved.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;

beforeAll(async () => {
  [rt, browser] = await Promise.all([startRuntime(), launchBrowser({ colorScheme: 'dark' })]);
  await new AppPage(browser.page, rt.url, rt.token).open('settings');
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
});

it('saves the runtime config from the form', async () => {
  const page = browser.page;
  await page.getByLabel('Default model').fill('claude-sonnet-test');
  await page.getByLabel('Permission timeout (seconds)').fill('0');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText(/permission_timeout_s|Too small|>=1/i).first().waitFor();
  await page.getByLabel('Permission timeout (seconds)').fill('120');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.getByText('Runtime config saved').waitFor();
  const { config } = await rt.json<{ config: { model: string; permission_timeout_s: number } }>('/api/v1/runtime/config');
  expect(config).toMatchObject({ model: 'claude-sonnet-test', permission_timeout_s: 120 });
  await screenshot(browser.page, 'settings-runtime-dark');
});

it('validates and saves an MCP server and a hook in the workspace files', async () => {
  const page = browser.page;
  await page.getByRole('tab', { name: 'MCP servers' }).click();
  await page.getByRole('button', { name: 'Add server' }).click();
  const server = page.getByRole('group', { name: /MCP server/ });
  await server.getByLabel('Name', { exact: true }).fill('files');
  await page.getByRole('button', { name: 'Save MCP servers' }).click();
  await page.getByText('A stdio server needs a command').waitFor();
  await server.getByLabel('Command', { exact: true }).fill('npx');
  await server.getByLabel('Arguments (one per line)').fill('-y\n@modelcontextprotocol/server-filesystem');
  await page.getByTestId('json-preview').getByText('"@modelcontextprotocol/server-filesystem"').waitFor();
  await page.getByRole('button', { name: 'Save MCP servers' }).click();
  await page.getByText('MCP servers saved').waitFor();
  const mcp = JSON.parse(await readFile(join(rt.workspaceDir, '.mcp.json'), 'utf8'));
  expect(mcp.mcpServers.files).toMatchObject({ command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem'] });
  await screenshot(browser.page, 'settings-mcp');

  await page.getByRole('tab', { name: 'Hooks' }).click();
  await page.getByRole('button', { name: 'Add hook' }).click();
  const hook = page.getByRole('group', { name: 'Hook 1' });
  await hook.getByLabel('Matcher', { exact: true }).fill('Write|Edit');
  await hook.getByLabel('Command', { exact: true }).fill('npx prettier --write "$CLAUDE_FILE_PATHS"');
  await page.getByRole('button', { name: 'Save hooks' }).click();
  await page.getByText('Hooks saved').waitFor();
  const settings = JSON.parse(await readFile(join(rt.workspaceDir, '.claude/settings.json'), 'utf8'));
  expect(settings.hooks.PostToolUse[0]).toMatchObject({ matcher: 'Write|Edit', hooks: [{ type: 'command', command: 'npx prettier --write "$CLAUDE_FILE_PATHS"' }] });
});
