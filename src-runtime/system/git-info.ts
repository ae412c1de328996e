/**
 * What the runtime status says about git before (or without) the version-control feature, which
 * replaces this default with the git it located and ran (git only ever runs through git/core.ts):
 * here the system git is found on PATH without being started, so its version is not known.
 */
import { findOnPath } from '../platform/find-on-path.js';
import type { GitBinaryInfo } from '../services.js';

export function probeSystemGit(): Promise<GitBinaryInfo> {
  const path = findOnPath('git');
  return Promise.resolve(path ? { available: true, source: 'system', version: null, path } : { available: false, source: 'none', version: null, path: null });
}
