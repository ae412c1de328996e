/**
 * The window's editing session, per workspace, kept above the views so switching views (or
 * workspaces and back) loses nothing: the open tabs and the active one, each open file's buffer
 * (the text and ETag it was loaded from, whether it is dirty), the editor's own state while it is
 * off screen (document, selection, undo history, scroll), and the tree's open folders and
 * selection. The text being typed lives in CodeMirror; this store only hears dirty/clean.
 *
 * Tabs, the active tab, cursor and scroll positions and the tree's expansion are also written to
 * sessionStorage per workspace, so a reload brings them back (unsaved text is never written there:
 * a reload with unsaved edits is guarded by `beforeunload` instead).
 */
import { useSyncExternalStore } from 'react';

export interface FileBuffer {
  /** Content as last loaded or saved. */
  base: string;
  etag: string;
  dirty: boolean;
}

/** Where the cursor and the scroll position were; survives a reload. */
export interface EditorPosition {
  anchor: number;
  head: number;
  scrollTop: number;
}

/** An editor's state while it is not mounted: CodeMirror's JSON (doc, selection, history). */
export interface EditorSnapshot {
  doc: string;
  json: unknown;
  position: EditorPosition;
}

/** What a mounted editor offers the store: its live text, and replacing it (reload from disk). */
export interface LiveEditor {
  text(): string;
  replace(text: string): void;
}

export interface WorkspaceSession {
  tabs: string[];
  active: string | undefined;
  selected: string | undefined;
  expanded: string[];
  buffers: Record<string, FileBuffer>;
}

interface Persisted {
  tabs: string[];
  active?: string;
  selected?: string;
  expanded: string[];
  positions: Record<string, EditorPosition>;
}

const STORAGE_PREFIX = 'workspace-runtime.session.';
const EMPTY: WorkspaceSession = { tabs: [], active: undefined, selected: undefined, expanded: [''], buffers: {} };

function strings(x: unknown): string[] {
  return Array.isArray(x) ? x.filter((s): s is string => typeof s === 'string') : [];
}

function readPersisted(ws: string): Persisted | undefined {
  try {
    const raw = JSON.parse(sessionStorage.getItem(STORAGE_PREFIX + ws) ?? 'null') as Partial<Persisted> | null;
    if (!raw || typeof raw !== 'object') return undefined;
    const positions: Record<string, EditorPosition> = {};
    for (const [path, p] of Object.entries(raw.positions ?? {})) {
      if (p && typeof p.anchor === 'number' && typeof p.head === 'number' && typeof p.scrollTop === 'number') positions[path] = p;
    }
    return {
      tabs: strings(raw.tabs),
      active: typeof raw.active === 'string' ? raw.active : undefined,
      selected: typeof raw.selected === 'string' ? raw.selected : undefined,
      expanded: strings(raw.expanded),
      positions,
    };
  } catch {
    return undefined;
  }
}

export class EditorSessions {
  private sessions = new Map<string, WorkspaceSession>();
  private positions = new Map<string, Record<string, EditorPosition>>();
  private snapshots = new Map<string, EditorSnapshot>();
  private live = new Map<string, LiveEditor>();
  private listeners = new Set<() => void>();

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  get(ws: string): WorkspaceSession {
    let s = this.sessions.get(ws);
    if (!s) {
      const p = readPersisted(ws);
      s = p ? { tabs: p.tabs, active: p.active, selected: p.selected, expanded: p.expanded.includes('') ? p.expanded : ['', ...p.expanded], buffers: {} } : EMPTY;
      this.sessions.set(ws, s);
      this.positions.set(ws, p?.positions ?? {});
    }
    return s;
  }

  private update(ws: string, change: (s: WorkspaceSession) => Partial<WorkspaceSession>): void {
    const prev = this.get(ws);
    const next = { ...prev, ...change(prev) };
    this.sessions.set(ws, next);
    this.persist(ws);
    for (const l of this.listeners) l();
  }

  private persist(ws: string): void {
    const s = this.get(ws);
    const positions = this.positions.get(ws) ?? {};
    const kept: Record<string, EditorPosition> = {};
    for (const path of s.tabs) if (positions[path]) kept[path] = positions[path];
    const data: Persisted = { tabs: s.tabs, active: s.active, selected: s.selected, expanded: s.expanded, positions: kept };
    try {
      sessionStorage.setItem(STORAGE_PREFIX + ws, JSON.stringify(data));
    } catch {
      // Storage full or disabled: the session still lives in memory for this page.
    }
  }

  // Tabs

  openTab(ws: string, path: string): void {
    this.update(ws, (s) => ({ tabs: s.tabs.includes(path) ? s.tabs : [...s.tabs, path], active: path, selected: path }));
  }

  setActive(ws: string, path: string | undefined): void {
    this.update(ws, () => ({ active: path }));
  }

  /** Close a tab, dropping its buffer and editor state (the caller has asked about unsaved text). */
  closeTab(ws: string, path: string): void {
    this.forget(ws, path);
    this.update(ws, (s) => {
      const tabs = s.tabs.filter((p) => p !== path);
      const { [path]: _dropped, ...buffers } = s.buffers;
      const active = s.active === path ? tabs[Math.max(0, s.tabs.indexOf(path) - 1)] : s.active;
      return { tabs, active, buffers };
    });
  }

