/**
 * Which component renders each view. Feature views are code-split so the initial bundle holds only
 * the shell; heavy parts (editor, diff view) split further inside the features. A view whose chunk
 * has already arrived (preloaded at start-up) renders directly instead of through React.lazy, which
 * would suspend once more and wait out React's Suspense reveal throttle (~300 ms).
 */
import { createElement, lazy, type ComponentType } from 'react';
import type { Workspace } from '../../src-runtime/contract/workspaces.js';
import { GitStatusItem } from '../features/git/status-item.js';

export interface WorkspaceViewProps {
  workspace: Workspace;
}

type ViewModule = { default: ComponentType<WorkspaceViewProps> };

function lazyView(load: () => Promise<ViewModule>) {
  let loaded: ComponentType<WorkspaceViewProps> | undefined;
  let pending: Promise<ViewModule> | undefined;
  const start = () =>
    (pending ??= load().then((m) => {
      loaded = m.default;
      return m;
    }));
  const Lazy = lazy(start);
  function View(props: WorkspaceViewProps) {
    return createElement(loaded ?? Lazy, props);
  }
  return { View, preload: () => void start() };
}

const views = {
  files: lazyView(() => import('../features/files/files-view.js')),
  git: lazyView(() => import('../features/git/git-view.js')),
  agents: lazyView(() => import('../features/agents/agents-view.js')),
  apps: lazyView(() => import('../features/apps/apps-view.js')),
};

/** Start loading a view's chunk before React asks for it (the view in the URL at start-up). */
export function preloadView(view: string): void {
  views[view as keyof typeof views]?.preload();
}

export const viewRegistry: Record<'files' | 'git' | 'agents' | 'apps', ComponentType<WorkspaceViewProps>> & {
  statusLeft: ComponentType<WorkspaceViewProps>;
} = {
  files: views.files.View,
  git: views.git.View,
  agents: views.agents.View,
  apps: views.apps.View,
  statusLeft: GitStatusItem,
};
