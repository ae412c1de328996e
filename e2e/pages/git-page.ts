/** Page object for the Git view: changes, staging, commit box, branches, push, history. */
import type { Page } from 'playwright-core';

export class GitPage {
  constructor(readonly page: Page) {}

  changeRow(path: string, staged = false) {
    return this.page.locator(`[data-testid="change-row"][data-path="${path}"][data-staged="${staged}"]`);
  }

  async stage(path: string): Promise<void> {
    await this.changeRow(path).getByRole('button', { name: `Stage ${path}` }).click();
    await this.changeRow(path, true).waitFor();
  }

  async showDiff(path: string, staged = false): Promise<void> {
    await this.changeRow(path, staged).getByRole('button', { name: path, exact: true }).click();
    await this.page.getByTestId('diff-view').waitFor();
  }

  async commit(message: string): Promise<void> {
    await this.page.getByLabel('Commit message').fill(message);
    await this.page.getByRole('button', { name: /^Commit( all)?$/ }).click();
    await this.page.getByText(/^Committed [0-9a-f]+/).waitFor();
  }

  branchSelect() {
    return this.page.getByRole('combobox', { name: 'Branch', exact: true });
  }

  async createBranch(name: string): Promise<void> {
    await this.page.getByRole('button', { name: 'New branch' }).click();
    const dialog = this.page.getByRole('dialog', { name: 'New branch' });
    await dialog.getByRole('textbox').fill(name);
    await dialog.getByRole('button', { name: 'Create and switch' }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  async switchBranch(name: string): Promise<void> {
    await this.branchSelect().selectOption(name);
    await this.page.getByText(`Switched to ${name}`).waitFor();
  }
}
