/**
 * Saving an open file from the editing session: the editor's current text, sent with If-Match on
 * the ETag it was loaded from. A 412 (changed on disk meanwhile) comes back as `conflict` for the
 * caller to turn into a choice; nothing is overwritten silently.
 */
import { useCallback } from 'react';
import { ApiError } from '../../../src-runtime/contract/errors.js';
import { editorSessions } from '../../app/editor-session.js';
import { useWriteFile } from './queries.js';

export type SaveResult = { ok: true } | { ok: false; conflict: boolean; error: unknown };

export function useSaveFile(ws: string) {
  const write = useWriteFile(ws);
  const { mutateAsync } = write;
  const save = useCallback(
    async (path: string, options: { overwrite?: boolean } = {}): Promise<SaveResult> => {
      const buffer = editorSessions.get(ws).buffers[path];
      const text = editorSessions.text(ws, path);
      if (!buffer || text === undefined) return { ok: false, conflict: false, error: new Error(`${path} is not open`) };
      try {
        const { file } = await mutateAsync({ path, content: text, etag: options.overwrite ? undefined : buffer.etag });
        editorSessions.saved(ws, path, text, file.etag);
        return { ok: true };
      } catch (error) {
        return { ok: false, conflict: error instanceof ApiError && error.status === 412, error };
      }
    },
    [ws, mutateAsync],
  );
  return { save, saving: write.isPending };
}
