/** `git add -A -- <paths>`: stage new, modified and deleted files. */
import type { Git } from './core.js';

export async function stagePaths(git: Git, cwd: string, paths: string[]): Promise<void> {
  await git.run(['add', '-A', '--', ...paths], cwd);
}
