import { afterAll, beforeAll, describe, expect, it, onTestFinished } from 'vitest';
import express from 'express';
import { createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { createParser } from 'eventsource-parser';
import WebSocket from 'ws';
import type { WireEvent } from '../contract/events.js';
import { EventBus, EventStream } from './bus.js';
import { streamSse } from './sse.js';
import type { StreamPump } from './stream-pump.js';
import { attachGlobalHub, WsHub } from './ws-hub.js';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';

interface SseMessage {
  id?: string;
  event?: string;
  data: any;
}

/** A raw SSE client (node:http, so it can stop reading): `pause`, `resume`, and what it got so far. */
function openSse(url: string): Promise<{ res: IncomingMessage; messages: SseMessage[]; close: () => void }> {
  return new Promise((resolve, reject) => {
    const messages: SseMessage[] = [];
    const parser = createParser({ onEvent: (e) => messages.push({ id: e.id, event: e.event, data: JSON.parse(e.data) }) });
    const req = request(url, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => parser.feed(chunk));
      resolve({ res, messages, close: () => req.destroy() });
    });
    req.on('error', (error) => (error.message.includes('socket hang up') ? undefined : reject(error)));
    req.end();
  });
}

const seqsOf = (messages: SseMessage[]) => messages.filter((m) => m.id !== undefined).map((m) => Number(m.id));
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
const PAD = 'x'.repeat(1000);

describe('stream pump over SSE', () => {
  let server: Server;
  let base: string;
  const streams = new Map<string, { stream: EventStream; maxHeldBytes?: number }>();
  const pumps: StreamPump[] = [];

  beforeAll(async () => {
    const app = express();
    app.get('/events/:name', async (req, res) => {
      const { stream, maxHeldBytes } = streams.get(req.params.name)!;
      pumps.push(await streamSse(req, res, stream, { maxHeldBytes }));
    });
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

  /** A durable stream whose replay waits for `release()`: events published meanwhile arrive live during the replay. */
  function gatedStream(name: string, maxHeldBytes?: number) {
    const log: WireEvent[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const stream = new EventStream(name, {
      backlog: 0,
      replay: async (after) => {
        await gate;
        return log.filter((e) => e.seq > after);
      },
    });
    stream.subscribe((e) => log.push(e));
    streams.set(name, { stream, maxHeldBytes });
    return { stream, release };
  }

  it('replays from the cursor, then goes live, with events published during the replay neither lost nor repeated', async () => {
    const { stream, release } = gatedStream('gated');
    for (let i = 0; i < 50; i++) stream.publish('n', { i });
    const client = await openSse(`${base}/events/gated?after=10`);
    await expect.poll(() => client.messages[0]?.event).toBe('server.connected');
    // The replay is waiting: these arrive live while it is pending (and are in the log as well).
    for (let i = 50; i < 80; i++) stream.publish('n', { i });
    release();
    await expect.poll(() => pumps.length).toBe(1);
    for (let i = 80; i < 100; i++) stream.publish('n', { i });
    await expect.poll(() => seqsOf(client.messages).at(-1)).toBe(100);
    expect(seqsOf(client.messages)).toEqual(range(11, 100));
    client.close();
  });

  it('does not hold without bound what arrives during a replay the client does not read: it replays that too', async () => {
    const { stream, release } = gatedStream('gated-small', 8 * 1024);
    stream.publish('n', { pad: PAD });
    const client = await openSse(`${base}/events/gated-small`);
    await expect.poll(() => client.messages[0]?.event).toBe('server.connected');
    // Far more than the cap arrives while the replay is pending: the pump drops what it held and
    // replays it again from the stream afterwards.
    for (let i = 0; i < 99; i++) stream.publish('n', { pad: PAD });
    release();
    for (let i = 0; i < 20; i++) stream.publish('n', { pad: PAD });
    await expect.poll(() => seqsOf(client.messages).at(-1)).toBe(120);
    expect(seqsOf(client.messages)).toEqual(range(1, 120));
    expect(client.messages.some((m) => m.event === 'backlog_truncated')).toBe(false);
    client.close();
  });

  it('skips live events for a client that stops reading, keeps what it holds under the cap, and tells it what it missed', async () => {
    const cap = 64 * 1024;
    const slack = 32 * 1024; // one burst (a round of 20 events) may go over
    const stream = new EventStream('slow', { backlog: 100 });
    streams.set('slow', { stream, maxHeldBytes: cap });
    pumps.length = 0;
    const client = await openSse(`${base}/events/slow`);
    onTestFinished(() => client.close());
    client.res.pause();
    await expect.poll(() => pumps.length).toBe(1);
    const pump = pumps[0]!;

    // Publish until the kernel's socket buffers are full and the pump starts skipping.
    for (let round = 0; !pump.skipping; round++) {
      if (round > 100_000) throw new Error('the pump never started skipping');
      for (let i = 0; i < 20; i++) stream.publish('n', { pad: PAD });
      await nextTurn();
      expect(pump.heldBackBytes).toBeLessThanOrEqual(cap + slack);
    }
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 20; i++) stream.publish('n', { pad: PAD });
      await nextTurn();
      expect(pump.heldBackBytes).toBeLessThanOrEqual(cap + slack);
    }
    const lastSkipped = stream.lastSeq;

    // The client reads again: it is told what it missed as soon as it has caught up, before any new event.
    client.res.resume();
    await expect.poll(() => client.messages.some((m) => m.event === 'backlog_truncated'), { timeout: 10_000 }).toBe(true);
    expect(pump.skipping).toBe(false);
    const final = stream.publish('n', { final: true });
    await expect.poll(() => seqsOf(client.messages).at(-1)).toBe(final.seq);

    const noticeAt = client.messages.findIndex((m) => m.event === 'backlog_truncated');
    const notice = client.messages[noticeAt]!.data;
    expect(notice).toEqual({ type: 'backlog_truncated', after: expect.any(Number), oldest_seq: lastSkipped + 1, skipped: lastSkipped - notice.after });
    expect(notice.skipped).toBeGreaterThan(0);
    expect(seqsOf(client.messages.slice(0, noticeAt))).toEqual(range(1, notice.after));
    expect(seqsOf(client.messages.slice(noticeAt))).toEqual([final.seq]);
    expect(client.messages.filter((m) => m.event === 'backlog_truncated')).toHaveLength(1);
    client.close();
  });
});

const ticks = (messages: any[]) => messages.filter((m) => m.type === 'test_tick').map((m) => m.seq as number);

function openWs(url: string): Promise<{ ws: WebSocket; messages: any[] }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    const messages: any[] = [];
    ws.on('message', (raw) => messages.push(JSON.parse(String(raw))));
    ws.on('open', () => resolve({ ws, messages }));
    ws.on('error', reject);
  });
}

