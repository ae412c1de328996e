/** Unstage paths: `git reset HEAD -- <paths>`, or `git rm --cached` on an unborn branch. */
import type { Git } from './core.js';
import { hasHead } from './repository.js';

export async function unstagePaths(git: Git, cwd: string, paths: string[]): Promise<void> {
  if (await hasHead(git, cwd)) await git.run(['reset', '-q', 'HEAD', '--', ...paths], cwd);
  else await git.run(['rm', '--cached', '-r', '-q', '--ignore-unmatch', '--', ...paths], cwd);
}