  /** A file or folder was renamed: its tabs, buffers and editor states follow it. */
  rename(ws: string, from: string, to: string): void {
    const moved = (p: string) => (p === from ? to : p.startsWith(`${from}/`) ? to + p.slice(from.length) : p);
    for (const map of [this.snapshots, this.live] as Array<Map<string, unknown>>) {
      for (const [key, value] of [...map]) {
        const [w, p] = splitKey(key);
        if (w === ws && moved(p) !== p) {
          map.delete(key);
          map.set(keyOf(ws, moved(p)), value);
        }
      }
    }
    const positions = this.positions.get(ws) ?? {};
    this.positions.set(ws, Object.fromEntries(Object.entries(positions).map(([p, v]) => [moved(p), v])));
    this.update(ws, (s) => ({
      tabs: s.tabs.map(moved),
      active: s.active && moved(s.active),
      selected: s.selected && moved(s.selected),
      buffers: Object.fromEntries(Object.entries(s.buffers).map(([p, b]) => [moved(p), b])),
    }));
  }

  // Tree

  setSelected(ws: string, path: string | undefined): void {
    if (this.get(ws).selected !== path) this.update(ws, () => ({ selected: path }));
  }

  setExpanded(ws: string, change: (prev: ReadonlySet<string>) => ReadonlySet<string>): void {
    const prev = new Set(this.get(ws).expanded);
    const next = change(prev);
    if (next === prev) return;
    this.update(ws, () => ({ expanded: [...next] }));
  }

  // Buffers

  /** The file's content arrived from disk (first load, reload, or a change while clean). */
  loaded(ws: string, path: string, content: string, etag: string): void {
    this.snapshots.delete(keyOf(ws, path));
    this.update(ws, (s) => ({ buffers: { ...s.buffers, [path]: { base: content, etag, dirty: false } } }));
    const live = this.live.get(keyOf(ws, path));
    if (live && live.text() !== content) live.replace(content);
  }

  /** Saved: the saved text is the new base; the buffer stays dirty if typing went on meanwhile. */
  saved(ws: string, path: string, content: string, etag: string): void {
    this.update(ws, (s) => ({ buffers: { ...s.buffers, [path]: { base: content, etag, dirty: this.text(ws, path) !== content } } }));
  }

  /** Forget the buffer so the next render loads the disk version (reload from disk). */
  dropBuffer(ws: string, path: string): void {
    this.snapshots.delete(keyOf(ws, path));
    this.update(ws, (s) => {
      const { [path]: _dropped, ...buffers } = s.buffers;
      return { buffers };
    });
  }

  /** The editor's document changed: React hears about it only when dirty flips. */
  docChanged(ws: string, path: string, doc: { length: number; toString(): string }): void {
    const b = this.get(ws).buffers[path];
    if (!b) return;
    const dirty = doc.length !== b.base.length || doc.toString() !== b.base;
    if (dirty !== b.dirty) this.update(ws, (s) => ({ buffers: { ...s.buffers, [path]: { ...b, dirty } } }));
  }

  /** The current text: the live editor's, the off-screen snapshot's, or the base. */
  text(ws: string, path: string): string | undefined {
    const key = keyOf(ws, path);
    return this.live.get(key)?.text() ?? this.snapshots.get(key)?.doc ?? this.get(ws).buffers[path]?.base;
  }

  dirtyPaths(ws: string | undefined): string[] {
    if (!ws) return [];
    const s = this.sessions.get(ws);
    return s ? s.tabs.filter((p) => s.buffers[p]?.dirty) : [];
  }

  anyDirty(): boolean {
    return this.dirtyWorkspaces().length > 0;
  }

  /** The workspaces with unsaved edits. */
  dirtyWorkspaces(): string[] {
    return [...this.sessions.keys()].filter((ws) => this.dirtyPaths(ws).length > 0);
  }

  /** Throw away unsaved edits (Don't save): each dirty file goes back to its base text. */
  discard(ws: string, paths: string[]): void {
    for (const path of paths) {
      this.snapshots.delete(keyOf(ws, path));
      const base = this.get(ws).buffers[path]?.base;
      const live = this.live.get(keyOf(ws, path));
      if (live && base !== undefined) live.replace(base);
    }
    this.update(ws, (s) => ({
      buffers: Object.fromEntries(Object.entries(s.buffers).map(([p, b]) => [p, paths.includes(p) ? { ...b, dirty: false } : b])),
    }));
  }

  // Editors

  /** How a mounting editor should start: its snapshot, or the base text and the remembered position. */
  editorStart(ws: string, path: string): { snapshot?: EditorSnapshot; position?: EditorPosition } {
    return { snapshot: this.snapshots.get(keyOf(ws, path)), position: this.positions.get(ws)?.[path] };
  }

  attach(ws: string, path: string, editor: LiveEditor): void {
    this.live.set(keyOf(ws, path), editor);
  }

  /** An editor unmounts (tab or view switch): keep its state until it comes back. */
  detach(ws: string, path: string, editor: LiveEditor, snapshot: EditorSnapshot): void {
    const key = keyOf(ws, path);
    if (this.live.get(key) === editor) this.live.delete(key);
    if (this.get(ws).tabs.includes(path)) {
      this.snapshots.set(key, snapshot);
      this.positions.set(ws, { ...this.positions.get(ws), [path]: snapshot.position });
      this.persist(ws);
    }
  }

  private forget(ws: string, path: string): void {
    this.snapshots.delete(keyOf(ws, path));
    this.live.delete(keyOf(ws, path));
    const positions = { ...this.positions.get(ws) };
    delete positions[path];
    this.positions.set(ws, positions);
  }
}

const keyOf = (ws: string, path: string) => `${ws}\u0000${path}`;
const splitKey = (key: string) => key.split('\u0000') as [string, string];

/** The one session store of the window. */
export const editorSessions = new EditorSessions();

export function useWorkspaceSession(ws: string): WorkspaceSession {
  return useSyncExternalStore(editorSessions.subscribe, () => editorSessions.get(ws));
}
