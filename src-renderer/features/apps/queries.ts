/**
 * Apps and scripts of the open workspace: the app list (patched by `app_status_changed`), build
 * status, scripts and recent executions (refreshed by `script_finished`), and the mutations to
 * start, stop, restart and set up apps and to run scripts.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { appsApi, scriptsApi, type App } from '../../../src-runtime/contract/apps.js';
import { api } from '../../api/client.js';
import type { EventHandlers } from '../../api/event-socket.js';

export const appKeys = {
  all: ['apps'] as const,
  list: (ws: string) => [...appKeys.all, ws, 'list'] as const,
  build: (appId: string) => [...appKeys.all, 'build', appId] as const,
  scripts: (ws: string) => ['scripts', ws, 'list'] as const,
  runs: (ws: string) => ['scripts', ws, 'runs'] as const,
};

export const appsQuery = (ws: string) =>
  queryOptions({ queryKey: appKeys.list(ws), queryFn: ({ signal }) => api().call(appsApi.list, { query: { workspace_id: ws }, signal }) });

export const buildStatusQuery = (appId: string) =>
  queryOptions({ queryKey: appKeys.build(appId), queryFn: ({ signal }) => api().call(appsApi.buildStatus, { params: { app_id: appId }, signal }) });

export const scriptsQuery = (ws: string) =>
  queryOptions({ queryKey: appKeys.scripts(ws), queryFn: ({ signal }) => api().call(scriptsApi.list, { query: { workspace_id: ws }, signal }) });

export const runsQuery = (ws: string) =>
  queryOptions({ queryKey: appKeys.runs(ws), queryFn: ({ signal }) => api().call(scriptsApi.runs, { query: { workspace_id: ws }, signal }) });

function patchApp(ws: string, app: App, qc: ReturnType<typeof useQueryClient>) {
  qc.setQueryData(appKeys.list(ws), (old: { apps: App[] } | undefined) => (old ? { apps: old.apps.map((a) => (a.id === app.id ? app : a)) } : old));
}

export function useAppAction(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ app, action }: { app: App; action: 'start' | 'stop' | 'restart' | 'setup' }) => {
      const params = { app_id: app.id };
      if (action === 'setup') {
        await api().call(appsApi.setup, { params });
        return undefined;
      }
      if (action === 'restart') {
        await api().call(appsApi.stop, { params });
        return (await api().call(appsApi.start, { params })).app;
      }
      return (await api().call(action === 'start' ? appsApi.start : appsApi.stop, { params })).app;
    },
    onSuccess: (app, { app: before, action }) => {
      if (app) patchApp(ws, app, qc);
      if (action === 'setup') void qc.invalidateQueries({ queryKey: appKeys.build(before.id) });
    },
  });
}

export function useRunScript(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (name: string) => api().call(scriptsApi.run, { params: { name }, query: { workspace_id: ws }, body: {} }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: appKeys.runs(ws) }),
  });
}

export const appEventHandlers: EventHandlers = {
  app_status_changed: (event, qc) => {
    const ws = String(event.workspace_id ?? '');
    const id = String(event.app_id ?? '');
    qc.setQueryData(appKeys.list(ws), (old: { apps: App[] } | undefined) =>
      old
        ? {
            apps: old.apps.map((a) =>
              a.id === id
                ? { ...a, status: event.status as App['status'], pid: (event.pid as number | null) ?? null, port: (event.port as number | null) ?? a.port, restarts: Number(event.restarts ?? a.restarts) }
                : a,
            ),
          }
        : old,
    );
    // The full resource (url, uptime, last error) comes with a refetch.
    void qc.invalidateQueries({ queryKey: appKeys.list(ws) });
    void qc.invalidateQueries({ queryKey: appKeys.build(id) });
  },
  script_finished: (event, qc) => {
    const ws = String((event.execution as { workspace_id?: string } | undefined)?.workspace_id ?? '');
    if (ws) void qc.invalidateQueries({ queryKey: appKeys.runs(ws) });
  },
};
