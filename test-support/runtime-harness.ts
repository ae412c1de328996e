/**
 * Starts a real runtime in-process on an ephemeral port with a temp data dir, for integration
 * tests: real HTTP, real files. `api` is the OpenAPI-checked fetch bound to the token; `json`
 * calls it and parses the body.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRuntime, type RunningRuntime } from '../src-runtime/runtime.js';
import type { RuntimeFeature } from '../src-runtime/feature.js';
import { createCheckedFetch } from './checked-fetch.js';
import { knownEventTypes } from '../src-runtime/contract/event-catalog.js';

export interface TestRuntime extends RunningRuntime {
  dataDir: string;
  /** Checked fetch with the bearer token set; paths are relative to the runtime URL. */
  api(path: string, init?: RequestInit & { json?: unknown }): Promise<Response>;
  /** api() + parse JSON; returns status and body. */
  json<T = any>(path: string, init?: RequestInit & { json?: unknown }): Promise<{ status: number; body: T }>;
  close(): Promise<void>;
}

export async function makeTempDir(prefix = 'wr-test-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startTestRuntime(
  options: {
    workspace?: string;
    features?: RuntimeFeature[];
    dataDir?: string;
    rendererDir?: string;
    /** Event types a test's own stand-in feature publishes (not part of the wire catalog). */
    extraEventTypes?: string[];
    /** The runtime's clock: cache lifetimes, ticket expiry (RuntimeOptions.now). */
    now?: () => number;
  } = {},
): Promise<TestRuntime> {
  const dataDir = options.dataDir ?? (await makeTempDir('wr-data-'));
  const runtime = await startRuntime(
    { port: 0, host: '127.0.0.1', dataDir, workspace: options.workspace, fastTimers: true, rendererDir: options.rendererDir, now: options.now },
    options.features,
  );
  const checked = createCheckedFetch(runtime.url, runtime.token);
  // Every event a feature publishes must be in the wire's event catalog (contract/event-catalog.ts).
  const undeclared = new Set<string>();
  runtime.ctx.bus.tap((_stream, event) => {
    if (!knownEventTypes.has(event.type) && !options.extraEventTypes?.includes(event.type)) undeclared.add(event.type);
  });
  const api: TestRuntime['api'] = (path, init = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has('authorization')) headers.set('authorization', `Bearer ${runtime.token}`);
    let body = init.body;
    if (init.json !== undefined) {
      headers.set('content-type', 'application/json');
      body = JSON.stringify(init.json);
    }
    return checked(`${runtime.url}${path}`, { ...init, headers, body });
  };
  return {
    ...runtime,
    dataDir,
    api,
    async json(path, init) {
      const res = await api(path, init);
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined };
    },
    async close() {
      await runtime.stop();
      if (undeclared.size) throw new Error(`events published without a declaration in contract/event-catalog.ts: ${[...undeclared].join(', ')}`);
      if (!options.dataDir) await rm(dataDir, { recursive: true, force: true });
    },
  };
}
