import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import express from 'express';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import WebSocket from 'ws';
import { EventBus } from './bus.js';
import { streamSse } from './sse.js';
import { startTestRuntime, makeTempDir, type TestRuntime } from '../../test-support/runtime-harness.js';
import { readSse } from '../../test-support/sse.js';
import { PATIENCE_MS } from '../../test-support/wait.js';

describe('event bus', () => {
  it('numbers events per stream and reports a truncated backlog', async () => {
    const bus = new EventBus();
    const a = bus.stream('a', { backlog: 3 });
    for (let i = 0; i < 5; i++) a.publish('tick', { i });
    bus.publish('b', 'tick');
    expect(a.lastSeq).toBe(5);
    expect(bus.stream('b').lastSeq).toBe(1);
    const replay = await a.replay(1);
    expect(replay.events.map((e) => e.seq)).toEqual([3, 4, 5]);
    expect(replay.truncated).toEqual({ after: 1, oldest_seq: 3 });
    expect((await a.replay(2)).truncated).toBeUndefined();
  });

  it('keeps delivering to other subscribers when one throws', () => {
    const bus = new EventBus();
    const got: number[] = [];
    bus.stream('s').subscribe(() => {
      throw new Error('boom');
    });
    bus.stream('s').subscribe((e) => got.push(e.seq));
    bus.publish('s', 'x');
    expect(got).toEqual([1]);
  });
});

describe('SSE writer', () => {
  let server: Server;
  let base: string;
  const bus = new EventBus();
  const stream = bus.stream('test', { backlog: 10_000 });

  beforeAll(async () => {
    const app = express();
    app.get('/events', (req, res) => streamSse(req, res, stream));
    server = createServer(app);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

  it('sends server.connected first, replays, goes live, and a Last-Event-ID reconnect loses and repeats nothing', async () => {
    for (let i = 1; i <= 50; i++) stream.publish('n', { i });
    // A publisher keeps going while clients connect and reconnect.
    let i = 50;
    const timer = setInterval(() => {
      for (let k = 0; k < 5; k++) stream.publish('n', { i: ++i });
    }, 2);
    let contentType: string | null = null;
    const first = await readSse(`${base}/events`, (ev) => ev.filter((e) => e.event === 'n').length >= 120, { onResponse: (res) => (contentType = res.headers.get('content-type')) });
    expect(contentType).toContain('text/event-stream');
    expect(first[0]!.event).toBe('server.connected');
    const firstSeqs = first.filter((e) => e.event === 'n').map((e) => Number(e.id));
    const last = firstSeqs.at(-1)!;
    const second = await readSse(`${base}/events`, (ev) => ev.filter((e) => e.event === 'n').length >= 100, { lastEventId: last });
    clearInterval(timer);
    const secondSeqs = second.filter((e) => e.event === 'n').map((e) => Number(e.id));
    const all = [...firstSeqs, ...secondSeqs];
    expect(all).toEqual(Array.from({ length: all.length }, (_, k) => k + 1));
  });

  it('accepts ?after= and rejects a malformed cursor', async () => {
    const events = await readSse(`${base}/events?after=40`, (ev) => ev.filter((e) => e.event === 'n').length >= 5);
    expect(Number(events.find((e) => e.event === 'n')!.id)).toBe(41);
    const bad = await fetch(`${base}/events?after=-3`);
    expect(bad.status).toBe(400);
  });
});

function openWs(url: string, headers: Record<string, string> = {}): Promise<{ ws: WebSocket; messages: any[]; next: (pred: (m: any) => boolean, ms?: number) => Promise<any> }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    const messages: any[] = [];
    const waiters: Array<{ pred: (m: any) => boolean; resolve: (m: any) => void }> = [];
    ws.on('message', (raw) => {
      const m = JSON.parse(String(raw));
      messages.push(m);
      for (const w of [...waiters]) {
        if (!w.pred(m)) continue;
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(m);
      }
    });
    ws.on('open', () =>
      resolve({
        ws,
        messages,
        next: (pred, ms = PATIENCE_MS) =>
          new Promise((res, rej) => {
            const found = messages.find(pred);
            if (found) return res(found);
            const t = setTimeout(() => rej(new Error(`no matching message within ${ms} ms; got ${JSON.stringify(messages).slice(0, 400)}`)), ms);
            waiters.push({ pred, resolve: (m) => (clearTimeout(t), res(m)) });
          }),
      }),
    );
    ws.on('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.on('error', reject);
  });
}

