/**
 * SSE for app logs: the same protocol as events/sse.ts (server.connected, replay from
 * Last-Event-ID / ?after=, backlog_truncated, heartbeats), tuned for chatty apps: events of one
 * tick are written as one chunk (one syscall instead of one per line), and a client that falls
 * further behind than the ring buffer is not buffered without bound — it is told which lines it
 * missed (`backlog_truncated`) and resumes from the live edge, as a reconnect would.
 */
import type { Request, Response } from 'express';
import type { WireEvent } from '../contract/events.js';
import type { EventStream } from '../events/bus.js';
import { formatSse, openSseResponse, readCursor } from '../events/sse.js';

const HEARTBEAT_MS = 15_000;

export async function streamLogSse(req: Request, res: Response, stream: EventStream, options: { maxPendingBytes: number; connected?: Record<string, unknown>; heartbeatMs?: number }): Promise<void> {
  const after = readCursor(req);
  openSseResponse(res);

  let closed = false;
  let live = false;
  let last = after;
  let chunk: string[] = [];
  let scheduled = false;
  const held: WireEvent[] = [];

  const flush = () => {
    scheduled = false;
    if (closed || !chunk.length) return;
    const text = chunk.join('');
    chunk = [];
    res.write(text);
  };
  const queue = (text: string) => {
    chunk.push(text);
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  };
  const write = (event: WireEvent) => {
    if (closed || event.seq <= last) return;
    // The socket is not draining: skip what the client cannot take rather than hold it in memory.
    if (res.writableLength > options.maxPendingBytes) {
      const from = last;
      last = event.seq;
      skipped ??= { after: from, count: 0 };
      skipped.count += 1;
      return;
    }
    if (skipped) {
      queue(formatSse({ type: 'backlog_truncated', after: skipped.after, oldest_seq: event.seq, skipped: skipped.count }, false));
      skipped = undefined;
    }
    last = event.seq;
    queue(formatSse(event));
  };
  let skipped: { after: number; count: number } | undefined;

  const unsubscribe = stream.subscribe((event) => (live ? write(event) : held.push(event)));
  const timer = setInterval(() => queue(formatSse({ type: 'server.heartbeat', ts: new Date().toISOString() }, false)), options.heartbeatMs ?? HEARTBEAT_MS);
  timer.unref();
  req.on('close', () => {
    closed = true;
    unsubscribe();
    clearInterval(timer);
  });
  res.write(formatSse({ type: 'server.connected', stream: stream.name, last_seq: stream.lastSeq, ...options.connected }, false));
  const replay = await stream.replay(after);
  if (replay.truncated) queue(formatSse({ type: 'backlog_truncated', ...replay.truncated }, false));
  replay.events.forEach(write);
  held.forEach(write);
  held.length = 0;
  live = true;
}
