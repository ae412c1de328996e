/**
 * The contract fuzzer: walks every operation of the served OpenAPI document and sends malformed
 * requests derived from its schemas (test-support/contract-fuzz.ts). No answer may be a 5xx or a
 * status the operation does not declare; every JSON body must match its declared schema, and
 * every server-sent event must match the event catalog.
 *
 * The runtime is a real one with every feature, on a throwaway trusted git workspace. Nothing the
 * fuzzer sends may reach the network or leave a process behind: the default agent is one that
 * cannot run (so no request can start a real agent), DELETE operations run last and never get the
 * workspace's own id, and routes without a body only ever get malformed path parameters.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createParser } from 'eventsource-parser';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { ContractChecker, ContractViolation } from '../../test-support/checked-fetch.js';
import { generateRequests, listOperations, SchemaTools, type FuzzOperation, type FuzzRequest } from '../../test-support/contract-fuzz.js';
import { eventCatalog } from '../contract/event-catalog.js';
import { eventEnvelope } from '../contract/events.js';
import { features } from '../features.js';

const CAP_PER_OPERATION = 30;
const CONCURRENCY = 4;
/** How long a stream is read before the fuzzer hangs up. */
const STREAM_READ_MS = 150;
/** A non-stream answer slower than this is a finding too. */
const REQUEST_TIMEOUT_MS = 15_000;

type Kind = '5xx' | 'undeclared' | 'schema' | 'event' | 'timeout';

interface Finding {
  kind: Kind;
  request: FuzzRequest;
  status: number;
  excerpt: string;
}

const eventDefs = new Map(eventCatalog.map((e) => [e.type, e]));

/** Problems with one SSE `data:` payload against the catalog; server.* control events carry no payload schema. */
function eventProblem(data: string): string | null {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(data) as Record<string, unknown>;
  } catch {
    return `event data is not JSON: ${data.slice(0, 200)}`;
  }
  if (typeof event?.type !== 'string') return `event without a type: ${data.slice(0, 200)}`;
  if (event.type.startsWith('server.')) return null;
  const def = eventDefs.get(event.type);
  if (!def) return `event type ${event.type} is not in the catalog`;
  const envelope = eventEnvelope.safeParse(event);
  if (!envelope.success) return `${event.type} envelope: ${envelope.error.message.slice(0, 300)}`;
  const payload = def.payload.safeParse(event);
  if (!payload.success) return `${event.type} payload: ${payload.error.message.slice(0, 300)}`;
  return null;
}

/** Read an SSE body for a short while (or until it ends), returning the problems of its events. */
async function readEvents(body: ReadableStream<Uint8Array>, ms: number, onProblem: (problem: string) => void): Promise<number> {
  // Counts every event read, control events included.
  let count = 0;
  const parser = createParser({
    onEvent: (msg) => {
      count++;
      const problem = eventProblem(msg.data);
      if (problem) onProblem(`${msg.event ?? 'message'}: ${problem}`);
    },
  });
  const reader = body.getReader();
  const decoder = new TextDecoder();
  const deadline = Date.now() + ms;
  try {
    for (;;) {
      const left = deadline - Date.now();
      if (left <= 0) break;
      let timer: NodeJS.Timeout | undefined;
      const next = await Promise.race([
        reader.read(),
        new Promise<'timeout'>((resolve) => {
          timer = setTimeout(() => resolve('timeout'), left);
        }),
      ]).finally(() => clearTimeout(timer));
      if (next === 'timeout' || next.done) break;
      parser.feed(decoder.decode(next.value, { stream: true }));
    }
  } catch {
    // Aborted: what arrived was checked.
  } finally {
    await reader.cancel().catch(() => undefined);
  }
  return count;
}

async function pool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

