/**
 * The services features expose to each other. A feature sets its entry during setup; others read
 * it lazily (at request time), so start order matters only for setup-time use.
 */
import type { GitBinaryInfo } from './system/git-info.js';
import type { WorkspaceService } from './workspaces/service.js';

export interface Services {
  workspaces: WorkspaceService;
  /** Which git the runtime uses; the version-control feature replaces the default probe. */
  gitInfo: () => Promise<GitBinaryInfo>;
}
