/**
 * Reading a server-sent event stream in tests, through the published client's SSE parser
 * (src-runtime/client/sse.ts) so the tests read the wire as a client does. `readSse` collects
 * every message (server.connected and heartbeats included) until `until` says enough or the
 * server ends the stream.
 */
import type { WireEvent } from '../src-runtime/contract/events.js';
import { subscribeSse } from '../src-runtime/client/sse.js';
import { PATIENCE_MS } from './wait.js';

export interface SseMessage {
  /** The `id:` line (the event's seq), absent for server.* messages. */
  id?: string;
  /** The event type (`event:` line). */
  event: string;
  data: WireEvent & Record<string, any>;
}

export interface ReadSseOptions {
  token?: string | null;
  /** Resume after this id (sent as Last-Event-ID). */
  lastEventId?: string | number;
  /** For streams opened by a request with a body (POST /api/v1/agent-runs/stream). */
  method?: string;
  body?: unknown;
  /** Gives up after this long with what was received so far (default PATIENCE_MS). */
  timeoutMs?: number;
  /** Sees the HTTP response (status, headers) before the stream is read. */
  onResponse?: (res: Response) => void;
}

/** Messages of the stream at `url` up to the first one for which `until` is true (or the stream's end). */
export function readSse(url: string, until: (messages: SseMessage[]) => boolean, options: ReadSseOptions = {}): Promise<SseMessage[]> {
  const messages: SseMessage[] = [];
  const timeoutMs = options.timeoutMs ?? PATIENCE_MS;
  return new Promise<SseMessage[]>((resolve, reject) => {
    let settled = false;
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      subscription.close();
      if (error) reject(error);
      else resolve(messages);
    };
    const summary = () => `${messages.length} messages: ${messages.map((m) => m.event).join(',').slice(0, 600)}`;
    const subscription = subscribeSse({
      url,
      token: options.token,
      lastEventId: options.lastEventId,
      fetch: async (input, init) => {
        const headers = new Headers(init?.headers);
        if (options.body !== undefined) headers.set('content-type', 'application/json');
        const res = await fetch(input, { ...init, headers, method: options.method ?? 'GET', body: options.body === undefined ? undefined : JSON.stringify(options.body) });
        options.onResponse?.(res);
        return res;
      },
      onEvent: (data, id) => {
        if (settled) return;
        messages.push({ id, event: data.type, data });
        if (until(messages)) finish();
      },
      onError: (error) => {
        finish(new Error(`SSE ${url} failed (${summary()}): ${(error as Error).message}`, { cause: error }));
        return false;
      },
      onEnd: () => {
        finish();
        return false;
      },
    });
    const timer = setTimeout(() => finish(new Error(`SSE ${url}: the condition did not come true within ${timeoutMs} ms (${summary()})`)), timeoutMs);
  });
}
