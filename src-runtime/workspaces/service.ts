/**
 * Workspaces: registering folders (by id or path), the default workspace, trust, and resolving a
 * path to the workspace that contains it. Folders are stored by real path so a symlinked and a
 * direct path name the same workspace. Unregistering never touches the folder.
 *
 * Trust is the workspace's own flag OR a trusted folder (runtime config `trusted_folders`) that
 * contains its root; the view's `trusted` is that effective value, so every gate that reads a
 * Workspace (requireTrusted, restricted git) honours both.
 */
import { access, mkdir, realpath, stat } from 'node:fs/promises';
import { constants } from 'node:fs';
import { homedir } from 'node:os';
import { basename, dirname, isAbsolute, parse } from 'node:path';
import { ApiError, badRequest, forbidden, notFound } from '../contract/errors.js';
import type { Workspace } from '../contract/workspaces.js';
import type { EventBus } from '../events/bus.js';
import { newId } from '../ids.js';
import { isInsideFolder } from '../platform/paths.js';
import { userHome } from '../platform/user-home.js';
import type { CreateWorkspaceInput, WorkspacesServiceApi } from '../services.js';
import type { Store, StoredWorkspace } from '../store/db.js';

export interface PatchWorkspaceInput {
  name?: string;
  add_dirs?: string[];
  default_agent?: string | null;
  sandbox_ref?: string | null;
  trusted?: boolean;
  make_default?: true;
}

function requireAbsolute(path: string, field: string): void {
  if (path.includes('\0')) throw badRequest('invalid_path', `${field} contains a NUL byte`);
  if (!isAbsolute(path)) throw badRequest('path_not_absolute', `${field} must be an absolute path, got "${path}"`);
}

/** Check a folder exists, is a directory and is readable; return its real path. */
export async function checkFolder(path: string, field: string): Promise<string> {
  requireAbsolute(path, field);
  let info;
  try {
    info = await stat(path);
  } catch {
    throw badRequest('folder_not_found', `${field}: "${path}" does not exist (pass "create": true to create it)`);
  }
  if (!info.isDirectory()) throw badRequest('not_a_directory', `${field}: "${path}" is a file, not a folder`);
  try {
    await access(path, constants.R_OK | constants.X_OK);
  } catch {
    throw badRequest('folder_not_readable', `${field}: "${path}" is not readable by the runtime`);
  }
  return realpath(path);
}

/**
 * An extra folder agents may use: an existing folder that is not `/`, the home folder or an
 * ancestor of the runtime's data dir (which holds the token and every workspace's metadata).
 */
export async function checkAddDir(path: string, field: string, dataDir: string): Promise<string> {
  let real: string;
  try {
    real = await checkFolder(path, field);
  } catch (error) {
    if (error instanceof ApiError) throw badRequest('invalid_add_dir', error.message);
    throw error;
  }
  const homes = await Promise.all([...new Set([homedir(), userHome()])].map((h) => realpath(h).catch(() => h)));
  const data = await realpath(dataDir).catch(() => dataDir);
  if (real === parse(real).root) throw badRequest('invalid_add_dir', `${field}: "${path}" is the file system root; name a project folder instead`);
  if (homes.includes(real)) throw badRequest('invalid_add_dir', `${field}: "${path}" is the home folder; name a project folder instead`);
  if (isInsideFolder(data, real)) throw badRequest('invalid_add_dir', `${field}: "${path}" contains the runtime's data dir (${data}), which agents must not reach`);
  return real;
}

/** The deepest trusted folder containing `root` (both real paths), or null. */
export function trustedFolderOf(root: string, trustedFolders: readonly string[]): string | null {
  let best: string | null = null;
  for (const folder of trustedFolders) {
    if (isInsideFolder(root, folder) && (best === null || folder.length > best.length)) best = folder;
  }
  return best;
}

export class WorkspaceService implements WorkspacesServiceApi {
  constructor(
    private readonly store: Store,
    private readonly bus: EventBus,
  ) {}

  private view(w: StoredWorkspace): Workspace {
    const byFolder = trustedFolderOf(w.root_dir, this.store.data.config.trusted_folders ?? []);
    return { ...w, trusted: w.trusted || byFolder !== null, trusted_by_folder: byFolder, is_default: this.store.data.config.default_workspace_id === w.id };
  }

  /** Effective trust of every workspace, to compare before and after a change to trusted_folders. */
  trustSnapshot(): Map<string, boolean> {
    return new Map(this.list().map((w) => [w.id, w.trusted]));
  }

  /** Tell clients about every workspace whose effective trust differs from `before`. */
  announceTrustChanges(before: Map<string, boolean>): void {
    for (const w of this.list()) {
      if (before.get(w.id) !== w.trusted) this.bus.publish('global', 'workspace_changed', { workspace_id: w.id, change: 'updated' });
    }
  }

  /** The workspace's own trust flag, ignoring trusted folders. */
  ownTrust(id: string): boolean {
    return this.store.data.workspaces.find((w) => w.id === id)?.trusted ?? false;
  }

  list(): Workspace[] {
    return this.store.data.workspaces.map((w) => this.view(w));
  }

  count(): number {
    return this.store.data.workspaces.length;
  }

  findById(id: string): Workspace | undefined {
    const w = this.store.data.workspaces.find((x) => x.id === id);
    return w && this.view(w);
  }

