/**
 * Helpers for agent tests: read a session's (or a run's) agent events over SSE until a
 * condition, and wait for a run or session to reach a status.
 */
import type { TestRuntime } from './runtime-harness.js';
import { readSse, type ReadSseOptions, type SseMessage } from './sse.js';
import { waitFor } from './wait.js';

export type Ev = { type: string; seq: number; run_id?: string | null; [k: string]: any };

const agentEvents = (messages: SseMessage[]): Ev[] => messages.filter((m) => !m.event.startsWith('server.')).map((m) => m.data as Ev);

/** Agent events of the SSE route at `path` (server.* messages left out) until `until` holds or the stream ends; `ids` are the `id:` lines. */
export async function readAgentEvents(rt: TestRuntime, path: string, until: (events: Ev[]) => boolean, options: Omit<ReadSseOptions, 'token'> = {}): Promise<{ events: Ev[]; ids: number[] }> {
  const messages = await readSse(`${rt.url}${path}`, (all) => until(agentEvents(all)), { token: rt.token, ...options });
  return { events: agentEvents(messages), ids: messages.flatMap((m) => (m.id ? [Number(m.id)] : [])) };
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
