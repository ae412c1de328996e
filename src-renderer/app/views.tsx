/**
 * Which component renders each view. Feature views are code-split (React.lazy) so the initial
 * bundle holds only the shell; heavy parts (editor, diff view) split further inside the features.
 */
import { lazy, type ComponentType } from 'react';
import type { Workspace } from '../../src-runtime/contract/workspaces.js';
import { GitStatusItem } from '../features/git/status-item.js';

export interface WorkspaceViewProps {
  workspace: Workspace;
}

export const viewRegistry: Record<'files' | 'git' | 'agents' | 'apps', ComponentType<WorkspaceViewProps>> & {
  statusLeft: ComponentType<WorkspaceViewProps>;
} = {
  files: lazy(() => import('../features/files/files-view.js')),
  git: lazy(() => import('../features/git/git-view.js')),
  agents: lazy(() => import('../features/agents/agents-view.js')),
  apps: lazy(() => import('../features/apps/apps-view.js')),
  statusLeft: GitStatusItem,
};
