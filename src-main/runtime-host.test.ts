// The runtime host against the real runtime bundle (dist/runtime/main.mjs, built by the global
// setup), forked with child_process.fork in place of Electron's utilityProcess.fork.
import { once } from 'node:events';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { nodeForkRuntime } from './node-fork.js';
import { RuntimeHost, RuntimeStartError, type RuntimeHostOptions } from './runtime-host.js';
import { waitFor } from '../test-support/wait.js';

const ENTRY = resolve('dist/runtime/main.mjs');
const cleanups: Array<() => Promise<unknown>> = [];

afterEach(async () => {
  for (const fn of cleanups.splice(0).reverse()) await fn().catch(() => undefined);
});

async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'wr-host-'));
  cleanups.push(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function makeHost(options: Partial<RuntimeHostOptions> & { dataDir: string }): RuntimeHost {
  const host = new RuntimeHost({ entry: ENTRY, fork: nodeForkRuntime, env: { ...process.env, NODE_ENV: 'production' }, readyTimeoutMs: 30_000, ...options });
  cleanups.push(() => host.stop());
  return host;
}

function alive(pid: number | undefined): boolean {
  if (pid === undefined) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function health(url: string): Promise<number> {
  const res = await fetch(`${url}/health`);
  await res.arrayBuffer();
  return res.status;
}

describe('RuntimeHost with the real runtime entry', () => {
  it('gets url and token from the ready message; the token opens the API', async () => {
    const dataDir = await tempDir();
    const host = makeHost({ dataDir });
    const connection = await host.start();
    expect(connection.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(connection.token.length).toBeGreaterThanOrEqual(16);
    expect(host.state).toBe('running');
    expect(await health(connection.url)).toBe(200);
    const status = await fetch(`${connection.url}/api/v1/runtime/status`, { headers: { authorization: `Bearer ${connection.token}` } });
    expect(status.status).toBe(200);
    const denied = await fetch(`${connection.url}/api/v1/runtime/status`);
    expect(denied.status).toBe(401);
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(true);
  });

  it('shuts the runtime down gracefully: stopped message, exit code 0, runtime.json removed, port closed', async () => {
    const dataDir = await tempDir();
    const host = makeHost({ dataDir });
    const { url, token } = await host.start();
    const pid = host.pid;
    expect(alive(pid)).toBe(true);
    // A connected client (the window's event socket) must not hold the shutdown up.
    const socket = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws`, { headers: { authorization: `Bearer ${token}` } });
    await once(socket, 'open');
    const closed = once(socket, 'close') as Promise<[number, Buffer]>;
    const result = await host.stop();
    // The runtime closed the socket itself (1001, before exiting), rather than the socket holding
    // the shutdown up until the host gave up and killed it (graceful: false).
    const [code, reason] = await closed;
    expect({ code, reason: String(reason) }).toEqual({ code: 1001, reason: 'runtime shutting down' });
    expect(result).toEqual({ graceful: true, confirmed: true, exitCode: 0 });
    expect(host.state).toBe('stopped');
    expect(alive(pid)).toBe(false);
    expect(existsSync(join(dataDir, 'runtime.json'))).toBe(false);
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('restarts a crashed runtime with growing delays, on the same origin, and reports the reconnect', async () => {
    const dataDir = await tempDir();
    const host = makeHost({ dataDir, initialDelayMs: 200, stableAfterMs: 60_000 });
    const first = await host.start();
    const crashes: Array<{ attempt: number; delayMs: number; code: number | null }> = [];
    host.on('crashed', (info) => crashes.push(info));

    for (const expectedDelay of [200, 400]) {
      const pid = host.pid!;
      const ready = once(host, 'ready');
      const killedAt = Date.now();
      process.kill(pid, 'SIGKILL');
      const [connection, info] = (await ready) as [typeof first, { restarted: boolean; originChanged: boolean; pid: number }];
      // A lower bound only: the host waited out the backoff; a slow machine can only add to it.
      expect(Date.now() - killedAt).toBeGreaterThanOrEqual(expectedDelay);
      expect(info.restarted).toBe(true);
      expect(info.originChanged).toBe(false);
      expect(info.pid).not.toBe(pid);
      expect(connection).toEqual(first); // same port, and the token is kept per data dir
      expect(await health(connection.url)).toBe(200);
    }
    expect(crashes.map(({ attempt, delayMs }) => ({ attempt, delayMs }))).toEqual([
      { attempt: 1, delayMs: 200 },
      { attempt: 2, delayMs: 400 },
    ]);
    expect(crashes[0]!.code).toBeNull(); // killed by a signal
    expect((await host.stop()).exitCode).toBe(0);
  });

  it('moves to another port when its old one was taken while it was down, and says the origin changed', async () => {
    const dataDir = await tempDir();
    const host = makeHost({ dataDir, initialDelayMs: 300 });
    const first = await host.start();
    const port = Number(new URL(first.url).port);
    const crashed = once(host, 'crashed');
    process.kill(host.pid!, 'SIGKILL');
    await crashed;
    const squatter = createServer();
    await new Promise<void>((res, rej) => squatter.once('error', rej).listen(port, '127.0.0.1', res));
    cleanups.push(() => new Promise((res) => squatter.close(res)));
    const [connection, info] = (await once(host, 'ready')) as [typeof first, { originChanged: boolean }];
    expect(info.originChanged).toBe(true);
    expect(connection.url).not.toBe(first.url);
    expect(connection.token).toBe(first.token);
    expect(await health(connection.url)).toBe(200);
  });

  it('reports start_failed from a runtime that cannot lock its data dir', async () => {
    const dataDir = await tempDir();
    await makeHost({ dataDir }).start();
    const second = makeHost({ dataDir });
    const error = await second.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeStartError);
    expect((error as RuntimeStartError).code).toBe('start_failed');
    expect((error as RuntimeStartError).message).toContain('data_dir_locked');
    expect(second.state).toBe('failed');
  });
});

describe('RuntimeHost with stand-in entries', () => {
  it('reports an unreadable store as store_unreadable (no restarts) and starts with --recover-store on restart({recoverStore})', async () => {
    const dataDir = await tempDir();
    await writeFile(join(dataDir, 'db.json'), '[]');
    const host = makeHost({ dataDir });
    const error = await host.start().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RuntimeStartError);
    expect(error).toMatchObject({ code: 'store_unreadable', store: { code: 'store_unreadable', file: join(dataDir, 'db.json'), backup: null, hint: 'serve --recover-store' } });
    expect((error as Error).message).toContain('Recover starts with an empty store');
    expect(host.state).toBe('failed');
    const connection = await host.restart({ recoverStore: true });
    expect(await health(connection.url)).toBe(200);
    expect(existsSync(join(dataDir, 'db.json'))).toBe(true);
  });

  it('times out and kills a runtime that never becomes ready', async () => {
    const dir = await tempDir();
    const entry = join(dir, 'never-ready.mjs');
    await writeFile(entry, "process.stderr.write('starting forever\\n'); setInterval(() => {}, 1000); process.on('message', () => {});\n");
    const host = makeHost({ dataDir: dir, entry, readyTimeoutMs: 800 });
    const startedAt = Date.now();
    const error = (await host.start().catch((e: unknown) => e)) as RuntimeStartError;
    expect(error).toBeInstanceOf(RuntimeStartError);
    expect(error.code).toBe('ready_timeout');
    expect(Date.now() - startedAt).toBeGreaterThanOrEqual(800); // a lower bound: it waited out readyTimeoutMs
    expect(error.stderrTail).toContain('starting forever');
    const pid = host.pid;
    await waitFor(() => !alive(pid), 'the never-ready runtime to be killed');
    expect(host.state).toBe('failed');
  });

  it('caps the backoff delay and gives up after maxRestarts consecutive crashes', async () => {
    const dir = await tempDir();
    const entry = join(dir, 'crashes.mjs');
    // Ready at once, then dies: a runtime that crashes right after every start.
    await writeFile(entry, "process.send({ type: 'ready', port: 1, url: 'http://127.0.0.1:1', token: 'x'.repeat(32) }); setTimeout(() => process.exit(3), 30);\n");
    const host = makeHost({ dataDir: dir, entry, initialDelayMs: 50, maxDelayMs: 120, maxRestarts: 3 });
    const crashes: Array<{ attempt: number; delayMs: number; code: number | null }> = [];
    host.on('crashed', (info) => crashes.push(info));
    const gaveUp = once(host, 'gave-up');
    await host.start();
    const [error] = (await gaveUp) as [RuntimeStartError];
    expect(crashes).toEqual([
      { attempt: 1, delayMs: 50, code: 3, reason: 'exited with code 3' },
      { attempt: 2, delayMs: 100, code: 3, reason: 'exited with code 3' },
      { attempt: 3, delayMs: 120, code: 3, reason: 'exited with code 3' },
    ]);
    expect(error.code).toBe('gave_up');
    expect(host.state).toBe('failed');
    expect(host.current).toBeUndefined();
    // restart() starts over with a fresh count.
    await host.restart();
    expect(host.state).toBe('running');
  });

  it('stops a runtime that was still starting, asking again once it is ready', async () => {
    const dir = await tempDir();
    const entry = join(dir, 'slow-start.mjs');
    // Listens for the parent only after 300 ms (a request sent earlier is lost), like a runtime still opening its store.
    await writeFile(
      entry,
      "setTimeout(() => { process.on('message', (m) => { if (m.type === 'shutdown') { process.send({ type: 'stopped' }); setTimeout(() => process.exit(0), 10); } }); process.send({ type: 'ready', port: 1, url: 'http://127.0.0.1:1', token: 'x'.repeat(32) }); }, 300); setInterval(() => {}, 1000);\n",
    );
    const host = makeHost({ dataDir: dir, entry, shutdownTimeoutMs: 5000 });
    const starting = host.start().catch((e: unknown) => e);
    const result = await host.stop();
    expect(result).toEqual({ graceful: true, confirmed: true, exitCode: 0 });
    expect(((await starting) as RuntimeStartError).code).toBe('stopped');
    expect(host.state).toBe('stopped');
  });

  it('kills a runtime that ignores the shutdown request after the grace period', async () => {
    const dir = await tempDir();
    const entry = join(dir, 'stubborn.mjs');
    await writeFile(entry, "process.send({ type: 'ready', port: 1, url: 'http://127.0.0.1:1', token: 'x'.repeat(32) }); process.on('message', () => {}); process.on('disconnect', () => {}); setInterval(() => {}, 1000);\n");
    const host = makeHost({ dataDir: dir, entry, shutdownTimeoutMs: 300 });
    await host.start();
    const pid = host.pid;
    const result = await host.stop();
    expect(result).toEqual({ graceful: false, confirmed: false, exitCode: null });
    expect(alive(pid)).toBe(false);
  });
});
