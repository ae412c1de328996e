/**
 * Runtime-level state: status (version, git in use, counts), config, and the live host stats the
 * `system_stats` event patches into the cache (no HTTP route serves them).
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { runtimeApi, type RuntimeConfig } from '../../../src-runtime/contract/runtime.js';
import { api } from '../../api/client.js';
import type { EventHandlers } from '../../api/event-socket.js';

export interface SystemStats {
  cpu_percent: number;
  memory_percent: number;
  disk_percent: number;
}

export const systemKeys = {
  all: ['system'] as const,
  status: () => [...systemKeys.all, 'status'] as const,
  config: () => [...systemKeys.all, 'config'] as const,
  stats: () => [...systemKeys.all, 'stats'] as const,
};

export const runtimeStatusQuery = () =>
  queryOptions({ queryKey: systemKeys.status(), queryFn: ({ signal }) => api().call(runtimeApi.status, { signal }), staleTime: 30_000 });

export const runtimeConfigQuery = () =>
  queryOptions({ queryKey: systemKeys.config(), queryFn: ({ signal }) => api().call(runtimeApi.getConfig, { signal }) });

/** Stats only arrive as events; the query never fetches. */
export const systemStatsQuery = () =>
  queryOptions<SystemStats | null>({ queryKey: systemKeys.stats(), queryFn: () => null, staleTime: Infinity, gcTime: Infinity });

export function useSaveRuntimeConfig() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (config: Partial<RuntimeConfig>) => api().call(runtimeApi.putConfig, { body: config }),
    onSuccess: (data) => qc.setQueryData(systemKeys.config(), data),
  });
}

export const systemEventHandlers: EventHandlers = {
  system_stats: (event, qc) => {
    const stats = (event as unknown as { stats?: SystemStats }).stats;
    if (stats) qc.setQueryData(systemKeys.stats(), stats);
  },
};
