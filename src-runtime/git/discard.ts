/**
 * Discard changes of paths: tracked files go back to the index (`git restore --worktree`) or, with
 * includeStaged, to HEAD (`git restore --staged --worktree --source=HEAD`); untracked files are
 * removed (`git clean -f`). Paths without changes are left alone.
 */
import type { Git } from './core.js';
import { parsePorcelainStatus } from './parse-status.js';
import { hasHead } from './repository.js';
import { statusArgs } from './status.js';

export async function discardPaths(git: Git, cwd: string, paths: string[], includeStaged = false): Promise<void> {
  const { stdout } = await git.run(statusArgs('all', paths), cwd);
  const status = parsePorcelainStatus(stdout);
  const untracked = status.untracked;
  const unstaged = status.unstaged.map((c) => c.path);
  const staged = status.staged.flatMap((c) => (c.old_path ? [c.path, c.old_path] : [c.path]));
  if (untracked.length) await git.run(['clean', '-f', '-q', '--', ...untracked], cwd);
  if (includeStaged && staged.length) {
    const head = await hasHead(git, cwd);
    const addedOnly = status.staged.filter((c) => c.status === 'added').map((c) => c.path);
    if (head) {
      const fromHead = [...new Set([...staged, ...unstaged])].filter((p) => !addedOnly.includes(p));
      if (fromHead.length) await git.run(['restore', '--staged', '--worktree', '--source=HEAD', '--', ...fromHead], cwd);
    }
    // Files that only exist in the index: unstage and delete them.
    const added = head ? addedOnly : staged;
    if (added.length) {
      await git.run(['rm', '-f', '-q', '--', ...added], cwd);
    }
    return;
  }
  if (unstaged.length) await git.run(['restore', '--worktree', '--', ...unstaged], cwd);
}
