/**
 * The WebSocket hub: one `ws` server in noServer mode. Upgrades are authenticated (token in the
 * Authorization header, a single-use ?ticket= or ?access_token=), Host- and Origin-checked, and routed by path to the
 * handler a feature registered; failures answer 401/403/404 and destroy the socket. Ping/pong drops
 * dead peers. Also the global endpoint `WS /api/v1/ws` with topic subscriptions and ?after= replay.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import { hubClientMessage, type WireEvent } from '../contract/events.js';
import { hostAllowed, originAllowed, upgradeAuthRefusal, type GuardConfig } from '../http/guards.js';
import type { EventBus, EventStream } from './bus.js';
import { eachBytes } from './batch-bytes.js';
import { StreamPump, type PumpSink } from './stream-pump.js';

export type WsHandler = (socket: WebSocket, req: IncomingMessage, params: Record<string, string>, query: URLSearchParams) => void;

interface WsRoute {
  pattern: RegExp;
  keys: string[];
  handler: WsHandler;
}

function compile(path: string): { pattern: RegExp; keys: string[] } {
  const keys: string[] = [];
  const source = path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\\?\{([a-zA-Z_]+)\\?\}|:([a-zA-Z_]+)/g, (_m, a: string, b: string) => {
    keys.push(a ?? b);
    return '([^/]+)';
  });
  return { pattern: new RegExp(`^${source}$`), keys };
}

const MAX_UPGRADE_URL = 8 * 1024;

/** A decoded path segment, or null when its percent-encoding (or UTF-8) is malformed or it holds a NUL. */
function decodeSegment(raw: string): string | null {
  try {
    const value = decodeURIComponent(raw);
    return value.includes('\0') ? null : value;
  } catch {
    return null;
  }
}

/** The path of a request URL for a log line: never its query (tokens travel there). */
function safePath(url: string | undefined): string {
  return (url ?? '/').split('?')[0]!.slice(0, 200);
}

export class WsHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 1024 * 1024 });
  private readonly routes: WsRoute[] = [];
  private readonly alive = new WeakMap<WebSocket, boolean>();
  private pingTimer?: NodeJS.Timeout;

  constructor(
    private readonly guard: GuardConfig,
    pingIntervalMs = 30_000,
    /** Where a failing upgrade or handler is reported (once, with its stack). */
    private readonly onError: (message: string) => void = (m) => process.stderr.write(`${m}\n`),
  ) {
    this.pingTimer = setInterval(() => this.pingAll(), pingIntervalMs);
    this.pingTimer.unref();
  }

  route(path: string, handler: WsHandler): void {
    this.routes.push({ ...compile(path), handler });
  }

  /**
   * An upgrade is refused (4xx, socket destroyed) for anything malformed — a bad percent-encoding,
   * a path no route could name, an exception in a handler — and never throws: one bad upgrade
   * must not take the runtime (and every session with it) down.
   */
  handleUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    const refuse = (status: number, message: string) => {
      if (socket.destroyed) return;
      socket.write(`HTTP/1.1 ${status} ${message}\r\nConnection: close\r\nContent-Type: text/plain\r\nContent-Length: ${Buffer.byteLength(message)}\r\n\r\n${message}`);
      socket.destroy();
    };
    socket.on('error', () => socket.destroy());
    try {
      this.upgrade(req, socket, head, refuse);
    } catch (error) {
      this.onError(`WebSocket upgrade ${safePath(req.url)} failed: ${(error as Error)?.stack ?? String(error)}`);
      refuse(500, 'Internal error');
    }
  };

  private upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, refuse: (status: number, message: string) => void): void {
    if (!hostAllowed(req.headers.host, this.guard)) return refuse(403, 'Host not allowed');
    if (!originAllowed(req.headers.origin, this.guard)) return refuse(403, 'Origin not allowed');
    const denied = upgradeAuthRefusal(req, this.guard);
    if (denied) return refuse(401, denied);
    const rawUrl = req.url ?? '/';
    if (rawUrl.length > MAX_UPGRADE_URL) return refuse(414, 'URI too long');
    let url: URL;
    try {
      url = new URL(rawUrl, 'http://localhost');
    } catch {
      return refuse(400, 'Malformed request path');
    }
    for (const route of this.routes) {
      const match = route.pattern.exec(url.pathname);
      if (!match) continue;
      const params: Record<string, string> = {};
      for (const [i, key] of route.keys.entries()) {
        const value = decodeSegment(match[i + 1] ?? '');
        if (value === null) return refuse(400, `Malformed percent-encoding or a NUL byte in the path segment for ${key}`);
        params[key] = value;
      }
      this.wss.handleUpgrade(req, socket, head, (ws) => {
        this.alive.set(ws, true);
        ws.on('pong', () => this.alive.set(ws, true));
        try {
          route.handler(ws, req, params, url.searchParams);
        } catch (error) {
          this.onError(`WebSocket handler for ${url.pathname} failed: ${(error as Error)?.stack ?? String(error)}`);
          ws.close(1011, 'internal error');
        }
      });
      return;
    }
    refuse(404, 'No WebSocket endpoint at this path');
  }

  private pingAll(): void {
    for (const ws of this.wss.clients) {
      if (this.alive.get(ws) === false) {
        ws.terminate();
        continue;
      }
      this.alive.set(ws, false);
      ws.ping();
    }
  }

  get clientCount(): number {
    return this.wss.clients.size;
  }

  /** Bytes the runtime holds for its sockets that they have not read yet (bounded per socket by its pump). */
  get bufferedBytes(): number {
    let n = 0;
    for (const ws of this.wss.clients) n += ws.bufferedAmount;
    return n;
  }

  close(): void {
    clearInterval(this.pingTimer);
    for (const ws of this.wss.clients) ws.close(1001, 'runtime shutting down');
    this.wss.close();
  }
}

