/** Page object for the Files view: tree, editor tabs, save, quick open, conflict prompt. */
import type { Page } from 'playwright-core';

export class FilesPage {
  constructor(readonly page: Page) {}

  tree() {
    return this.page.getByRole('tree', { name: 'Files' });
  }

  treeItem(path: string) {
    return this.tree().locator(`[data-path="${path}"]`);
  }

  async openPath(path: string): Promise<void> {
    const parts = path.split('/');
    for (let i = 1; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const item = this.treeItem(dir);
      if ((await item.getAttribute('aria-expanded')) !== 'true') await item.click();
    }
    await this.treeItem(path).click();
    await this.editor().waitFor();
  }

  editor() {
    return this.page.getByTestId('code-editor').locator('.cm-content');
  }

  async editorText(): Promise<string> {
    const lines = await this.page.getByTestId('code-editor').locator('.cm-line').allTextContents();
    return lines.join('\n');
  }

  async typeAtEnd(text: string): Promise<void> {
    await this.editor().click();
    await this.page.keyboard.press('Control+End');
    await this.page.keyboard.type(text);
  }

  async save(): Promise<void> {
    await this.page.keyboard.press('Control+s');
  }

  dirtyMarker() {
    return this.page.getByTestId('dirty-marker');
  }

  async quickOpen(name: string, pick: string): Promise<void> {
    await this.page.keyboard.press('Control+p');
    const dialog = this.page.getByRole('dialog', { name: 'Quick open' });
    await dialog.getByRole('combobox', { name: 'File name' }).fill(name);
    await dialog.getByRole('option', { name: pick }).waitFor();
    await this.page.keyboard.press('Enter');
    await dialog.waitFor({ state: 'hidden' });
  }
}
