/**
 * File watching: one chokidar watcher per workspace that somebody is watching (WS /api/v1/ws
 * subscribers to file_changed or git_status_changed, SSE clients of the workspace event stream,
 * or another feature's retainWatcher), started lazily and closed when the last one leaves.
 * `.git` internals, `node_modules`, the configured `watcher_ignore` folders and the files API's own
 * temp files are pruned; `.git/HEAD` and `.git/index` are still reported (git status follows
 * them). Events are coalesced per path and published every ~30 ms as `file_changed`. Watcher
 * errors (ENOSPC when inotify watches run out) land in status() and as `watcher_error` events.
 */
import { readFileSync, type Stats } from 'node:fs';
import { lstat } from 'node:fs/promises';
import { basename, join, relative, sep } from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { EventBus } from '../events/bus.js';
import { isTempName } from './service.js';

export const BATCH_MS = 30;

type ChangeType = 'created' | 'modified' | 'deleted';

export interface WatcherStatus {
  workspace_id: string;
  root: string;
  ready: boolean;
  ready_ms: number | null;
  holders: { subscribers: number; sse: number; retained: number };
  events_published: number;
  /** Folders under watch (one inotify watch each on Linux) beside the system limit. */
  watched_folders: number;
  inotify_max_user_watches: number | null;
  errors: Array<{ code: string; error: string; at: string }>;
}

const GIT_REPORTED = new Set(['.git/HEAD', '.git/index']);

/** Whether the watcher skips a path (relative, "/"-separated); directories prune their subtree. */
export function isPruned(rel: string, ignoredNames: ReadonlySet<string>): boolean {
  if (!rel) return false;
  const parts = rel.split('/');
  if (parts[0] === '.git') {
    if (parts.length === 1) return false; // watch the .git folder itself, one level deep
    return !(parts.length === 2 && GIT_REPORTED.has(rel));
  }
  for (const part of parts) {
    if (part === 'node_modules' || part === '.git' || ignoredNames.has(part)) return true;
  }
  return isTempName(basename(rel));
}

export class WorkspaceWatcher {
  private watcher?: FSWatcher;
  private pending = new Map<string, ChangeType>();
  private timer?: NodeJS.Timeout;
  private readonly startedAt = Date.now();
  /** Files seen (relative paths): tells a new file from a replaced one. */
  private readonly known = new Set<string>();
  private rawChain: Promise<void> = Promise.resolve();
  ready = false;
  readyMs: number | null = null;
  published = 0;
  readonly errors: WatcherStatus['errors'] = [];
  readonly whenReady: Promise<void>;

  constructor(
    readonly workspaceId: string,
    readonly root: string,
    private readonly bus: EventBus,
    ignoredNames: string[],
  ) {
    const ignored = new Set(ignoredNames);
    let markReady!: () => void;
    this.whenReady = new Promise((r) => (markReady = r));
    const toRel = (p: string) => relative(root, p).split(sep).join('/');
    // chokidar gives every file its own fs.watch (an inotify watch, a FSWatcher object and its
    // memory): on a 10k-file tree that is seconds and >100 MB. Here chokidar watches folders only
    // (files are "ignored" once recorded) and file changes come from the folders' own raw inotify
    // events, which Linux delivers for every entry of a watched folder anyway.
    this.watcher = watch(root, {
      ignoreInitial: true,
      followSymlinks: false,
      persistent: true,
      ignored: (path: string, stats?: Stats) => {
        const rel = toRel(path);
        if (isPruned(rel, ignored)) return true;
        if (stats && !stats.isDirectory() && !stats.isSymbolicLink()) {
          if (!this.known.has(rel)) {
            this.known.add(rel);
            // Seen by a rescan after the initial scan: a file in a folder created just now.
            if (this.ready) this.queue(rel, 'created');
          }
          return true;
        }
        return false;
      },
    });
    this.watcher.on('raw', (_event: string, filename: unknown, details: unknown) => {
      const watched = (details as { watchedPath?: string } | undefined)?.watchedPath;
      if (!watched || typeof filename !== 'string' || !filename) return;
      const full = this.known.has(toRel(watched)) ? watched : join(watched, filename);
      const rel = toRel(full);
      if (!rel || rel.startsWith('..') || isPruned(rel, ignored)) return;
      this.rawChain = this.rawChain.then(() => this.classify(full, rel));
    });
    this.watcher.on('all', (event, path) => {
      const rel = toRel(path);
      if (!rel || isPruned(rel, ignored) || rel === '.git') return;
      if (event === 'addDir') this.queue(rel, 'created');
      else if (event === 'unlinkDir') {
        this.queue(rel, 'deleted');
        for (const k of this.known) if (k.startsWith(`${rel}/`)) this.known.delete(k);
      } else if (event === 'add' || event === 'change' || event === 'unlink') {
        // Symlinks are still watched by chokidar itself.
        this.queue(rel, event === 'add' ? 'created' : event === 'change' ? 'modified' : 'deleted');
      }
    });
    this.watcher.on('ready', () => {
      this.ready = true;
      this.readyMs = Date.now() - this.startedAt;
      markReady();
    });
    this.watcher.on('error', (error) => this.fail(error as NodeJS.ErrnoException));
  }

