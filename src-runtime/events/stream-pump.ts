/**
 * The stream pump: delivers one EventStream to one client (an SSE response or a WebSocket) —
 * replay after the client's cursor, then live, with no gap and no duplicate between the two.
 * It owns what is written and when: live events published in one synchronous run (a chunk of
 * output split into lines, a burst of file changes) go out as one write — flushed in a microtask,
 * so still before whatever the publisher's caller writes next (an HTTP reply) — and a client
 * that stops reading may hold back at most `maxHeldBytes` in the runtime (plus one burst). Beyond that its live
 * events are skipped (the cursor still advances) and, as soon as it drains, it is told what it
 * missed with `backlog_truncated {after, oldest_seq, skipped}` — the same notice a cursor older
 * than the backlog gets. The transports (events/sse.ts, events/ws-hub.ts) only say how to write,
 * how much is pending and how to end.
 */
import type { WireEvent } from '../contract/events.js';
import type { EventStream } from './bus.js';

/** Where a pump writes: an SSE response or a WebSocket. */
export interface PumpSink {
  /** Write these formatted messages in order; `flushed` runs once they have left the runtime's buffers. */
  write(messages: string[], flushed: () => void): void;
  /** Bytes written but not yet handed to the kernel (`writableLength`, `bufferedAmount`). */
  pendingBytes(): number;
  /** End the response after the last write (SSE `endAfter`). */
  end(): void;
}

export interface PumpOptions {
  /** The client's cursor: events with seq ≤ after are not sent. */
  after: number;
  /** An event as the transport writes it (cached per event: many clients follow one stream). */
  format: (event: WireEvent) => string;
  /** A message without a seq (backlog_truncated, heartbeats) as the transport writes it. */
  formatNotice: (message: { type: string; [k: string]: unknown }) => string;
  /** Only events passing this are written (the cursor still advances). */
  filter?: (event: WireEvent) => boolean;
  /** End the stream after writing an event for which this returns true. */
  endAfter?: (event: WireEvent) => boolean;
  /** What a client that does not read may hold back before its live events are skipped. */
  maxHeldBytes?: number;
}

// A client reading on loopback holds back next to nothing; one that is a MiB behind has stopped.
export const DEFAULT_MAX_HELD_BYTES = 1024 * 1024;
// Replays are written in chunks of about this size, waiting for the client between them.
const REPLAY_CHUNK_BYTES = 64 * 1024;

interface Gap {
  /** The seq before the first skipped event. */
  after: number;
  /** The last skipped seq. */
  last: number;
  count: number;
}

export class StreamPump {
  private last: number;
  private live = false;
  private closed = false;
  private unsubscribe?: () => void;
  /** Live events that arrive while the replay is being written. */
  private held: WireEvent[] = [];
  private heldBytes = 0;
  private heldOverflow = false;
  private batch: string[] = [];
  private batchBytes = 0;
  private scheduled = false;
  private gap?: Gap;
  private readonly waiters = new Set<() => void>();
  private readonly closeHooks: Array<() => void> = [];
  private readonly maxHeld: number;

