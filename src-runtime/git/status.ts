/** `git status --porcelain=v2 --branch -z`: the working-tree status of a repository. */
import type { Git } from './core.js';
import { parsePorcelainStatus, type ParsedStatus } from './parse-status.js';
import { stoppedOperation, type Repository, type StoppedOperation } from './repository.js';

export interface WorkingStatus extends Omit<ParsedStatus, 'untracked'> {
  repo_root: string;
  untracked: Array<{ path: string }>;
  operation: StoppedOperation;
  clean: boolean;
}

export type UntrackedMode = 'all' | 'normal' | 'no';

export function statusArgs(untracked: UntrackedMode = 'all', paths: string[] = []): string[] {
  // --no-optional-locks: a status must not take index.lock from under a concurrent commit.
  return ['--no-optional-locks', 'status', '--porcelain=v2', '--branch', '-z', `--untracked-files=${untracked}`, ...(paths.length ? ['--', ...paths] : [])];
}

export async function getStatus(git: Git, repo: Repository, untracked: UntrackedMode = 'all'): Promise<WorkingStatus> {
  const { stdout } = await git.run(statusArgs(untracked), repo.root);
  const parsed = parsePorcelainStatus(stdout);
  return {
    ...parsed,
    repo_root: repo.root,
    untracked: parsed.untracked.map((path) => ({ path })),
    operation: stoppedOperation(repo.gitDir),
    clean: !parsed.staged.length && !parsed.unstaged.length && !parsed.untracked.length && !parsed.conflicted.length,
  };
}
