/** `git for-each-ref` over local and remote branches, with the current branch and upstream tracking. */
import type { Git } from './core.js';
import { BRANCH_FORMAT, parseBranches, type Branch } from './parse-branches.js';
import { listRemotes } from './remotes.js';
import { getCurrentBranch } from './repository.js';

export async function getBranches(git: Git, cwd: string): Promise<{ branches: Branch[]; current: string | null; detached: boolean }> {
  const [refs, remotes, current] = await Promise.all([
    git.run(['for-each-ref', `--format=${BRANCH_FORMAT}`, 'refs/heads', 'refs/remotes'], cwd),
    listRemotes(git, cwd),
    getCurrentBranch(git, cwd),
  ]);
  return { branches: parseBranches(refs.stdout, remotes), current, detached: current === null };
}
