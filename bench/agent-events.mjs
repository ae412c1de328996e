#!/usr/bin/env node
// Event path benchmark: the scripted ACP agent emits N small updates (each carrying its send time)
// at a target rate; M SSE clients on GET /api/v1/sessions/:id/events measure events/s received and
// the latency from the agent's write to the client's receipt. Then the same unthrottled. One JSON.
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { startRuntime } from './lib/agent-runtime.mjs';

const EVENTS = Number(process.env.BENCH_EVENTS ?? 20_000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const RATE = Number(process.env.BENCH_RATE ?? 2000);

const now = () => performance.timeOrigin + performance.now();
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function client(rt, sessionId, after, runDone) {
  const res = await fetch(`${rt.url}/api/v1/sessions/${sessionId}/events?after=${after}`, { headers: { authorization: `Bearer ${rt.token}` } });
  const latencies = [];
  let first = 0;
  let last = 0;
  let finished;
  const done = new Promise((r) => (finished = r));
  const parser = createParser({
    onEvent: (msg) => {
      if (msg.event === 'text') {
        const t = now();
        const content = JSON.parse(msg.data).content;
        const sent = Number(content.slice(content.indexOf(':') + 1));
        latencies.push(t - sent);
        first ||= t;
        last = t;
      } else if (msg.event === 'done') finished();
    },
  });
  const reader = res.body.getReader();
  const decoder = new TextDecoder();
  const pump = (async () => {
    for (;;) {
      const { value, done: end } = await reader.read();
      if (end) return;
      parser.feed(decoder.decode(value, { stream: true }));
    }
  })().catch(() => undefined);
  return { ready: Promise.resolve(), done: Promise.race([done, runDone]).then(() => (reader.cancel().catch(() => undefined), pump, { latencies, first, last })) };
}

async function phase(rt, sessionId, rate) {
  const { session } = await rt.api(`/api/v1/sessions/${sessionId}`);
  let resolveRun;
  const runDone = new Promise((r) => (resolveRun = r));
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => client(rt, sessionId, session.last_seq, runDone)));
  await new Promise((r) => setTimeout(r, 300));
  const started = now();
  const { run } = await rt.api(`/api/v1/sessions/${sessionId}/messages`, { method: 'POST', json: { content: `FLOOD ${EVENTS} ${rate}` } });
  const waiting = rt.waitRun(run.id, ['completed', 'failed'], 300_000).then((r) => setTimeout(resolveRun, 2000, r));
  const results = await Promise.all(clients.map((c) => c.done));
  await waiting;
  const all = results.flatMap((r) => r.latencies).sort((a, b) => a - b);
  const received = results.reduce((n, r) => n + r.latencies.length, 0);
  const span = Math.max(...results.map((r) => r.last)) - started;
  return {
    target_rate_per_s: rate || 'unthrottled',
    events_per_client: Math.round(received / CLIENTS),
    complete_clients: results.filter((r) => r.latencies.length === EVENTS).length,
    agent_rate_per_s: Math.round((EVENTS / span) * 1000),
    delivered_events_per_s: Math.round((received / span) * 1000),
    latency_ms: { p50: +pct(all, 50).toFixed(2), p99: +pct(all, 99).toFixed(2), max: +all[all.length - 1].toFixed(2) },
  };
}

const rt = await startRuntime();
try {
  const { session } = await rt.api('/api/v1/sessions', { method: 'POST', json: { agent: 'scripted' } });
  await rt.waitSession(session.id, ['idle']);
  const paced = await phase(rt, session.id, RATE);
  const unthrottled = await phase(rt, session.id, 0);
  console.log(JSON.stringify({ bench: 'agent-events', events: EVENTS, clients: CLIENTS, paced, unthrottled, target: 'p99 < 50 ms at 2000 ev/s', met: paced.latency_ms.p99 < 50 && paced.complete_clients === CLIENTS }));
} finally {
  await rt.stop();
}
