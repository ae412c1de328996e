/**
 * What the runtime status says about git before (or without) the version-control feature, which
 * replaces this default with the git it located and ran (git only ever runs through git/core.ts):
 * here the system git is found on PATH without being started, so its version is not known.
 */
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';

export interface GitBinaryInfo {
  available: boolean;
  source: 'embedded' | 'system' | 'none';
  version: string | null;
  path: string | null;
}

export function probeSystemGit(): Promise<GitBinaryInfo> {
  const name = process.platform === 'win32' ? 'git.exe' : 'git';
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    const candidate = dir ? join(dir, name) : '';
    if (candidate && existsSync(candidate)) return Promise.resolve({ available: true, source: 'system', version: null, path: candidate });
  }
  return Promise.resolve({ available: false, source: 'none', version: null, path: null });
}
