/** `git log`: a page of commits, optionally for one ref and path, with changed files. */
import type { Git } from './core.js';
import { GitError } from './errors.js';
import { hasHead } from './repository.js';
import { LOG_FORMAT, parseLog, type Commit } from './parse-log.js';

export interface LogOptions {
  ref?: string;
  path?: string;
  limit: number;
  skip: number;
  files?: boolean;
}

export async function getCommits(git: Git, cwd: string, options: LogOptions): Promise<{ commits: Commit[]; more: boolean }> {
  const args = [
    'log',
    `--format=${LOG_FORMAT}`,
    '-z',
    `--max-count=${options.limit + 1}`,
    ...(options.skip ? [`--skip=${options.skip}`] : []),
    ...(options.files ? ['--name-status', '-M'] : []),
    '--end-of-options',
    options.ref ?? 'HEAD',
    '--',
    ...(options.path ? [options.path] : []),
  ];
  let stdout: string;
  try {
    ({ stdout } = await git.run(args, cwd));
  } catch (error) {
    // An unborn branch has no history yet: an empty page, not an error (checked only on failure: one process less).
    if (!options.ref && error instanceof GitError && !(await hasHead(git, cwd))) return { commits: [], more: false };
    throw error;
  }
  const commits = parseLog(stdout, options.files);
  return { commits: commits.slice(0, options.limit), more: commits.length > options.limit };
}

export async function getCommit(git: Git, cwd: string, ref = 'HEAD'): Promise<Commit> {
  const { commits } = await getCommits(git, cwd, { ref, limit: 1, skip: 0 });
  const commit = commits[0];
  if (!commit) throw new GitError('ref_not_found', `No commit at ${ref}`);
  return commit;
}
