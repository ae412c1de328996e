#!/usr/bin/env node
// Memory of the runtime process with N idle agent sessions (the scripted ACP agent, one process
// each; agent processes are not counted): RSS before, after creating the sessions and one run in
// each, and after a GC-friendly pause. One JSON object.
import { startRuntime } from './lib/agent-runtime.mjs';

const SESSIONS = Number(process.env.BENCH_SESSIONS ?? 50);
const rt = await startRuntime();
try {
  await rt.api('/api/v1/agents');
  const before = await rt.rssBytes();
  const ids = [];
  for (let i = 0; i < SESSIONS; i += 1) {
    const { session } = await rt.api('/api/v1/sessions', { method: 'POST', json: { agent: 'scripted' } });
    ids.push(session.id);
  }
  for (const id of ids) await rt.waitSession(id, ['idle'], 120_000);
  const runs = [];
  for (const id of ids) runs.push((await rt.api(`/api/v1/sessions/${id}/messages`, { method: 'POST', json: { content: `hello ${id}` } })).run.id);
  for (const id of runs) await rt.waitRun(id, ['completed'], 120_000);
  await new Promise((r) => setTimeout(r, 3000));
  const after = await rt.rssBytes();
  const { runtime } = await rt.api('/api/v1/runtime/status');
  const mb = (b) => +(b / 1024 / 1024).toFixed(1);
  console.log(
    JSON.stringify({
      bench: 'agent-sessions-memory',
      sessions: SESSIONS,
      live_sessions: runtime.counts.live_sessions,
      rss_mb_before: mb(before),
      rss_mb_with_idle_sessions: mb(after),
      rss_mb_per_session: +((after - before) / SESSIONS / 1024 / 1024).toFixed(2),
      heap_used_mb: mb(runtime.memory.heap_used_bytes),
    }),
  );
} finally {
  await rt.stop();
}
