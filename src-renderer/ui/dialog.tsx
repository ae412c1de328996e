/**
 * A modal dialog on the native <dialog> element: focus is trapped and Escape closes it, as the
 * platform does; the title labels it for screen readers. On opening, focus goes to the element
 * marked `data-autofocus`, else the body's first field, else its first button — never the ×
 * (showModal alone would pick the first focusable element, the × in the header, so a reflex Enter
 * closed the dialog). A field may carry `data-select="start,end"` to pre-select part of its value
 * (rename selects the name without the extension); other fields with a value are selected whole.
 */
import { useEffect, useId, useRef, type ReactNode } from 'react';

export function Dialog({
  open,
  title,
  onClose,
  children,
  wide,
  describedBy,
}: {
  open: boolean;
  title: string;
  onClose: () => void;
  children: ReactNode;
  wide?: boolean;
  /** Id of the element whose text describes the dialog (read after the title). */
  describedBy?: string;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    if (open && !el.open) {
      el.showModal();
      focusFirst(el);
    }
    if (!open && el.open) el.close();
  }, [open]);
  return (
    <dialog
      ref={ref}
      className={wide ? 'dialog dialog-wide' : 'dialog'}
      aria-labelledby={titleId}
      aria-describedby={describedBy}
      aria-modal="true"
      onClose={onClose}
      onCancel={(e) => {
        e.preventDefault();
        onClose();
      }}
    >
      {open && (
        <>
          <header className="dialog-header">
            <h2 id={titleId}>{title}</h2>
            <button type="button" className="icon-button" aria-label="Close" onClick={onClose}>
              ×
            </button>
          </header>
          <div className="dialog-body">{children}</div>
        </>
      )}
    </dialog>
  );
}

const FIELDS = '.dialog-body input:not([type=checkbox]):not([type=radio]):not([disabled]), .dialog-body textarea:not([disabled]), .dialog-body select:not([disabled])';

function focusFirst(dialog: HTMLDialogElement): void {
  const target =
    dialog.querySelector<HTMLElement>('[data-autofocus]') ?? dialog.querySelector<HTMLElement>(FIELDS) ?? dialog.querySelector<HTMLElement>('.dialog-body button:not([disabled])');
  if (!target) return;
  target.focus();
  if (target instanceof HTMLInputElement || target instanceof HTMLTextAreaElement) {
    const range = target.dataset.select?.split(',').map(Number);
    const [start, end] = range ?? [];
    if (start !== undefined && end !== undefined && Number.isFinite(start) && Number.isFinite(end)) target.setSelectionRange(start, end);
    else if (target.value) target.select();
  }
}

/** Yes/no question as a dialog; resolves through the callbacks. */
export function ConfirmDialog({
  open,
  title,
  message,
  confirmLabel,
  danger,
  onConfirm,
  onCancel,
  extra,
}: {
  open: boolean;
  title: string;
  message: ReactNode;
  confirmLabel: string;
  danger?: boolean;
  onConfirm: () => void;
  onCancel: () => void;
  extra?: ReactNode;
}) {
  return (
    <Dialog open={open} title={title} onClose={onCancel}>
      <div className="confirm-message">{message}</div>
      <div className="dialog-actions">
        {extra}
        <button type="button" className="button" onClick={onCancel}>
          Cancel
        </button>
        <button type="button" className={danger ? 'button button-danger' : 'button button-primary'} onClick={onConfirm} data-autofocus>
          {confirmLabel}
        </button>
      </div>
    </Dialog>
  );
}
