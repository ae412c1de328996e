/**
 * Toasts: short messages for failures, successes and progress of long operations. A toast with
 * `progress: true` stays until it is updated or dismissed; others fade after a few seconds.
 * The region is an ARIA live region so screen readers announce new toasts.
 */
import { createContext, useCallback, useContext, useMemo, useRef, useState, type ReactNode } from 'react';

export type ToastKind = 'info' | 'success' | 'error' | 'progress';

export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  detail?: string;
}

interface ToastApi {
  show(kind: ToastKind, title: string, detail?: string): number;
  update(id: number, kind: ToastKind, title: string, detail?: string): void;
  dismiss(id: number): void;
  error(title: string, error?: unknown): number;
}

const ToastContext = createContext<ToastApi | null>(null);

export function errorText(error: unknown): string {
  if (error instanceof Error) return error.message;
  return typeof error === 'string' ? error : 'Something went wrong';
}

export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const next = useRef(1);
  const timers = useRef(new Map<number, ReturnType<typeof setTimeout>>());

  const dismiss = useCallback((id: number) => {
    clearTimeout(timers.current.get(id));
    timers.current.delete(id);
    setToasts((list) => list.filter((t) => t.id !== id));
  }, []);
  const schedule = useCallback(
    (id: number, kind: ToastKind) => {
      clearTimeout(timers.current.get(id));
      if (kind === 'progress') return;
      timers.current.set(id, setTimeout(() => dismiss(id), kind === 'error' ? 8000 : 4000));
    },
    [dismiss],
  );
  const api = useMemo<ToastApi>(
    () => ({
      show(kind, title, detail) {
        const id = next.current++;
        setToasts((list) => [...list.slice(-4), { id, kind, title, detail }]);
        schedule(id, kind);
        return id;
      },
      update(id, kind, title, detail) {
        setToasts((list) => (list.some((t) => t.id === id) ? list.map((t) => (t.id === id ? { id, kind, title, detail } : t)) : [...list, { id, kind, title, detail }]));
        schedule(id, kind);
      },
      dismiss,
      error(title, error) {
        return this.show('error', title, error === undefined ? undefined : errorText(error));
      },
    }),
    [dismiss, schedule],
  );

  return (
    <ToastContext.Provider value={api}>
      {children}
      <div className="toasts" role="status" aria-live="polite" aria-label="Notifications">
        {toasts.map((t) => (
          <div key={t.id} className={`toast toast-${t.kind}`} role={t.kind === 'error' ? 'alert' : undefined}>
            {t.kind === 'progress' && <span className="spinner" aria-hidden="true" />}
            <div className="toast-body">
              <strong>{t.title}</strong>
              {t.detail && <div className="toast-detail">{t.detail}</div>}
            </div>
            <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(t.id)}>
              ×
            </button>
          </div>
        ))}
      </div>
    </ToastContext.Provider>
  );
}

export function useToasts(): ToastApi {
  const api = useContext(ToastContext);
  if (!api) throw new Error('useToasts outside ToastProvider');
  return api;
}
