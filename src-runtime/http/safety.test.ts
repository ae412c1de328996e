import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createServer, request, type RequestListener } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { realpath } from 'node:fs/promises';
import { z } from 'zod';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { rawRequest } from '../../test-support/raw-http.js';
import { errorBodySchema } from '../contract/errors.js';
import { defineRoute } from '../contract/route.js';
import type { RuntimeFeature } from '../feature.js';
import { filesFeature } from '../files/feature.js';
import { bind } from './bind.js';
import { guardedListener } from './safety.js';

const route = (path: string) =>
  defineRoute({ operationId: `test.${path}`, method: 'get', path: `/api/v1/test-safety/${path}`, summary: 'test', tags: ['test'], access: 'public', params: z.object({}), responses: { 200: errorBodySchema } });

/** A stand-in feature whose routes fail on purpose. */
const failingFeature: RuntimeFeature = {
  name: 'failing',
  setup: () => ({
    routes: [
      bind(route('throw'), () => {
        throw new TypeError('boom in a handler');
      }),
      bind(route('reject'), async () => {
        await Promise.resolve();
        throw new Error('boom after an await');
      }),
      bind(route('after-headers'), ({ res }) => {
        res.writeHead(200, { 'content-type': 'text/plain' });
        res.write('partial');
        throw new Error('boom mid-response');
      }),
    ],
  }),
};

/** GET that resolves with the status, or 'cut' when the connection dies before the response ends. */
function getOrCut(url: string, path: string): Promise<number | 'cut'> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const req = request({ hostname, port, path }, (res) => {
      res.on('data', () => undefined);
      res.on('end', () => resolve(res.statusCode ?? 0));
      res.on('aborted', () => resolve('cut'));
      res.on('error', () => resolve('cut'));
    });
    req.on('error', () => resolve('cut'));
    req.end();
  });
}

function rawSocket(url: string, bytes: string): Promise<string> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    let got = '';
    socket.on('data', (c) => (got += c.toString('latin1')));
    socket.on('close', () => resolve(got));
    socket.on('error', () => resolve(got));
  });
}

describe('one failing request ends that request only', () => {
  let rt: TestRuntime;
  let root: string;
  const logged = () =>
    (vi.mocked(process.stderr.write).mock.calls as unknown[][]).map((c) => String(c[0])).filter((l) => l.includes('/api/v1/test-safety/'));

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-safety-'));
    rt = await startTestRuntime({ workspace: root, features: [filesFeature, failingFeature] });
  });
  afterAll(() => rt.close());
  afterEach(() => vi.restoreAllMocks());

  it('a throwing handler is a 500 with the standard body, logged once with its stack', async () => {
    vi.spyOn(process.stderr, 'write');
    for (const path of ['throw', 'reject']) {
      const res = await rawRequest(rt.url, { path: `/api/v1/test-safety/${path}` });
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toEqual({ code: 'internal_error', error: expect.any(String) });
      expect(res.body).not.toContain('boom');
    }
    const lines = logged();
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(/boom in a handler\n\s+at /);
    expect((await rt.json('/health')).status).toBe(200);
  });

  it('a handler that throws after the headers went out cuts that connection only', async () => {
    vi.spyOn(process.stderr, 'write');
    expect(await getOrCut(rt.url, '/api/v1/test-safety/after-headers')).toBe('cut');
    expect(logged()).toHaveLength(1);
    expect((await rt.json('/health')).status).toBe(200);
  });

  it('malformed requests get a 4xx and the runtime keeps serving', async () => {
    const auth = { authorization: `Bearer ${rt.token}` };
    const id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
    // Percent-encoding garbage in a path parameter and in a wildcard file path.
    for (const path of [`/api/v1/workspaces/%E0%A4%A/files/a.txt`, `/api/v1/workspaces/${id}/files/%E0%A4%A`, `/api/v1/workspaces/${id}/files/a%00b`]) {
      const res = await rawRequest(rt.url, { path, headers: auth });
      expect(res.status, path).toBeGreaterThanOrEqual(400);
      expect(res.status, path).toBeLessThan(500);
    }
    // Invalid JSON for a JSON-form file write.
    const json = await rawRequest(rt.url, {
      method: 'PUT',
      path: `/api/v1/workspaces/${id}/files/j.txt?format=json`,
      headers: { ...auth, 'content-type': 'application/json' },
      body: '{"content": ',
    });
    expect(json.status).toBe(400);
    expect(JSON.parse(json.body)).toMatchObject({ code: 'invalid_json' });
    // Bytes Node's HTTP parser rejects, and an absurd header: plain 4xx, connection closed.
    expect(await rawSocket(rt.url, 'NOT HTTP AT ALL\r\n\r\n')).toMatch(/^HTTP\/1\.1 400 /);
    expect(await rawSocket(rt.url, `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`)).toMatch(/^HTTP\/1\.1 431 /);
    expect((await rt.json('/health')).status).toBe(200);
    expect((await rt.json(`/api/v1/workspaces/${id}/files/`)).status).toBe(200);
  });
});

describe('guardedListener', () => {
  async function serve(listener: RequestListener): Promise<{ url: string; close: () => Promise<void> }> {
    const server = createServer(listener);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    return { url, close: () => new Promise((resolve) => (server.closeAllConnections(), server.close(() => resolve()))) };
  }

  it('turns a listener that throws into a 500, or a cut connection once headers are out, and logs once', async () => {
    const log = vi.fn();
    const s = await serve(
      guardedListener((req, res) => {
        if (req.url === '/late') {
          res.writeHead(200);
          res.write('x');
        }
        throw new Error('listener blew up');
      }, log),
    );
    try {
      const res = await rawRequest(s.url, { path: '/early?access_token=secret' });
      expect(res.status).toBe(500);
      expect(JSON.parse(res.body)).toMatchObject({ code: 'internal_error' });
      expect(await getOrCut(s.url, '/late')).toBe('cut');
      expect(log).toHaveBeenCalledTimes(2);
      expect(log.mock.calls[0]![0]).toMatch(/GET \/early → 500 Error: listener blew up\n\s+at /);
      expect(log.mock.calls[0]![0]).not.toContain('secret');
    } finally {
      await s.close();
    }
  });
});
