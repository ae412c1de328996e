#!/usr/bin/env node
/**
 * A scripted ACP agent for tests and benchmarks, built on the SDK's agent side and run as a real
 * child process over stdio (SCRIPTED_HANG_INIT=1: never answers initialize; SCRIPTED_PID_FILE=<path>:
 * writes its pid there; SCRIPTED_OUTLIVE_CLIENT=1: keeps running after its client hung up, as a
 * real agent waiting on a model server does). What it does is chosen by the prompt text:
 *   (default)        a thought chunk, then two text chunks echoing the prompt
 *   TOOL             a tool call, an in-progress update and a completed update
 *   PERMISSION       a tool call, a permission request, then a text saying the outcome
 *   WRITE <path> <t> writes a file through the client's fs/write_text_file
 *   SLOW <n>         n text chunks 100 ms apart; honours session/cancel
 *   CRASH            a text chunk, then exits with code 3 mid-turn (stderr says why)
 *   HANG             says one thing, then nothing for a minute
 *   GARBAGE          prints a non-JSON line on stdout, then hangs up
 *   FLOOD <n> <rate> n tiny text chunks at <rate>/s, each carrying its send time (bench)
 *   MCP              replies with the MCP server names it got in session/new
 */
import * as acp from '@agentclientprotocol/sdk';
import { Readable, Writable } from 'node:stream';
import { performance } from 'node:perf_hooks';
import { writeFileSync } from 'node:fs';

if (process.env.SCRIPTED_PID_FILE) writeFileSync(process.env.SCRIPTED_PID_FILE, String(process.pid));
if (process.env.SCRIPTED_OUTLIVE_CLIENT) setInterval(() => undefined, 60_000);

const sessions = new Map();
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function textOf(prompt) {
  return prompt.map((b) => (b.type === 'text' ? b.text : '')).join('').trim();
}

