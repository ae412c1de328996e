/**
 * The SSE transport: `server.connected` first, then the stream through a StreamPump (replay from
 * Last-Event-ID or ?after=, then live, slow clients capped), with a heartbeat every 15 s; the
 * `id:`/`event:`/`data:` framing and the replay cursor.
 */
import type { Request, Response } from 'express';
import type { WireEvent } from '../contract/events.js';
import type { EventStream } from './bus.js';
import { badRequest } from '../contract/errors.js';
import { joinedBytes } from './batch-bytes.js';
import { StreamPump, type PumpSink } from './stream-pump.js';

export interface SseOptions {
  heartbeatMs?: number;
  /** Only events passing this are written (the seq still advances for the client). */
  filter?: (event: WireEvent) => boolean;
  /** Close the stream after writing an event for which this returns true. */
  endAfter?: (event: WireEvent) => boolean;
  /** Extra fields for the server.connected event. */
  connected?: Record<string, unknown>;
  /** What a client that stops reading may hold back before live events are skipped (default 1 MiB). */
  maxHeldBytes?: number;
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

// Many clients follow one stream: serialise each event once, not once per client. A publish fans
// out synchronously, so the clients of a live event ask for it one after the other and one entry
// is enough; a per-event cache would keep a second copy of every event for as long as the
// backlog keeps the event.
let lastEvent: object | undefined;
let lastText = '';

export function formatSse(event: WireEvent | { type: string; [k: string]: unknown }, withId = true): string {
  if (withId && event === lastEvent) return lastText;
  const id = withId && typeof event.seq === 'number' ? `id: ${event.seq}\n` : '';
  const text = `${id}event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
  if (withId) {
    lastEvent = event;
    lastText = text;
  }
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

/**
 * How an SSE response takes what a pump writes: the batch as one HTTP chunk. (Corking and writing
 * each message would spare the join but frame every message as its own chunk: more bytes, and a
 * parse and a 'data' event per message at the client.) The bytes are shared with the stream's
 * other clients (events/batch-bytes.ts).
 */
export function sseSink(res: Response): PumpSink {
  return {
    write: (messages, flushed) => void res.write(joinedBytes(messages), () => flushed()),
    pendingBytes: () => res.writableLength,
    end: () => res.end(),
  };
}

/** Serve `stream` on `res`; resolves with the pump once the replay is written. */
export async function streamSse(req: Request, res: Response, stream: EventStream, options: SseOptions = {}): Promise<StreamPump> {
  const after = readCursor(req);
  openSseResponse(res);
  const pump = new StreamPump(stream, sseSink(res), {
    after,
    format: formatSse,
    formatNotice: (message) => formatSse(message, false),
    filter: options.filter,
    endAfter: options.endAfter,
    maxHeldBytes: options.maxHeldBytes,
  });
  req.on('close', () => {
    pump.close();
    res.end();
  });
  res.write(formatSse({ type: 'server.connected', stream: stream.name, last_seq: stream.lastSeq, ...options.connected }, false));
  await pump.start();
  if (pump.isClosed) return pump;
  const timer = setInterval(() => pump.notify({ type: 'server.heartbeat', ts: new Date().toISOString() }), options.heartbeatMs ?? defaultHeartbeatMs);
  timer.unref();
  pump.onClose(() => clearInterval(timer));
  return pump;
}
