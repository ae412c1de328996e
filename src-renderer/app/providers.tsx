/**
 * App-wide providers: the query client, the one event socket wired to the cache (subscribed to the
 * open workspace), toasts and the client-side app state.
 */
import { QueryClientProvider, type QueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type ReactNode } from 'react';
import { startEventSocket, type AppEventSocket, type EventHandlers } from '../api/event-socket.js';
import { ToastProvider } from '../ui/toasts.js';
import { AppStateProvider, useAppState } from './app-state.js';

function EventSocketBridge({ queryClient, handlers }: { queryClient: QueryClient; handlers: EventHandlers[] }) {
  const socket = useRef<AppEventSocket | null>(null);
  const { workspaceId } = useAppState();
  useEffect(() => {
    socket.current = startEventSocket(queryClient, handlers);
    return () => socket.current?.close();
  }, [queryClient, handlers]);
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
