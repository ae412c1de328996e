/**
 * Apps, scripts and OpenSpec on the wire: the `app.runtime.yaml` manifest schema (the source of
 * resources/app.runtime.schema.json), the app, build-status, execution and OpenSpec resources,
 * their routes and their events. Pure TS + zod.
 */
import { z } from 'zod';
import { defineEvent } from './events.js';
import { errorBodySchema } from './errors.js';
import { commonErrors, defineRoute, sseResponse } from './route.js';
import { timestamp, workspaceQuery } from './common.js';

// ---------------------------------------------------------------------------------------------
// The manifest (app.runtime.yaml)

/** `30s`, `500ms`, `2m`, or a number of seconds. */
export const durationSchema = z
  .union([z.number().positive(), z.string().regex(/^\d+(\.\d+)?\s*(ms|s|m)$/, 'a duration like 500ms, 30s or 2m')])
  .describe('A duration: a number of seconds, or a string like 500ms, 30s, 2m');

export function durationMs(value: z.infer<typeof durationSchema> | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  if (typeof value === 'number') return Math.round(value * 1000);
  const m = /^(\d+(?:\.\d+)?)\s*(ms|s|m)$/.exec(value);
  if (!m) return fallbackMs;
  const n = Number(m[1]);
  return Math.round(m[2] === 'ms' ? n : m[2] === 's' ? n * 1000 : n * 60_000);
}

const shellCommand = z.string().describe('A shell command (run with /bin/sh -c in the app cwd)');

export const manifestIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9_-]{0,62}$/, 'letters, digits, - and _ (starting with a letter or digit, at most 63 characters)');