  constructor(
    private readonly stream: EventStream,
    private readonly sink: PumpSink,
    private readonly options: PumpOptions,
  ) {
    this.last = options.after;
    this.maxHeld = options.maxHeldBytes ?? DEFAULT_MAX_HELD_BYTES;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Whether live events are being skipped (the client is over its cap and has not caught up). */
  get skipping(): boolean {
    return this.gap !== undefined;
  }

  /** What this client holds back in the runtime right now: the socket's buffer plus this tick's batch. */
  get heldBackBytes(): number {
    return this.sink.pendingBytes() + this.batchBytes;
  }

  /** Subscribe, write the replay, then go live. Resolves once the replay (and what arrived meanwhile) is written. */
  async start(): Promise<void> {
    this.unsubscribe = this.stream.subscribe((event) => (this.live ? this.accept(event) : this.hold(event)));
    // A client that does not read during a long replay would make `held` grow without bound: past
    // the cap it is dropped and the next round replays it from the stream (or reports it truncated).
    for (;;) {
      const replay = await this.stream.replay(this.last);
      if (this.closed) return;
      if (replay.truncated) this.enqueue(this.options.formatNotice({ type: 'backlog_truncated', ...replay.truncated }));
      for (const event of replay.events) {
        this.accept(event, true);
        if (this.batchBytes >= REPLAY_CHUNK_BYTES) await this.writeAndWait();
        if (this.closed) return;
      }
      if (!this.heldOverflow) break;
      this.heldOverflow = false;
    }
    const held = this.held;
    this.held = [];
    this.heldBytes = 0;
    for (const event of held) this.accept(event, true);
    this.live = true;
    this.flush();
  }

  /** A message outside the stream (a heartbeat), written in order with the events; skipped while the client is over its cap. */
  notify(message: { type: string; [k: string]: unknown }): void {
    if (this.closed || this.overCap()) return;
    this.enqueue(this.options.formatNotice(message));
  }

  /** Write what this tick has batched now (before a message the transport sends itself). */
  flush(): void {
    this.scheduled = false;
    if (this.closed || !this.batch.length) return;
    const messages = this.batch;
    this.batch = [];
    this.batchBytes = 0;
    this.sink.write(messages, this.onFlushed);
  }

  /** Run `fn` when the pump closes (client gone or `endAfter` reached). */
  onClose(fn: () => void): void {
    if (this.closed) fn();
    else this.closeHooks.push(fn);
  }

  /** Stop: unsubscribe and, with `end`, write what is batched and end the response. */
  close(end = false): void {
    if (this.closed) return;
    if (end) this.flush();
    this.closed = true;
    this.unsubscribe?.();
    this.batch = [];
    this.held = [];
    this.waiters.forEach((wake) => wake());
    this.closeHooks.forEach((fn) => fn());
    if (end) this.sink.end();
  }

  private hold(event: WireEvent): void {
    if (this.heldOverflow) return;
    this.held.push(event);
    this.heldBytes += this.options.format(event).length;
    if (this.heldBytes > this.maxHeld) {
      this.held = [];
      this.heldBytes = 0;
      this.heldOverflow = true;
    }
  }

  /** One event, replayed (never skipped: the client asked for it) or live. */
  private accept(event: WireEvent, replayed = false): void {
    if (this.closed || event.seq <= this.last) return;
    this.last = event.seq;
    const final = this.options.endAfter?.(event) ?? false;
    if (this.options.filter && !this.options.filter(event)) {
      if (final) this.close(true);
      return;
    }
    if (!replayed && !final && this.overCap()) {
      this.gap ??= { after: event.seq - 1, last: event.seq, count: 0 };
      this.gap.last = event.seq;
      this.gap.count += 1;
      return;
    }
    this.reportGap();
    this.enqueue(this.options.format(event));
    if (final) this.close(true);
  }

  // What the socket has not taken counts, not this run's batch: a burst bigger than the cap must
  // not cut off a client that reads. Once skipping, wait until the client has taken half of its
  // cap back: one that reads just below the publisher's pace would get a notice every other event.
  private overCap(): boolean {
    return this.sink.pendingBytes() > (this.gap ? this.maxHeld / 2 : this.maxHeld);
  }

  private reportGap(): void {
    if (!this.gap) return;
    const { after, last, count } = this.gap;
    this.gap = undefined;
    this.enqueue(this.options.formatNotice({ type: 'backlog_truncated', after, oldest_seq: last + 1, skipped: count }));
  }

  private enqueue(text: string): void {
    this.batch.push(text);
    this.batchBytes += text.length;
    if (!this.scheduled && this.live) {
      this.scheduled = true;
      queueMicrotask(() => this.flush());
    }
  }

  // The client drained: tell it what it missed without waiting for the next event, and let a
  // waiting replay continue.
  private readonly onFlushed = (): void => {
    if (this.closed) return;
    if (this.gap && !this.overCap()) {
      this.reportGap();
      this.flush();
    }
    if (this.waiters.size && this.sink.pendingBytes() <= this.maxHeld) {
      const waiters = [...this.waiters];
      this.waiters.clear();
      waiters.forEach((wake) => wake());
    }
  };

  /** Write the batch; when the client holds back more than its cap, wait until it has taken some. */
  private async writeAndWait(): Promise<void> {
    this.flush();
    if (this.closed || this.sink.pendingBytes() <= this.maxHeld) return;
    await new Promise<void>((resolve) => this.waiters.add(resolve));
  }
}
