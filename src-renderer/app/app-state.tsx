/**
 * Client-only UI state: the open workspace (remembered with a most-recently-used list in
 * localStorage) and the visible view (kept in the URL hash so reload and back work).
 */
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { readStoredStrings } from '../ui/stored-list.js';

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
  const openWorkspace = useCallback((id: string | undefined) => {
    if (id) rememberWorkspace(id);
    setWorkspaceId(id);
  }, []);
  const setView = useCallback((next: View) => {
    window.location.hash = `/${next}`;
    setViewState(next);
  }, []);
  const value = useMemo(() => ({ workspaceId, openWorkspace, view, setView }), [workspaceId, openWorkspace, view, setView]);
  return <AppStateContext.Provider value={value}>{children}</AppStateContext.Provider>;
}

export function useAppState(): AppState {
  const state = useContext(AppStateContext);
  if (!state) throw new Error('useAppState outside AppStateProvider');
  return state;
}
