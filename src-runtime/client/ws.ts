/**
 * The runtime's WebSocket endpoints from any environment: pass the WebSocket constructor (the
 * browser global, or `ws` in Node). `connectEventSocket` is the global hub (`WS /api/v1/ws`): it
 * subscribes to topics, reconnects with exponential backoff, resumes from the last seq with
 * `?after=`, and reports connection state so a UI can refetch what it may have missed.
 *
 * The token never goes in a socket URL (browsers print failed socket URLs in the console): before
 * every connect and reconnect the client exchanges it for a single-use ticket
 * (`POST /api/v1/auth/tickets`, Authorization header) and connects with `?ticket=`.
 */
import type { WireEvent } from '../contract/events.js';
import { createClient, type FetchLike } from './http.js';

/** The subset of the WebSocket API both the browser global and `ws` provide. */
export interface WebSocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: any) => void) | null;
  onmessage: ((ev: { data: any }) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: any) => void) | null;
}

export type WebSocketCtor = new (url: string) => WebSocketLike;

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'closed';

/**
 * ws:// URL of a path on the runtime with its query (pass `{ ticket }` for authentication: browsers
 * cannot set headers on a WebSocket). It takes no token on purpose.
 */
export function socketUrl(baseUrl: string, path: string, query: Record<string, string | number | undefined> = {}): string {
  const base = baseUrl || ((globalThis as { location?: { origin: string } }).location?.origin ?? '');
  const url = new URL(path, base);
  url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
  for (const [k, v] of Object.entries(query)) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}

export interface EventSocketOptions {
  baseUrl: string;
  /** Bearer token, sent only in the Authorization header of the ticket request. */
  token: string | null | (() => string | null | undefined);
  /** fetch for the ticket request (default the global one). */
  fetch?: FetchLike;
  /** How to get a fresh single-use ticket before each connect; default POST /api/v1/auth/tickets with `token`. */
  ticket?: () => Promise<string>;
  WebSocket: WebSocketCtor;
  /** Path of the endpoint; default the global hub. */
  path?: string;
  /** Event types to subscribe to ("*" for all); only for the global hub. */
  topics?: string[];
  workspaceId?: string;
  onEvent: (event: WireEvent) => void;
  /** State changes; `resumed` is true on an open that follows a drop (refetch what may be stale). */
  onState?: (state: ConnectionState, info: { resumed: boolean; attempt: number }) => void;
  /** Resume from the last seen seq on reconnect (default true). */
  resume?: boolean;
  backoff?: { minMs?: number; maxMs?: number };
}

export interface EventSocket {
  /** Change the subscription (topics and/or workspace) on the live socket and future reconnects. */
  subscribe(topics: string[], workspaceId?: string): void;
  state(): ConnectionState;
  close(): void;
  /** Drop the current connection and reconnect now (after the machine woke up, say). */
  reconnect(): void;
}

export function connectEventSocket(options: EventSocketOptions): EventSocket {
  const path = options.path ?? '/api/v1/ws';
  const minMs = options.backoff?.minMs ?? 500;
  const maxMs = options.backoff?.maxMs ?? 15_000;
  let topics = options.topics ?? [];
  let workspaceId = options.workspaceId;
  let socket: WebSocketLike | undefined;
  let state: ConnectionState = 'connecting';
  let lastSeq: number | undefined;
  let attempt = 0;
  let everOpened = false;
  let stopped = false;
  let timer: ReturnType<typeof setTimeout> | undefined;
  // Bumped by every open(): a ticket that arrives for a superseded attempt is dropped.
  let generation = 0;

  const setState = (next: ConnectionState, resumed = false) => {
    state = next;
    options.onState?.(next, { resumed, attempt });
  };
  const ticketClient = createClient({ baseUrl: options.baseUrl, token: () => (typeof options.token === 'function' ? options.token() : options.token), fetch: options.fetch });
  const ticket = options.ticket ?? (() => ticketClient.ticket());
  const sendSubscribe = () => {
    if (!socket || socket.readyState !== 1 || topics.length === 0) return;
    socket.send(JSON.stringify({ type: 'subscribe', topics, ...(workspaceId ? { workspace_id: workspaceId } : {}) }));
  };

  const retryLater = () => {
    attempt += 1;
    setState('reconnecting');
    const delay = Math.min(maxMs, minMs * 2 ** Math.min(attempt - 1, 10)) * (0.75 + Math.random() * 0.5);
    timer = setTimeout(() => void open(), delay);
  };

  const open = async () => {
    if (stopped) return;
    const mine = ++generation;
    let value: string;
    try {
      value = await ticket();
    } catch {
      // Runtime unreachable or the token refused: a failed attempt like a refused upgrade.
      if (mine === generation && !stopped) retryLater();
      return;
    }
    if (mine !== generation || stopped) return;
    const after = options.resume !== false && lastSeq !== undefined ? lastSeq : undefined;
    const ws = new options.WebSocket(socketUrl(options.baseUrl, path, { ticket: value, after }));
    socket = ws;
    ws.onopen = () => {
      const resumed = everOpened;
      everOpened = true;
      attempt = 0;
      sendSubscribe();
      setState('open', resumed);
    };
    ws.onmessage = (ev) => {
      let event: WireEvent;
      try {
        event = JSON.parse(typeof ev.data === 'string' ? ev.data : String(ev.data)) as WireEvent;
      } catch {
        return;
      }
      if (typeof event.seq === 'number') lastSeq = Math.max(lastSeq ?? 0, event.seq);
      options.onEvent(event);
    };
    ws.onerror = () => undefined;
    ws.onclose = () => {
      if (socket !== ws) return;
      socket = undefined;
      if (stopped) return setState('closed');
      retryLater();
    };
  };
  void open();
  options.onState?.('connecting', { resumed: false, attempt: 0 });

  return {
    subscribe(nextTopics, nextWorkspace) {
      topics = nextTopics;
      workspaceId = nextWorkspace;
      sendSubscribe();
    },
    state: () => state,
    close() {
      stopped = true;
      generation += 1;
      clearTimeout(timer);
      socket?.close(1000, 'client closed');
      if (!socket) setState('closed');
    },
    reconnect() {
      clearTimeout(timer);
      if (socket) socket.close(4000, 'reconnect');
      else void open();
    },
  };
}
