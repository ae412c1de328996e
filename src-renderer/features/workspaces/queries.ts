/**
 * Workspaces: the registered folders, the open one's detail, the folder browser, and the
 * mutations to open (resolve), add, trust and forget a workspace. `workspace_changed` invalidates.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { workspacesApi } from '../../../src-runtime/contract/workspaces.js';
import { runtimeApi, systemFoldersApi } from '../../../src-runtime/contract/runtime.js';
import { api } from '../../api/client.js';
import type { EventHandlers } from '../../api/event-socket.js';

export const workspaceKeys = {
  all: ['workspaces'] as const,
  list: () => [...workspaceKeys.all, 'list'] as const,
  detail: (id: string) => [...workspaceKeys.all, 'detail', id] as const,
  folders: (path: string | undefined, hidden: boolean) => ['system', 'folders', path ?? '~', hidden] as const,
};

export const workspaceListQuery = () =>
  queryOptions({ queryKey: workspaceKeys.list(), queryFn: ({ signal }) => api().call(workspacesApi.list, { signal }) });

export const workspaceDetailQuery = (id: string) =>
  queryOptions({ queryKey: workspaceKeys.detail(id), queryFn: ({ signal }) => api().call(workspacesApi.get, { params: { id }, signal }) });

export const foldersQuery = (path: string | undefined, hidden: boolean) =>
  queryOptions({
    queryKey: workspaceKeys.folders(path, hidden),
    queryFn: ({ signal }) => api().call(systemFoldersApi.list, { query: { path, hidden: hidden ? 'true' : undefined }, signal }),
    staleTime: 5_000,
  });

export function useOpenWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (path: string) => api().call(workspacesApi.resolve, { body: { path } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workspaceKeys.list() }),
  });
}

/** Register a folder as its own workspace (POST /api/v1/workspaces), even inside another one. */
export function useAddWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (path: string) => api().call(workspacesApi.create, { body: { root_dir: path } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workspaceKeys.list() }),
  });
}

export function useSetTrusted() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, trusted }: { id: string; trusted: boolean }) => api().call(workspacesApi.patch, { params: { id }, body: { trusted } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workspaceKeys.all }),
  });
}

/** Add a folder to the runtime config's trusted_folders: every workspace inside it becomes trusted. */
export function useTrustFolder() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async (folder: string) => {
      // Read the current list fresh so a change made elsewhere since is not lost.
      const { config } = await api().call(runtimeApi.getConfig, {});
      const trusted_folders = config.trusted_folders.includes(folder) ? config.trusted_folders : [...config.trusted_folders, folder];
      return api().call(runtimeApi.patchConfig, { body: { trusted_folders } });
    },
    onSuccess: (data) => {
      qc.setQueryData(['system', 'config'], data);
      return qc.invalidateQueries({ queryKey: workspaceKeys.all });
    },
  });
}

export function useForgetWorkspace() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api().call(workspacesApi.remove, { params: { id } }),
    onSuccess: () => qc.invalidateQueries({ queryKey: workspaceKeys.all }),
  });
}

export const workspaceEventHandlers: EventHandlers = {
  workspace_changed: (_event, qc) => void qc.invalidateQueries({ queryKey: workspaceKeys.all }),
};
