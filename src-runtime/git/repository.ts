/**
 * Finding the repository of a folder (`git rev-parse`): its work-tree root and git dir, and the
 * operation a stopped merge/rebase/cherry-pick/revert left behind (from marker files in the git dir).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Git } from './core.js';

export interface Repository {
  root: string;
  gitDir: string;
}

export async function getRepository(git: Git, cwd: string): Promise<Repository> {
  const { stdout } = await git.run(['rev-parse', '--show-toplevel', '--absolute-git-dir'], cwd);
  const [root = cwd, gitDir = join(cwd, '.git')] = stdout.split('\n');
  return { root, gitDir };
}

/** Whether `cwd` is inside a work tree (no throw). */
export async function isInsideRepository(git: Git, cwd: string): Promise<boolean> {
  const { stdout, exitCode } = await git.run(['rev-parse', '--is-inside-work-tree'], cwd, { successExitCodes: new Set([0, 128]) });
  return exitCode === 0 && stdout.trim() === 'true';
}

export type StoppedOperation = 'merge' | 'rebase' | 'cherry_pick' | 'revert' | null;

export function stoppedOperation(gitDir: string): StoppedOperation {
  if (existsSync(join(gitDir, 'rebase-merge')) || existsSync(join(gitDir, 'rebase-apply'))) return 'rebase';
  if (existsSync(join(gitDir, 'MERGE_HEAD'))) return 'merge';
  if (existsSync(join(gitDir, 'CHERRY_PICK_HEAD'))) return 'cherry_pick';
  if (existsSync(join(gitDir, 'REVERT_HEAD'))) return 'revert';
  return null;
}

/** The current branch name, or null when HEAD is detached (an unborn branch has a name). */
export async function getCurrentBranch(git: Git, cwd: string): Promise<string | null> {
  const { stdout, exitCode } = await git.run(['symbolic-ref', '-q', '--short', 'HEAD'], cwd, { successExitCodes: new Set([0, 1]) });
  return exitCode === 0 ? stdout.trim() : null;
}

/** Whether HEAD points at a commit (false on an unborn branch). */
export async function hasHead(git: Git, cwd: string): Promise<boolean> {
  const { exitCode } = await git.run(['rev-parse', '--verify', '-q', 'HEAD'], cwd, { successExitCodes: new Set([0, 1]) });
  return exitCode === 0;
}