// Events fan out to many sockets: serialise each one once. A publish reaches its sockets one
// after the other, so one entry is enough; a per-event cache would keep a second copy of every
// event for as long as the backlog keeps the event.
let lastMessage: object | undefined;
let lastText = '';

function serialise(message: Record<string, unknown>): string {
  if (message !== lastMessage) {
    lastText = JSON.stringify(message);
    lastMessage = message;
  }
  return lastText;
}

export function sendJson(ws: WebSocket, message: Record<string, unknown>): void {
  if (ws.readyState !== ws.OPEN) return;
  ws.send(serialise(message));
}

/**
 * How a socket takes what a pump writes: one message per event (the wire format), with the TCP
 * socket corked around a batch so that it leaves in one write.
 */
export function socketSink(ws: WebSocket, socket?: Duplex): PumpSink {
  return {
    write: (messages, flushed) => {
      if (ws.readyState !== ws.OPEN) return;
      socket?.cork();
      // Text frames from bytes shared with the stream's other sockets (events/batch-bytes.ts).
      eachBytes(messages).forEach((m, i) => ws.send(m, { binary: false }, i === messages.length - 1 ? () => flushed() : undefined));
      socket?.uncork();
    },
    pendingBytes: () => ws.bufferedAmount,
    end: () => ws.close(1000),
  };
}

/** Parse `?after=`; a bad value closes the socket with a readable reason. */
export function socketCursor(ws: WebSocket, query: URLSearchParams): number | undefined {
  const raw = query.get('after');
  if (raw === null || raw === '') return 0;
  const n = Number(raw);
  if (Number.isInteger(n) && n >= 0) return n;
  sendJson(ws, { type: 'error', code: 'invalid_cursor', error: `after must be a non-negative integer, got "${raw}"` });
  ws.close(1008, 'invalid cursor');
  return undefined;
}

export interface PipeOptions {
  /** Decides per event whether the socket gets it (the cursor advances either way). */
  filter?: (event: WireEvent) => boolean;
  /** The upgraded TCP socket (`req.socket`), corked around each batch. */
  socket?: Duplex;
  /** What a socket that stops reading may hold back before live events are skipped (default 1 MiB). */
  maxHeldBytes?: number;
}

/** Pipe one stream to a socket through a StreamPump: replay after the cursor, then live, slow sockets capped. */
export function pipeStreamToSocket(ws: WebSocket, stream: EventStream, after: number, options: PipeOptions = {}): StreamPump {
  const pump = new StreamPump(stream, socketSink(ws, options.socket), {
    after,
    format: serialise,
    formatNotice: serialise,
    filter: options.filter,
    maxHeldBytes: options.maxHeldBytes,
  });
  ws.on('close', () => pump.close());
  void pump.start();
  return pump;
}

/** Who listens to what on the global hub: features start work lazily (watchers, stats) on demand. */
export interface HubDemand {
  /** Open subscriptions to `topic` (or "*") for `workspaceId` (or for every workspace). */
  subscribers(topic: string, workspaceId?: string): number;
  /** Called whenever a subscription is added or removed. */
  onChange(listener: (topic: string, workspaceId: string | undefined) => void): () => void;
}

