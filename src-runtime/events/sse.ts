/**
 * The SSE writer: `server.connected` first, then the replay from Last-Event-ID (or ?after=), then
 * live events, with a heartbeat every 15 s. Live events that arrive during the replay are held
 * and written after it, so a reconnecting client loses and repeats nothing.
 */
import type { Request, Response } from 'express';
import type { WireEvent } from '../contract/events.js';
import type { EventStream } from './bus.js';
import { badRequest } from '../contract/errors.js';

export interface SseOptions {
  heartbeatMs?: number;
  /** Only events passing this are written (the seq still advances for the client). */
  filter?: (event: WireEvent) => boolean;
  /** Close the stream after writing an event for which this returns true. */
  endAfter?: (event: WireEvent) => boolean;
  /** Extra fields for the server.connected event. */
  connected?: Record<string, unknown>;
}

let defaultHeartbeatMs = 15_000;
/** Tests shorten the heartbeat. */
export function setDefaultHeartbeatMs(ms: number): void {
  defaultHeartbeatMs = ms;
}

/** The replay cursor: Last-Event-ID header wins over ?after=. */
export function readCursor(req: Request): number {
  const raw = req.get('last-event-id') ?? (typeof req.query.after === 'string' ? req.query.after : undefined);
  if (raw === undefined || raw === '') return 0;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw badRequest('invalid_cursor', `The event cursor must be a non-negative integer, got "${raw}"`);
  return n;
}

// Many clients follow one stream: serialise each event once, not once per client.
const formatted = new WeakMap<object, string>();

export function formatSse(event: WireEvent | { type: string; [k: string]: unknown }, withId = true): string {
  const cached = withId ? formatted.get(event) : undefined;
  if (cached) return cached;
  const id = withId && typeof event.seq === 'number' ? `id: ${event.seq}\n` : '';
  const text = `${id}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  if (withId) formatted.set(event, text);
  return text;
}

/** Start an SSE response: headers that keep proxies from buffering, no Nagle delay. */
export function openSseResponse(res: Response): void {
  res.status(200);
  res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
  res.setHeader('Cache-Control', 'no-cache, no-transform');
  res.setHeader('Connection', 'keep-alive');
  res.setHeader('X-Accel-Buffering', 'no');
  res.socket?.setNoDelay(true);
  res.flushHeaders();
}

export async function streamSse(req: Request, res: Response, stream: EventStream, options: SseOptions = {}): Promise<void> {
  const after = readCursor(req);
  openSseResponse(res);

  let closed = false;
  let live = false;
  let lastWritten = after;
  const held: WireEvent[] = [];
  const cleanups: Array<() => void> = [];
  const close = () => {
    if (closed) return;
    closed = true;
    cleanups.forEach((fn) => fn());
    res.end();
  };

  const write = (event: WireEvent) => {
    if (closed || event.seq <= lastWritten) return;
    lastWritten = event.seq;
    if (!options.filter || options.filter(event)) res.write(formatSse(event));
    if (options.endAfter?.(event)) close();
  };

  cleanups.push(stream.subscribe((event) => (live ? write(event) : held.push(event))));
  req.on('close', close);
  res.write(formatSse({ type: 'server.connected', stream: stream.name, last_seq: stream.lastSeq, ...options.connected }, false));

  const replay = await stream.replay(after);
  if (replay.truncated) res.write(formatSse({ type: 'backlog_truncated', ...replay.truncated }, false));
  for (const event of replay.events) write(event);
  for (const event of held) write(event);
  held.length = 0;
  live = true;

  if (!closed) {
    const timer = setInterval(() => res.write(formatSse({ type: 'server.heartbeat', ts: new Date().toISOString() }, false)), options.heartbeatMs ?? defaultHeartbeatMs);
    timer.unref();
    cleanups.push(() => clearInterval(timer));
  }
}
