/**
 * Form helpers for settings-style forms validated by a zod schema from the contract: issues are
 * mapped to field paths so each field shows its own message, and the JSON that will be sent is
 * shown beside the form.
 */
import type { ReactNode } from 'react';
import type { z } from 'zod';

export type FieldErrors = Record<string, string>;

export function validate<S extends z.ZodType>(schema: S, value: unknown): { ok: true; data: z.output<S> } | { ok: false; errors: FieldErrors } {
  const result = schema.safeParse(value);
  if (result.success) return { ok: true, data: result.data };
  const errors: FieldErrors = {};
  for (const issue of result.error.issues) {
    const key = issue.path.map(String).join('.') || '_';
    errors[key] ??= issue.message;
  }
  return { ok: false, errors };
}

export function Field({ id, label, hint, error, children }: { id: string; label: string; hint?: string; error?: string; children: ReactNode }) {
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children}
      {hint && (
        <span className="hint" id={`${id}-hint`}>
          {hint}
        </span>
      )}
      {error && (
        <span className="invalid" id={`${id}-error`} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

/** Comma- or newline-separated list ⇄ string[]. */
export const listToText = (list: string[] | undefined) => (list ?? []).join(', ');
export const textToList = (text: string) =>
  text
    .split(/[,\n]/)
    .map((s) => s.trim())
    .filter(Boolean);

export function JsonPreview({ value, label = 'JSON' }: { value: unknown; label?: string }) {
  return (
    <section aria-label={label}>
      <h3 style={{ marginBottom: 6 }}>{label}</h3>
      <pre className="json-view" data-testid="json-preview">
        {JSON.stringify(value, null, 2)}
      </pre>
    </section>
  );
}