/**
 * `WS /api/v1/ws`: subscribe to event types (or "*"), optionally for one workspace. With
 * `?after=<seq>` the events after that cursor are replayed once the first subscription is known.
 */
export function attachGlobalHub(hub: WsHub, bus: EventBus): HubDemand {
  // key: `${topic}\0${workspaceId ?? ''}` → count
  const counts = new Map<string, number>();
  const listeners = new Set<(topic: string, workspaceId: string | undefined) => void>();
  const change = (topic: string, workspaceId: string | undefined, delta: number) => {
    const key = `${topic}\0${workspaceId ?? ''}`;
    counts.set(key, (counts.get(key) ?? 0) + delta);
    listeners.forEach((fn) => fn(topic, workspaceId));
  };
  const count = (topic: string, workspaceId: string | undefined) => counts.get(`${topic}\0${workspaceId ?? ''}`) ?? 0;
  const stream = bus.stream('global', { backlog: 2000 });

  hub.route('/api/v1/ws', (ws, req, _params, query) => {
    const topics = new Set<string>();
    let workspaceId: string | undefined;
    const after = socketCursor(ws, query);
    if (after === undefined) return;
    sendJson(ws, { type: 'server.connected', last_seq: stream.lastSeq });
    const wanted = (e: WireEvent) =>
      (topics.has('*') || topics.has(e.type)) && (!workspaceId || e.workspace_id === undefined || e.workspace_id === workspaceId);
    // The replay from ?after= runs once the client has said what it wants: at the first subscribe,
    // or at once when the URL carries ?topics=a,b (and optionally &workspace_id=).
    let pump: StreamPump | undefined;
    const startPipe = () => {
      pump ??= pipeStreamToSocket(ws, stream, after, { filter: wanted, socket: req.socket });
    };
    // Replies go after the events batched before the message that caused them.
    const reply = (message: Record<string, unknown>) => {
      pump?.flush();
      sendJson(ws, message);
    };
    const urlTopics = query.get('topics');
    if (urlTopics) {
      workspaceId = query.get('workspace_id') ?? undefined;
      for (const t of urlTopics.split(',').map((x) => x.trim()).filter(Boolean)) {
        topics.add(t);
        change(t, workspaceId, 1);
      }
      startPipe();
    }
    const dropAll = () => {
      for (const t of topics) change(t, workspaceId, -1);
    };
    ws.on('message', (raw) => {
      let parsed: unknown;
      try {
        parsed = JSON.parse(String(raw));
      } catch {
        return reply({ type: 'error', code: 'invalid_json', error: 'Messages must be JSON objects' });
      }
      const msg = hubClientMessage.safeParse(parsed);
      if (!msg.success) {
        return reply({ type: 'error', code: 'invalid_message', error: 'Expected {"type":"subscribe","topics":[…],"workspace_id"?}, {"type":"unsubscribe","topics":[…]} or {"type":"ping"}', details: msg.error.issues });
      }
      const m = msg.data;
      if (m.type === 'ping') return reply({ type: 'pong' });
      if (m.type === 'subscribe') {
        if (m.workspace_id !== undefined && m.workspace_id !== workspaceId) {
          // Moving the socket to another workspace moves its existing subscriptions too.
          dropAll();
          workspaceId = m.workspace_id;
          for (const t of topics) change(t, workspaceId, 1);
        }
        for (const t of m.topics) {
          if (topics.has(t)) continue;
          topics.add(t);
          change(t, workspaceId, 1);
        }
        reply({ type: 'subscribed', topics: [...topics], workspace_id: workspaceId ?? null });
        return startPipe();
      }
      for (const t of m.topics) if (topics.delete(t)) change(t, workspaceId, -1);
      reply({ type: 'subscribed', topics: [...topics], workspace_id: workspaceId ?? null });
    });
    ws.on('close', dropAll);
  });

  return {
    subscribers: (topic, workspaceId) => {
      if (workspaceId) return count(topic, undefined) + count('*', undefined) + count(topic, workspaceId) + count('*', workspaceId);
      // No workspace asked: every subscription counts, scoped or not (system_stats demand must
      // not stop when a client scopes its socket to the workspace it shows).
      let n = 0;
      for (const [key, c] of counts) {
        const t = key.slice(0, key.indexOf('\0'));
        if (t === topic || t === '*') n += c;
      }
      return n;
    },
    onChange: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}
