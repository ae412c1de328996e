/**
 * Connection tickets (POST /api/v1/auth/tickets) on a real port: a ticket opens one WebSocket or
 * one SSE stream, then never again; it expires after 30 s on the runtime's (injected) clock; JSON
 * routes and pages refuse it; ?access_token= keeps working for scripts; the typed client never
 * puts the token in a socket URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { z } from 'zod';
import { startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { defineRoute, sseResponse, commonErrors } from '../contract/route.js';
import { bind } from './bind.js';
import { streamSse } from '../events/sse.js';
import type { RuntimeFeature } from '../feature.js';
import { connectEventSocket, createClient, type ConnectionState, type WebSocketCtor } from '../client/index.js';
import type { WireEvent } from '../contract/events.js';
import { TicketStore, TICKET_TTL_MS } from './tickets.js';

const tickStream = defineRoute({
  operationId: 'test.ticket-ticks',
  method: 'get',
  path: '/api/v1/test-ticket-ticks',
  summary: 'Test ticks',
  tags: ['test'],
  access: 'token',
  query: z.object({ ticket: z.string().optional(), access_token: z.string().optional() }),
  responses: { 200: sseResponse, ...commonErrors },
});
const ticksFeature: RuntimeFeature = {
  name: 'test-ticket-ticks',
  setup(ctx) {
    const stream = ctx.bus.stream('test:ticket-ticks', { backlog: 10 });
    return { routes: [bind(tickStream, ({ req, res }) => streamSse(req, res, stream))] };
  },
};

let rt: TestRuntime;
let now = Date.parse('2030-01-01T00:00:00.000Z');
const wsBase = () => rt.url.replace('http', 'ws');

beforeAll(async () => {
  rt = await startTestRuntime({ features: [ticksFeature], now: () => now });
});
afterAll(async () => rt?.close());

async function ticket(): Promise<{ value: string; expires_at: string }> {
  const res = await rt.json<{ ticket: { value: string; expires_at: string } }>('/api/v1/auth/tickets', { method: 'POST' });
  expect(res.status).toBe(201);
  return res.body.ticket;
}

/** Upgrade to a WebSocket: the first message when it opens, or the refusal's status and body. */
function upgrade(url: string): Promise<{ status: 101; first: any } | { status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    ws.once('message', (raw) => {
      resolve({ status: 101, first: JSON.parse(String(raw)) });
      ws.close();
    });
    ws.once('unexpected-response', (_req, res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.once('error', (error) => {
      if (!String(error.message).startsWith('Unexpected server response')) reject(error);
    });
  });
}

/** Open an SSE route without any Authorization header; the first event when it is 200, the JSON error otherwise. */
async function sse(query: string): Promise<{ status: number; first?: string; body?: any }> {
  const ac = new AbortController();
  const res = await fetch(`${rt.url}${tickStream.path}${query}`, { signal: ac.signal, headers: { accept: 'text/event-stream' } });
  if (res.status !== 200) return { status: res.status, body: await res.json() };
  expect(res.headers.get('content-type')).toContain('text/event-stream');
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  let text = '';
  while (!text.includes('\n\n')) {
    const { value, done } = await reader.read();
    if (done) break;
    text += value;
  }
  ac.abort();
  return { status: 200, first: text };
}

