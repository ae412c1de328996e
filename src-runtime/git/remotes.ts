/** Remotes and branch configuration (`git remote`, `git config branch.<name>.*`). */
import type { Git } from './core.js';

export async function listRemotes(git: Git, cwd: string): Promise<string[]> {
  const { stdout } = await git.run(['remote'], cwd);
  return stdout.split('\n').filter(Boolean);
}

export async function getConfigValue(git: Git, cwd: string, key: string): Promise<string | null> {
  const { stdout, exitCode } = await git.run(['config', '--get', key], cwd, { successExitCodes: new Set([0, 1]) });
  return exitCode === 0 ? stdout.trim() : null;
}

export async function getBranchUpstream(git: Git, cwd: string, branch: string): Promise<{ remote: string; merge: string } | null> {
  const [remote, merge] = await Promise.all([getConfigValue(git, cwd, `branch.${branch}.remote`), getConfigValue(git, cwd, `branch.${branch}.merge`)]);
  return remote && merge ? { remote, merge } : null;
}