const app = acp
  .agent({ name: 'scripted-acp-agent' })
  .onRequest(acp.methods.agent.initialize, async () => ({
    ...(process.env.SCRIPTED_HANG_INIT ? await new Promise(() => undefined) : {}),
    protocolVersion: acp.PROTOCOL_VERSION,
    agentCapabilities: { loadSession: true },
    agentInfo: { name: 'scripted-acp-agent', version: '1.0.0' },
  }))
  .onRequest(acp.methods.agent.session.new, ({ params }) => {
    const sessionId = `scripted-${Math.random().toString(36).slice(2)}`;
    sessions.set(sessionId, { cancelled: false, mcp: params.mcpServers.map((s) => s.name), cwd: params.cwd });
    return { sessionId, modes: { currentModeId: 'default', availableModes: [{ id: 'default', name: 'Default' }] } };
  })
  .onRequest(acp.methods.agent.session.load, ({ params }) => {
    sessions.set(params.sessionId, { cancelled: false, mcp: params.mcpServers.map((s) => s.name), cwd: params.cwd, loaded: true });
    return {};
  })
  .onNotification(acp.methods.agent.session.cancel, ({ params }) => {
    const s = sessions.get(params.sessionId);
    if (s) s.cancelled = true;
  })
  .onRequest(acp.methods.agent.session.prompt, async ({ params, client }) => {
    const s = sessions.get(params.sessionId);
    s.cancelled = false;
    const sessionId = params.sessionId;
    const update = (u) => client.notify(acp.methods.client.session.update, { sessionId, update: u });
    const say = (text) => update({ sessionUpdate: 'agent_message_chunk', content: { type: 'text', text } });
    const text = textOf(params.prompt);
    const [cmd, ...rest] = text.split(/\s+/);

    if (cmd === 'TOOL') {
      await update({ sessionUpdate: 'tool_call', toolCallId: 'call_1', title: 'Read README.md', kind: 'read', status: 'pending', rawInput: { path: 'README.md' } });
      await update({ sessionUpdate: 'tool_call_update', toolCallId: 'call_1', status: 'in_progress' });
      await update({ sessionUpdate: 'tool_call_update', toolCallId: 'call_1', status: 'completed', rawOutput: { bytes: 42 }, content: [{ type: 'content', content: { type: 'text', text: '42 bytes' } }] });
      await say('read it');
      return { stopReason: 'end_turn' };
    }
    if (cmd === 'PERMISSION') {
      await update({ sessionUpdate: 'tool_call', toolCallId: 'call_p', title: 'Delete build/', kind: 'delete', status: 'pending', rawInput: { path: 'build/' } });
      const answer = await client.request(acp.methods.client.session.requestPermission, {
        sessionId,
        toolCall: { toolCallId: 'call_p', title: 'Delete build/', rawInput: { path: 'build/' } },
        options: [
          { optionId: 'allow', name: 'Allow once', kind: 'allow_once' },
          { optionId: 'reject', name: 'Reject', kind: 'reject_once' },
        ],
      });
      const outcome = answer.outcome.outcome === 'selected' ? answer.outcome.optionId : 'cancelled';
      await update({ sessionUpdate: 'tool_call_update', toolCallId: 'call_p', status: outcome === 'allow' ? 'completed' : 'failed', rawOutput: outcome });
      if (outcome === 'cancelled' || s.cancelled) return { stopReason: 'cancelled' };
      await say(`permission: ${outcome}`);
      return { stopReason: 'end_turn' };
    }
    if (cmd === 'WRITE') {
      const [path, ...content] = rest;
      await client.request(acp.methods.client.fs.writeTextFile, { sessionId, path, content: content.join(' ') });
      await say(`wrote ${path}`);
      return { stopReason: 'end_turn' };
    }
    if (cmd === 'SLOW') {
      const n = Number(rest[0] ?? 10);
      for (let i = 0; i < n; i += 1) {
        if (s.cancelled) return { stopReason: 'cancelled' };
        await say(`tick ${i} `);
        await sleep(100);
      }
      return { stopReason: s.cancelled ? 'cancelled' : 'end_turn' };
    }
    if (cmd === 'CRASH') {
      await say('about to crash');
      await sleep(50);
      process.stderr.write('scripted agent: simulated crash\n');
      process.exit(3);
    }
    if (cmd === 'HANG') {
      await say('thinking very hard');
      await sleep(60_000);
      return { stopReason: 'end_turn' };
    }
    if (cmd === 'GARBAGE') {
      process.stdout.write('this is not json\n{"jsonrpc": broken\n');
      await sleep(50);
      process.exit(0);
    }
    if (cmd === 'FLOOD') {
      const n = Number(rest[0] ?? 1000);
      const rate = Number(rest[1] ?? 0);
      const start = performance.now();
      for (let i = 0; i < n; i += 1) {
        if (rate > 0) {
          const due = start + (i * 1000) / rate;
          const wait = due - performance.now();
          if (wait > 1) await sleep(wait);
        }
        // Raw JSON-RPC lines (valid ACP on the wire) so the agent's own SDK overhead does not
        // limit the rate the runtime's event path is measured at.
        process.stdout.write(`${JSON.stringify({ jsonrpc: '2.0', method: 'session/update', params: { sessionId, update: { sessionUpdate: 'agent_message_chunk', content: { type: 'text', text: `${i}:${performance.timeOrigin + performance.now()}` } } } })}\n`);
        if (!process.stdout.writableNeedDrain) await new Promise((r) => setImmediate(r));
        else await new Promise((r) => process.stdout.once("drain", r));
      }
      return { stopReason: 'end_turn' };
    }
    if (cmd === 'MCP') {
      await say(`mcp: ${s.mcp.join(',') || 'none'}`);
      return { stopReason: 'end_turn' };
    }
    await update({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: `thinking about ${text}` } });
    await update({ sessionUpdate: 'plan', entries: [{ content: 'answer', priority: 'high', status: 'in_progress' }] });
    await say('Hello, ');
    await say(`you said: ${text}${s.loaded ? ' (loaded)' : ''}`);
    return { stopReason: 'end_turn' };
  });

app.connect(acp.ndJsonStream(Writable.toWeb(process.stdout), Readable.toWeb(process.stdin)));