describe('stream pump over WS /api/v1/ws', () => {
  let rt: TestRuntime;
  let wsUrl: string;
  beforeAll(async () => {
    rt = await startTestRuntime({ extraEventTypes: ['test_tick'] });
    wsUrl = `${rt.url.replace('http', 'ws')}/api/v1/ws?access_token=${rt.token}&topics=test_tick`;
  });
  afterAll(() => rt.close());

  it('replays after the cursor, then goes live, without a gap or a duplicate', async () => {
    const global = rt.ctx.bus.stream('global');
    const published: number[] = [];
    for (let i = 0; i < 30; i++) published.push(global.publish('test_tick', { i }).seq);
    const { ws, messages } = await openWs(`${wsUrl}&after=${published[9]}`);
    await expect.poll(() => messages.some((m) => m.type === 'server.connected')).toBe(true);
    for (let i = 30; i < 60; i++) {
      published.push(global.publish('test_tick', { i }).seq);
      if (i % 10 === 0) await nextTurn();
    }
    await expect.poll(() => ticks(messages).at(-1)).toBe(published.at(-1));
    expect(ticks(messages)).toEqual(published.slice(10));
    ws.close();
  });
});

describe('stream pump over WS: a socket that stops reading', () => {
  // The hub's own server (not startTestRuntime): the test runtime pings every second and would
  // drop a socket that does not read before the test is done with it.
  const bus = new EventBus();
  const hub = new WsHub({ token: 'secret', port: () => 0, allowedHosts: () => [] }, 10 * 60_000);
  attachGlobalHub(hub, bus);
  let server: Server;
  let wsUrl: string;
  beforeAll(async () => {
    server = createServer();
    server.on('upgrade', hub.handleUpgrade);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    wsUrl = `ws://127.0.0.1:${(server.address() as AddressInfo).port}/api/v1/ws?access_token=secret&topics=test_tick`;
  });
  afterAll(() => {
    hub.close();
    return new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r())));
  });

  it('costs the runtime at most its cap, and learns what it skipped', async () => {
    const cap = 1024 * 1024;
    const slack = 32 * 1024; // one burst may go over
    const global = bus.stream('global');
    const { ws, messages } = await openWs(wsUrl);
    onTestFinished(() => ws.terminate());
    await expect.poll(() => messages.some((m) => m.type === 'server.connected')).toBe(true);
    let published = 0;
    let lastTick = 0;
    const publish = (fields: Record<string, unknown>) => {
      published++;
      const event = global.publish('test_tick', fields);
      lastTick = event.seq;
      return event;
    };
    // Something it skips that is not for it: other topics are neither sent nor counted.
    const other = () => global.publish('other_topic', { pad: PAD });
    ws.pause();

    // The hub only buffers once the kernel refuses more; from then on its buffer grows to the cap, and no further.
    for (let round = 0; hub.bufferedBytes < cap - slack; round++) {
      if (round > 100_000) throw new Error('the socket never backed up');
      for (let i = 0; i < 20; i++) publish({ pad: PAD });
      await nextTurn();
    }
    for (let round = 0; round < 100; round++) {
      for (let i = 0; i < 20; i++) publish({ pad: PAD });
      other();
      await nextTurn();
      expect(hub.bufferedBytes).toBeLessThanOrEqual(cap + slack);
    }
    const lastSkipped = lastTick;

    ws.resume();
    await expect.poll(() => messages.some((m) => m.type === 'backlog_truncated'), { timeout: 10_000 }).toBe(true);
    const final = publish({ final: true });
    await expect.poll(() => ticks(messages).at(-1)).toBe(final.seq);

    const noticeAt = messages.findIndex((m) => m.type === 'backlog_truncated');
    const notice = messages[noticeAt];
    expect(notice).toEqual({ type: 'backlog_truncated', after: expect.any(Number), oldest_seq: lastSkipped + 1, skipped: expect.any(Number) });
    expect(notice.skipped).toBeGreaterThan(0);
    // Every tick is received or counted as skipped, once, in order.
    const received = ticks(messages);
    expect(ticks(messages.slice(0, noticeAt)).at(-1)).toBeLessThanOrEqual(notice.after);
    expect(ticks(messages.slice(noticeAt))).toEqual([final.seq]);
    expect([...received].sort((x, y) => x - y)).toEqual(received);
    expect(new Set(received).size).toBe(received.length);
    expect(received.length + notice.skipped).toBe(published);
    expect(messages.some((m) => m.type === 'other_topic')).toBe(false);
    ws.close();
  });
});
