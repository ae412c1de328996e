/**
 * `git commit`: what is staged, selected paths (staged first, then committed alone), or everything
 * (`add -A`); amend. The author is the user's git identity; `user.useConfigOnly` makes git refuse to
 * guess one from the host name, so a missing identity is an error (identity_missing), not a commit
 * by "root@localhost".
 */
import type { Git } from './core.js';
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
  await git.run(args, cwd, { stdin: options.message });
  return getCommit(git, cwd, 'HEAD');
}
