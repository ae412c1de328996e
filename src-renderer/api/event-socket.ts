/**
 * The app's one event socket (WS /api/v1/ws): features declare which event types they care about
 * and what each does to the query cache (invalidate or patch); this module subscribes to exactly
 * those topics for the current workspace, reconnects (at most a second apart) and, after a reconnect,
 * invalidates every query so whatever changed while the socket was down is refetched. Every
 * connect and reconnect first asks for a single-use ticket: the token never appears in a socket URL.
 */
import type { QueryClient } from '@tanstack/react-query';
import { connectEventSocket, type ConnectionState, type EventSocket, type WebSocketCtor } from '../../src-runtime/client/index.js';
import type { WireEvent } from '../../src-runtime/contract/events.js';
import { api, currentConnection } from './client.js';

export type EventHandler = (event: WireEvent, queryClient: QueryClient) => void;
export type EventHandlers = Record<string, EventHandler>;

type Listener = () => void;

/** Connection state as an external store (useSyncExternalStore). */
class ConnectionStore {
  private state: ConnectionState = 'connecting';
  private since = Date.now();
  private readonly listeners = new Set<Listener>();
  get = () => this.state;
  sinceMs = () => this.since;
  set(next: ConnectionState) {
    if (next === this.state) return;
    this.state = next;
    this.since = Date.now();
    this.listeners.forEach((l) => l());
  }
  subscribe = (listener: Listener) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}

export const connectionStore = new ConnectionStore();

/** Whether the runtime is unreachable right now (the socket dropped and has not come back). */
export const isOffline = (state: ConnectionState) => state === 'reconnecting' || state === 'closed';

// The app's socket, for "Retry now" in the connection banner.
let appSocket: EventSocket | undefined;
/** Try to reach the runtime now instead of at the next backoff step. */
export function retryConnectionNow(): void {
  appSocket?.reconnect();
}

// A local runtime that restarts is back within a second or two: retry at most a second apart, so
// the window is live again within about a second of it (a remote runtime will want a longer cap).
const LOCAL_BACKOFF = { minMs: 250, maxMs: 1000 };

/** Event listeners outside the query cache (an open chat, a log view). */
const rawListeners = new Set<(event: WireEvent) => void>();
export function onRawEvent(listener: (event: WireEvent) => void): () => void {
  rawListeners.add(listener);
  return () => rawListeners.delete(listener);
}

export interface AppEventSocket {
  setWorkspace(workspaceId: string | undefined): void;
  /** Drop the socket and connect again now (the desktop runtime restarted). */
  reconnect(): void;
  close(): void;
}

export function startEventSocket(queryClient: QueryClient, handlerSets: EventHandlers[]): AppEventSocket {
  const handlers = new Map<string, EventHandler[]>();
  for (const set of handlerSets) {
    for (const [type, fn] of Object.entries(set)) handlers.set(type, [...(handlers.get(type) ?? []), fn]);
  }
  const topics = [...handlers.keys()];
  let workspaceId: string | undefined;
  const socket: EventSocket = connectEventSocket({
    baseUrl: currentConnection().baseUrl,
    token: () => currentConnection().token,
    ticket: () => api().ticket(),
    WebSocket: WebSocket as unknown as WebSocketCtor,
    topics,
    resume: false,
    backoff: LOCAL_BACKOFF,
    onEvent: (event) => {
      for (const fn of handlers.get(event.type) ?? []) {
        try {
          fn(event, queryClient);
        } catch (error) {
          console.error(`event handler for ${event.type} failed`, error);
        }
      }
      rawListeners.forEach((l) => l(event));
    },
    onState: (state, { resumed }) => {
      connectionStore.set(state);
      // Whatever changed while we were away: refetch active queries, mark the rest stale.
      if (state === 'open' && resumed) void queryClient.invalidateQueries();
    },
  });
  // Come back quickly after sleep or a network change instead of waiting out the backoff.
  const wake = () => {
    if (socket.state() === 'reconnecting') socket.reconnect();
  };
  window.addEventListener('online', wake);
  document.addEventListener('visibilitychange', wake);
  appSocket = socket;
  return {
    setWorkspace(next) {
      if (next === workspaceId) return;
      workspaceId = next;
      socket.subscribe(topics, next);
    },
    reconnect: () => socket.reconnect(),
    close() {
      window.removeEventListener('online', wake);
      document.removeEventListener('visibilitychange', wake);
      if (appSocket === socket) appSocket = undefined;
      socket.close();
    },
  };
}
