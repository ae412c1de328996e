/**
 * The services features expose to each other. A feature sets its entry during setup; others read
 * it lazily (at request time), so start order matters only for setup-time use. The small
 * interfaces here are the only cross-feature contracts; each feature may widen its own.
 */
import type { Workspace } from './contract/workspaces.js';
import type { GitBinaryInfo } from './system/git-info.js';
import type { WorkspaceService } from './workspaces/service.js';

/** A named prompt template a workspace declares (app.runtime.yaml `actions:`, OpenSpec workflow). */
export interface WorkspaceAction {
  name: string;
  description: string;
  prompt: string;
  source: 'manifest' | 'openspec';
}

export interface AppsServiceApi {
  /** Actions declared by the workspace (manifest `actions:` plus OpenSpec workflow actions). */
  listActions(workspace: Workspace): Promise<WorkspaceAction[]>;
  /** Stop every app of a workspace (runtime shutdown, workspace removal). */
  stopWorkspaceApps(workspaceId: string): Promise<void>;
}

export interface FilesServiceApi {
  /** Keep the workspace's watcher running until the returned release function is called. */
  retainWatcher(workspaceId: string): () => void;
}

export interface VersionControlServiceApi {
  /** Clone a git URL into a new folder (its parent must exist); progress as git_progress on the workspace's stream. */
  clone(
    url: string,
    destination: string,
    options?: { branch?: string; depth?: number; workspaceId?: string; onProgress?: (p: GitProgressView) => void },
  ): Promise<void>;
  /**
   * Run git for a private object store the runtime owns (snapshots): restricted like an untrusted
   * workspace, with the caller's GIT_DIR/GIT_WORK_TREE/GIT_INDEX_FILE; any exit code resolves.
   */
  runPrivate(args: string[], cwd: string, options: { env: Record<string, string>; stdin?: string }): Promise<{ stdout: string; stderr: string; exitCode: number }>;
}

/** One parsed git progress line (phase "Receiving objects", percent, the raw text). */
export interface GitProgressView {
  phase: string;
  percent: number | null;
  text: string;
}

export interface Services {
  workspaces: WorkspaceService;
  /** Which git the runtime uses; the version-control feature replaces the default probe. */
  gitInfo: () => Promise<GitBinaryInfo>;
  files?: FilesServiceApi;
  apps?: AppsServiceApi;
  versionControl?: VersionControlServiceApi;
}
