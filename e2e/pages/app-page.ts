/**
 * Page object for the window shell: signing in with the token hand-over, the workspace controls,
 * the trust prompt and restricted-mode banner, the activity bar and the status bar.
 */
import type { Page } from 'playwright-core';

export class AppPage {
  constructor(
    readonly page: Page,
    readonly url: string,
    readonly token: string,
  ) {}

  async open(view = 'files'): Promise<void> {
    await this.page.goto(`${this.url}/?token=${encodeURIComponent(this.token)}#/${view}`);
    await this.page.getByTestId('connection-state').and(this.page.locator('[data-state="open"]')).waitFor();
  }

  async goTo(view: 'Files' | 'Git' | 'Agents' | 'Apps' | 'Settings'): Promise<void> {
    await this.page.getByRole('navigation', { name: 'Views' }).getByRole('button', { name: view }).click();
  }

  workspaceSelect() {
    return this.page.getByLabel('Workspace', { exact: true });
  }

  async openFolderWithBrowser(path: string): Promise<void> {
    await this.page.getByRole('button', { name: 'Open folder…' }).first().click();
    const dialog = this.page.getByRole('dialog', { name: 'Open a folder' });
    await dialog.getByLabel('Folder path').fill(path);
    await dialog.getByRole('button', { name: 'Open', exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  /** The question an untrusted workspace asks when it is first opened. */
  trustPrompt() {
    return this.page.getByRole('dialog', { name: 'Trust the authors of this folder?' });
  }

  async answerTrustPrompt(choice: 'Trust' | 'Open in restricted mode' | 'Trust the parent folder'): Promise<void> {
    const dialog = this.trustPrompt();
    // The parent-folder button's name ends with the folder's path.
    const name = choice === 'Trust the parent folder' ? /^Trust the parent folder/ : choice;
    await dialog.getByRole('button', { name, exact: true }).click();
    await dialog.waitFor({ state: 'hidden' });
  }

  restrictedBanner() {
    return this.page.getByRole('status').filter({ hasText: 'Restricted mode' });
  }

  statusBar() {
    return this.page.getByRole('contentinfo', { name: 'Status bar' });
  }
}
