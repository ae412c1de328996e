/**
 * Agents: agent definitions and providers, sessions (one agent conversation in one workspace), runs
 * (one prompt turn, serial within a session, queued while another runs), the session event log
 * (seed event format plus seq/run_id/ts), permission requests answered over HTTP, and the routes
 * that drive them. Also the agent settings routes (Claude Code's own file formats).
 */
import { z } from 'zod';
import { commonErrors, defineRoute, sseResponse } from './route.js';
import { defineEvent } from './events.js';
import { errorBodySchema } from './errors.js';
import { timestamp, workspaceQuery } from './common.js';

// ---------------------------------------------------------------- agent definitions and providers

export const mcpServerSchema = z
  .object({
    name: z.string().min(1),
    transport: z.enum(['stdio', 'http', 'sse']).default('stdio'),
    command: z.string().optional(),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    secret_env: z.array(z.string()).optional().describe('Names of runtime environment variables passed through (values never stored)'),
    url: z.string().optional(),
    auth: z.record(z.string(), z.unknown()).optional(),
  })
  .meta({ id: 'AgentMcpServer' });

export const agentProtocol = z.enum(['acp', 'claude-code']);
export type AgentProtocol = z.infer<typeof agentProtocol>;

/** An agent definition as configured (runtime config `agents`); seed 003 fields plus how to run it. */
export const agentDefinitionInput = z
  .object({
    name: z.string().min(1).max(100),
    provider: z.string().optional(),
    protocol: agentProtocol.optional().describe('How the runtime talks to it; default acp, claude-code for the claude provider'),
    command: z.string().min(1).optional().describe('Executable (absolute, or looked up on PATH)'),
    args: z.array(z.string()).optional(),
    env: z.record(z.string(), z.string()).optional(),
    model: z.string().optional(),
    prompt: z.string().optional().describe('Extra system prompt'),
    tools: z.array(z.string()).optional(),
    deny_tools: z.array(z.string()).optional(),
    toolsets: z.array(z.string()).optional(),
    permissions: z.record(z.string(), z.unknown()).optional(),
    mcp_servers: z.array(mcpServerSchema).optional(),
    silence_timeout_s: z.number().int().min(1).max(86_400).optional().describe('Fail a turn (agent_hung) and restart the agent when it says nothing for this long (default 600; permission waits do not count)'),
  })
  .strict();
export type AgentDefinitionInput = z.infer<typeof agentDefinitionInput>;

export const agentSchema = z
  .object({
    name: z.string(),
    provider: z.string(),
    protocol: agentProtocol,
    command: z.string().nullable(),
    args: z.array(z.string()),
    model: z.string().nullable(),
    prompt: z.string().nullable(),
    tools: z.array(z.string()),
    deny_tools: z.array(z.string()),
    toolsets: z.array(z.string()),
    permissions: z.record(z.string(), z.unknown()),
    mcp_servers: z.array(mcpServerSchema),
    silence_timeout_s: z.number(),
    source: z.enum(['config', 'detected']),
    available: z.boolean(),
    version: z.string().nullable(),
    unavailable_reason: z.string().nullable().describe('Why it cannot run here (not on PATH, …)'),
  })
  .meta({ id: 'Agent' });
export type Agent = z.infer<typeof agentSchema>;

export const providerSchema = z
  .object({
    name: z.string(),
    display_name: z.string(),
    default_model: z.string().nullable(),
    harness: agentProtocol,
    runtime_provider: z.string().nullable(),
  })
  .meta({ id: 'AgentProvider' });
export type Provider = z.infer<typeof providerSchema>;

export const skillSchema = z
  .object({
    name: z.string(),
    description: z.string().nullable(),
    path: z.string(),
    scope: z.enum(['workspace', 'user']),
  })
  .meta({ id: 'Skill' });

// ---------------------------------------------------------------- sessions and runs

export const sessionState = z.enum(['starting', 'idle', 'running', 'stopped', 'failed']);
export const failureSchema = z.object({ kind: z.string(), summary: z.string() }).meta({ id: 'Failure' });

