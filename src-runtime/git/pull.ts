/**
 * `git pull` with merge (default) or rebase, never opening an editor. Without an upstream the caller
 * must name the branch (no_upstream). Conflicts come back typed with the conflicted files.
 */
import type { Git } from './core.js';
import { GitError } from './errors.js';
import { parsePorcelainStatus } from './parse-status.js';
import type { GitProgress } from './progress.js';
import { chooseRemote } from './push.js';
import { getBranchUpstream } from './remotes.js';
import { getCurrentBranch } from './repository.js';
import { statusArgs } from './status.js';

export interface PullOptions {
  remote?: string;
  branch?: string;
  rebase?: boolean;
}

export async function pull(git: Git, cwd: string, options: PullOptions, onProgress: (p: GitProgress) => void): Promise<void> {
  const current = await getCurrentBranch(git, cwd);
  if (!current) throw new GitError('detached_head', 'HEAD is detached: check out a branch to pull into');
  const upstream = await getBranchUpstream(git, cwd, current);
  const remote = await chooseRemote(git, cwd, options.remote, upstream?.remote);
  let branch = options.branch;
  if (!branch) {
    if (!upstream || upstream.remote !== remote) throw new GitError('no_upstream', `Branch "${current}" has no upstream on "${remote}": pass "branch"`);
    branch = upstream.merge.replace(/^refs\/heads\//, '');
  }
  const args = ['pull', '--progress', '--no-edit', options.rebase ? '--rebase' : '--no-rebase', remote, branch];
  try {
    await git.runWithProgress(args, cwd, onProgress);
  } catch (error) {
    if (error instanceof GitError && (error.kind === 'merge_conflicts' || error.kind === 'rebase_conflicts')) {
      const { stdout } = await git.run(statusArgs('no'), cwd);
      const files = parsePorcelainStatus(stdout).conflicted.map((c) => c.path);
      throw new GitError(error.kind, error.message, { ...error.info, files: files.length ? files : error.info.files });
    }
    throw error;
  }
}
