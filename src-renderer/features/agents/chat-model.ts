/**
 * The chat as a fold over a session's event log (seed format: user, text, thinking, tool_use,
 * tool_result, permission_request/resolved, usage, run_status, done, error). Replaying the log
 * from seq 0 and then following it live gives the same state, so a reconnect (Last-Event-ID) is
 * seamless. Unknown event types are ignored.
 */
import type { WireEvent } from '../../../src-runtime/contract/events.js';

export interface PermissionOption {
  option_id: string;
  name: string;
  kind: 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always';
}

export type ChatItem =
  | { kind: 'user'; key: string; runId: string; text: string }
  | { kind: 'text'; key: string; runId: string; text: string }
  | { kind: 'thinking'; key: string; runId: string; text: string }
  | { kind: 'tool'; key: string; runId: string; toolCallId: string; tool: string; input: unknown; output?: unknown; status?: string }
  | { kind: 'permission'; key: string; runId: string; requestId: string; tool: string; input: unknown; options: PermissionOption[]; outcome?: string; optionId?: string | null }
  | { kind: 'error'; key: string; runId: string; text: string }
  | { kind: 'end'; key: string; runId: string; status: string; stopReason?: string };

export interface Usage {
  input_tokens?: number;
  output_tokens?: number;
  cost_usd?: number;
}

export interface ChatState {
  items: ChatItem[];
  runStatus: Record<string, string>;
  activeRunId: string | null;
  usage: Usage;
  lastSeq: number;
}

export const emptyChat: ChatState = { items: [], runStatus: {}, activeRunId: null, usage: {}, lastSeq: 0 };

const ENDED = new Set(['completed', 'failed', 'cancelled']);

export function reduceChat(state: ChatState, e: WireEvent): ChatState {
  if (typeof e.seq === 'number' && e.seq <= state.lastSeq && e.seq > 0) return state;
  const runId = String(e.run_id ?? '');
  const key = `${e.seq}`;
  const next: ChatState = { ...state, lastSeq: typeof e.seq === 'number' ? Math.max(state.lastSeq, e.seq) : state.lastSeq };
  const items = state.items;
  const last = items[items.length - 1];
  switch (e.type) {
    case 'user':
      next.items = [...items, { kind: 'user', key, runId, text: String(e.content ?? '') }];
      break;
    case 'text':
    case 'thinking': {
      const kind = e.type;
      const chunk = String(e.content ?? '');
      if (last && last.kind === kind && last.runId === runId) next.items = [...items.slice(0, -1), { ...last, text: last.text + chunk }];
      else next.items = [...items, { kind, key, runId, text: chunk }];
      break;
    }
    case 'tool_use':
      next.items = [...items, { kind: 'tool', key, runId, toolCallId: String(e.tool_call_id ?? key), tool: String(e.tool ?? 'tool'), input: e.input, status: e.status as string | undefined }];
      break;
    case 'tool_result': {
      const id = String(e.tool_call_id ?? '');
      let found = false;
      next.items = items.map((it) => {
        if (it.kind === 'tool' && it.toolCallId === id) {
          found = true;
          return { ...it, output: e.output, status: (e.status as string | undefined) ?? 'completed' };
        }
        return it;
      });
      if (!found) next.items = [...items, { kind: 'tool', key, runId, toolCallId: id, tool: String(e.tool ?? 'tool'), input: undefined, output: e.output, status: e.status as string | undefined }];
      break;
    }
    case 'permission_request':
      next.items = [
        ...items,
        { kind: 'permission', key, runId, requestId: String(e.request_id ?? ''), tool: String(e.tool ?? ''), input: e.input, options: (e.options as PermissionOption[]) ?? [] },
      ];
      break;
    case 'permission_resolved':
      next.items = items.map((it) => (it.kind === 'permission' && it.requestId === e.request_id ? { ...it, outcome: String(e.outcome ?? 'resolved'), optionId: (e.option_id as string | null) ?? null } : it));
      break;
    case 'error':
      next.items = [...items, { kind: 'error', key, runId, text: String(e.error ?? e.content ?? 'The agent reported an error') }];
      break;
    case 'usage': {
      const u = (e.usage as Usage | undefined) ?? {};
      next.usage = {
        input_tokens: (state.usage.input_tokens ?? 0) + (u.input_tokens ?? 0),
        output_tokens: (state.usage.output_tokens ?? 0) + (u.output_tokens ?? 0),
        cost_usd: (state.usage.cost_usd ?? 0) + (typeof e.cost_usd === 'number' ? e.cost_usd : (u.cost_usd ?? 0)),
      };
      break;
    }
    case 'run_status': {
      const status = String(e.status ?? '');
      next.runStatus = { ...state.runStatus, [runId]: status };
      if (status === 'running' || status === 'requires_action') next.activeRunId = runId;
      if (ENDED.has(status)) {
        if (state.activeRunId === runId) next.activeRunId = null;
        if (status !== 'completed' || e.stop_reason === 'steered') {
          next.items = [...items, { kind: 'end', key, runId, status, stopReason: e.stop_reason as string | undefined }];
        }
      }
      break;
    }
    default:
      return next;
  }
  return next;
}
