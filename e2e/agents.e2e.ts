/**
 * Flow: chat with the real Claude Code CLI (pointed at the scripted Anthropic server of
 * test-support/fake-anthropic.ts), approve its Write permission in the UI and see the file change
 * on disk; the reply streams into the chat and the tool call is a collapsible step.
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { mkdtemp, readFile, realpath } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeAnthropic, type FakeAnthropic } from '../test-support/fake-anthropic.js';
import { launchBrowser, screenshot, type E2eBrowser } from './support/browser.js';
import { repoRoot, startRuntime, type E2eRuntime } from './support/runtime.js';
import { AppPage } from './pages/app-page.js';
import { AgentsPage } from './pages/agents-page.js';

let rt: E2eRuntime;
let browser: E2eBrowser;
let fake: FakeAnthropic;

beforeAll(async () => {
  fake = await startFakeAnthropic();
  const home = await realpath(await mkdtemp(join(tmpdir(), 'wr-e2e-claude-home-')));
  [rt, browser] = await Promise.all([startRuntime({ env: { WR_USER_HOME: home } }), launchBrowser()]);
  const env = { ANTHROPIC_BASE_URL: fake.url, ANTHROPIC_API_KEY: 'test', CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: '1', HOME: home };
  await rt.json('/api/v1/runtime/config', { method: 'PATCH', body: { agents: [{ name: 'cc', protocol: 'claude-code', command: join(repoRoot, 'node_modules/.bin/claude'), env }], default_agent: 'cc' } });
  await new AppPage(browser.page, rt.url, rt.token).open('agents');
});
afterAll(async () => {
  await browser?.close();
  await rt?.stop();
  await fake?.close();
});

it('chats with Claude Code, approves a Write permission and the file appears on disk', async () => {
  const agents = new AgentsPage(browser.page);
  await agents.startSession('cc');
  const target = join(rt.workspaceDir, 'from-claude.txt');
  await agents.send(`WRITE ${target} hello from the agent`);
  const prompt = agents.permissionPrompt('Write');
  await prompt.waitFor({ timeout: 60_000 });
  await screenshot(browser.page, 'agents-permission');
  await prompt.getByRole('button', { name: 'Allow once' }).click();
  await prompt.getByTestId('permission-outcome').waitFor();
  await expect.poll(() => readFile(target, 'utf8').catch(() => ''), { timeout: 30_000 }).toBe('hello from the agent');
  await agents.agentText().filter({ hasText: 'tool said:' }).waitFor({ timeout: 30_000 });
  const step = browser.page.getByTestId('tool-step').filter({ hasText: 'Write' });
  await step.locator('summary').click();
  await step.getByLabel('Tool input').getByText('hello from the agent').waitFor();
  await step.getByLabel(`Changes to ${target}`).getByText('+ hello from the agent').waitFor();
  await browser.page.getByTestId('usage').getByText(/\d+ in/).waitFor({ timeout: 20_000 });
  await screenshot(browser.page, 'agents-chat');
});

it('queues a message while a run streams, shows the queue, and cancels the run', async () => {
  const agents = new AgentsPage(browser.page);
  await agents.send('SLOW 20');
  await browser.page.getByRole('button', { name: 'Cancel run' }).waitFor({ timeout: 30_000 });
  await agents.send('after the slow one');
  const queue = browser.page.getByLabel('Queued messages');
  await queue.getByText('after the slow one').waitFor();
  await screenshot(browser.page, 'agents-queue');
  await browser.page.getByRole('button', { name: 'Cancel run' }).click();
  await browser.page.getByText(/Run cancelled/).waitFor({ timeout: 30_000 });
  // The queued message runs next and its reply streams in.
  await agents.agentText().filter({ hasText: 'echo: after the slow one' }).waitFor({ timeout: 60_000 });
  await queue.waitFor({ state: 'detached' });
});
