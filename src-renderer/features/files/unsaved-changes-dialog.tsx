/**
 * The question before unsaved text could be lost (closing a tab, switching workspace): Save,
 * Don't save or Cancel. Save writes every listed file (If-Match); if one cannot be saved the
 * dialog stays open and says why, so nothing is dropped without a choice.
 */
import { useState } from 'react';
import { Dialog } from '../../ui/dialog.js';
import { editorSessions } from '../../app/editor-session.js';
import { baseName } from './queries.js';
import { useSaveFile } from './save-file.js';

export type UnsavedChoice = 'saved' | 'discarded' | 'cancelled';

export function UnsavedChangesDialog({ workspaceId, paths, action, onResolved }: { workspaceId: string; paths: string[]; action: string; onResolved: (choice: UnsavedChoice) => void }) {
  const { save, saving } = useSaveFile(workspaceId);
  const [problem, setProblem] = useState<string | null>(null);
  const one = paths.length === 1 ? baseName(paths[0] ?? '') : undefined;

  const saveAll = async () => {
    setProblem(null);
    for (const path of paths) {
      const result = await save(path);
      if (!result.ok) {
        setProblem(
          result.conflict
            ? `${path} changed on disk since you opened it. Cancel and save it from the editor to choose between your version and the disk's.`
            : `Could not save ${path}: ${result.error instanceof Error ? result.error.message : String(result.error)}`,
        );
        return;
      }
    }
    onResolved('saved');
  };

  return (
    <Dialog open title={one ? `Save changes to ${one}?` : `Save changes to ${paths.length} files?`} onClose={() => onResolved('cancelled')} describedBy="unsaved-text">
      <div className="confirm-message" id="unsaved-text">
        <p>
          {one ? `${paths[0]} has unsaved changes.` : 'These files have unsaved changes:'} They are lost if you {action} without saving.
        </p>
        {!one && (
          <ul className="mono">
            {paths.map((p) => (
              <li key={p}>{p}</li>
            ))}
          </ul>
        )}
        {problem && (
          <p className="invalid" role="alert">
            {problem}
          </p>
        )}
      </div>
      <div className="dialog-actions">
        <button
          type="button"
          className="button button-danger"
          disabled={saving}
          onClick={() => {
            editorSessions.discard(workspaceId, paths);
            onResolved('discarded');
          }}
        >
          Don't save
        </button>
        <button type="button" className="button" disabled={saving} onClick={() => onResolved('cancelled')}>
          Cancel
        </button>
        <button type="button" className="button button-primary" disabled={saving} onClick={() => void saveAll()} data-autofocus>
          {saving ? 'Saving…' : 'Save'}
        </button>
      </div>
    </Dialog>
  );
}