describe('contract fuzzer over the served OpenAPI document', () => {
  let rt: TestRuntime;
  let root: string;
  let wsId: string;
  let checker: ContractChecker;
  let tools: SchemaTools;
  let operations: FuzzOperation[];
  const real: Record<string, string> = {};

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-fuzz-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: root, stdio: 'ignore' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'fuzz@example.com');
    git('config', 'user.name', 'Fuzz');
    await writeFile(join(root, 'a.txt'), 'a\n');
    // One app that nothing starts (its start routes only ever get malformed ids) and one script.
    await writeFile(join(root, 'app.runtime.yaml'), 'apps:\n  - id: web\n    start: sleep 30\n    restart: never\nscripts:\n  hello: echo hello\n');
    git('add', '-A');
    git('commit', '-q', '-m', 'initial');
    rt = await startTestRuntime({ workspace: root, features });
    wsId = rt.ctx.services.workspaces.list()[0]!.id;

    // The default agent cannot run: a request the runtime wrongly accepts still starts nothing.
    const config = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { agents: [{ name: 'fuzz-agent', protocol: 'acp', command: join(root, 'no-such-agent') }], default_agent: 'fuzz-agent' } });
    expect(config.status).toBe(200);

    const doc = (await rt.json('/api/v1/openapi.json')).body as Record<string, unknown>;
    checker = new ContractChecker(doc);
    tools = new SchemaTools(doc);
    operations = listOperations(doc);

    // Real resources, so body and query mutations get past the lookup to the handler.
    const snapshot = await rt.json(`/api/v1/workspaces/${wsId}/snapshots`, { method: 'POST', json: { label: 'fuzz' } });
    const command = await rt.json(`/api/v1/sandboxes/${wsId}/commands`, { method: 'POST', json: { cmd: 'echo fuzz', wait: true } });
    const run = await rt.json(`/api/v1/scripts/hello/run?workspace_id=${wsId}`, { method: 'POST', json: {} });
    const apps = await rt.json(`/api/v1/apps?workspace_id=${wsId}`);
    Object.assign(real, { sid: snapshot.body.snapshot.id, command_id: command.body.command.id, execution: run.body.execution.id, app_id: apps.body.apps[0].id });
  });

  afterAll(async () => {
    await rt?.close();
  });

  /** Real path parameter values for one operation; DELETEs never get the workspace itself. */
  function realParamsFor(op: FuzzOperation): Record<string, string> {
    const p: Record<string, string> = { path: 'a.txt', workspace_id: wsId, app_id: real.app_id!, command_id: real.command_id!, sid: real.sid! };
    if (/^\/api(\/v1)?\/(workspaces|sandboxes)\/\{id\}/.test(op.path)) p.id = wsId;
    if (op.path.startsWith('/api/v1/scripts/runs/{id}')) p.id = real.execution!;
    if (op.path === '/api/v1/scripts/{name}/run') p.name = 'hello';
    if (op.method === 'DELETE' && /^\/api(\/v1)?\/workspaces\/\{id\}$/.test(op.path)) delete p.id;
    return p;
  }

  /** Config and workspace settings change what later requests see: after the rest. Deletes last. */
  function phaseOf(op: FuzzOperation): number {
    if (op.method === 'DELETE') return 2;
    if (op.path === '/api/v1/runtime/config' && op.method !== 'GET') return 1;
    if (/^\/api(\/v1)?\/workspaces\/\{id\}$/.test(op.path) && op.method === 'PATCH') return 1;
    return 0;
  }

  it('answers every malformed request with a declared 4xx and a body that matches the document', { timeout: 120_000 }, async () => {
    const started = Date.now();
    const findings: Finding[] = [];
    let sent = 0;
    let events = 0;

    // One long read of the workspace's own stream: every event the fuzzing causes is checked.
    const watch = new AbortController();
    const wsEvents = await fetch(`${rt.url}/api/v1/workspaces/${wsId}/events`, { headers: { authorization: `Bearer ${rt.token}` }, signal: watch.signal });
    const streamProblems: string[] = [];
    const watching = readEvents(wsEvents.body!, 55_000, (p) => streamProblems.push(p));

    const send = async (request: FuzzRequest, op: FuzzOperation): Promise<void> => {
      sent++;
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
      const found = (kind: Kind, status: number, excerpt: string): void => {
        findings.push({ kind, request, status, excerpt: excerpt.slice(0, 400) });
      };
      try {
        const res = await fetch(`${rt.url}${request.url}`, {
          method: request.method,
          headers: { authorization: `Bearer ${rt.token}`, ...request.headers },
          body: request.body,
          signal: controller.signal,
          redirect: 'manual',
        });
        const type = res.headers.get('content-type');
        let text = '';
        let body: unknown;
        if (type?.startsWith('text/event-stream')) {
          const problems: string[] = [];
          events += await readEvents(res.body!, STREAM_READ_MS, (p) => problems.push(p));
          for (const p of problems) found('event', res.status, p);
        } else if (type?.includes('application/json')) {
          text = await res.text();
          try {
            body = JSON.parse(text);
          } catch {
            found('schema', res.status, `JSON body does not parse: ${text}`);
            return;
          }
        } else {
          // Raw bytes (files, exports, the docs page): a little is enough.
          const reader = res.body?.getReader();
          const first = await reader?.read();
          text = first?.value ? Buffer.from(first.value).toString('utf8', 0, 400) : '';
          await reader?.cancel().catch(() => undefined);
        }
        const pathname = new URL(request.url, rt.url).pathname;
        if (res.status >= 500) return found('5xx', res.status, text);
        const documented = checker.find(request.method, pathname);
        if (!documented || !documented.responses[String(res.status)]) {
          return found('undeclared', res.status, `${documented ? `declared: ${Object.keys(documented.responses).join(',')}` : 'no such operation'}; ${text}`);
        }
        try {
          checker.check(request.method, pathname, res.status, type, body);
        } catch (error) {
          if (!(error instanceof ContractViolation)) throw error;
          found('schema', res.status, error.message);
        }
      } catch (error) {
        found('timeout', 0, `${op.operationId}: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    };

    const phases = new Map<number, Array<{ request: FuzzRequest; op: FuzzOperation }>>();
    for (const op of operations) {
      for (const request of generateRequests(tools, op, { realParams: realParamsFor(op), cap: CAP_PER_OPERATION })) {
        const list = phases.get(phaseOf(op)) ?? [];
        list.push({ request, op });
        phases.set(phaseOf(op), list);
      }
    }
    for (const phase of [...phases.keys()].sort()) {
      await pool(phases.get(phase)!, CONCURRENCY, ({ request, op }) => send(request, op));
    }

    watch.abort();
    events += await watching;
    for (const p of streamProblems) findings.push({ kind: 'event', request: { operationId: 'workspace.events', method: 'GET', url: `/api/v1/workspaces/${wsId}/events`, headers: {}, summary: 'the workspace stream during the run' }, status: 200, excerpt: p });

    const count = (kind: Kind) => findings.filter((f) => f.kind === kind).length;
    console.log(
      `contract fuzz: ${operations.length} operations / ${sent} requests / ${count('5xx')} 5xx / ${count('undeclared')} undeclared / ${count('schema') + count('event')} schema mismatches` +
        `${count('timeout') ? ` / ${count('timeout')} timeouts` : ''} (${events} events checked, ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    );
    const report = findings.map((f) => {
      const url = f.request.url.length > 160 ? `${f.request.url.slice(0, 160)}…(${f.request.url.length})` : f.request.url;
      return `[${f.kind}] ${f.request.method} ${url} (${f.request.operationId}; ${f.request.summary}) → ${f.status}: ${f.excerpt}`;
    });
    expect(report).toEqual([]);

    // The fuzzing left the runtime as it found it: alive, its workspace there, nothing running.
    expect((await rt.json(`/api/v1/workspaces/${wsId}`)).status).toBe(200);
    const status = await rt.json('/api/v1/runtime/status');
    expect(status.body.runtime.counts).toMatchObject({ live_sessions: 0, running_apps: 0 });
  });
});
