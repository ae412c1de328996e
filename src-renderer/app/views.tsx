/**
 * Which component renders each view. Feature views are code-split so the initial bundle holds only
 * the shell; heavy parts (editor, diff view) split further inside the features. A view whose chunk
 * has already arrived (preloaded at start-up) renders directly instead of through React.lazy, which
 * would suspend once more and wait out React's Suspense reveal throttle (~300 ms).
 */
import type { ComponentType } from 'react';
import { lazyComponent } from './lazy-component.js';
import type { Workspace } from '../../src-runtime/contract/workspaces.js';
import { GitStatusItem } from '../features/git/status-item.js';

export interface WorkspaceViewProps {
  workspace: Workspace;
}

const views = {
  files: lazyComponent<WorkspaceViewProps>(() => import('../features/files/files-view.js')),
  git: lazyComponent<WorkspaceViewProps>(() => import('../features/git/git-view.js')),
  agents: lazyComponent<WorkspaceViewProps>(() => import('../features/agents/agents-view.js')),
  apps: lazyComponent<WorkspaceViewProps>(() => import('../features/apps/apps-view.js')),
};

/** Start loading a view's chunk before React asks for it (the view in the URL at start-up). */
export function preloadView(view: string): void {
  views[view as keyof typeof views]?.preload();
}

export const viewRegistry: Record<'files' | 'git' | 'agents' | 'apps', ComponentType<WorkspaceViewProps>> & {
  statusLeft: ComponentType<WorkspaceViewProps>;
} = {
  files: views.files.Component,
  git: views.git.Component,
  agents: views.agents.Component,
  apps: views.apps.Component,
  statusLeft: GitStatusItem,
};
