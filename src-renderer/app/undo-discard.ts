/**
 * "Undo discard": before the window discards changes or deletes files, it takes a snapshot of the
 * workspace (POST …/snapshots, the runtime's private snapshot store) and remembers, for this page
 * session, what went and which snapshot holds it. Undo restores just those paths from it
 * (POST …/snapshots/{sid}/restore {paths}); the rest of the tree is left alone. The Git view lists
 * the entries; the files view and the Git view add them.
 */
import { workspaceFilesApi } from '../../src-runtime/contract/files.js';
import { api } from '../api/client.js';

export interface UndoEntry {
  id: number;
  workspaceId: string;
  snapshotId: string;
  paths: string[];
  what: 'discarded' | 'deleted';
  at: number;
}

type Listener = () => void;

class UndoEntries {
  private entries: UndoEntry[] = [];
  private next = 1;
  private readonly listeners = new Set<Listener>();
  private readonly byWorkspace = new Map<string, UndoEntry[]>();

  subscribe = (listener: Listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Newest first; the same array until something changes (useSyncExternalStore). */
  list = (ws: string): UndoEntry[] => {
    let cached = this.byWorkspace.get(ws);
    if (!cached) {
      cached = this.entries.filter((e) => e.workspaceId === ws).reverse();
      this.byWorkspace.set(ws, cached);
    }
    return cached;
  };

  add(entry: Omit<UndoEntry, 'id' | 'at'>): void {
    this.entries = [...this.entries, { ...entry, id: this.next++, at: Date.now() }];
    this.changed();
  }

  remove(id: number): void {
    this.entries = this.entries.filter((e) => e.id !== id);
    this.changed();
  }

  private changed() {
    this.byWorkspace.clear();
    this.listeners.forEach((l) => l());
  }
}

export const undoEntries = new UndoEntries();

/**
 * Run a destructive action (discard, delete) after snapshotting the workspace, and remember how to
 * undo it. When the snapshot cannot be taken the action still runs (the user confirmed it) and
 * `undoable` is false, so the caller can say there is no undo.
 */
export async function withUndo<T>(ws: string, paths: string[], what: UndoEntry['what'], action: () => Promise<T>): Promise<{ result: T; undoable: boolean }> {
  const label = `before ${what === 'discarded' ? 'discarding' : 'deleting'} ${paths.length === 1 ? paths[0] : `${paths.length} paths`}`.slice(0, 200);
  const snapshot = await api()
    .call(workspaceFilesApi.createSnapshot, { params: { id: ws }, body: { label } })
    .then((r) => r.snapshot)
    .catch(() => undefined);
  const result = await action();
  if (snapshot) undoEntries.add({ workspaceId: ws, snapshotId: snapshot.id, paths, what });
  return { result, undoable: snapshot !== undefined };
}

/** Put the paths of an entry back as they were, and forget the entry. */
export async function undo(entry: UndoEntry): Promise<void> {
  await api().call(workspaceFilesApi.restoreSnapshot, { params: { id: entry.workspaceId, sid: entry.snapshotId }, body: { paths: entry.paths } });
  undoEntries.remove(entry.id);
}