export const readinessSchema = z
  .object({
    tcp: z.literal(true).optional().describe('Ready when the port accepts a TCP connection (the default when the app has a port)'),
    http: z.string().regex(/^\//, 'a path starting with /').optional().describe('Ready when GET http://127.0.0.1:$PORT<path> answers below 500'),
    log: z.string().min(1).optional().describe('Ready when an output line contains this text (or matches it as /regex/)'),
    timeout: durationSchema.optional().describe('How long to wait for readiness (default 30s)'),
  })
  .strict()
  .refine((r) => [r.tcp, r.http, r.log].filter((x) => x !== undefined).length <= 1, { message: 'use one of tcp, http or log' })
  .meta({ id: 'ManifestReadiness', description: 'How the runtime knows the app is ready: one of tcp, http, log' });

export const manifestAppSchema = z
  .object({
    id: manifestIdSchema.describe('Unique within the workspace; other apps name it in depends_on'),
    name: z.string().min(1).optional().describe('Display name (default: the id)'),
    cwd: z.string().optional().describe("Working directory, relative to the manifest's folder (default: the folder)"),
    env: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional().describe('Extra environment variables'),
    setup: shellCommand.optional().describe('Run by POST /apps/{id}/setup, e.g. npm install'),
    build: shellCommand.optional().describe('Run after setup by POST /apps/{id}/setup, e.g. npm run build'),
    start: shellCommand.describe('Starts the app in the foreground; $PORT and $HOST are set'),
    stop: shellCommand.optional().describe('Optional graceful stop command; then SIGTERM to the process group, SIGKILL after stop_timeout'),
    stop_timeout: durationSchema.optional().describe('Grace period between SIGTERM and SIGKILL (default 5s)'),
    port: z
      .union([z.literal('auto'), z.literal('none'), z.number().int().min(1).max(65535)])
      .optional()
      .describe('auto (default): the runtime assigns a free port from app_port_range; a number: that port; none: no port'),
    readiness: readinessSchema.optional(),
    depends_on: z.array(manifestIdSchema).optional().describe('Apps started (and ready) first; their ports arrive as <ID>_PORT'),
    restart: z.enum(['never', 'on-failure', 'always']).optional().describe('Restart policy (default never)'),
  })
  .strict()
  .meta({ id: 'ManifestApp' });

export type ManifestApp = z.infer<typeof manifestAppSchema>;

export const manifestActionSchema = z.union([
  z.string().min(1).describe('The prompt'),
  z.object({ prompt: z.string().min(1), description: z.string().optional() }).strict(),
]);

/** Top-level keys besides the app(s). */
export const manifestTopSchema = z.object({
  apps: z.array(z.unknown()).optional(),
  scripts: z.record(z.string().regex(/^[A-Za-z0-9][A-Za-z0-9:_.-]*$/, 'a script name'), shellCommand).optional().describe('Named commands, listed by GET /api/v1/scripts'),
  actions: z.record(z.string().min(1), manifestActionSchema).optional().describe('Named prompts an agent session can run'),
});

/** The full manifest as documented (the JSON Schema is generated from this). */
export const manifestSchema = z
  .union([
    z
      .object({
        apps: z.array(manifestAppSchema).describe('The apps of this manifest'),
        scripts: manifestTopSchema.shape.scripts,
        actions: manifestTopSchema.shape.actions,
      })
      .strict(),
    manifestAppSchema.extend({ scripts: manifestTopSchema.shape.scripts, actions: manifestTopSchema.shape.actions }).strict(),
    z.object({ scripts: manifestTopSchema.shape.scripts, actions: manifestTopSchema.shape.actions }).strict(),
  ])
  .meta({
    title: 'app.runtime.yaml',
    description: 'Workspace Runtime app manifest: one app at top level, or an apps: list; plus scripts: and actions:.',
  });

// ---------------------------------------------------------------------------------------------
// Apps

export const appStatusSchema = z.enum(['stopped', 'starting', 'running', 'ready', 'crashed', 'invalid']).meta({
  id: 'AppStatus',
  description:
    'stopped; starting (spawned, waiting for readiness); running (alive, no readiness check applies); ready (readiness passed); crashed (exited unexpectedly or never got ready); invalid (manifest error)',
});

export const manifestErrorSchema = z
  .object({
    file: z.string().describe('Manifest path relative to the workspace root'),
    line: z.number().int().nullable(),
    column: z.number().int().nullable(),
    field: z.string().nullable().describe('Dotted path of the offending field, e.g. apps.0.port'),
    message: z.string(),
  })
  .meta({ id: 'ManifestError' });

export const appSchema = z
  .object({
    id: z.string().describe('Opaque, stable per workspace + manifest file + manifest id (app_…)'),
    manifest_id: z.string().describe("The author's id from the manifest"),
    name: z.string(),
    workspace_id: z.string(),
    manifest_path: z.string().describe('Relative to the workspace root'),
    cwd: z.string().nullable().describe('Absolute working directory'),
    status: appStatusSchema,
    pid: z.number().int().nullable(),
    port: z.number().int().nullable(),
    port_mode: z.enum(['auto', 'fixed', 'none']),
    url: z.string().nullable(),
    restarts: z.number().int(),
    restart: z.enum(['never', 'on-failure', 'always']),
    depends_on: z.array(z.string()),
    started_at: timestamp.nullable(),
    uptime_s: z.number().nullable(),
    exit_code: z.number().int().nullable(),
    exit_signal: z.string().nullable(),
    last_error: z.string().nullable(),
    has_setup: z.boolean(),
    errors: z.array(manifestErrorSchema).describe('Manifest errors (status invalid)'),
  })
  .meta({ id: 'App' });

export type App = z.infer<typeof appSchema>;

export const buildStepSchema = z.object({
  step: z.enum(['setup', 'build']),
  command: z.string(),
  exit_code: z.number().int().nullable(),
  duration_ms: z.number().nullable(),
});

export const buildStatusSchema = z
  .object({
    app_id: z.string(),
    state: z.enum(['never', 'running', 'succeeded', 'failed', 'cancelled']),
    steps: z.array(buildStepSchema),
    exit_code: z.number().int().nullable(),
    started_at: timestamp.nullable(),
    ended_at: timestamp.nullable(),
    duration_ms: z.number().nullable(),
    log_tail: z.array(z.string()).describe('Last output lines of setup/build (ANSI kept)'),
  })
  .meta({ id: 'BuildStatus' });

export type BuildStatus = z.infer<typeof buildStatusSchema>;

export const appPortSchema = z
  .object({
    app_id: z.string(),
    manifest_id: z.string(),
    workspace_id: z.string(),
    status: appStatusSchema,
    port: z.number().int().nullable(),
    source: z.enum(['running', 'assigned', 'fixed', 'none']).describe('running: the port of the live process; assigned: what a start would use now'),
  })
  .meta({ id: 'AppPort' });

const appParams = z.object({ app_id: z.string().min(1) });
const oneApp = z.object({ app: appSchema });
const appsTags = ['apps'];

export const appsApi = {
  list: defineRoute({
    operationId: 'apps.list',
    method: 'get',
    path: '/api/v1/apps',
    summary: "Apps declared by the workspace's app.runtime.yaml files, with their status",
    tags: appsTags,
    access: 'token',
    query: workspaceQuery,
    responses: { 200: z.object({ apps: z.array(appSchema) }), ...commonErrors },
  }),
  ports: defineRoute({
    operationId: 'apps.ports',
    method: 'get',
    path: '/api/v1/apps/ports',
    summary: 'The actual port of every installed app (running, or the one a start would assign now)',
    tags: appsTags,
    access: 'token',
    query: workspaceQuery.extend({ workspace_id: workspaceQuery.shape.workspace_id.describe('Only this workspace (default: every workspace)') }),
    responses: { 200: z.object({ ports: z.array(appPortSchema) }), ...commonErrors },
  }),
  get: defineRoute({
    operationId: 'apps.get',
    method: 'get',
    path: '/api/v1/apps/{app_id}',
    summary: 'One app',
    tags: appsTags,
    access: 'token',
    params: appParams,
    responses: { 200: oneApp, ...commonErrors },
  }),
  start: defineRoute({
    operationId: 'apps.start',
    method: 'post',
    path: '/api/v1/apps/{app_id}/start',
    summary: 'Start an app (and its dependencies); answers at once with the app starting',
    tags: appsTags,
    access: 'token',
    params: appParams,
    responses: { 202: oneApp, ...commonErrors, 409: errorBodySchema },
  }),
  stop: defineRoute({
    operationId: 'apps.stop',
    method: 'post',
    path: '/api/v1/apps/{app_id}/stop',
    summary: 'Stop an app: its stop command, then SIGTERM to its process group, SIGKILL after the grace period',
    tags: appsTags,
    access: 'token',
    params: appParams,
    responses: { 200: oneApp, ...commonErrors },
  }),
  setup: defineRoute({
    operationId: 'apps.setup',
    method: 'post',
    path: '/api/v1/apps/{app_id}/setup',
    summary: "Run the app's setup then build commands; poll build-status",
    tags: appsTags,
    access: 'token',
    params: appParams,
    responses: { 202: z.object({ build_status: buildStatusSchema }), ...commonErrors, 409: errorBodySchema },
  }),
  buildStatus: defineRoute({
    operationId: 'apps.buildStatus',
    method: 'get',
    path: '/api/v1/apps/{app_id}/build-status',
    summary: 'The last setup/build: state, exit code, duration, log tail',
    tags: appsTags,
    access: 'token',
    params: appParams,
    responses: { 200: z.object({ build_status: buildStatusSchema }), ...commonErrors },
  }),
  ensureRunning: defineRoute({
    operationId: 'apps.ensureRunning',
    method: 'post',
    path: '/api/v1/apps/{app_id}/ensure-running',
    summary: 'Start the app unless it runs, and wait until it is ready (idempotent; concurrent calls share one start)',
    tags: appsTags,
    access: 'token',
    params: appParams,
    responses: { 200: oneApp, ...commonErrors, 409: errorBodySchema, 503: errorBodySchema },
  }),
  logs: defineRoute({
    operationId: 'apps.logs',
    method: 'get',
    path: '/api/v1/apps/{app_id}/logs',
    summary: 'Log lines (app_log: stream stdout|stderr, ANSI kept) and status changes: the ring buffer, then live',
    tags: appsTags,
    access: 'token',
    params: appParams,
    query: z.object({ after: z.string().optional().describe('Replay after this seq (or send Last-Event-ID)') }),
    responses: { 200: sseResponse, ...commonErrors },
  }),
  internalStartResolved: defineRoute({
    operationId: 'apps.internal.startResolved',
    method: 'post',
    path: '/api/v1/internal/workspaces/{workspace_id}/resolved-apps/start',
    summary: 'Start every valid app of a workspace in dependency order (loopback callers only)',
    tags: appsTags,
    access: 'token+loopback',
    params: z.object({ workspace_id: z.string().min(1) }),
    body: z.object({ wait: z.boolean().optional().describe('Wait for readiness of every app (default true)') }).strict(),
    responses: {
      200: z.object({
        apps: z.array(appSchema),
        failed: z.array(z.object({ app_id: z.string(), manifest_id: z.string(), error: z.string() })),
      }),
      ...commonErrors,
      413: errorBodySchema,
    },
  }),
};

export const appStatusChangedEvent = defineEvent({
  type: 'app_status_changed',
  description: 'An app changed status (on app:<id>, workspace:<id> and the global hub)',
  global: true,
  payload: z.object({
    app_id: z.string(),
    workspace_id: z.string(),
    manifest_id: z.string(),
    status: appStatusSchema,
    pid: z.number().nullable(),
    port: z.number().nullable(),
    exit_code: z.number().nullable(),
    restarts: z.number(),
  }),
});

export const appLogEvent = defineEvent({
  type: 'app_log',
  description: 'One output line of an app (ANSI kept), on app:<id> and the global hub',
  global: true,
  payload: z.object({ app_id: z.string(), workspace_id: z.string(), stream: z.enum(['stdout', 'stderr', 'system']), line: z.string() }),
});

// ---------------------------------------------------------------------------------------------
// Scripts

export const scriptSourceSchema = z.enum(['manifest', 'package', 'make', 'openspec']);

export const scriptSchema = z
  .object({
    id: z.string().describe('<source>:<name>; POST /scripts/{name}/run accepts the id or the plain name'),
    name: z.string(),
    source: scriptSourceSchema,
    command: z.string().describe('What runs (shell command)'),
    cwd: z.string(),
    definition: z.string().describe('The script body as written (package.json value, manifest command, make target)'),
    package_manager: z.enum(['npm', 'pnpm', 'yarn', 'bun']).nullable(),
  })
  .meta({ id: 'Script' });

export type Script = z.infer<typeof scriptSchema>;

export const executionSchema = z
  .object({
    id: z.string().describe('exec_…'),
    workspace_id: z.string(),
    script_id: z.string(),
    name: z.string(),
    command: z.string(),
    args: z.array(z.string()),
    cwd: z.string(),
    status: z.enum(['running', 'succeeded', 'failed', 'cancelled']),
    pid: z.number().int().nullable(),
    exit_code: z.number().int().nullable(),
    signal: z.string().nullable(),
    started_at: timestamp,
    ended_at: timestamp.nullable(),
    duration_ms: z.number().nullable(),
    output_tail: z.array(z.object({ stream: z.enum(['stdout', 'stderr']), line: z.string() })),
    events_url: z.string(),
  })
  .meta({ id: 'Execution' });

export type Execution = z.infer<typeof executionSchema>;

const oneExecution = z.object({ execution: executionSchema });
const execParams = z.object({ id: z.string().min(1) });
const scriptTags = ['scripts'];

export const scriptsApi = {
  list: defineRoute({
    operationId: 'scripts.list',
    method: 'get',
    path: '/api/v1/scripts',
    summary: 'package.json scripts, manifest scripts: and Makefile targets of the workspace',
    tags: scriptTags,
    access: 'token',
    query: workspaceQuery,
    responses: { 200: z.object({ scripts: z.array(scriptSchema), package_manager: z.enum(['npm', 'pnpm', 'yarn', 'bun']).nullable() }), ...commonErrors },
  }),
  run: defineRoute({
    operationId: 'scripts.run',
    method: 'post',
    path: '/api/v1/scripts/{name}/run',
    summary: 'Run a script; answers 202 with the execution, whose output streams at events_url',
    tags: scriptTags,
    access: 'token',
    params: z.object({ name: z.string().min(1) }),
    query: workspaceQuery,
    body: z.object({ args: z.array(z.string()).max(100).optional() }).strict(),
    responses: { 202: oneExecution, ...commonErrors, 413: errorBodySchema },
  }),
  runs: defineRoute({
    operationId: 'scripts.runs.list',
    method: 'get',
    path: '/api/v1/scripts/runs',
    summary: 'Recent executions (newest first)',
    tags: scriptTags,
    access: 'token',
    query: workspaceQuery,
    responses: { 200: z.object({ executions: z.array(executionSchema) }), ...commonErrors },
  }),
  get: defineRoute({
    operationId: 'scripts.runs.get',
    method: 'get',
    path: '/api/v1/scripts/runs/{id}',
    summary: 'One execution: status, exit code, duration, output tail',
    tags: scriptTags,
    access: 'token',
    params: execParams,
    responses: { 200: oneExecution, ...commonErrors },
  }),
  events: defineRoute({
    operationId: 'scripts.runs.events',
    method: 'get',
    path: '/api/v1/scripts/runs/{id}/events',
    summary: 'The execution output (script_output) then script_finished; the stream ends after it',
    tags: scriptTags,
    access: 'token',
    params: execParams,
    query: z.object({ after: z.string().optional() }),
    responses: { 200: sseResponse, ...commonErrors },
  }),
  cancel: defineRoute({
    operationId: 'scripts.runs.cancel',
    method: 'post',
    path: '/api/v1/scripts/runs/{id}/cancel',
    summary: 'Cancel a running execution (SIGTERM to its process group, SIGKILL after 3 s)',
    tags: scriptTags,
    access: 'token',
    params: execParams,
    responses: { 200: oneExecution, ...commonErrors },
  }),
};

export const scriptOutputEvent = defineEvent({
  type: 'script_output',
  description: 'One output line of a script execution (on exec:<id>)',
  global: false,
  payload: z.object({ execution_id: z.string(), stream: z.enum(['stdout', 'stderr']), line: z.string() }),
});

export const scriptFinishedEvent = defineEvent({
  type: 'script_finished',
  description: 'A script execution ended (on exec:<id>, workspace:<id> and the global hub)',
  global: true,
  payload: z.object({ execution: executionSchema }),
});

// ---------------------------------------------------------------------------------------------
// OpenSpec

export const openspecChangeSchema = z
  .object({
    id: z.string(),
    title: z.string().nullable().describe('From the first heading of proposal.md'),
    path: z.string(),
    tasks: z.object({ total: z.number().int(), done: z.number().int() }),
    delta_specs: z.array(z.string()).describe('Capabilities the change touches'),
    problems: z.array(z.string()).describe('Validation problems'),
    archived_at: z.string().nullable().describe('Date prefix of an archived change'),
  })
  .meta({ id: 'OpenSpecChange' });

export const openspecActionSchema = z
  .object({
    name: z.enum(['initialize', 'propose', 'apply', 'archive']),
    title: z.string(),
    description: z.string().describe('What the action does'),
    available: z.boolean(),
    reason: z.string().nullable().describe('Why it is not available now'),
    change_id: z.string().nullable(),
    cli_command: z.string().nullable().describe('The openspec CLI command that performs it, when the CLI is installed'),
    prompt: z.string().describe('The prompt an agent session runs for it'),
  })
  .meta({ id: 'OpenSpecAction' });

export const openspecStateSchema = z
  .object({
    workspace_id: z.string(),
    exists: z.boolean(),
    root: z.string().describe('Absolute path of openspec/'),
    specs: z.array(z.object({ capability: z.string(), path: z.string(), requirements: z.number().int(), problems: z.array(z.string()) })),
    changes: z.array(openspecChangeSchema),
    archived: z.array(openspecChangeSchema),
    actions: z.array(openspecActionSchema),
    cli: z.object({ available: z.boolean(), path: z.string().nullable(), version: z.string().nullable() }),
  })
  .meta({ id: 'OpenSpecState' });

export type OpenSpecState = z.infer<typeof openspecStateSchema>;

export const openspecApi = {
  get: defineRoute({
    operationId: 'openspec.get',
    method: 'get',
    path: '/api/v1/workspaces/{workspace_id}/openspec',
    summary: 'State of openspec/ (specs, changes, task progress, problems) and the workflow actions available now',
    tags: ['openspec'],
    access: 'token',
    params: z.object({ workspace_id: z.string().min(1) }),
    responses: { 200: z.object({ openspec: openspecStateSchema }), ...commonErrors },
  }),
  runAction: defineRoute({
    operationId: 'openspec.actions.run',
    method: 'post',
    path: '/api/v1/workspaces/{workspace_id}/openspec/actions/{action}',
    summary: 'Run a workflow action through the openspec CLI (initialize, archive); propose/apply need an agent session',
    description:
      'initialize and archive run the openspec CLI as an execution (202, poll or stream it like a script run). propose and apply are agent work: 409 needs_agent with the prompt to run in a session (POST /api/v1/sessions/{id}/actions/{name}).',
    tags: ['openspec'],
    access: 'token',
    params: z.object({ workspace_id: z.string().min(1), action: z.enum(['initialize', 'propose', 'apply', 'archive']) }),
    body: z.object({ change_id: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/).optional() }).strict(),
    responses: { 202: oneExecution, ...commonErrors, 409: errorBodySchema, 413: errorBodySchema, 503: errorBodySchema },
  }),
};

export const appsEvents = [appStatusChangedEvent, appLogEvent, scriptOutputEvent, scriptFinishedEvent];
