/**
 * The services features expose to each other. A feature sets its entry during setup; others read
 * it lazily (at request time), so start order matters only for setup-time use. The small
 * interfaces here are the only cross-feature contracts; each feature may widen its own.
 */
import type { Execution, Script } from './contract/apps.js';
import type { Workspace } from './contract/workspaces.js';

export interface CreateWorkspaceInput {
  root_dir: string;
  name?: string;
  create?: boolean;
  add_dirs?: string[];
  default_agent?: string | null;
  trusted?: boolean;
  make_default?: boolean;
}

/** The workspaces feature (workspaces/service.ts) as the other features see it. */
export interface WorkspacesServiceApi {
  list(): Workspace[];
  count(): number;
  findById(id: string): Workspace | undefined;
  /** `idOrPath` is an id (ws_…) or an absolute path; 404 workspace_not_found otherwise. */
  get(idOrPath: string): Promise<Workspace>;
  /** The workspace named by `?workspace_id=`, or the default workspace when it is absent. */
  resolveOptional(idOrPath: string | undefined): Promise<Workspace>;
  create(input: CreateWorkspaceInput): Promise<{ workspace: Workspace; created: boolean }>;
  /** Throws 403 workspace_untrusted unless the workspace (or a trusted folder containing it) is trusted. */
  requireTrusted(workspace: Workspace): void;
  /** Effective trust of every workspace, to compare before and after a change to trusted_folders. */
  trustSnapshot(): Map<string, boolean>;
  /** Tell clients about every workspace whose effective trust differs from `before`. */
  announceTrustChanges(before: Map<string, boolean>): void;
}

/** Which git the runtime uses (GET /api/v1/runtime/status `git`). */
export interface GitBinaryInfo {
  available: boolean;
  source: 'embedded' | 'system' | 'none';
  version: string | null;
  path: string | null;
}

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
  /** The `scripts:` the workspace's app.runtime.yaml files declare (first one wins by name), each with the folder it runs in. */
  manifestScripts(root: string): Promise<Array<{ name: string; command: string; cwd: string }>>;
}

export interface ScriptsServiceApi {
  /** Start an execution of `script` (trusted workspaces only); its output streams on `exec:<id>`. */
  run(workspace: Workspace, script: Script, args: string[]): Promise<Execution>;
}

export interface OpenSpecServiceApi {
  /** OpenSpec's workflow actions for the workspace's sessions (none without an openspec/ folder). */
  sessionActions(workspace: Workspace): Promise<WorkspaceAction[]>;
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

/** An MCP server an agent session gets (from the settings files, or the agent definition). */
export interface McpServerSpec {
  name: string;
  transport: 'stdio' | 'http' | 'sse';
  command?: string;
  args?: string[];
  env?: Record<string, string>;
  url?: string;
  headers?: Record<string, string>;
}

export interface SettingsServiceApi {
  /** The MCP servers of the user's and the workspace's settings (the workspace wins by name). */
  mcpServersFor(root: string): Promise<McpServerSpec[]>;
}

/** One parsed git progress line (phase "Receiving objects", percent, the raw text). */
export interface GitProgressView {
  phase: string;
  percent: number | null;
  text: string;
}

export interface Services {
  workspaces: WorkspacesServiceApi;
  /** Which git the runtime uses; the version-control feature replaces the default probe. */
  gitInfo: () => Promise<GitBinaryInfo>;
  files?: FilesServiceApi;
  apps?: AppsServiceApi;
  scripts?: ScriptsServiceApi;
  openspec?: OpenSpecServiceApi;
  versionControl?: VersionControlServiceApi;
  settings?: SettingsServiceApi;
}
