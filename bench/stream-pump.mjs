#!/usr/bin/env node
// The stream pump (src-runtime/events/stream-pump.ts) through real HTTP. Every event carries its
// send time; latency is from the producer's write to the client's parse.
//   (a) the scripted ACP agent floods a session at 2,000 small events/s and 20 SSE clients follow
//       GET /api/v1/sessions/:id/events: latency p50/p99 (target p99 < 50 ms), after a warm-up flood.
//   (b) a script prints 2,000 lines/s of ~1 KB (GET /api/v1/scripts/runs/:id/events); one SSE
//       client stops reading for 10 s while 19 keep up. Reported: the runtime's RSS against its
//       start (target < 20 MB growth), the 19's p99 against the same run with nobody stalled, and
//       the backlog_truncated notice the stalled client gets when it reads again. Lines are ~1 KB
//       so that 10 s of them exceed what the kernel's socket buffers absorb on loopback.
// BENCH_RUNTIME_ENTRY=<bundle> runs another build for a before/after figure. Prints one JSON object.
import { writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { createParser } from 'eventsource-parser';
import { startRuntime } from './lib/agent-runtime.mjs';

const RATE = Number(process.env.BENCH_RATE ?? 2000);
const CLIENTS = Number(process.env.BENCH_CLIENTS ?? 20);
const SECONDS_A = Number(process.env.BENCH_SECONDS ?? 4);
const STALL_MS = Number(process.env.BENCH_STALL_MS ?? 10_000);

const now = () => performance.timeOrigin + performance.now();
const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
const round = (n) => Math.round(n * 100) / 100;
const mb = (b) => Math.round((b / 1024 / 1024) * 10) / 10;
// `<i>:<send time>` (the scripted agent) or `<i>:<send time>:<padding>` (the script).
const sentAt = (text) => Number(text.split(':')[1]);

/** One SSE client on node:http (so it can stop reading). Resolves `done` at the run's `done` event. */
function sseClient(rt, path, { stallMs = 0, text = 'text', end = 'done', content = (d) => d.content } = {}) {
  const latencies = [];
  const notices = [];
  let texts = 0;
  let finish;
  const done = new Promise((r) => (finish = r));
  const parser = createParser({
    onEvent: (msg) => {
      if (msg.event === text) {
        texts += 1;
        latencies.push(now() - sentAt(content(JSON.parse(msg.data))));
      } else if (msg.event === 'backlog_truncated') notices.push(JSON.parse(msg.data));
      else if (msg.event === end) finish();
    },
  });
  const url = new URL(`${rt.url}${path}`);
  const connected = new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: url.port, path: url.pathname + url.search, headers: { authorization: `Bearer ${rt.token}` } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk) => parser.feed(chunk));
      if (stallMs) {
        res.pause();
        setTimeout(() => res.resume(), stallMs);
      }
      resolve();
    });
    req.on('error', (e) => (e.message.includes('socket hang up') || e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end();
    done.then(() => req.destroy());
  });
  return { connected, done: done.then(() => ({ latencies, notices, texts })) };
}

async function flood(rt, sessionId, events) {
  const { run } = await rt.api(`/api/v1/sessions/${sessionId}/messages`, { method: 'POST', json: { content: `FLOOD ${events} ${RATE}` } });
  return rt.waitRun(run.id, ['completed', 'failed'], 300_000);
}

const summary = (latencies) => {
  const s = [...latencies].sort((a, b) => a - b);
  return { p50: round(pct(s, 50)), p99: round(pct(s, 99)), max: round(s[s.length - 1]) };
};
const stalledReport = (r, events) => ({
  received: r.texts,
  skipped: r.notices.reduce((n, x) => n + (x.skipped ?? 0), 0),
  accounted_for: r.texts + r.notices.reduce((n, x) => n + (x.skipped ?? 0), 0) === events,
  notices: r.notices,
});

// The script: waits for its clients to connect, then prints RATE lines/s for the stall plus 2 s.
const EMIT = `const [rate, n, wait] = process.argv.slice(2).map(Number);
const pad = 'x'.repeat(1000);
const { performance } = require('node:perf_hooks');
setTimeout(() => {
  const start = performance.now();
  let i = 0;
  const tick = () => {
    const due = Math.min(n, Math.floor(((performance.now() - start) * rate) / 1000));
    let out = '';
    for (; i < due; i++) out += i + ':' + (performance.timeOrigin + performance.now()) + ':' + pad + '\\n';
    if (out) process.stdout.write(out);
    if (i < n) setTimeout(tick, 1);
  };
  tick();
}, wait);
`;

