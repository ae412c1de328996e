/**
 * Opening a chosen folder as a workspace (Open folder…, the folder browser): resolve it; a folder
 * inside a registered workspace asks which is meant — that workspace, or the folder as a workspace
 * of its own — instead of silently opening the parent.
 */
import { useState, type ReactNode } from 'react';
import type { Workspace } from '../../../src-runtime/contract/workspaces.js';
import { Dialog } from '../../ui/dialog.js';
import { useAddWorkspace, useOpenWorkspace } from './queries.js';

const trimSlashes = (path: string) => (path.length > 1 ? path.replace(/[\\/]+$/, '') : path);

/** Whether `path` is a folder strictly inside `root` (as typed; the runtime resolved the real one). */
export function isInsideWorkspace(path: string, root: string): boolean {
  const p = trimSlashes(path);
  const r = trimSlashes(root);
  return p !== r && (p.startsWith(`${r}/`) || p.startsWith(`${r}\\`));
}

export interface OpenFolder {
  open(path: string): void;
  pending: boolean;
  error: Error | null;
  /** The "inside another workspace" question, to render. */
  question: ReactNode;
}

/** `onError`: where a failed resolve goes (a toast); without it the caller shows `error` itself. */
export function useOpenFolder(onOpened: (workspace: Workspace) => void, onError?: (error: Error) => void): OpenFolder {
  const resolve = useOpenWorkspace();
  const add = useAddWorkspace();
  const [inside, setInside] = useState<{ path: string; workspace: Workspace } | null>(null);
  const open = (path: string) =>
    resolve.mutate(path.trim(), {
      onSuccess: ({ workspace }) => {
        if (isInsideWorkspace(path.trim(), workspace.root_dir)) setInside({ path: trimSlashes(path.trim()), workspace });
        else onOpened(workspace);
      },
      onError,
    });
  const question = inside && (
    <Dialog open wide title="This folder is inside a workspace" onClose={() => setInside(null)} describedBy="inside-text">
      <div className="confirm-message" id="inside-text">
        <p>
          <span className="mono">{inside.path}</span> is inside the workspace <strong>{inside.workspace.name}</strong> (
          <span className="mono">{inside.workspace.root_dir}</span>).
        </p>
        {add.error && (
          <p className="invalid" role="alert">
            {add.error.message}
          </p>
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" className="button" onClick={() => setInside(null)}>
          Cancel
        </button>
        <button
          type="button"
          className="button"
          disabled={add.isPending}
          onClick={() =>
            add.mutate(inside.path, {
              onSuccess: ({ workspace }) => {
                setInside(null);
                onOpened(workspace);
              },
            })
          }
        >
          Add this folder as its own workspace
        </button>
        <button
          type="button"
          className="button button-primary"
          data-autofocus
          onClick={() => {
            setInside(null);
            onOpened(inside.workspace);
          }}
        >
          Open {inside.workspace.name}
        </button>
      </div>
    </Dialog>
  );
  return { open, pending: resolve.isPending, error: resolve.error, question };
}
