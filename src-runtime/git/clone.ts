/** `git clone` into a new folder, with progress (used by workspace creation from a git URL). */
import { dirname } from 'node:path';
import type { Git } from './core.js';
import type { GitProgress } from './progress.js';

export interface CloneOptions {
  branch?: string;
  depth?: number;
}

export async function cloneRepository(git: Git, url: string, destination: string, options: CloneOptions, onProgress: (p: GitProgress) => void): Promise<void> {
  const args = ['clone', '--progress', ...(options.branch ? ['--branch', options.branch] : []), ...(options.depth ? [`--depth=${options.depth}`] : []), '--', url, destination];
  // The destination's parent must exist; git creates the folder itself.
  await git.runWithProgress(args, dirname(destination), onProgress);
}
