/**
 * `git switch`: to an existing branch (a remote-only name creates the tracking branch), to a new
 * branch from a start point, or detached at a commit. Local changes that would be overwritten come
 * back as `local_changes_overwritten` with the files git named.
 */
import type { Git } from './core.js';

export interface CheckoutOptions {
  branch?: string;
  create?: boolean;
  start_point?: string;
  commit?: string;
}

export async function checkout(git: Git, cwd: string, options: CheckoutOptions): Promise<void> {
  let args: string[];
  if (options.commit) args = ['switch', '--detach', options.commit];
  else if (options.create) args = ['switch', '-c', options.branch!, ...(options.start_point ? [options.start_point] : [])];
  else args = ['switch', options.branch!];
  await git.run(args, cwd);
}
