/**
 * Client-only UI state: the open workspace (remembered with a most-recently-used list in
 * localStorage) and the visible view (kept in the URL hash so reload and back work). Leaving a
 * workspace with unsaved edits asks Save / Don't save / Cancel first; leaving the page with
 * unsaved edits (reload, closing the tab) is held by `beforeunload`, whichever view is showing. In
 * the desktop app, closing the window with unsaved edits asks the same question (once per
 * workspace with unsaved edits) and then closes it.
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, useSyncExternalStore, type ReactNode } from 'react';
import { readStoredStrings } from '../ui/stored-list.js';
import { editorSessions } from './editor-session.js';
import { UnsavedChangesDialog } from '../features/files/unsaved-changes-dialog.js';
import { bridge } from '../api/connection.js';

export type View = 'files' | 'git' | 'agents' | 'apps' | 'settings';
export const VIEWS: View[] = ['files', 'git', 'agents', 'apps', 'settings'];

const RECENT_KEY = 'workspace-runtime.recent-workspaces';

export function recentWorkspaceIds(): string[] {
  return readStoredStrings(RECENT_KEY);
}

function rememberWorkspace(id: string): void {
  localStorage.setItem(RECENT_KEY, JSON.stringify([id, ...recentWorkspaceIds().filter((x) => x !== id)].slice(0, 12)));
}

function viewFromHash(): View {
  const v = window.location.hash.replace(/^#\/?/, '').split('/')[0] as View;
  return VIEWS.includes(v) ? v : 'files';
}

interface AppState {
  workspaceId: string | undefined;
  openWorkspace(id: string | undefined): void;
  view: View;
  setView(view: View): void;
}

const AppStateContext = createContext<AppState | null>(null);

export function AppStateProvider({ children }: { children: ReactNode }) {
  const [workspaceId, setWorkspaceId] = useState<string | undefined>(() => recentWorkspaceIds()[0]);
  const [view, setViewState] = useState<View>(viewFromHash);
  useEffect(() => {
    const onHash = () => setViewState(viewFromHash());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, []);
  const current = useRef(workspaceId);
  current.current = workspaceId;
  const [leaving, setLeaving] = useState<{ from: string; to: string | undefined; paths: string[]; closingWindow?: boolean } | null>(null);
  const [closeWhenClean, setCloseWhenClean] = useState(false);
  const switchTo = useCallback((id: string | undefined) => {
    if (id) rememberWorkspace(id);
    setWorkspaceId(id);
  }, []);
  const openWorkspace = useCallback(
    (id: string | undefined) => {
      const from = current.current;
      const paths = from && id !== from ? editorSessions.dirtyPaths(from) : [];
      if (from && paths.length > 0) setLeaving({ from, to: id, paths });
      else switchTo(id);
    },
    [switchTo],
  );
  const anyDirty = useSyncExternalStore(editorSessions.subscribe, () => editorSessions.anyDirty());
  useEffect(() => {
    if (!anyDirty) return;
    const onUnload = (e: BeforeUnloadEvent) => e.preventDefault();
    window.addEventListener('beforeunload', onUnload);
    return () => window.removeEventListener('beforeunload', onUnload);
  }, [anyDirty]);
  // The desktop window is closing: ask about the open workspace's unsaved edits first, then any other's.
  useEffect(() => {
    const desktop = bridge();
    if (!desktop) return;
    return desktop.onCloseRequested(() => {
      const dirty = editorSessions.dirtyWorkspaces();
      const from = current.current && dirty.includes(current.current) ? current.current : dirty[0];
      if (!from) return desktop.closeWindow();
      setLeaving({ from, to: current.current, paths: editorSessions.dirtyPaths(from), closingWindow: true });
    });
  }, []);
  // Closed once `beforeunload` no longer objects (this effect runs after that one's cleanup).
  useEffect(() => {
    if (!closeWhenClean || anyDirty) return;
    setCloseWhenClean(false);
    bridge()?.closeWindow();
  }, [closeWhenClean, anyDirty]);
  const setView = useCallback((next: View) => {
    window.location.hash = `/${next}`;
    setViewState(next);
  }, []);
  const value = useMemo(() => ({ workspaceId, openWorkspace, view, setView }), [workspaceId, openWorkspace, view, setView]);
  return (
    <AppStateContext.Provider value={value}>
      {children}
      {leaving && (
        <UnsavedChangesDialog
          workspaceId={leaving.from}
          paths={leaving.paths}
          action={leaving.closingWindow ? 'close the window' : 'switch workspace'}
          onResolved={(choice) => {
            setLeaving(null);
            if (choice === 'cancelled') return;
            if (leaving.closingWindow) setCloseWhenClean(true);
            else switchTo(leaving.to);
          }}
        />
      )}
    </AppStateContext.Provider>
  );
}

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error('useAppState outside AppStateProvider');
  return state;
}
