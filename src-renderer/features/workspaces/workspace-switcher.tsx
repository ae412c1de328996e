/**
 * The top bar's workspace controls: the recent workspaces to switch between, Open Folder (native
 * dialog in the desktop app, the folder browser otherwise; a folder inside a workspace asks which
 * is meant), Remove from list (the folder stays) and the trust toggle (trusting goes
 * through the trust prompt; a workspace trusted through a trusted folder cannot be untrusted here).
 */
import { useQuery } from '@tanstack/react-query';
import { useEffect, useMemo, useState } from 'react';
import { recentWorkspaceIds, useAppState } from '../../app/app-state.js';
import { nativeFolderPicker } from '../../api/connection.js';
import { useToasts } from '../../ui/toasts.js';
import { OpenWorkspaceDialog } from './open-workspace-dialog.js';
import { useForgetWorkspace, useSetTrusted, workspaceListQuery } from './queries.js';
import { useOpenFolder } from './open-folder.js';
import { ConfirmDialog } from '../../ui/dialog.js';
import { useTrustPrompt } from './trust-prompt.js';

export function useCurrentWorkspace() {
  const { workspaceId } = useAppState();
  const list = useQuery(workspaceListQuery());
  const workspace = list.data?.workspaces.find((w) => w.id === workspaceId);
  return { workspace, list };
}

export function WorkspaceSwitcher() {
  const { workspaceId, openWorkspace } = useAppState();
  const { workspace, list } = useCurrentWorkspace();
  const [dialogOpen, setDialogOpen] = useState(false);
  const trustPrompt = useTrustPrompt();
  const setTrusted = useSetTrusted();
  const toasts = useToasts();
  const openChosen = useOpenFolder(
    (ws) => openWorkspace(ws.id),
    (e) => toasts.error('Could not open the folder', e),
  );
  const forget = useForgetWorkspace();
  const [removing, setRemoving] = useState(false);

  // Pick a workspace when none is chosen (or the remembered one is gone): the default one, or the first.
  useEffect(() => {
    const all = list.data?.workspaces;
    if (!all || all.length === 0) return;
    if (workspaceId && all.some((w) => w.id === workspaceId)) return;
    const recent = recentWorkspaceIds().find((id) => all.some((w) => w.id === id));
    openWorkspace(recent ?? all.find((w) => w.is_default)?.id ?? all[0]?.id);
  }, [list.data, workspaceId, openWorkspace]);

  const ordered = useMemo(() => {
    const recent = recentWorkspaceIds();
    const rank = (id: string) => (recent.indexOf(id) === -1 ? 999 : recent.indexOf(id));
    return [...(list.data?.workspaces ?? [])].sort((a, b) => rank(a.id) - rank(b.id) || a.name.localeCompare(b.name));
  }, [list.data]);

  const openFolder = async () => {
    const picker = nativeFolderPicker();
    if (!picker) return setDialogOpen(true);
    const path = await picker();
    if (!path) return;
    openChosen.open(path);
  };

  const remove = (id: string) =>
    forget.mutate(id, {
      onSuccess: () => {
        setRemoving(false);
        toasts.show('success', `Removed ${workspace?.name ?? 'the workspace'} from the list; its folder is untouched`);
        openWorkspace(ordered.find((w) => w.id !== id)?.id);
      },
      onError: (e) => toasts.error('Could not remove the workspace', e),
    });

  return (
    <>
      <label className="sr-only" htmlFor="workspace-select">
        Workspace
      </label>
      <select
        id="workspace-select"
        className="select"
        value={workspaceId ?? ''}
        onChange={(e) => openWorkspace(e.target.value || undefined)}
        disabled={ordered.length === 0}
        title={workspace?.root_dir}
      >
        {ordered.length === 0 && <option value="">No workspace</option>}
        {ordered.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name} — {w.root_dir}
          </option>
        ))}
      </select>
      <button type="button" className="button" onClick={() => void openFolder()}>
        Open folder…
      </button>
      {workspace && (
        <button
          type="button"
          className={workspace.trusted ? 'button' : 'button button-danger'}
          aria-pressed={workspace.trusted}
          disabled={workspace.trusted_by_folder !== null}
          title={
            workspace.trusted_by_folder !== null
              ? `Trusted because it is inside the trusted folder ${workspace.trusted_by_folder} (runtime settings)`
              : workspace.trusted
                ? 'Apps, scripts, agents and hooks may run in this workspace'
                : 'Files and git work; apps, scripts, agents and hooks need trust'
          }
          onClick={() =>
            workspace.trusted
              ? setTrusted.mutate({ id: workspace.id, trusted: false }, { onError: (e) => toasts.error('Could not untrust the workspace', e) })
              : trustPrompt.ask()
          }
        >
          {workspace.trusted ? (workspace.trusted_by_folder !== null ? '✓ Trusted (folder)' : '✓ Trusted') : 'Untrusted — trust…'}
        </button>
      )}
      {workspace && (
        <button type="button" className="button" onClick={() => setRemoving(true)} title="Remove this workspace from the list; the folder and its files stay where they are">
          Remove from list
        </button>
      )}
      {workspace && (
        <ConfirmDialog
          open={removing}
          title={`Remove ${workspace.name} from the list?`}
          message={
            <p>
              The folder <span className="mono">{workspace.root_dir}</span> and its files stay where they are; only the runtime forgets it. Opening the folder again adds it back,
              untrusted until you trust it again.
            </p>
          }
          confirmLabel="Remove from list"
          danger
          onConfirm={() => remove(workspace.id)}
          onCancel={() => setRemoving(false)}
        />
      )}
      {openChosen.question}
      <OpenWorkspaceDialog open={dialogOpen} onClose={() => setDialogOpen(false)} onOpened={openWorkspace} />
    </>
  );
}

/** Shown when nothing is open yet. */
export function Welcome() {
  const [dialogOpen, setDialogOpen] = useState(false);
  const { openWorkspace } = useAppState();
  return (
    <div className="empty-state" style={{ marginTop: '12vh' }}>
      <h1 style={{ marginBottom: 8 }}>Workspace Runtime</h1>
      <p>Open a folder to browse its files, use git, run its apps and scripts, and work with coding agents.</p>
      <button type="button" className="button button-primary" onClick={() => setDialogOpen(true)}>
        Open folder…
      </button>
      <OpenWorkspaceDialog open={dialogOpen} onClose={() => setDialogOpen(false)} onOpened={openWorkspace} />
    </div>
  );
}
