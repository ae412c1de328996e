/** Page object for the Agents view: agent picker, sessions, chat, permission prompts. */
import type { Page } from 'playwright-core';

export class AgentsPage {
  constructor(readonly page: Page) {}

  async startSession(agent: string): Promise<void> {
    await this.page.getByLabel('Agent', { exact: true }).selectOption(agent);
    await this.page.getByRole('button', { name: 'New session' }).click();
    await this.page.getByRole('region', { name: `Chat with ${agent}` }).waitFor();
  }

  async send(message: string): Promise<void> {
    await this.page.getByLabel('Message', { exact: true }).fill(message);
    await this.page.getByRole('button', { name: /^(Send|Queue)$/ }).click();
  }

  permissionPrompt(tool: string) {
    return this.page.getByRole('group', { name: `Permission request for ${tool}` });
  }

  agentText() {
    return this.page.getByTestId('agent-text');
  }
}
