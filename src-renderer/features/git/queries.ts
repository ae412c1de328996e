/**
 * Version control: status, branches, history and diffs of the open workspace's repository, and
 * the mutations (stage, unstage, discard, commit, checkout, push, pull, init). `git_status_changed`
 * invalidates; `git_progress` is patched into a per-workspace progress entry the UI shows.
 */
import { queryOptions, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { gitApi } from '../../../src-runtime/contract/git.js';
import { undo, withUndo, type UndoEntry } from '../../app/undo-discard.js';
import { api } from '../../api/client.js';
import type { EventHandlers } from '../../api/event-socket.js';

export interface DiffTarget {
  staged?: boolean;
  path?: string;
  commit?: string;
}

export interface GitProgress {
  operation: string;
  phase: string;
  percent: number | null;
  done: boolean;
  text: string;
}

export const gitKeys = {
  all: ['git'] as const,
  workspace: (ws: string) => [...gitKeys.all, ws] as const,
  status: (ws: string) => [...gitKeys.workspace(ws), 'status'] as const,
  branches: (ws: string) => [...gitKeys.workspace(ws), 'branches'] as const,
  log: (ws: string) => [...gitKeys.workspace(ws), 'log'] as const,
  diffs: (ws: string) => [...gitKeys.workspace(ws), 'diff'] as const,
  diff: (ws: string, target: DiffTarget) => [...gitKeys.diffs(ws), target] as const,
  progress: (ws: string) => [...gitKeys.workspace(ws), 'progress'] as const,
};

export const gitStatusQuery = (ws: string) =>
  queryOptions({ queryKey: gitKeys.status(ws), queryFn: ({ signal }) => api().call(gitApi.status, { params: { id: ws }, signal }), staleTime: 5_000 });

export const gitBranchesQuery = (ws: string) =>
  queryOptions({ queryKey: gitKeys.branches(ws), queryFn: ({ signal }) => api().call(gitApi.branches, { params: { id: ws }, signal }) });

export const gitLogQuery = (ws: string) =>
  queryOptions({ queryKey: gitKeys.log(ws), queryFn: ({ signal }) => api().call(gitApi.log, { params: { id: ws }, query: { limit: 200, files: 'true' }, signal }) });

export const gitDiffQuery = (ws: string, target: DiffTarget) =>
  queryOptions({
    queryKey: gitKeys.diff(ws, target),
    queryFn: ({ signal }) =>
      api().call(gitApi.diff, {
        params: { id: ws },
        query: { staged: target.staged ? 'true' : undefined, path: target.path, commit: target.commit },
        signal,
      }),
    staleTime: target.commit ? Infinity : 2_000,
  });

export const gitProgressQuery = (ws: string) =>
  queryOptions<GitProgress | null>({ queryKey: gitKeys.progress(ws), queryFn: () => null, staleTime: Infinity });

function refreshAll(qc: QueryClient, ws: string) {
  void qc.invalidateQueries({ queryKey: gitKeys.status(ws) });
  void qc.invalidateQueries({ queryKey: gitKeys.diffs(ws) });
}

/** Mutations that answer with the new status put it straight into the cache. */
function useStatusMutation<V>(ws: string, fn: (vars: V) => Promise<{ status: unknown }>) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: fn,
    onSuccess: (data) => {
      qc.setQueryData(gitKeys.status(ws), { status: data.status } as never);
      void qc.invalidateQueries({ queryKey: gitKeys.diffs(ws) });
    },
  });
}

export const useStage = (ws: string) => useStatusMutation(ws, (paths: string[]) => api().call(gitApi.stage, { params: { id: ws }, body: { paths } }));
export const useUnstage = (ws: string) => useStatusMutation(ws, (paths: string[]) => api().call(gitApi.unstage, { params: { id: ws }, body: { paths } }));
/** Discard (or, for untracked files, delete) after a snapshot the Git view can undo from (app/undo-discard.ts). */
export const useDiscard = (ws: string) =>
  useStatusMutation(ws, async ({ paths, includeStaged, deleting }: { paths: string[]; includeStaged?: boolean; deleting?: boolean }) => {
    const { result } = await withUndo(ws, paths, deleting ? 'deleted' : 'discarded', () =>
      api().call(gitApi.discard, { params: { id: ws }, body: { paths, include_staged: includeStaged } }),
    );
    return result;
  });

/** Put back what an "Undo discard" entry names. */
export function useUndoDiscard(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (entry: UndoEntry) => undo(entry),
    onSuccess: () => refreshAll(qc, ws),
  });
}

export function useCommit(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { message: string; all?: boolean; amend?: boolean }) => api().call(gitApi.commit, { params: { id: ws }, body }),
    onSuccess: () => {
      refreshAll(qc, ws);
      void qc.invalidateQueries({ queryKey: gitKeys.log(ws) });
      void qc.invalidateQueries({ queryKey: gitKeys.branches(ws) });
    },
  });
}

export function useCheckout(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { branch: string; create?: boolean }) => api().call(gitApi.checkout, { params: { id: ws }, body }),
    onSuccess: (data) => {
      qc.setQueryData(gitKeys.status(ws), data);
      void qc.invalidateQueries({ queryKey: gitKeys.workspace(ws) });
      // Files on disk changed: every listing and open file may be stale.
      void qc.invalidateQueries({ queryKey: ['files', ws] });
    },
  });
}

export function usePush(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api().call(gitApi.push, { params: { id: ws }, body: {} }),
    onSuccess: (data) => {
      qc.setQueryData(gitKeys.status(ws), { status: data.status });
      void qc.invalidateQueries({ queryKey: gitKeys.branches(ws) });
    },
  });
}

export function usePull(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api().call(gitApi.pull, { params: { id: ws }, body: {} }),
    onSuccess: (data) => {
      qc.setQueryData(gitKeys.status(ws), data);
      void qc.invalidateQueries({ queryKey: gitKeys.workspace(ws) });
      void qc.invalidateQueries({ queryKey: ['files', ws] });
    },
  });
}

export function useInitRepo(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api().call(gitApi.init, { params: { id: ws }, body: {} }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: gitKeys.workspace(ws) }),
  });
}

export const gitEventHandlers: EventHandlers = {
  git_status_changed: (event, qc) => {
    const ws = String(event.workspace_id ?? '');
    if (!ws) return;
    refreshAll(qc, ws);
    void qc.invalidateQueries({ queryKey: gitKeys.branches(ws) });
    void qc.invalidateQueries({ queryKey: gitKeys.log(ws) });
  },
  git_progress: (event, qc) => {
    const ws = String(event.workspace_id ?? '');
    if (!ws) return;
    const e = event as unknown as GitProgress;
    qc.setQueryData(gitKeys.progress(ws), { operation: e.operation, phase: e.phase, percent: e.percent, done: e.done, text: e.text });
  },
};
