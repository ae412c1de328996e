/**
 * `git_status_changed {workspace_id}`: debounced from the files feature's `file_changed` events on
 * the global bus stream (working-tree files, and `.git/HEAD`, `.git/index`, refs), and after the
 * runtime's own git operations. While someone subscribes to the topic on WS /api/v1/ws, the
 * workspace's file watcher is kept alive through `services.files.retainWatcher`.
 */
import type { WireEvent } from '../contract/events.js';
import type { RuntimeContext } from '../feature.js';

const TOPIC = 'git_status_changed';

/** Whether a changed path (relative to the workspace root) can change `git status`. */
export function affectsStatus(path: string): boolean {
  const p = path.replace(/\\/g, '/').replace(/^\.\//, '');
  const m = /(^|\/)\.git(\/|$)/.exec(p);
  if (!m) return true;
  const inside = p.slice(m.index + m[0].length);
  if (!inside || inside.endsWith('.lock')) return false;
  return inside === 'HEAD' || inside === 'index' || inside === 'packed-refs' || inside === 'MERGE_HEAD' || inside.startsWith('refs/') || inside.startsWith('rebase-');
}

export class GitStatusNotifier {
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly retained = new Map<string, () => void>();
  private cleanups: Array<() => void> = [];

  constructor(
    private readonly ctx: RuntimeContext,
    private readonly debounceMs: number,
  ) {}

  start(): void {
    const onEvent = (e: WireEvent) => {
      // A workspace added or removed while someone listens to all workspaces.
      if (e.type === 'workspace_changed') return this.syncWatchers();
      if (e.type !== 'file_changed' || typeof e.workspace_id !== 'string' || typeof e.path !== 'string') return;
      if (affectsStatus(e.path)) this.schedule(e.workspace_id);
    };
    this.cleanups.push(this.ctx.bus.stream('global').subscribe(onEvent));
    this.cleanups.push(
      this.ctx.demand.onChange((topic) => {
        if (topic === TOPIC || topic === '*') this.syncWatchers();
      }),
    );
    this.syncWatchers();
  }

  /** Announce a change after the quiet period; bursts (a checkout touching 1,000 files) give one event. */
  schedule(workspaceId: string): void {
    clearTimeout(this.timers.get(workspaceId));
    const timer = setTimeout(() => {
      this.timers.delete(workspaceId);
      this.ctx.bus.publishWorkspace(workspaceId, TOPIC, {});
    }, this.debounceMs);
    timer.unref();
    this.timers.set(workspaceId, timer);
  }

  private wanted(workspaceId: string): boolean {
    // Counts topic and "*" subscriptions for this workspace and for all workspaces.
    return this.ctx.demand.subscribers(TOPIC, workspaceId) > 0;
  }

  /** Retain the watcher of every workspace someone listens to, release the others. */
  syncWatchers(): void {
    const files = this.ctx.services.files;
    if (!files) return;
    const ids = new Set(this.ctx.services.workspaces.list().map((w) => w.id));
    for (const id of ids) {
      const want = this.wanted(id);
      if (want && !this.retained.has(id)) this.retained.set(id, files.retainWatcher(id));
      else if (!want && this.retained.has(id)) this.release(id);
    }
    for (const id of [...this.retained.keys()]) if (!ids.has(id)) this.release(id);
  }

  get retainedCount(): number {
    return this.retained.size;
  }

  release(workspaceId: string): void {
    this.retained.get(workspaceId)?.();
    this.retained.delete(workspaceId);
    clearTimeout(this.timers.get(workspaceId));
    this.timers.delete(workspaceId);
  }

  stop(): void {
    this.cleanups.forEach((fn) => fn());
    this.cleanups = [];
    for (const id of [...this.retained.keys()]) this.release(id);
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }
}