const rt = await startRuntime();
try {
  const { session } = await rt.api('/api/v1/sessions', { method: 'POST', json: { agent: 'scripted' } });
  await rt.waitSession(session.id, ['idle']);
  const lastSeq = async () => (await rt.api(`/api/v1/sessions/${session.id}`)).session.last_seq;
  const sessionPath = async () => `/api/v1/sessions/${session.id}/events?after=${await lastSeq()}`;

  // (a) everyone keeps up; the first flood warms the runtime (JIT, the session log) and is not measured
  await flood(rt, session.id, RATE);
  const eventsA = RATE * SECONDS_A;
  const pathA = await sessionPath();
  const clientsA = Array.from({ length: CLIENTS }, () => sseClient(rt, pathA));
  await Promise.all(clientsA.map((c) => c.connected));
  await flood(rt, session.id, eventsA);
  const resultsA = await Promise.all(clientsA.map((c) => c.done));
  const a = summary(resultsA.flatMap((r) => r.latencies));

  await rt.stop();

  // (b) a script's output, each phase in a fresh runtime (an execution keeps its last 5,000 lines,
  // which would carry over): first with everyone reading, then with one client stalled
  const eventsB = Math.round(RATE * (STALL_MS / 1000 + 2));
  const scriptPhase = async (stalled) => {
    const rtB = await startRuntime();
    try {
      await writeFile(join(rtB.workspace, 'emit.js'), EMIT);
      await writeFile(join(rtB.workspace, 'app.runtime.yaml'), 'scripts:\n  emit: node emit.js\n');
      const options = { text: 'script_output', end: 'script_finished', content: (d) => d.line };
      const run = async (lines, clients, slowClients) => {
        const { execution } = await rtB.api('/api/v1/scripts/emit/run', { method: 'POST', json: { args: [String(RATE), String(lines), '1500'] } });
        const keepingUp = Array.from({ length: clients }, () => sseClient(rtB, execution.events_url, options));
        const slow = slowClients ? sseClient(rtB, execution.events_url, { ...options, stallMs: STALL_MS }) : undefined;
        return { keepingUp, slow };
      };
      const warm = await run(RATE, CLIENTS, false); // warms the script path; not measured
      await Promise.all(warm.keepingUp.map((c) => c.done));
      const rssStart = await rtB.rssBytes();
      let rssPeak = rssStart;
      const sampler = setInterval(() => void rtB.rssBytes().then((b) => (rssPeak = Math.max(rssPeak, b)), () => undefined), 100);
      // The JS heap beside RSS (the runtime samples it at most once a second): growth that is heap
      // garbage V8 has not collected yet vs memory actually held.
      const heapNow = async () => (await rtB.api('/api/v1/runtime/status')).runtime.memory.heap_used_bytes;
      const heapStart = await heapNow();
      let heapPeak = heapStart;
      const heapSampler = setInterval(() => void heapNow().then((b) => (heapPeak = Math.max(heapPeak, b)), () => undefined), 500);
      const { keepingUp, slow } = await run(eventsB, stalled ? CLIENTS - 1 : CLIENTS, stalled);
      const results = await Promise.all(keepingUp.map((c) => c.done));
      const slowResult = await slow?.done;
      clearInterval(sampler);
      clearInterval(heapSampler);
      return {
        runtime_heap_used_mb: { start: mb(heapStart), peak: mb(heapPeak), growth_peak: mb(heapPeak - heapStart) },
        complete_clients: results.filter((r) => r.texts === eventsB).length,
        latency_ms: summary(results.flatMap((r) => r.latencies)),
        runtime_rss_mb: { start: mb(rssStart), peak: mb(rssPeak), growth_peak: mb(rssPeak - rssStart) },
        rssGrowth: rssPeak - rssStart,
        slow: slowResult && stalledReport(slowResult, eventsB),
      };
    } finally {
      await rtB.stop();
    }
  };
  const control = await scriptPhase(false);
  const stall = await scriptPhase(true);

  console.log(JSON.stringify({
    bench: 'stream-pump',
    rate_per_s: RATE,
    a: {
      stream: 'session events (SSE)',
      clients: CLIENTS,
      events: eventsA,
      complete_clients: resultsA.filter((r) => r.texts === eventsA).length,
      latency_ms: a,
      target: 'p99 < 50 ms',
      met: a.p99 < 50,
    },
    b: {
      stream: 'script output, ~1 KB lines (SSE)',
      events: eventsB,
      stall_ms: STALL_MS,
      runtime_rss_mb: stall.runtime_rss_mb,
      runtime_rss_mb_nobody_stalled: control.runtime_rss_mb,
      runtime_heap_used_mb: stall.runtime_heap_used_mb,
      runtime_heap_used_mb_nobody_stalled: control.runtime_heap_used_mb,
      rss_target: 'growth < 20 MB',
      rss_met: stall.rssGrowth < 20 * 1024 * 1024,
      keeping_up: { clients: CLIENTS - 1, complete_clients: stall.complete_clients, latency_ms: stall.latency_ms, nobody_stalled_latency_ms: control.latency_ms },
      stalled: stall.slow,
    },
  }));
} finally {
  await rt.stop();
}
