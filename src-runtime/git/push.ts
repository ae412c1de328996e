/**
 * `git push`: one local branch to a remote. The remote defaults to the branch's upstream remote,
 * else `origin` or the only remote; a branch without upstream is pushed with --set-upstream. Every
 * failure is typed: no remote, detached HEAD, rejected (non-fast-forward), authentication.
 */
import type { Git } from './core.js';
import { GitError } from './errors.js';
import type { GitProgress } from './progress.js';
import { getBranchUpstream, listRemotes } from './remotes.js';
import { getCurrentBranch } from './repository.js';

export interface PushOptions {
  remote?: string;
  branch?: string;
  set_upstream?: boolean;
  force_with_lease?: boolean;
}

export interface PushResult {
  remote: string;
  branch: string;
  upstream: string | null;
}

/** Pick the remote a branch talks to: given, upstream's, origin, or the only one. */
export async function chooseRemote(git: Git, cwd: string, given: string | undefined, upstreamRemote: string | undefined): Promise<string> {
  const remotes = await listRemotes(git, cwd);
  if (!remotes.length) throw new GitError('no_remote', 'The repository has no remote: add one with git remote add <name> <url>');
  if (given) {
    if (!remotes.includes(given)) throw new GitError('no_remote', `No remote named "${given}" (remotes: ${remotes.join(', ')})`);
    return given;
  }
  if (upstreamRemote && remotes.includes(upstreamRemote)) return upstreamRemote;
  if (remotes.includes('origin')) return 'origin';
  if (remotes.length === 1) return remotes[0]!;
  throw new GitError('no_remote', `Several remotes and no upstream: pass "remote" (one of ${remotes.join(', ')})`);
}

export async function push(git: Git, cwd: string, options: PushOptions, onProgress: (p: GitProgress) => void): Promise<PushResult> {
  const branch = options.branch ?? (await getCurrentBranch(git, cwd));
  if (!branch) throw new GitError('detached_head', 'HEAD is detached: check out a branch or pass "branch"');
  const upstream = await getBranchUpstream(git, cwd, branch);
  const remote = await chooseRemote(git, cwd, options.remote, upstream?.remote);
  const setUpstream = options.set_upstream ?? !upstream;
  const target = upstream && upstream.remote === remote ? upstream.merge.replace(/^refs\/heads\//, '') : branch;
  const args = [
    'push',
    '--progress',
    ...(setUpstream ? ['--set-upstream'] : []),
    ...(options.force_with_lease ? ['--force-with-lease'] : []),
    remote,
    `refs/heads/${branch}:refs/heads/${target}`,
  ];
  await git.runWithProgress(args, cwd, onProgress);
  const after = await getBranchUpstream(git, cwd, branch);
  return { remote, branch, upstream: after ? `${after.remote}/${after.merge.replace(/^refs\/heads\//, '')}` : null };
}