export const sessionSchema = z
  .object({
    id: z.string(),
    workspace_id: z.string(),
    agent_name: z.string(),
    provider: z.string(),
    protocol: agentProtocol,
    state: sessionState,
    stop_reason: z.string().nullable(),
    stop_detail: z.string().nullable(),
    failure: failureSchema.nullable(),
    agent_session_id: z.string().nullable(),
    acp_caps: z.object({
      supported_models: z.array(z.string()),
      supported_modes: z.array(z.string()),
      supports_load_session: z.boolean(),
    }),
    activity: z.object({
      current_tool: z.string().nullable(),
      turn_id: z.string().nullable(),
      turn_started_at: timestamp.nullable(),
      last_activity_at: timestamp.nullable(),
      elapsed_seconds: z.number().nullable(),
      idle_seconds: z.number().nullable(),
    }),
    health: z.object({
      health: z.enum(['ok', 'degraded', 'down']),
      state: sessionState,
      active_prompt: z.string().nullable(),
      last_error: z.string().nullable(),
      last_activity_at: timestamp.nullable(),
    }),
    active_run_id: z.string().nullable(),
    queued_runs: z.number().int(),
    last_seq: z.number().int(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'AgentSession' });
export type Session = z.infer<typeof sessionSchema>;

export const runStatus = z.enum(['queued', 'running', 'requires_action', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof runStatus>;

export const usageSchema = z
  .object({
    input_tokens: z.number().optional(),
    output_tokens: z.number().optional(),
    cache_read_input_tokens: z.number().optional(),
    cache_creation_input_tokens: z.number().optional(),
    cost_usd: z.number().optional(),
    duration_ms: z.number().optional(),
  })
  .meta({ id: 'Usage' });

export const runSchema = z
  .object({
    id: z.string(),
    session_id: z.string(),
    workspace_id: z.string(),
    status: runStatus,
    prompt: z.string(),
    source: z.enum(['message', 'action', 'agent_run']),
    action: z.string().nullable(),
    stop_reason: z.string().nullable().describe('end_turn, cancelled, max_tokens, agent_crashed, runtime_restarted, …'),
    failure: failureSchema.nullable(),
    usage: usageSchema.nullable(),
    created_at: timestamp,
    started_at: timestamp.nullable(),
    ended_at: timestamp.nullable(),
  })
  .meta({ id: 'AgentRun' });
export type Run = z.infer<typeof runSchema>;

export const permissionOptionSchema = z.object({
  option_id: z.string(),
  name: z.string(),
  kind: z.enum(['allow_once', 'allow_always', 'reject_once', 'reject_always']),
});

export const permissionSchema = z
  .object({
    id: z.string().describe('perm_…'),
    run_id: z.string(),
    session_id: z.string(),
    tool: z.string(),
    tool_call_id: z.string().nullable(),
    input: z.unknown(),
    options: z.array(permissionOptionSchema),
    status: z.enum(['pending', 'resolved', 'timed_out', 'cancelled']),
    option_id: z.string().nullable().describe('The chosen option once resolved'),
    created_at: timestamp,
    resolved_at: timestamp.nullable(),
  })
  .meta({ id: 'PermissionRequest' });
export type Permission = z.infer<typeof permissionSchema>;

/** One event of a session's log (seed format plus seq, run_id, ts and richer fields). */
export const agentEventSchema = z
  .looseObject({
    type: z.string().describe('thinking | tool_use | tool_result | text | done | error | permission_request | permission_resolved | plan | usage | run_status | user'),
    seq: z.number().int(),
    ts: timestamp,
    session_id: z.string(),
    run_id: z.string().nullable(),
    content: z.string().optional(),
    tool: z.string().optional(),
    input: z.unknown().optional(),
    output: z.unknown().optional(),
    error: z.string().optional(),
    tool_call_id: z.string().optional(),
    status: z.string().optional(),
    kind: z.string().optional(),
  })
  .meta({ id: 'AgentEvent' });

export const transcriptMessageSchema = z
  .object({
    role: z.enum(['user', 'assistant']),
    run_id: z.string(),
    content: z.string(),
    thinking: z.string().optional(),
    tools: z.array(z.object({ tool_call_id: z.string().nullable(), tool: z.string(), input: z.unknown(), output: z.unknown(), status: z.string().nullable() })),
    status: runStatus,
    ts: timestamp,
  })
  .meta({ id: 'TranscriptMessage' });

// ---------------------------------------------------------------- events

export const sessionStatusEvent = defineEvent({
  type: 'session_status',
  description: 'A session changed state or one of its runs changed status (also on WS /api/v1/ws)',
  global: true,
  payload: z.object({ workspace_id: z.string(), session_id: z.string(), state: sessionState, run_id: z.string().nullable(), run_status: runStatus.nullable() }),
});

export const agentEventTypes = ['thinking', 'tool_use', 'tool_update', 'tool_result', 'text', 'done', 'error', 'permission_request', 'permission_resolved', 'plan', 'usage', 'run_status', 'user'] as const;
export const agentEvents = agentEventTypes.map((type) =>
  defineEvent({ type, description: `Agent session event (${type}) on the session stream`, global: false, payload: agentEventSchema }),
);

// ---------------------------------------------------------------- settings (Claude Code formats)

export const hookCommandSchema = z.looseObject({ type: z.literal('command'), command: z.string().min(1), timeout: z.number().positive().optional() });
export const hooksSchema = z
  .record(z.string().regex(/^[A-Z][A-Za-z]+$/, 'hook events are PascalCase names like PreToolUse'), z.array(z.looseObject({ matcher: z.string().optional(), hooks: z.array(hookCommandSchema) })))
  .meta({ id: 'ClaudeHooks' });

export const claudeSettingsSchema = z
  .looseObject({
    permissions: z
      .looseObject({
        allow: z.array(z.string()).optional(),
        deny: z.array(z.string()).optional(),
        ask: z.array(z.string()).optional(),
        defaultMode: z.string().optional(),
        additionalDirectories: z.array(z.string()).optional(),
      })
      .optional(),
    env: z.record(z.string(), z.string()).optional(),
    hooks: hooksSchema.optional(),
    model: z.string().optional(),
  })
  .meta({ id: 'ClaudeSettings' });

export const mcpConfigEntrySchema = z.looseObject({
  type: z.enum(['stdio', 'http', 'sse']).optional(),
  command: z.string().min(1).optional(),
  args: z.array(z.string()).optional(),
  env: z.record(z.string(), z.string()).optional(),
  url: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
});
export const mcpConfigSchema = z
  .object({ mcpServers: z.record(z.string().min(1), mcpConfigEntrySchema) })
  .meta({ id: 'McpConfig' });

export const settingsQuery = workspaceQuery.extend({
  scope: z.enum(['workspace', 'user']).optional().describe('workspace (default): <root>/.claude/settings.json, <root>/.mcp.json; user: ~/.claude/settings.json, ~/.claude.json'),
});

const settingsOut = z.object({ scope: z.enum(['workspace', 'user']), path: z.string(), workspace_id: z.string().nullable(), settings: claudeSettingsSchema });
const hooksOut = z.object({ scope: z.enum(['workspace', 'user']), path: z.string(), workspace_id: z.string().nullable(), hooks: hooksSchema });
const mcpOut = z.object({ scope: z.enum(['workspace', 'user']), path: z.string(), workspace_id: z.string().nullable(), mcp: mcpConfigSchema });

// ---------------------------------------------------------------- routes

const sessionOut = z.object({ session: sessionSchema });
const runOut = z.object({ run: runSchema });
const idParams = z.object({ id: z.string().min(1) });
const tags = ['agents'];

export const createSessionBody = z
  .object({
    workspace_id: z.string().min(1).optional().describe('Workspace id or path; the default workspace when absent'),
    agent: z.string().min(1).optional().describe('Agent name; the workspace or runtime default_agent, else claude'),
  })
  .strict();

export const runningRunBehavior = z.enum(['queue', 'interrupt']);

export const messageBody = z
  .object({
    content: z.string().min(1).max(200_000),
    runningRunBehavior: runningRunBehavior.optional().describe('queue (default): wait for the active run; interrupt: cancel it first'),
  })
  .strict();

export const agentRunBody = z
  .object({
    content: z.string().min(1).max(200_000),
    session_id: z.string().min(1).optional(),
    workspace_id: z.string().min(1).optional(),
    agent: z.string().min(1).optional(),
    runningRunBehavior: runningRunBehavior.optional(),
  })
  .strict();

function sessionCrud(base: string, prefix: string) {
  return {
    create: defineRoute({
      operationId: `${prefix}.create`,
      method: 'post',
      path: base,
      summary: 'Start an agent session in a trusted workspace',
      tags,
      access: 'token',
      body: createSessionBody,
      // 409 agent_unavailable: the agent is configured but cannot run on this machine.
      responses: { 201: sessionOut, ...commonErrors, 409: errorBodySchema, 413: errorBodySchema },
    }),
    list: defineRoute({
      operationId: `${prefix}.list`,
      method: 'get',
      path: base,
      summary: 'Sessions, newest first',
      tags,
      access: 'token',
      query: z.object({ workspace_id: z.string().min(1).optional() }),
      responses: { 200: z.object({ sessions: z.array(sessionSchema) }), ...commonErrors },
    }),
    get: defineRoute({
      operationId: `${prefix}.get`,
      method: 'get',
      path: `${base}/{id}`,
      summary: 'One session',
      tags,
      access: 'token',
      params: idParams,
      responses: { 200: sessionOut, ...commonErrors },
    }),
    remove: defineRoute({
      operationId: `${prefix}.delete`,
      method: 'delete',
      path: `${base}/{id}`,
      summary: 'Stop the session: cancels its runs, terminates the agent process, keeps the transcript',
      tags,
      access: 'token',
      params: idParams,
      responses: { 200: sessionOut, ...commonErrors },
    }),
  };
}

export const agentSessionsApi = sessionCrud('/api/v1/agent-sessions', 'agentSessions');
export const sessionsApi = sessionCrud('/api/v1/sessions', 'sessions');

export const agentsApi = {
  listAgents: defineRoute({
    operationId: 'agents.list',
    method: 'get',
    path: '/api/v1/agents',
    summary: 'Configured and detected agents (protocol, version, available or why not) and providers',
    tags,
    access: 'token',
    query: z.object({ workspace_id: z.string().min(1).optional() }),
    responses: { 200: z.object({ agents: z.array(agentSchema), providers: z.array(providerSchema) }), ...commonErrors },
  }),
  postMessage: defineRoute({
    operationId: 'sessions.messages.create',
    method: 'post',
    path: '/api/v1/sessions/{id}/messages',
    summary: 'Send a message: starts a run, or queues it while another runs (202 with the run)',
    tags,
    access: 'token',
    params: idParams,
    body: messageBody,
    responses: { 202: runOut, ...commonErrors, 409: errorBodySchema, 413: errorBodySchema },
  }),
  listMessages: defineRoute({
    operationId: 'sessions.messages.list',
    method: 'get',
    path: '/api/v1/sessions/{id}/messages',
    summary: 'The transcript: user prompts and assistant replies with their tool calls',
    tags,
    access: 'token',
    params: idParams,
    responses: { 200: z.object({ messages: z.array(transcriptMessageSchema) }), ...commonErrors },
  }),
  queue: defineRoute({
    operationId: 'sessions.queue.list',
    method: 'get',
    path: '/api/v1/sessions/{id}/queue',
    summary: 'Queued runs, in the order they will run',
    tags,
    access: 'token',
    params: idParams,
    responses: { 200: z.object({ runs: z.array(runSchema) }), ...commonErrors },
  }),
  dequeue: defineRoute({
    operationId: 'sessions.queue.delete',
    method: 'delete',
    path: '/api/v1/sessions/{id}/queue/{run_id}',
    summary: 'Remove a queued message (the run becomes cancelled)',
    tags,
    access: 'token',
    params: z.object({ id: z.string().min(1), run_id: z.string().min(1) }),
    responses: { 200: runOut, ...commonErrors, 409: errorBodySchema },
  }),
  events: defineRoute({
    operationId: 'sessions.events',
    method: 'get',
    path: '/api/v1/sessions/{id}/events',
    summary: 'The session event stream (SSE): replay from Last-Event-ID or ?after=, then live',
    tags,
    access: 'token',
    params: idParams,
    query: z.object({ after: z.string().optional(), access_token: z.string().optional() }),
    responses: { 200: sseResponse, ...commonErrors },
  }),
  action: defineRoute({
    operationId: 'sessions.actions.run',
    method: 'post',
    path: '/api/v1/sessions/{id}/actions/{name}',
    summary: 'Run a workspace action (named prompt template) in the session',
    tags,
    access: 'token',
    params: z.object({ id: z.string().min(1), name: z.string().min(1) }),
    body: z.object({ input: z.string().max(100_000).optional().describe('Appended to the prompt'), runningRunBehavior: runningRunBehavior.optional() }).strict().optional(),
    responses: { 202: runOut, ...commonErrors, 409: errorBodySchema, 413: errorBodySchema },
  }),
  getRun: defineRoute({
    operationId: 'runs.get',
    method: 'get',
    path: '/api/v1/runs/{id}',
    summary: 'One run with its final status and stop reason',
    tags,
    access: 'token',
    params: idParams,
    responses: { 200: runOut, ...commonErrors },
  }),
  cancelRun: defineRoute({
    operationId: 'runs.cancel',
    method: 'post',
    path: '/api/v1/runs/{id}/cancel',
    summary: 'Cancel a run (a queued one is removed from the queue)',
    tags,
    access: 'token',
    params: idParams,
    responses: { 200: runOut, ...commonErrors, 409: errorBodySchema },
  }),
  guideRun: defineRoute({
    operationId: 'runs.guide',
    method: 'post',
    path: '/api/v1/runs/{id}/guide',
    summary: 'Promote a queued message: steer the running turn where the agent supports it, otherwise run it next',
    tags,
    access: 'token',
    params: idParams,
    responses: { 200: z.object({ run: runSchema, steered: z.boolean() }), ...commonErrors, 409: errorBodySchema },
  }),
  listPermissions: defineRoute({
    operationId: 'runs.permissions.list',
    method: 'get',
    path: '/api/v1/runs/{id}/permissions',
    summary: 'Permission requests of a run (pending and answered)',
    tags,
    access: 'token',
    params: idParams,
    responses: { 200: z.object({ permissions: z.array(permissionSchema) }), ...commonErrors },
  }),
  answerPermission: defineRoute({
    operationId: 'runs.permissions.answer',
    method: 'post',
    path: '/api/v1/runs/{id}/permissions/{request_id}',
    summary: 'Answer a permission request with one of its options (409 when already answered)',
    tags,
    access: 'token',
    params: z.object({ id: z.string().min(1), request_id: z.string().min(1) }),
    body: z.object({ option_id: z.string().min(1) }).strict(),
    responses: { 200: z.object({ permission: permissionSchema }), ...commonErrors, 409: errorBodySchema, 413: errorBodySchema },
  }),
  agentRun: defineRoute({
    operationId: 'agentRuns.create',
    method: 'post',
    path: '/api/v1/agent-runs',
    summary: 'Start a run, creating a session when none is given (202 with run and session)',
    tags,
    access: 'token',
    body: agentRunBody,
    responses: { 202: z.object({ run: runSchema, session: sessionSchema }), ...commonErrors, 409: errorBodySchema, 413: errorBodySchema },
  }),
  agentRunStream: defineRoute({
    operationId: 'agentRuns.stream',
    method: 'post',
    path: '/api/v1/agent-runs/stream',
    summary: 'Start a run and stream its events (SSE) until it ends',
    tags,
    access: 'token',
    body: agentRunBody,
    responses: { 200: sseResponse, ...commonErrors, 409: errorBodySchema, 413: errorBodySchema },
  }),
};

export const settingsApi = {
  getSettings: defineRoute({
    operationId: 'settings.get',
    method: 'get',
    path: '/api/v1/settings',
    summary: 'Claude Code settings (.claude/settings.json) of a workspace, or user level',
    tags: ['settings'],
    access: 'token',
    query: settingsQuery,
    responses: { 200: settingsOut, ...commonErrors, 422: errorBodySchema },
  }),
  putSettings: defineRoute({
    operationId: 'settings.put',
    method: 'put',
    path: '/api/v1/settings',
    summary: 'Replace the settings file (validated; at the workspace level needs a trusted workspace: settings configure commands)',
    tags: ['settings'],
    access: 'token',
    query: settingsQuery,
    body: claudeSettingsSchema,
    responses: { 200: settingsOut, ...commonErrors, 413: errorBodySchema },
  }),
  getHooks: defineRoute({
    operationId: 'settings.hooks.get',
    method: 'get',
    path: '/api/v1/settings/hooks',
    summary: 'The hooks section of the settings file',
    tags: ['settings'],
    access: 'token',
    query: settingsQuery,
    responses: { 200: hooksOut, ...commonErrors, 422: errorBodySchema },
  }),
  putHooks: defineRoute({
    operationId: 'settings.hooks.put',
    method: 'put',
    path: '/api/v1/settings/hooks',
    summary: 'Replace the hooks section (needs a trusted workspace: hooks run commands)',
    tags: ['settings'],
    access: 'token',
    query: settingsQuery,
    body: hooksSchema,
    responses: { 200: hooksOut, ...commonErrors, 413: errorBodySchema, 422: errorBodySchema },
  }),
  getMcp: defineRoute({
    operationId: 'settings.mcp.get',
    method: 'get',
    path: '/api/v1/settings/mcp',
    summary: 'MCP servers (.mcp.json of a workspace, or mcpServers of ~/.claude.json)',
    tags: ['settings'],
    access: 'token',
    query: settingsQuery,
    responses: { 200: mcpOut, ...commonErrors, 422: errorBodySchema },
  }),
  putMcp: defineRoute({
    operationId: 'settings.mcp.put',
    method: 'put',
    path: '/api/v1/settings/mcp',
    summary: 'Replace the MCP servers (validated; at the workspace level needs a trusted workspace: MCP servers run when a session starts); handed to ACP agents in session/new',
    tags: ['settings'],
    access: 'token',
    query: settingsQuery,
    body: mcpConfigSchema,
    responses: { 200: mcpOut, ...commonErrors, 413: errorBodySchema, 422: errorBodySchema },
  }),
};
