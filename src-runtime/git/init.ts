/** `git init` for a folder that is not yet a repository. */
import type { Git } from './core.js';

export async function initRepository(git: Git, cwd: string, initialBranch?: string): Promise<void> {
  await git.run(['init', '-q', ...(initialBranch ? [`--initial-branch=${initialBranch}`] : [])], cwd);
}
