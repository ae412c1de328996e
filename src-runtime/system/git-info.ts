/**
 * A default probe of the git binary for the runtime status: the system git on PATH. The
 * version-control feature replaces it with dugite's choice (embedded or system).
 */
import { execFile } from 'node:child_process';

export interface GitBinaryInfo {
  available: boolean;
  source: 'embedded' | 'system' | 'none';
  version: string | null;
  path: string | null;
}

let cached: Promise<GitBinaryInfo> | undefined;

export function probeSystemGit(): Promise<GitBinaryInfo> {
  cached ??= new Promise((resolve) => {
    execFile('git', ['--version'], { timeout: 5000 }, (error, stdout) => {
      if (error) return resolve({ available: false, source: 'none', version: null, path: null });
      resolve({ available: true, source: 'system', version: stdout.trim().replace(/^git version /, ''), path: 'git' });
    });
  });
  return cached;
}