describe('POST /api/v1/auth/tickets', () => {
  it('issues a random tkt_ ticket that expires 30 s later on the runtime clock, and needs the token', async () => {
    const a = await ticket();
    const b = await ticket();
    expect(a.value).toMatch(/^tkt_[A-Za-z0-9_-]{40,}$/);
    expect(b.value).not.toBe(a.value);
    expect(a.expires_at).toBe(new Date(now + 30_000).toISOString());
    const anonymous = await rt.json('/api/v1/auth/tickets', { method: 'POST', headers: { authorization: '' } });
    expect(anonymous).toMatchObject({ status: 401, body: { code: 'unauthorized' } });
    // A ticket cannot buy another ticket (JSON routes refuse tickets).
    const viaTicket = await rt.json(`/api/v1/auth/tickets?ticket=${a.value}`, { method: 'POST', headers: { authorization: '' } });
    expect(viaTicket).toMatchObject({ status: 401, body: { code: 'ticket_not_accepted' } });
  });

  it('is in the served OpenAPI document, and SSE routes list the ticket as a way in', async () => {
    const { body: doc } = await rt.json('/api/v1/openapi.json');
    const op = doc.paths['/api/v1/auth/tickets'].post;
    expect(op.operationId).toBe('auth.tickets.create');
    expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['201', '401']));
    expect(op.security).toEqual([{ bearer: [] }]);
    expect(doc.paths[tickStream.path].get.security).toEqual([{ bearer: [] }, { ticket: [] }, { access_token: [] }]);
    expect(doc.paths['/api/v1/workspaces'].get.security).toEqual([{ bearer: [] }]);
    expect(doc.components.securitySchemes.ticket).toMatchObject({ type: 'apiKey', in: 'query', name: 'ticket' });
  });
});

describe('?ticket= on a WebSocket upgrade', () => {
  it('opens the socket once; the second use is 401 ticket_invalid', async () => {
    const t = await ticket();
    const first = await upgrade(`${wsBase()}/api/v1/ws?ticket=${t.value}`);
    expect(first).toMatchObject({ status: 101, first: { type: 'server.connected' } });
    const again = await upgrade(`${wsBase()}/api/v1/ws?ticket=${t.value}`);
    expect(again.status).toBe(401);
    expect((again as { body: string }).body).toContain('ticket_invalid');
    const made_up = await upgrade(`${wsBase()}/api/v1/ws?ticket=tkt_made_up`);
    expect((made_up as { body: string }).body).toContain('ticket_invalid');
  });

  it('is refused with 401 ticket_expired once 30 s have passed', async () => {
    const almost = await ticket();
    const late = await ticket();
    now += TICKET_TTL_MS - 1;
    expect(await upgrade(`${wsBase()}/api/v1/ws?ticket=${almost.value}`)).toMatchObject({ status: 101 });
    now += 1;
    const refused = await upgrade(`${wsBase()}/api/v1/ws?ticket=${late.value}`);
    expect(refused.status).toBe(401);
    expect((refused as { body: string }).body).toContain('ticket_expired');
  });

  it('still takes ?access_token= (scripts)', async () => {
    expect(await upgrade(`${wsBase()}/api/v1/ws?access_token=${rt.token}`)).toMatchObject({ status: 101 });
  });
});

describe('?ticket= on HTTP routes', () => {
  it('opens an SSE stream once; the second use is 401 ticket_invalid', async () => {
    const t = await ticket();
    const first = await sse(`?ticket=${t.value}`);
    expect(first.status).toBe(200);
    expect(first.first).toContain('server.connected');
    const again = await rt.json(`${tickStream.path}?ticket=${t.value}`, { headers: { authorization: '' } });
    expect(again).toMatchObject({ status: 401, body: { code: 'ticket_invalid' } });
  });

  it('an expired ticket on an SSE route is 401 ticket_expired', async () => {
    const t = await ticket();
    now += TICKET_TTL_MS;
    const res = await rt.json(`${tickStream.path}?ticket=${t.value}`, { headers: { authorization: '' } });
    expect(res).toMatchObject({ status: 401, body: { code: 'ticket_expired' } });
  });

  it('JSON routes and pages refuse a ticket (401 ticket_not_accepted) without using it up', async () => {
    const t = await ticket();
    const json = await rt.json(`/api/v1/workspaces?ticket=${t.value}`, { headers: { authorization: '' } });
    expect(json).toMatchObject({ status: 401, body: { code: 'ticket_not_accepted' } });
    expect(json.body.error).toContain('Authorization: Bearer');
    const docs = await fetch(`${rt.url}/api/v1/docs?ticket=${t.value}`);
    expect(docs.status).toBe(401);
    expect(((await docs.json()) as { code: string }).code).toBe('ticket_not_accepted');
    expect((await sse(`?ticket=${t.value}`)).status).toBe(200);
  });

  it('SSE routes still take ?access_token= (scripts); JSON routes still do not', async () => {
    expect((await sse(`?access_token=${rt.token}`)).status).toBe(200);
    expect((await fetch(`${rt.url}/api/v1/workspaces?access_token=${rt.token}`)).status).toBe(401);
  });
});

