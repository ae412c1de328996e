/**
 * App-wide providers: the query client, the one event socket wired to the cache (subscribed to the
 * open workspace), toasts and the client-side app state.
 */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { startEventSocket, type AppEventSocket, type EventHandlers } from '../api/event-socket.js';
import { ToastProvider, useToasts } from '../ui/toasts.js';
import { bridge } from '../api/connection.js';
import { useOpenFolder } from '../features/workspaces/open-folder.js';
import { AppStateProvider, useAppState } from './app-state.js';

function EventSocketBridge({ queryClient, handlers }: { queryClient: QueryClient; handlers: EventHandlers[] }) {
  const socket = useRef<AppEventSocket | null>(null);
  const { workspaceId, openWorkspace } = useAppState();
  const toasts = useToasts();
  // Folders from the menu, the command line or a drop: a folder inside a workspace asks which is meant.
  const openChosen = useOpenFolder(
    (workspace) => openWorkspace(workspace.id),
    (e) => toasts.error('Could not open the folder', e),
  );
  const openFolder = useRef(openChosen.open);
  openFolder.current = openChosen.open;
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
      desktop.onOpenFolder((path) => openFolder.current(path)),
      desktop.onReconnect(() => {
        socket.current?.reconnect();
        void queryClient.invalidateQueries();
      }),
      desktop.onCloseWorkspace(() => openWorkspace(undefined)),
    ];
    return () => offs.forEach((off) => off());
  }, [queryClient, openWorkspace]);
  useEffect(() => {
    socket.current?.setWorkspace(workspaceId);
  }, [workspaceId]);
  return openChosen.question;
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