  /** A raw event on a folder entry: what happened to that file? */
  private async classify(full: string, rel: string): Promise<void> {
    const info = await lstat(full).catch(() => undefined);
    if (info?.isDirectory()) return; // chokidar reports folders (addDir/unlinkDir)
    if (info) {
      const isNew = !this.known.has(rel);
      this.known.add(rel);
      this.queue(rel, isNew ? 'created' : 'modified');
    } else if (this.known.delete(rel)) {
      this.queue(rel, 'deleted');
    }
  }

  /** Record a watcher failure and tell clients: events may be missing from now on. */
  fail(error: NodeJS.ErrnoException): void {
    const code = error.code ?? 'watcher_error';
    const message =
      code === 'ENOSPC'
        ? `The system limit of inotify watches is reached (fs.inotify.max_user_watches), so changes in parts of ${this.root} are not seen. Raise the limit or add large folders to watcher_ignore.`
        : `The file watcher failed: ${error.message}`;
    if (this.errors.length < 20) this.errors.push({ code, error: message, at: new Date().toISOString() });
    this.bus.publishWorkspace(this.workspaceId, 'watcher_error', { code, error: message });
  }

  private queue(rel: string, type: ChangeType): void {
    const previous = this.pending.get(rel);
    // created then modified is still "created"; anything then deleted is "deleted"; deleted then
    // created within one batch (an editor's replace) is "modified".
    const next = previous === 'created' && type === 'modified' ? 'created' : previous === 'deleted' && type === 'created' ? 'modified' : type;
    this.pending.set(rel, next);
    this.timer ??= setTimeout(() => this.flush(), BATCH_MS);
  }

  private flush(): void {
    this.timer = undefined;
    const batch = this.pending;
    this.pending = new Map();
    for (const [path, event_type] of batch) {
      this.published++;
      this.bus.publishWorkspace(this.workspaceId, 'file_changed', { path, event_type });
    }
  }

  watchedFolders(): number {
    return this.watcher ? Object.keys(this.watcher.getWatched()).length : 0;
  }

  async close(): Promise<void> {
    clearTimeout(this.timer);
    this.timer = undefined;
    const w = this.watcher;
    this.watcher = undefined;
    await w?.close();
  }
}

let inotifyLimitCache: number | null | undefined;
function inotifyLimit(): number | null {
  if (inotifyLimitCache === undefined) {
    try {
      inotifyLimitCache = Number(readFileSync('/proc/sys/fs/inotify/max_user_watches', 'utf8').trim()) || null;
    } catch {
      inotifyLimitCache = null;
    }
  }
  return inotifyLimitCache;
}

export interface WatchDemand {
  /** WS subscribers interested in this workspace's file events. */
  subscribers(workspaceId: string): number;
}

/** Starts and stops per-workspace watchers as holders come and go. */
export class WatcherManager {
  private readonly watchers = new Map<string, WorkspaceWatcher>();
  private readonly sse = new Map<string, number>();
  private readonly retained = new Map<string, number>();
  private stopped = false;

  constructor(
    private readonly bus: EventBus,
    private readonly demand: WatchDemand,
    private readonly workspaces: () => Array<{ id: string; root_dir: string }>,
    private readonly ignoredNames: () => string[],
    private readonly log: (message: string) => void = () => undefined,
  ) {}

  private holders(id: string): WatcherStatus['holders'] {
    return { subscribers: this.demand.subscribers(id), sse: this.sse.get(id) ?? 0, retained: this.retained.get(id) ?? 0 };
  }

  /** Start or stop watchers so exactly the held workspaces are watched. */
  reconcile(): void {
    if (this.stopped) return;
    const known = new Map(this.workspaces().map((w) => [w.id, w.root_dir]));
    for (const [id, root] of known) {
      const h = this.holders(id);
      const wanted = h.subscribers + h.sse + h.retained > 0;
      const current = this.watchers.get(id);
      if (wanted && !current) this.watchers.set(id, new WorkspaceWatcher(id, root, this.bus, this.ignoredNames()));
      else if (!wanted && current) this.close(id);
    }
    for (const id of this.watchers.keys()) if (!known.has(id)) this.close(id);
  }

  private close(id: string): void {
    const w = this.watchers.get(id);
    this.watchers.delete(id);
    w?.close().catch((error: Error) => this.log(`closing the watcher of ${id} failed: ${error.message}`));
  }

  private hold(map: Map<string, number>, id: string): () => void {
    map.set(id, (map.get(id) ?? 0) + 1);
    this.reconcile();
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const n = (map.get(id) ?? 1) - 1;
      if (n > 0) map.set(id, n);
      else map.delete(id);
      this.reconcile();
    };
  }

  holdForSse(id: string): () => void {
    return this.hold(this.sse, id);
  }

  retain(id: string): () => void {
    return this.hold(this.retained, id);
  }

  get(id: string): WorkspaceWatcher | undefined {
    return this.watchers.get(id);
  }

  status(): WatcherStatus[] {
    return [...this.watchers.values()].map((w) => ({
      workspace_id: w.workspaceId,
      root: w.root,
      ready: w.ready,
      ready_ms: w.readyMs,
      holders: this.holders(w.workspaceId),
      events_published: w.published,
      watched_folders: w.watchedFolders(),
      inotify_max_user_watches: inotifyLimit(),
      errors: w.errors,
    }));
  }

  async stop(): Promise<void> {
    this.stopped = true;
    const all = [...this.watchers.values()];
    this.watchers.clear();
    await Promise.all(all.map((w) => w.close()));
  }
}