  /** `:id` is an id (ws_…) or an absolute path (URL-decoded by the router). */
  async get(idOrPath: string): Promise<Workspace> {
    if (!idOrPath.startsWith('/') && !/^[A-Za-z]:[\\/]/.test(idOrPath)) {
      const w = this.findById(idOrPath);
      if (!w) throw notFound('workspace_not_found', `No workspace with id "${idOrPath}"`);
      return w;
    }
    requireAbsolute(idOrPath, 'workspace path');
    const real = await realpath(idOrPath).catch(() => idOrPath);
    const w = this.store.data.workspaces.find((x) => x.root_dir === real);
    if (!w) throw notFound('workspace_not_found', `No workspace is registered at "${idOrPath}"`);
    return this.view(w);
  }

  /** The workspace a `?workspace_id=` names, or the default one. */
  async resolveOptional(idOrPath: string | undefined): Promise<Workspace> {
    if (idOrPath) return this.get(idOrPath);
    const id = this.store.data.config.default_workspace_id;
    const w = id ? this.findById(id) : undefined;
    if (!w) throw new ApiError(404, 'no_default_workspace', 'No default workspace: pass ?workspace_id=, start the runtime with --workspace PATH, or PATCH a workspace with {"make_default": true}');
    return w;
  }

  async create(input: CreateWorkspaceInput): Promise<{ workspace: Workspace; created: boolean }> {
    requireAbsolute(input.root_dir, 'root_dir');
    if (input.create) {
      try {
        await mkdir(input.root_dir, { recursive: true });
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'EEXIST' || code === 'ENOTDIR') throw badRequest('not_a_directory', `root_dir: "${input.root_dir}" is a file, not a folder`);
        throw badRequest('folder_not_creatable', `root_dir: cannot create "${input.root_dir}": ${(error as Error).message}`);
      }
    }
    const root = await checkFolder(input.root_dir, 'root_dir');
    const addDirs = await Promise.all((input.add_dirs ?? []).map((d, i) => checkAddDir(d, `add_dirs[${i}]`, dirname(this.store.file))));
    const existing = this.store.data.workspaces.find((w) => w.root_dir === root);
    if (existing) {
      if (input.make_default) await this.store.commit((d) => (d.config.default_workspace_id = existing.id));
      return { workspace: this.view(existing), created: false };
    }
    const now = new Date().toISOString();
    const stored: StoredWorkspace = {
      id: newId('workspace'),
      name: input.name ?? (basename(root) || root),
      root_dir: root,
      add_dirs: addDirs,
      default_agent: input.default_agent ?? null,
      sandbox_ref: null,
      trusted: input.trusted ?? false,
      created_at: now,
      updated_at: now,
    };
    await this.store.commit((d) => {
      d.workspaces.push(stored);
      if (input.make_default || !d.config.default_workspace_id) d.config.default_workspace_id = stored.id;
    });
    this.bus.publish('global', 'workspace_changed', { workspace_id: stored.id, change: 'created' });
    return { workspace: this.view(stored), created: true };
  }

  /** The registered workspace containing `path` (deepest root wins), or a new one for its folder. */
  async resolve(path: string): Promise<{ workspace: Workspace; created: boolean }> {
    requireAbsolute(path, 'path');
    let real: string;
    try {
      real = await realpath(path);
    } catch {
      throw badRequest('folder_not_found', `path: "${path}" does not exist`);
    }
    const containing = this.store.data.workspaces
      .filter((w) => isInsideFolder(real, w.root_dir))
      .sort((a, b) => b.root_dir.length - a.root_dir.length)[0];
    if (containing) return { workspace: this.view(containing), created: false };
    const folder = (await stat(real)).isDirectory() ? real : dirname(real);
    return this.create({ root_dir: folder });
  }

  async patch(idOrPath: string, input: PatchWorkspaceInput): Promise<Workspace> {
    const current = await this.get(idOrPath);
    const addDirs = input.add_dirs ? await Promise.all(input.add_dirs.map((d, i) => checkAddDir(d, `add_dirs[${i}]`, dirname(this.store.file)))) : undefined;
    const updated = await this.store.commit((d) => {
      const w = d.workspaces.find((x) => x.id === current.id);
      if (!w) throw notFound('workspace_not_found', `No workspace with id "${current.id}"`);
      if (input.name !== undefined) w.name = input.name;
      if (addDirs) w.add_dirs = addDirs;
      if (input.default_agent !== undefined) w.default_agent = input.default_agent;
      if (input.sandbox_ref !== undefined) w.sandbox_ref = input.sandbox_ref;
      if (input.trusted !== undefined) w.trusted = input.trusted;
      if (input.make_default) d.config.default_workspace_id = w.id;
      w.updated_at = new Date().toISOString();
      return w;
    });
    this.bus.publish('global', 'workspace_changed', { workspace_id: updated.id, change: 'updated' });
    return this.view(updated);
  }

  async remove(idOrPath: string): Promise<Workspace> {
    const current = await this.get(idOrPath);
    await this.store.commit((d) => {
      d.workspaces = d.workspaces.filter((w) => w.id !== current.id);
      if (d.config.default_workspace_id === current.id) d.config.default_workspace_id = d.workspaces[0]?.id ?? null;
    });
    this.bus.publish('global', 'workspace_changed', { workspace_id: current.id, change: 'deleted' });
    return current;
  }

  /** Gate for a workspace's own commands (apps, scripts, agents, hooks, sandbox commands). */
  requireTrusted(workspace: Workspace): void {
    if (workspace.trusted) return;
    throw forbidden(
      'workspace_untrusted',
      `Workspace "${workspace.name}" (${workspace.id}) is not trusted, so its own commands do not run. Trust it with PATCH /api/v1/workspaces/${workspace.id} {"trusted": true} once you have checked its contents.`,
      { workspace_id: workspace.id },
    );
  }
}
