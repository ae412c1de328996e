/**
 * Helpers for agent tests: read a session's SSE stream until a condition, and poll a run until
 * it reaches a status.
 */
import { createParser } from 'eventsource-parser';
import type { TestRuntime } from './runtime-harness.js';

export type Ev = { type: string; seq: number; run_id?: string | null; [k: string]: any };

/** Read SSE events (skipping server.* and heartbeats) until `until` returns true or timeout. */
export async function readSse(rt: TestRuntime, path: string, until: (events: Ev[]) => boolean, init: { headers?: Record<string, string>; method?: string; body?: unknown; timeoutMs?: number } = {}): Promise<{ events: Ev[]; ids: number[]; raw: Ev[] }> {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), init.timeoutMs ?? 15_000);
  const res = await fetch(`${rt.url}${path}`, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${rt.token}`, ...(init.body ? { 'content-type': 'application/json' } : {}), ...init.headers },
    body: init.body ? JSON.stringify(init.body) : undefined,
    signal: controller.signal,
  });
  if (!res.ok) throw new Error(`SSE ${path}: ${res.status} ${await res.text()}`);
  const events: Ev[] = [];
  const raw: Ev[] = [];
  const ids: number[] = [];
  let done = false;
  const parser = createParser({
    onEvent: (msg) => {
      const data = JSON.parse(msg.data) as Ev;
      raw.push(data);
      if (msg.id) ids.push(Number(msg.id));
      if (data.type.startsWith('server.')) return;
      events.push(data);
      if (until(events)) done = true;
    },
  });
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  try {
    while (!done) {
      const { value, done: end } = await reader.read();
      if (end) break;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  } catch (error) {
    if (!done) throw new Error(`SSE ${path} ended before the condition (${events.length} events: ${events.map((e) => e.type).join(',')}): ${(error as Error).message}`);
  } finally {
    clearTimeout(timer);
    controller.abort();
  }
  return { events, ids, raw };
}

export async function waitFor<T>(fn: () => Promise<T | undefined | false>, what: string, timeoutMs = 15_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (error) {
      last = error;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
}

export function waitRun(rt: TestRuntime, runId: string, statuses: string[], timeoutMs?: number): Promise<any> {
  return waitFor(async () => {
    const { body } = await rt.json(`/api/v1/runs/${runId}`);
    return statuses.includes(body.run.status) ? body.run : undefined;
  }, `run ${runId} to be ${statuses.join('|')}`, timeoutMs);
}

export function waitSession(rt: TestRuntime, id: string, states: string[], timeoutMs?: number): Promise<any> {
  return waitFor(async () => {
    const { body } = await rt.json(`/api/v1/sessions/${id}`);
    return states.includes(body.session.state) ? body.session : undefined;
  }, `session ${id} to be ${states.join('|')}`, timeoutMs);
}
