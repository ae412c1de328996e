/**
 * Opening a folder as a workspace: the native dialog when the desktop bridge has one, otherwise a
 * path field with a server-side folder browser (GET /api/v1/system/folders) that starts in the
 * folder holding the last workspace opened here.
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useRef, useState } from 'react';
import { Dialog } from '../../ui/dialog.js';
import { ErrorState, Spinner } from '../../ui/states.js';
import { useToasts } from '../../ui/toasts.js';
import { foldersQuery } from './queries.js';
import { useOpenFolder } from './open-folder.js';

// Where the folder browser starts: the folder that held the last one opened (home the first time).
const LAST_FOLDER_KEY = 'workspace-runtime.last-folder-parent';
const lastFolderParent = () => {
  try {
    return localStorage.getItem(LAST_FOLDER_KEY) ?? undefined;
  } catch {
    return undefined;
  }
};
const rememberFolderParent = (root: string) => {
  const parent = root.replace(/[\\/][^\\/]+[\\/]?$/, '');
  try {
    if (parent && parent !== root) localStorage.setItem(LAST_FOLDER_KEY, parent);
  } catch {
    // Storage full or disabled: start at home next time.
  }
};

export function OpenWorkspaceDialog({ open, onClose, onOpened }: { open: boolean; onClose: () => void; onOpened: (id: string) => void }) {
  const [browsePath, setBrowsePath] = useState<string | undefined>(lastFolderParent);
  const [hidden, setHidden] = useState(false);
  const [typed, setTyped] = useState('');
  // A listing that arrives after the user started typing (or while the field has focus) must not
  // overwrite what they typed.
  const userTyped = useRef(false);
  const pathInput = useRef<HTMLInputElement>(null);
  const browse = (path: string | undefined) => {
    userTyped.current = false;
    setBrowsePath(path);
  };
  const folders = useQuery({ ...foldersQuery(browsePath, hidden), enabled: open });
  const toasts = useToasts();
  const openWorkspace = useOpenFolder((workspace) => {
    rememberFolderParent(workspace.root_dir);
    toasts.show('success', `Opened ${workspace.name}`);
    onOpened(workspace.id);
    onClose();
  });

  // Each time it opens: start over in the folder that held the last workspace opened.
  useEffect(() => {
    if (!open) return;
    const start = lastFolderParent();
    userTyped.current = false;
    setTyped(start ?? '');
    setBrowsePath(start);
  }, [open]);
  useEffect(() => {
    if (folders.data && !userTyped.current && document.activeElement !== pathInput.current) setTyped(folders.data.listing.path);
  }, [folders.data]);

  const submit = (path: string) => openWorkspace.open(path);

  const listing = folders.data?.listing;
  return (
    <Dialog open={open} title="Open a folder" onClose={onClose} wide>
      <form
        className="row"
        onSubmit={(e) => {
          e.preventDefault();
          if (typed.trim()) submit(typed);
        }}
      >
        <label className="sr-only" htmlFor="open-path">
          Folder path
        </label>
        <input
          id="open-path"
          ref={pathInput}
          className="input mono"
          style={{ flex: 1 }}
          value={typed}
          placeholder="/path/to/project"
          onChange={(e) => {
            userTyped.current = true;
            setTyped(e.target.value);
          }}
          aria-describedby="open-path-hint"
        />
        <button type="button" className="button" onClick={() => browse(typed.trim() || undefined)}>
          Go
        </button>
        <button type="submit" className="button button-primary" disabled={!typed.trim() || openWorkspace.pending}>
          {openWorkspace.pending ? 'Opening…' : 'Open'}
        </button>
      </form>
      <p id="open-path-hint" className="muted" style={{ margin: '6px 0 0' }}>
        Type a path or pick a folder below. The folder stays where it is; it is only registered.
      </p>
      {openWorkspace.error && <p className="invalid" role="alert">{openWorkspace.error.message}</p>}
      <div className="row" style={{ marginTop: 8 }}>
        <button type="button" className="button button-small" disabled={!listing?.parent} onClick={() => browse(listing?.parent ?? undefined)} aria-label="Parent folder">
          ↑ Up
        </button>
        <button type="button" className="button button-small" onClick={() => browse(listing?.home)}>
          Home
        </button>
        <span className="mono muted" style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis' }}>
          {listing?.path}
        </span>
        <label className="row">
          <input type="checkbox" checked={hidden} onChange={(e) => setHidden(e.target.checked)} /> Hidden folders
        </label>
      </div>
      <div className="folder-list" aria-label="Folders" role="list">
        {folders.isPending && <Spinner label="Listing folders" />}
        {folders.error && <ErrorState error={folders.error} title="Cannot list this folder" onRetry={() => browse(listing?.home)} />}
        {listing && listing.folders.length === 0 && <p className="muted" style={{ padding: 10 }}>No sub-folders here.</p>}
        {listing?.folders.map((f) => (
          <div key={f.path} role="listitem" className="list-item">
            <button type="button" className="list-item" style={{ padding: 0 }} onClick={() => browse(f.path)} onDoubleClick={() => submit(f.path)} aria-label={`Browse ${f.name}`}>
              <span aria-hidden="true">▸</span>
              <span className="grow">{f.name}</span>
            </button>
            <button type="button" className="button button-small" onClick={() => submit(f.path)} aria-label={`Open ${f.name} as workspace`}>
              Open
            </button>
          </div>
        ))}
        {listing?.truncated && <p className="muted">Only the first 2,000 folders are shown.</p>}
      </div>
      {openWorkspace.question}
    </Dialog>
  );
}
