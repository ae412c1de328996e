/**
 * `git commit`: what is staged, selected paths (staged first, then committed alone), or everything
 * (`add -A`); amend. The author is the user's git identity; `user.useConfigOnly` makes git refuse to
 * guess one from the host name, so a missing identity is an error (identity_missing), not a commit
 * by "root@localhost". A commit a hook refuses (pre-commit, commit-msg…) is `hook_failed` with the
 * hook's output, so the user reads why.
 */
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import type { Git } from './core.js';
import { GitError } from './errors.js';
import { getCommit } from './log.js';
import type { Commit } from './parse-log.js';

export interface CommitOptions {
  message: string;
  paths?: string[];
  all?: boolean;
  amend?: boolean;
}

export async function createCommit(git: Git, cwd: string, options: CommitOptions): Promise<Commit> {
  if (options.all) await git.run(['add', '-A'], cwd);
  if (options.paths?.length) await git.run(['add', '-A', '--', ...options.paths], cwd);
  const args = ['-c', 'user.useConfigOnly=true', 'commit', '-F', '-', ...(options.amend ? ['--amend'] : []), ...(options.paths?.length ? ['--', ...options.paths] : [])];
  try {
    await git.run(args, cwd, { stdin: options.message });
  } catch (error) {
    if (error instanceof GitError && error.kind === 'unknown') {
      const hook = await firstCommitHook(git, cwd);
      if (hook) {
        throw new GitError('hook_failed', `The ${hook} hook refused the commit; its output is in details.output`, { ...error.info, hook });
      }
    }
    throw error;
  }
  return getCommit(git, cwd, 'HEAD');
}

const COMMIT_HOOKS = ['pre-commit', 'prepare-commit-msg', 'commit-msg'];

/** The first commit hook that would run here (git resolves core.hooksPath for --git-path). */
async function firstCommitHook(git: Git, cwd: string): Promise<string | null> {
  for (const hook of COMMIT_HOOKS) {
    const result = await git.run(['rev-parse', '--git-path', `hooks/${hook}`], cwd).catch(() => null);
    const path = result?.stdout.trim();
    if (!path) continue;
    const full = isAbsolute(path) ? path : join(cwd, path);
    if (await access(full, constants.X_OK).then(() => true, () => false)) return hook;
  }
  return null;
}
