/**
 * Server-sent events over fetch (so the token rides in the Authorization header): parses the
 * stream with eventsource-parser, remembers the last `id:` and reconnects with `Last-Event-ID`
 * after a drop, so a resumed stream loses and repeats nothing. Ends when the server closes the
 * stream and `reconnect` says not to, or when `close()` is called.
 */
import { createParser } from 'eventsource-parser';
import type { WireEvent } from '../contract/events.js';
import { errorFromResponse, type FetchLike } from './http.js';

export interface SseOptions {
  /** Full URL of the SSE route (use client.url(route, …)). */
  url: string;
  token?: string | null;
  fetch?: FetchLike;
  /** Resume after this event id (sent as Last-Event-ID on the first request too). */
  lastEventId?: string | number;
  onEvent: (event: WireEvent, id: string | undefined) => void;
  /** Called with each failure; returning false stops reconnecting. */
  onError?: (error: unknown) => boolean | void;
  /** Called when the server ends the stream; return true to reconnect (default false). */
  onEnd?: () => boolean | void;
  /** Reconnect delay bounds in ms (doubles from min to max). */
  retry?: { minMs?: number; maxMs?: number };
}

export interface SseSubscription {
  close(): void;
  /** Resolves when the subscription has stopped for good. */
  done: Promise<void>;
  lastEventId(): string | undefined;
}

export function subscribeSse(options: SseOptions): SseSubscription {
  const controller = new AbortController();
  const fetchImpl = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
  let lastId = options.lastEventId === undefined ? undefined : String(options.lastEventId);
  const minMs = options.retry?.minMs ?? 250;
  const maxMs = options.retry?.maxMs ?? 10_000;

  const once = async (): Promise<'ended' | 'aborted'> => {
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    if (lastId !== undefined) headers['last-event-id'] = lastId;
    const res = await fetchImpl(options.url, { headers, signal: controller.signal });
    if (!res.ok) throw await errorFromResponse(res);
    if (!res.body) throw new Error('SSE response has no body');
    const parser = createParser({
      onEvent: (message) => {
        if (message.id !== undefined && message.id !== '') lastId = message.id;
        let data: WireEvent;
        try {
          data = JSON.parse(message.data) as WireEvent;
        } catch {
          return;
        }
        if (data.type === undefined && message.event) data = { ...data, type: message.event };
        options.onEvent(data, message.id);
      },
      onRetry: () => undefined,
    });
    const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return 'ended';
        parser.feed(value);
      }
    } finally {
      reader.releaseLock();
    }
  };

  const done = (async () => {
    let delay = minMs;
    while (!controller.signal.aborted) {
      try {
        const outcome = await once();
        if (outcome === 'ended' && !options.onEnd?.()) return;
        delay = minMs;
      } catch (error) {
        if (controller.signal.aborted) return;
        if (options.onError?.(error) === false) return;
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(maxMs, delay * 2);
      }
    }
  })();

  return {
    close: () => controller.abort(),
    done,
    lastEventId: () => lastId,
  };
}
