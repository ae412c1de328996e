/** Page object for the Apps view: app cards (start, status, port link, logs) and scripts. */
import type { Page } from 'playwright-core';

export class AppsPage {
  constructor(readonly page: Page) {}

  card(manifestId: string) {
    return this.page.locator(`[data-testid="app-card"][data-app="${manifestId}"]`);
  }

  async start(manifestId: string): Promise<void> {
    await this.card(manifestId).getByRole('button', { name: 'Start' }).click();
  }

  async waitForStatus(manifestId: string, status: string, timeout = 20_000): Promise<void> {
    await this.card(manifestId).getByTestId('app-status').getByText(status, { exact: true }).waitFor({ timeout });
  }

  portLink(manifestId: string) {
    return this.card(manifestId).getByRole('link', { name: /^Open .* at port \d+$/ });
  }

  async runScript(name: string): Promise<void> {
    await this.page.getByRole('button', { name: `Run ${name}`, exact: true }).click();
  }

  scriptOutput(name: string) {
    return this.page.getByRole('log', { name: `${name} output` });
  }

  scriptStatus() {
    return this.page.getByTestId('script-status');
  }
}
