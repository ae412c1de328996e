/**
 * A dialog asking for one name or path (new file, new folder, rename, new branch). `select` is
 * the part of the initial value to pre-select (rename: the name without its extension).
 */
import { useState } from 'react';
import { Dialog } from './dialog.js';

export function NamePrompt({
  open,
  title,
  label,
  initial,
  confirmLabel,
  onSubmit,
  onClose,
  error,
  select,
}: {
  open: boolean;
  title: string;
  label: string;
  initial: string;
  confirmLabel: string;
  onSubmit: (value: string) => void;
  onClose: () => void;
  error?: string | null;
  select?: [number, number];
}) {
  const [value, setValue] = useState(initial);
  // Reset while rendering (not in an effect), so the field has its value when the dialog focuses it.
  const [shown, setShown] = useState({ initial, open });
  if (shown.initial !== initial || shown.open !== open) {
    setShown({ initial, open });
    setValue(initial);
  }
  return (
    <Dialog open={open} title={title} onClose={onClose}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value.trim()) onSubmit(value.trim());
        }}
      >
        <div className="field">
          <label htmlFor="name-prompt">{label}</label>
          <input
            id="name-prompt"
            className="input mono"
            value={value}
            onChange={(e) => setValue(e.target.value)}
            data-autofocus
            data-select={select ? select.join(',') : undefined}
            spellCheck={false}
          />
          {error && (
            <span className="invalid" role="alert">
              {error}
            </span>
          )}
        </div>
        <div className="dialog-actions">
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
          <button type="submit" className="button button-primary" disabled={!value.trim()}>
            {confirmLabel}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

