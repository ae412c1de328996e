/**
 * `git diff` / `git show`: working tree vs index, index vs HEAD, or one commit against its first
 * parent; whole or one file (an untracked file diffs against nothing, via --no-index). The text is
 * cut at `maxBytes` (on a line boundary) and flagged, and parsed into files and hunks.
 */
import type { Git } from './core.js';
import { parseDiff, type DiffFile } from './parse-diff.js';

export interface DiffOptions {
  staged?: boolean;
  commit?: string;
  path?: string;
  context?: number;
  maxBytes: number;
}

export interface DiffResult {
  mode: 'worktree' | 'staged' | 'commit';
  commit: string | null;
  path: string | null;
  text: string;
  files: DiffFile[];
  truncated: boolean;
  bytes: number;
}

const common = (o: DiffOptions) => ['--no-color', '--no-ext-diff', '-M', `-U${o.context ?? 3}`];

export async function getDiff(git: Git, cwd: string, options: DiffOptions): Promise<DiffResult> {
  const mode: DiffResult['mode'] = options.commit ? 'commit' : options.staged ? 'staged' : 'worktree';
  const pathArgs = ['--', ...(options.path ? [options.path] : [])];
  let args: string[];
  if (options.commit) args = ['show', '--format=', '--diff-merges=first-parent', ...common(options), '--end-of-options', options.commit, ...pathArgs];
  else if (options.staged) args = ['diff', '--cached', ...common(options), ...pathArgs];
  else args = ['diff', ...common(options), ...pathArgs];
  let result = await git.runCapped(args, cwd, options.maxBytes);
  if (mode === 'worktree' && options.path && !result.stdout && (await isUntracked(git, cwd, options.path))) {
    // --no-index exits 1 when the files differ.
    result = await git.runCapped(['diff', '--no-index', ...common(options), '--', '/dev/null', options.path], cwd, options.maxBytes, { successExitCodes: new Set([0, 1]) });
  }
  let text = result.stdout;
  if (result.truncated) {
    const cut = text.lastIndexOf('\n');
    text = cut >= 0 ? text.slice(0, cut + 1) : '';
  }
  return { mode, commit: options.commit ?? null, path: options.path ?? null, text, files: parseDiff(text), truncated: result.truncated, bytes: Buffer.byteLength(text) };
}

async function isUntracked(git: Git, cwd: string, path: string): Promise<boolean> {
  const { stdout } = await git.run(['ls-files', '--others', '--exclude-standard', '-z', '--', path], cwd);
  return stdout.split('\0').includes(path);
}
