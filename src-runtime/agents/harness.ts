/**
 * The seam between the session service and the agent programs: a Harness runs one agent process
 * for one session (ACP over stdio, or Claude Code's stream-json), turns a prompt into events and a
 * stop reason, and asks the host for permissions. The service owns runs, queueing, logs and HTTP.
 */
import type { Agent } from '../contract/agents.js';
import type { Workspace } from '../contract/workspaces.js';
import type { ProcessOwner } from '../platform/process.js';
import type { McpServerSpec } from '../services.js';

/** An event in the seed format, before the service adds seq, ts, session_id and run_id. */
export interface HarnessEvent {
  type: string;
  content?: string;
  tool?: string;
  input?: unknown;
  output?: unknown;
  error?: string;
  tool_call_id?: string;
  status?: string;
  kind?: string;
  [key: string]: unknown;
}

export interface PermissionAsk {
  tool: string;
  tool_call_id: string | null;
  input: unknown;
  options: Array<{ option_id: string; name: string; kind: 'allow_once' | 'allow_always' | 'reject_once' | 'reject_always' }>;
}

export interface PermissionAnswer {
  outcome: 'selected' | 'cancelled';
  option_id: string | null;
}

export interface HarnessHost {
  emit(event: HarnessEvent): void;
  askPermission(ask: PermissionAsk): Promise<PermissionAnswer>;
  /** The agent process ended on its own while no prompt was running. */
  exited(detail: string): void;
  /** The agent told us its conversation id (first init), for resuming later. */
  conversationStarted?(agentSessionId: string): void;
}

export interface TurnUsage {
  input_tokens?: number;
  output_tokens?: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  cost_usd?: number;
  duration_ms?: number;
}

export interface TurnResult {
  stop_reason: string;
  usage?: TurnUsage;
}

export interface AcpCaps {
  supported_models: string[];
  supported_modes: string[];
  supports_load_session: boolean;
}

export interface StartResult {
  agent_session_id: string | null;
  acp_caps: AcpCaps;
  resumed: boolean;
}

/** A failure of the agent itself (crash, garbage, refused start): fails the run with a reason. */
export class HarnessError extends Error {
  constructor(
    readonly kind: string,
    message: string,
  ) {
    super(message);
    this.name = 'HarnessError';
  }
}

export type { McpServerSpec };

export interface HarnessOptions {
  agent: Agent;
  workspace: Workspace;
  host: HarnessHost;
  /** The agent's own conversation id to resume (or to create, for Claude Code). */
  agentSessionId: string | null;
  /** Whether that conversation already exists at the agent (resume rather than create). */
  resume: boolean;
  mcpServers: McpServerSpec[];
  env: NodeJS.ProcessEnv;
  /** Owners (marker and crash-recovery record) of the agent process (`agent`) and its terminals (`terminal:<id>`). */
  owner(label: string): ProcessOwner;
}

export interface Harness {
  start(): Promise<StartResult>;
  prompt(text: string): Promise<TurnResult>;
  /** Ask the agent to stop the current turn; the pending prompt() then resolves (cancelled). */
  cancel(): Promise<void>;
  /** Add guidance to the running turn; false when the agent cannot be steered. */
  steer?(text: string): boolean;
  stop(): Promise<void>;
  readonly alive: boolean;
  readonly pid: number | undefined;
}

/** Keep the last bytes of a child's stderr for failure summaries. */
export class TailBuffer {
  private text = '';
  constructor(private readonly max = 2000) {}
  push(chunk: Buffer | string): void {
    this.text = (this.text + String(chunk)).slice(-this.max);
  }
  toString(): string {
    return this.text.trim();
  }
}