describe('the typed client', () => {
  it('connects and reconnects the event socket with a fresh ticket each time, never the token', async () => {
    const urls: string[] = [];
    const Recording = class extends WebSocket {
      constructor(url: string) {
        urls.push(url);
        super(url);
      }
    } as unknown as WebSocketCtor;
    const events: WireEvent[] = [];
    const states: Array<[ConnectionState, boolean]> = [];
    const socket = connectEventSocket({
      baseUrl: rt.url,
      token: rt.token,
      WebSocket: Recording,
      topics: ['workspace_changed'],
      onEvent: (e) => events.push(e),
      onState: (s, info) => states.push([s, info.resumed]),
      backoff: { minMs: 10, maxMs: 50 },
    });
    await expect.poll(() => events.filter((e) => e.type === 'subscribed').length).toBe(1);
    socket.reconnect();
    await expect.poll(() => states.some(([s, resumed]) => s === 'open' && resumed)).toBe(true);
    await expect.poll(() => events.filter((e) => e.type === 'subscribed').length).toBe(2);
    socket.close();
    await expect.poll(() => socket.state()).toBe('closed');

    expect(urls.length).toBe(2);
    for (const url of urls) {
      expect(url).not.toContain(rt.token);
      expect(url).not.toContain('access_token');
      expect(new URL(url).searchParams.get('ticket')).toMatch(/^tkt_/);
    }
    expect(new Set(urls.map((u) => new URL(u).searchParams.get('ticket'))).size).toBe(2);
  });

  it('keeps retrying (no socket opened) while the token is refused for a ticket', async () => {
    const urls: string[] = [];
    const states: ConnectionState[] = [];
    const socket = connectEventSocket({
      baseUrl: rt.url,
      token: 'bad',
      WebSocket: class {
        constructor(url: string) {
          urls.push(url);
        }
      } as unknown as WebSocketCtor,
      onEvent: () => undefined,
      onState: (s) => states.push(s),
      backoff: { minMs: 5, maxMs: 10 },
    });
    await expect.poll(() => states.filter((s) => s === 'reconnecting').length).toBeGreaterThanOrEqual(2);
    socket.close();
    expect(urls).toEqual([]);
    expect(socket.state()).toBe('closed');
  });

  it('ticketUrl() builds an EventSource URL with a fresh ticket and no token', async () => {
    const client = createClient({ baseUrl: rt.url, token: rt.token });
    const url = await client.ticketUrl(tickStream);
    expect(url).not.toContain(rt.token);
    const ticketValue = new URL(url).searchParams.get('ticket');
    expect(ticketValue).toMatch(/^tkt_/);
    expect((await sse(`?ticket=${ticketValue}`)).status).toBe(200);
    expect(client.url(tickStream)).not.toContain(rt.token);
  });
});

describe('TicketStore', () => {
  it('is single use, expires on its clock and forgets the oldest beyond its cap', () => {
    let t = 0;
    const store = new TicketStore(() => t, 1000);
    const a = store.issue();
    expect(store.consume(a.value)).toEqual({ ok: true });
    expect(store.consume(a.value)).toMatchObject({ ok: false, code: 'ticket_invalid' });
    const b = store.issue();
    t = 1000;
    expect(store.consume(b.value)).toMatchObject({ ok: false, code: 'ticket_expired' });
    expect(store.consume(b.value)).toMatchObject({ ok: false, code: 'ticket_invalid' });
    const first = store.issue();
    for (let i = 0; i < 1100; i++) store.issue();
    expect(store.size).toBe(1024);
    expect(store.consume(first.value)).toMatchObject({ ok: false, code: 'ticket_invalid' });
  });
});
