/**
 * The typed client (src-runtime/client) against a real runtime: JSON calls typed from the contract (through the
 * OpenAPI-checked fetch), ApiError for failures, SSE with Last-Event-ID resume, and the event
 * socket (the `ws` package as the WebSocket constructor) with reconnect and ?after= replay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import WebSocket from 'ws';
import { z } from 'zod';
import { startTestRuntime, makeTempDir, type TestRuntime } from '../test-support/runtime-harness.js';
import { createCheckedFetch } from '../test-support/checked-fetch.js';
import { waitFor } from '../test-support/wait.js';
import { defineRoute, sseResponse, commonErrors } from './contract/route.js';
import { workspacesApi } from './contract/workspaces.js';
import { runtimeApi } from './contract/runtime.js';
import type { WireEvent } from './contract/events.js';
import { bind } from './http/bind.js';
import { streamSse } from './events/sse.js';
import type { RuntimeFeature } from './feature.js';
import { ApiError, connectEventSocket, createClient, subscribeSse, type ConnectionState, type WebSocketCtor } from './client/index.js';

// A feature only this test mounts: an SSE route over a bus stream the test publishes on.
const tickStream = defineRoute({
  operationId: 'test.ticks',
  method: 'get',
  path: '/api/v1/test-ticks',
  summary: 'Test ticks',
  tags: ['test'],
  access: 'token',
  query: z.object({ end_at: z.coerce.number().int().optional(), after: z.string().optional() }),
  responses: { 200: sseResponse, ...commonErrors },
});
const ticksFeature: RuntimeFeature = {
  name: 'test-ticks',
  setup(ctx) {
    const stream = ctx.bus.stream('test:ticks', { backlog: 100 });
    return {
      routes: [bind(tickStream, ({ req, res, query }) => streamSse(req, res, stream, { endAfter: (e) => query.end_at !== undefined && e.seq >= query.end_at }))],
    };
  },
};

let rt: TestRuntime;
let folder: string;

beforeAll(async () => {
  folder = await makeTempDir('wr-client-ws-');
  rt = await startTestRuntime({ features: [ticksFeature], extraEventTypes: ['tick'] });
});
afterAll(async () => rt?.close());

describe('RuntimeClient.call', () => {
  it('calls routes typed from the contract', async () => {
    const client = createClient({ baseUrl: rt.url, token: rt.token, fetch: createCheckedFetch(rt.url, rt.token) });
    const created = await client.call(workspacesApi.create, { body: { root_dir: folder, name: 'Client test' } });
    expect(created.workspace.name).toBe('Client test');
    expect(created.workspace.id).toMatch(/^ws_/);
    const { workspaces } = await client.call(workspacesApi.list);
    expect(workspaces.map((w) => w.root_dir)).toContain(created.workspace.root_dir);
    // A path as the id goes through URL encoding.
    const byPath = await client.call(workspacesApi.get, { params: { id: created.workspace.root_dir } });
    expect(byPath.workspace.id).toBe(created.workspace.id);
    const patched = await client.call(workspacesApi.patch, { params: { id: created.workspace.id }, body: { trusted: true } });
    expect(patched.workspace.trusted).toBe(true);
    const { config } = await client.call(runtimeApi.getConfig);
    expect(config.permission_timeout_s).toBeGreaterThan(0);
  });

  it('turns error answers into ApiError with status, code and message', async () => {
    const client = createClient({ baseUrl: rt.url, token: rt.token, fetch: createCheckedFetch(rt.url, rt.token) });
    const missing = await client.call(workspacesApi.get, { params: { id: 'ws_nope' } }).catch((e: unknown) => e);
    expect(missing).toBeInstanceOf(ApiError);
    expect((missing as ApiError).status).toBe(404);
    expect((missing as ApiError).code).toBe('workspace_not_found');
    const invalid = await client.call(workspacesApi.create, { body: { root_dir: '' } }).catch((e: unknown) => e);
    expect((invalid as ApiError).status).toBe(400);
    expect((invalid as ApiError).code).toBe('invalid_request');
    const anonymous = createClient({ baseUrl: rt.url, token: () => 'wrong-token' });
    const denied = await anonymous.call(workspacesApi.list).catch((e: unknown) => e);
    expect((denied as ApiError).status).toBe(401);
  });

  it('reports an unreachable runtime as a network_error', async () => {
    const client = createClient({ baseUrl: 'http://127.0.0.1:9', token: 't' });
    const error = await client.call(runtimeApi.status).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).code).toBe('network_error');
  });
});

describe('subscribeSse', () => {
  it('receives events and resumes after a drop with Last-Event-ID, losing and repeating nothing', async () => {
    const client = createClient({ baseUrl: rt.url, token: rt.token });
    const stream = rt.ctx.bus.stream('test:ticks');
    const seen: number[] = [];
    let connects = 0;
    // The server ends the stream after seq 3; onEnd asks for a reconnect, which must resume at 4.
    const sub = subscribeSse({
      url: client.url(tickStream, { query: { end_at: 3 } }),
      token: rt.token,
      onEvent: (e) => {
        if (e.type === 'server.connected') connects += 1;
        if (e.type === 'tick') seen.push(e.seq);
      },
      onEnd: () => seen.length < 6,
      retry: { minMs: 10 },
    });
    await waitFor(() => connects === 1, 'the first connection');
    for (let i = 0; i < 3; i++) stream.publish('tick', { n: i });
    await waitFor(() => connects === 2, 'the reconnection');
    // Published while reconnected: the second connection has end_at=3 too, so it closes after
    // replaying nothing new… publish more and check the third connection picks them up in order.
    for (let i = 3; i < 6; i++) stream.publish('tick', { n: i });
    await waitFor(() => seen.length === 6, 'six events');
    sub.close();
    await sub.done;
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    expect(sub.lastEventId()).toBe('6');
  });

  it('starts from a given lastEventId and reports HTTP errors', async () => {
    const client = createClient({ baseUrl: rt.url, token: rt.token });
    const seen: number[] = [];
    const sub = subscribeSse({ url: client.url(tickStream), token: rt.token, lastEventId: 4, onEvent: (e) => e.type === 'tick' && seen.push(e.seq) });
    await waitFor(() => seen.length === 2, 'two events');
    expect(seen).toEqual([5, 6]);
    sub.close();
    const errors: unknown[] = [];
    const denied = subscribeSse({ url: client.url(tickStream), token: 'bad', onEvent: () => undefined, onError: (e) => (errors.push(e), false) });
    await denied.done;
    expect((errors[0] as ApiError).status).toBe(401);
  });
});

describe('connectEventSocket', () => {
  it('subscribes, receives workspace events, and resubscribes after a reconnect', async () => {
    const events: WireEvent[] = [];
    const states: Array<[ConnectionState, boolean]> = [];
    const socket = connectEventSocket({
      baseUrl: rt.url,
      token: rt.token,
      WebSocket: WebSocket as unknown as WebSocketCtor,
      topics: ['workspace_changed'],
      onEvent: (e) => events.push(e),
      onState: (s, info) => states.push([s, info.resumed]),
      backoff: { minMs: 20, maxMs: 100 },
    });
    await waitFor(() => events.some((e) => e.type === 'subscribed'), 'the subscription');
    const client = createClient({ baseUrl: rt.url, token: rt.token });
    const dir = join(folder, 'second');
    await mkdir(dir);
    const { workspace } = await client.call(workspacesApi.create, { body: { root_dir: dir } });
    await waitFor(() => events.some((e) => e.type === 'workspace_changed' && e.workspace_id === workspace.id), 'workspace_changed');

    socket.reconnect();
    await waitFor(() => states.some(([s]) => s === 'reconnecting'), 'reconnecting');
    await waitFor(() => states.some(([s, resumed]) => s === 'open' && resumed), 'a resumed open');
    // The resumed socket re-sent its subscription: later changes arrive on it.
    await waitFor(() => events.filter((e) => e.type === 'subscribed').length === 2, 'the second subscription');
    await client.call(workspacesApi.patch, { params: { id: workspace.id }, body: { name: 'Renamed' } });
    await waitFor(() => events.filter((e) => e.type === 'workspace_changed' && e.workspace_id === workspace.id).length === 2, 'the second workspace_changed');
    const seqs = events.filter((e) => e.type === 'workspace_changed').map((e) => e.seq);
    expect(new Set(seqs).size).toBe(seqs.length);
    socket.close();
    await waitFor(() => socket.state() === 'closed', 'the socket to close');
  });

  it('keeps receiving system_stats after scoping the socket to a workspace', async () => {
    const stats: WireEvent[] = [];
    const acks: WireEvent[] = [];
    const { workspace } = await createClient({ baseUrl: rt.url, token: rt.token }).call(workspacesApi.create, { body: { root_dir: folder } });
    const socket = connectEventSocket({
      baseUrl: rt.url,
      token: rt.token,
      WebSocket: WebSocket as unknown as WebSocketCtor,
      topics: ['system_stats'],
      onEvent: (e) => (e.type === 'system_stats' ? stats.push(e) : e.type === 'subscribed' && acks.push(e)),
    });
    await waitFor(() => stats.length > 0, 'system_stats');
    socket.subscribe(['system_stats'], workspace.id);
    await waitFor(() => acks.some((a) => a.workspace_id === workspace.id), 'the scoped subscription');
    const seen = stats.length;
    // Sampled after the socket was scoped: scoped subscribers still count as demand.
    await waitFor(() => stats.length >= seen + 2, 'system_stats after scoping');
    socket.close();
  });

  it('keeps retrying while the token is refused', async () => {
    const states: ConnectionState[] = [];
    const socket = connectEventSocket({
      baseUrl: rt.url,
      token: 'bad',
      WebSocket: WebSocket as unknown as WebSocketCtor,
      onEvent: () => undefined,
      onState: (s) => states.push(s),
      backoff: { minMs: 10, maxMs: 20 },
    });
    await waitFor(() => states.filter((s) => s === 'reconnecting').length >= 2, 'two reconnect attempts');
    expect(states).not.toContain('open');
    socket.close();
  });
});