describe('WS /api/v1/ws', () => {
  let rt: TestRuntime;
  let wsUrl: string;
  beforeAll(async () => {
    rt = await startTestRuntime();
    wsUrl = rt.url.replace('http', 'ws') + '/api/v1/ws';
  });
  afterAll(() => rt.close());

  it('refuses upgrades without a token, with a wrong one, or from another origin', async () => {
    await expect(openWs(wsUrl)).rejects.toThrow('HTTP 401');
    await expect(openWs(`${wsUrl}?access_token=wrong`)).rejects.toThrow('HTTP 401');
    await expect(openWs(`${wsUrl}?access_token=${rt.token}`, { origin: 'https://evil.example' })).rejects.toThrow('HTTP 403');
    await expect(openWs(rt.url.replace('http', 'ws') + `/api/v1/ws/nothing?access_token=${rt.token}`)).rejects.toThrow('HTTP 404');
  });

  it('refuses malformed or absurd upgrade paths and keeps serving', async () => {
    const base = rt.url.replace('http', 'ws');
    await expect(openWs(`${base}/api/v1/ws/agent-sessions/%E0%A4%A?access_token=${rt.token}`)).rejects.toThrow('HTTP 400');
    await expect(openWs(`${base}/api/v1/ws/agent-sessions/a%00b?access_token=${rt.token}`)).rejects.toThrow('HTTP 400');
    await expect(openWs(`${base}/api/v1/ws/agent-sessions/${'x'.repeat(10 * 1024)}?access_token=${rt.token}`)).rejects.toThrow('HTTP 414');
    expect((await rt.json('/health')).status).toBe(200);
    const { ws, next } = await openWs(`${wsUrl}?access_token=${rt.token}`);
    await next((m) => m.type === 'server.connected');
    ws.close();
  });

  it('a throwing WebSocket handler closes that socket only (1011)', async () => {
    rt.ctx.hub.route('/api/v1/ws/test-throws', () => {
      throw new Error('handler blew up');
    });
    const write = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    try {
      const code = await new Promise<number>((resolve, reject) => {
        const ws = new WebSocket(`${rt.url.replace('http', 'ws')}/api/v1/ws/test-throws?access_token=${rt.token}`);
        ws.on('close', (c) => resolve(c));
        ws.on('error', reject);
      });
      expect(code).toBe(1011);
      expect(write.mock.calls.map((c) => String(c[0])).filter((l) => l.includes('handler blew up'))).toHaveLength(1);
    } finally {
      write.mockRestore();
    }
    expect((await rt.json('/health')).status).toBe(200);
  });

  it('streams system_stats to subscribers and workspace events by topic', async () => {
    const { ws, next } = await openWs(`${wsUrl}?access_token=${rt.token}`);
    await next((m) => m.type === 'server.connected');
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['system_stats', 'workspace_changed'] }));
    await next((m) => m.type === 'subscribed');
    const stats = await next((m) => m.type === 'system_stats');
    for (const k of ['cpu_percent', 'memory_percent', 'disk_percent']) {
      expect(stats.stats[k]).toBeGreaterThanOrEqual(0);
      expect(stats.stats[k]).toBeLessThanOrEqual(100);
    }
    const dir = await makeTempDir();
    const created = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    const event = await next((m) => m.type === 'workspace_changed' && m.workspace_id === created.body.workspace.id);
    expect(event).toMatchObject({ change: 'created' });
    expect(event.seq).toBeGreaterThan(0);
    ws.send('not json');
    expect((await next((m) => m.type === 'error')).code).toBe('invalid_json');
    ws.close();
  });

  it('replays from ?after= so a reconnecting client misses nothing', async () => {
    const dir = await makeTempDir();
    const before = (await openWs(`${wsUrl}?access_token=${rt.token}`));
    const connected = await before.next((m) => m.type === 'server.connected');
    before.ws.close();
    const { body } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    await rt.json(`/api/v1/workspaces/${body.workspace.id}`, { method: 'PATCH', json: { name: 'Again' } });
    const { ws, next } = await openWs(`${wsUrl}?access_token=${rt.token}&after=${connected.last_seq}`);
    ws.send(JSON.stringify({ type: 'subscribe', topics: ['workspace_changed'], workspace_id: body.workspace.id }));
    await next((m) => m.type === 'workspace_changed' && m.change === 'updated');
    const got = (await Promise.all([next((m) => m.change === 'created'), next((m) => m.change === 'updated')])) as any[];
    expect(got[0].seq).toBeLessThan(got[1].seq);
    ws.close();
    // ?topics= in the URL replays at once, without a subscribe message.
    const viaUrl = await openWs(`${wsUrl}?access_token=${rt.token}&after=${connected.last_seq}&topics=workspace_changed`);
    const again = await viaUrl.next((m) => m.type === 'workspace_changed' && m.change === 'updated');
    expect(again.workspace_id).toBe(body.workspace.id);
    viaUrl.ws.close();
  });
});
