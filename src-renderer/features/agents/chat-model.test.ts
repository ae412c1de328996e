import { describe, expect, it } from 'vitest';
import type { WireEvent } from '../../../src-runtime/contract/events.js';
import { emptyChat, reduceChat } from './chat-model.js';

let seq = 0;
const ev = (type: string, fields: Record<string, unknown> = {}): WireEvent => ({ type, seq: ++seq, ts: '2026-01-01T00:00:00Z', session_id: 'ses_1', run_id: 'run_1', ...fields });
const fold = (events: WireEvent[]) => events.reduce(reduceChat, emptyChat);

describe('reduceChat', () => {
  it('streams text chunks into one message and attaches tool results to their call', () => {
    seq = 0;
    const state = fold([
      ev('run_status', { status: 'running' }),
      ev('user', { content: 'write a file' }),
      ev('text', { content: 'Writing ' }),
      ev('text', { content: 'the file.' }),
      ev('tool_use', { tool: 'Write', tool_call_id: 't1', input: { file_path: '/w/a.txt' } }),
      ev('permission_request', { request_id: 'perm_1', tool: 'Write', input: {}, options: [{ option_id: 'allow', name: 'Allow', kind: 'allow_once' }] }),
      ev('permission_resolved', { request_id: 'perm_1', outcome: 'resolved', option_id: 'allow' }),
      ev('tool_result', { tool_call_id: 't1', output: 'ok', status: 'completed' }),
      ev('usage', { usage: { input_tokens: 10, output_tokens: 5 }, cost_usd: 0.01 }),
      ev('run_status', { status: 'completed', stop_reason: 'end_turn' }),
    ]);
    expect(state.items.map((i) => i.kind)).toEqual(['user', 'text', 'tool', 'permission']);
    expect(state.items[1]).toMatchObject({ text: 'Writing the file.' });
    expect(state.items[2]).toMatchObject({ tool: 'Write', output: 'ok', status: 'completed' });
    expect(state.items[3]).toMatchObject({ outcome: 'resolved', optionId: 'allow' });
    expect(state.usage).toEqual({ input_tokens: 10, output_tokens: 5, cost_usd: 0.01 });
    expect(state.activeRunId).toBeNull();
  });

  it('ignores events it has already seen (replay overlap after a reconnect) and unknown types', () => {
    seq = 0;
    const a = ev('text', { content: 'hi' });
    const b = ev('plan', { entries: [] });
    const state = fold([a, b, a]);
    expect(state.items).toHaveLength(1);
    expect(state.lastSeq).toBe(2);
  });

  it('marks cancelled and failed runs and tracks the active run', () => {
    seq = 0;
    const running = fold([ev('run_status', { status: 'running' })]);
    expect(running.activeRunId).toBe('run_1');
    const cancelled = reduceChat(running, ev('run_status', { status: 'cancelled', stop_reason: 'cancelled' }));
    expect(cancelled.activeRunId).toBeNull();
    expect(cancelled.items.at(-1)).toMatchObject({ kind: 'end', status: 'cancelled' });
  });
});
