/**
 * App-wide providers: the query client, the one event socket wired to the cache (subscribed to the
 * open workspace), toasts and the client-side app state.
 */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { startEventSocket, type AppEventSocket, type EventHandlers } from '../api/event-socket.js';
import { ToastProvider, useToasts } from '../ui/toasts.js';
import { api } from '../api/client.js';
import { bridge } from '../api/connection.js';
import { workspacesApi } from '../../src-runtime/contract/workspaces.js';
import { AppStateProvider, useAppState } from './app-state.js';

function EventSocketBridge({ queryClient, handlers }: { queryClient: QueryClient; handlers: EventHandlers[] }) {
  const socket = useRef<AppEventSocket | null>(null);
  const { workspaceId, openWorkspace } = useAppState();
  const toasts = useToasts();
  useEffect(() => {
    socket.current = startEventSocket(queryClient, handlers);
    return () => socket.current?.close();
  }, [queryClient, handlers]);
  // Desktop app: folders opened from the menu, the command line or a drop on the window; the
  // runtime restarting under us; File › Close Workspace.
  useEffect(() => {
    const desktop = bridge();
    if (!desktop) return;
    const offs = [
      desktop.onOpenFolder((path) => {
        api()
          .call(workspacesApi.resolve, { body: { path } })
          .then(({ workspace }) => {
            void queryClient.invalidateQueries({ queryKey: ['workspaces'] });
            openWorkspace(workspace.id);
          })
          .catch((e: unknown) => toasts.error(`Could not open ${path}`, e));
      }),
      desktop.onReconnect(() => {
        socket.current?.reconnect();
        void queryClient.invalidateQueries();
      }),
      desktop.onCloseWorkspace(() => openWorkspace(undefined)),
    ];
    return () => offs.forEach((off) => off());
  }, [queryClient, openWorkspace, toasts]);
  useEffect(() => {
    socket.current?.setWorkspace(workspaceId);
  }, [workspaceId]);
  return null;
}

export function Providers({ queryClient, handlers, children }: { queryClient: QueryClient; handlers: EventHandlers[]; children: ReactNode }) {
  return (
    <QueryClientProvider client={queryClient}>
      <ToastProvider>
        <AppStateProvider>
          <EventSocketBridge queryClient={queryClient} handlers={handlers} />
          {children}
        </AppStateProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}
