/**
 * Workspace files: folder listings (one query per expanded folder), file contents with their
 * ETag, name and content search, and the mutations (write with If-Match, move, mkdir, delete,
 * upload). `file_changed` invalidates the parent folder's listing and the file's content.
 */
import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { filesApi, type FileEntry, type SearchBody } from '../../../src-runtime/contract/files.js';
import { withUndo } from '../../app/undo-discard.js';
import { api } from '../../api/client.js';
import type { EventHandlers } from '../../api/event-socket.js';

export interface DirectoryListing {
  path: string;
  entries: FileEntry[];
  truncated: boolean;
}

export interface FileContent {
  path: string;
  content: string;
  encoding: 'utf-8' | 'base64';
  size: number;
  mtime: string;
  etag: string;
}

export const fileKeys = {
  all: ['files'] as const,
  workspace: (ws: string) => [...fileKeys.all, ws] as const,
  lists: (ws: string) => [...fileKeys.workspace(ws), 'list'] as const,
  list: (ws: string, dir: string) => [...fileKeys.lists(ws), dir] as const,
  content: (ws: string, path: string) => [...fileKeys.workspace(ws), 'content', path] as const,
  search: (ws: string, body: SearchBody) => [...fileKeys.workspace(ws), 'search', body] as const,
};

export const parentOf = (path: string) => (path.includes('/') ? path.slice(0, path.lastIndexOf('/')) : '');
export const baseName = (path: string) => path.slice(path.lastIndexOf('/') + 1);

/**
 * Folders first, then by name, the way file managers sort. Done once per fetch (select). The
 * runtime already lists names in code-point order, so usually a stable partition (O(n)) is enough;
 * a full sort only when the input is not ordered.
 */
export function sortEntries(listing: DirectoryListing): DirectoryListing {
  const list = listing.entries;
  let ordered = true;
  for (let i = 1; i < list.length && ordered; i++) ordered = (list[i - 1] as FileEntry).name <= (list[i] as FileEntry).name;
  const byName = ordered ? list : [...list].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const dirs: FileEntry[] = [];
  const files: FileEntry[] = [];
  for (const e of byName) (e.type === 'directory' ? dirs : files).push(e);
  return { ...listing, entries: dirs.length ? dirs.concat(files) : files };
}

export const listDirQuery = (ws: string, dir: string) =>
  queryOptions({
    queryKey: fileKeys.list(ws, dir),
    queryFn: async ({ signal }) =>
      (await api().call(filesApi.read, { params: { id: ws, path: dir }, query: { depth: 1, limit: 200_000 }, signal })) as DirectoryListing,
    select: sortEntries,
    staleTime: 30_000,
  });

export const fileContentQuery = (ws: string, path: string) =>
  queryOptions({
    queryKey: fileKeys.content(ws, path),
    queryFn: async ({ signal }) => (await api().call(filesApi.read, { params: { id: ws, path }, query: { format: 'json' }, signal })) as FileContent,
    staleTime: Infinity,
  });

export const searchQuery = (ws: string, body: SearchBody) =>
  queryOptions({
    queryKey: fileKeys.search(ws, body),
    queryFn: ({ signal }) => api().call(filesApi.search, { params: { id: ws }, body, signal }),
    staleTime: 5_000,
    placeholderData: (prev) => prev,
  });

function invalidateAround(qc: QueryClient, ws: string, path: string) {
  void qc.invalidateQueries({ queryKey: fileKeys.list(ws, parentOf(path)) });
}

export function useWriteFile(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ path, content, etag, create }: { path: string; content: string; etag?: string; create?: boolean }) =>
      api().call(filesApi.write, {
        params: { id: ws, path },
        query: create ? { mkdir: 'true' } : undefined,
        body: content,
        headers: { 'content-type': 'text/plain; charset=utf-8', ...(etag ? { 'if-match': etag } : create ? { 'if-none-match': '*' } : {}) },
      }),
    onSuccess: (result, { path, content }) => {
      qc.setQueryData<FileContent>(fileKeys.content(ws, path), (old) => ({
        path,
        content,
        encoding: 'utf-8',
        size: result.file.size,
        mtime: result.file.mtime,
        etag: result.file.etag,
        ...(old ? {} : {}),
      }));
      if (result.file.created) invalidateAround(qc, ws, path);
    },
  });
}

export function useMoveFile(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ from, to }: { from: string; to: string }) => api().call(filesApi.move, { params: { id: ws }, body: { from, to } }),
    onSuccess: (_r, { from, to }) => {
      invalidateAround(qc, ws, from);
      invalidateAround(qc, ws, to);
      qc.removeQueries({ queryKey: fileKeys.content(ws, from) });
    },
  });
}

export function useMkdir(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (path: string) => api().call(filesApi.mkdir, { params: { id: ws }, body: { path } }),
    onSuccess: (_r, path) => invalidateAround(qc, ws, path),
  });
}

export function useDeleteFile(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    // After a snapshot: the Git view's "Undo discard" brings it back (app/undo-discard.ts).
    mutationFn: async ({ path, recursive }: { path: string; recursive: boolean }) =>
      (await withUndo(ws, [path], 'deleted', () => api().call(filesApi.remove, { params: { id: ws, path }, query: recursive ? { recursive: 'true' } : undefined }))).result,
    onSuccess: (_r, { path }) => {
      invalidateAround(qc, ws, path);
      qc.removeQueries({ queryKey: fileKeys.content(ws, path) });
    },
  });
}

export function useUpload(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ dir, files }: { dir: string; files: File[] }) => {
      const form = new FormData();
      for (const file of files) form.append('file', file, file.name);
      return api().call(filesApi.upload, { params: { id: ws }, query: dir ? { path: dir } : undefined, body: form });
    },
    onSuccess: (_r, { dir }) => void qc.invalidateQueries({ queryKey: fileKeys.list(ws, dir) }),
  });
}

/** Coalesce bursts (a `git checkout` touches hundreds of files) into one invalidation per key. */
const pending = new Map<string, { qc: QueryClient; key: readonly unknown[] }>();
let flushTimer: ReturnType<typeof setTimeout> | undefined;
function invalidateSoon(qc: QueryClient, key: readonly unknown[]) {
  pending.set(JSON.stringify(key), { qc, key });
  flushTimer ??= setTimeout(() => {
    flushTimer = undefined;
    const batch = [...pending.values()];
    pending.clear();
    for (const { qc: client, key: k } of batch) void client.invalidateQueries({ queryKey: k, exact: true });
  }, 60);
}

export const fileEventHandlers: EventHandlers = {
  file_changed: (event, qc) => {
    const ws = String(event.workspace_id ?? '');
    const path = String(event.path ?? '');
    if (!ws || path.startsWith('.git/')) return;
    if (event.event_type !== 'modified') invalidateSoon(qc, fileKeys.list(ws, parentOf(path)));
    // Only refetch contents somebody has open (an editor observes the query).
    if (qc.getQueryCache().find({ queryKey: fileKeys.content(ws, path), exact: true })?.getObserversCount()) {
      invalidateSoon(qc, fileKeys.content(ws, path));
    }
    if (event.event_type === 'deleted') invalidateSoon(qc, fileKeys.list(ws, path));
  },
};
