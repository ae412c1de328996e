/**
 * Runtime-level routes: health, status, the persisted runtime configuration and the API's own
 * description (OpenAPI document and reference page).
 */
import { z } from 'zod';
import { commonErrors, defineRoute } from './route.js';
import { errorBodySchema } from './errors.js';
import { agentDefinitionInput } from './agents.js';

export const healthSchema = z
  .object({ status: z.literal('ok'), version: z.string(), uptime_s: z.number() })
  .meta({ id: 'Health' });

export const gitInfoSchema = z.object({
  available: z.boolean(),
  source: z.enum(['embedded', 'system', 'none']),
  version: z.string().nullable(),
  path: z.string().nullable(),
});

export const runtimeStatusSchema = z
  .object({
    version: z.string(),
    pid: z.number(),
    node_version: z.string(),
    platform: z.string(),
    started_at: z.string(),
    uptime_s: z.number(),
    data_dir: z.string(),
    url: z.string(),
    git: gitInfoSchema,
    counts: z.object({
      workspaces: z.number(),
      live_sessions: z.number(),
      running_apps: z.number(),
    }),
    memory: z.object({ rss_bytes: z.number(), heap_used_bytes: z.number() }),
    features: z.record(z.string(), z.unknown()).describe('Per-feature status (watchers, agents, …)'),
  })
  .meta({ id: 'RuntimeStatus' });

export const portRangeSchema = z
  .object({ start: z.number().int().min(1024).max(65535), end: z.number().int().min(1024).max(65535) })
  .refine((r) => r.end >= r.start, { message: 'end must be >= start' });

export const modelProviderSchema = z
  .object({
    name: z.string().min(1),
    display_name: z.string().optional(),
    base_url: z.string().url().optional(),
    api_key_env: z.string().optional().describe('Environment variable holding the key; keys are never stored'),
    default_model: z.string().optional(),
    harness: z.string().optional(),
    runtime_provider: z.string().optional(),
  })
  .strict();

// POSIX absolute, or a Windows drive/UNC path: the runtime may serve either kind of client.
const absolutePath = z
  .string()
  .min(1)
  .refine((p) => !p.includes('\0'), { message: 'must not contain a NUL byte' })
  .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), { message: 'must be an absolute path' });

export const runtimeConfigSchema = z
  .object({
    default_agent: z.string().min(1).nullable(),
    default_workspace_id: z.string().nullable(),
    agents: z.array(agentDefinitionInput).describe('Agent definitions (see GET /api/v1/agents)'),
    model: z.string().nullable().describe('Default model for agents that take one'),
    providers: z.array(modelProviderSchema),
    app_port_range: portRangeSchema,
    allowed_hosts: z.array(z.string().min(1)).describe('Extra Host header names accepted besides loopback'),
    watcher_ignore: z.array(z.string().min(1)).describe('Folder names the file watcher prunes besides .git and node_modules'),
    permission_timeout_s: z.number().int().min(1).max(86400),
    trusted_folders: z
      .array(absolutePath)
      .describe(
        'Folders whose workspaces are all trusted: a workspace whose root is one of them or inside one is trusted without its own flag. Absolute paths; stored as real paths (symlinks resolved)',
      ),
  })
  .strict()
  .meta({ id: 'RuntimeConfig' });

export type RuntimeConfig = z.infer<typeof runtimeConfigSchema>;

export const defaultRuntimeConfig: RuntimeConfig = {
  default_agent: null,
  default_workspace_id: null,
  agents: [],
  model: null,
  providers: [],
  app_port_range: { start: 41000, end: 41999 },
  allowed_hosts: [],
  watcher_ignore: ['dist', 'build', '.next', '.venv', '__pycache__', 'target'],
  permission_timeout_s: 600,
  trusted_folders: [],
};

const configOut = z.object({ config: runtimeConfigSchema });
const tags = ['runtime'];

export const runtimeApi = {
  health: defineRoute({
    operationId: 'runtime.health',
    method: 'get',
    path: '/health',
    summary: 'Liveness; no token needed',
    tags,
    access: 'public',
    responses: { 200: healthSchema },
  }),
  status: defineRoute({
    operationId: 'runtime.status',
    method: 'get',
    path: '/api/v1/runtime/status',
    summary: 'Version, process, data dir, git in use, counts and memory',
    tags,
    access: 'token',
    responses: { 200: z.object({ runtime: runtimeStatusSchema }), 401: errorBodySchema },
  }),
  getConfig: defineRoute({
    operationId: 'runtime.config.get',
    method: 'get',
    path: '/api/v1/runtime/config',
    summary: 'The persisted runtime configuration',
    tags,
    access: 'token',
    responses: { 200: configOut, 401: errorBodySchema },
  }),
  putConfig: defineRoute({
    operationId: 'runtime.config.replace',
    method: 'put',
    path: '/api/v1/runtime/config',
    summary: 'Replace the runtime configuration (missing fields take their defaults)',
    tags,
    access: 'token',
    body: runtimeConfigSchema.partial().strict(),
    responses: { 200: configOut, ...commonErrors, 413: errorBodySchema },
  }),
  patchConfig: defineRoute({
    operationId: 'runtime.config.update',
    method: 'patch',
    path: '/api/v1/runtime/config',
    summary: 'Change some runtime settings',
    tags,
    access: 'token',
    body: runtimeConfigSchema.partial().strict(),
    responses: { 200: configOut, ...commonErrors, 413: errorBodySchema },
  }),
  openapiJson: defineRoute({
    operationId: 'runtime.openapi.json',
    method: 'get',
    path: '/api/v1/openapi.json',
    summary: 'This API as an OpenAPI 3.1 document',
    tags,
    access: 'token',
    responses: { 200: { contentType: 'application/json', description: 'OpenAPI 3.1 document' }, 401: errorBodySchema },
  }),
  openapiYaml: defineRoute({
    operationId: 'runtime.openapi.yaml',
    method: 'get',
    path: '/api/v1/openapi.yaml',
    summary: 'This API as an OpenAPI 3.1 document in YAML',
    tags,
    access: 'token',
    responses: { 200: { contentType: 'application/yaml', description: 'OpenAPI 3.1 document' }, 401: errorBodySchema },
  }),
  docs: defineRoute({
    operationId: 'runtime.docs',
    method: 'get',
    path: '/api/v1/docs',
    summary: 'Readable API reference page (works offline)',
    tags,
    access: 'token',
    responses: { 200: { contentType: 'text/html', description: 'API reference' }, 401: errorBodySchema },
  }),
};

/** The server-side folder browser a browser client uses to pick a folder to open (directories only). */
export const folderEntrySchema = z.object({ name: z.string(), path: z.string().describe('Absolute path') }).meta({ id: 'FolderEntry' });
export const folderListingSchema = z
  .object({
    path: z.string().describe('Absolute, resolved path of the listed folder'),
    parent: z.string().nullable().describe('The parent folder, null at the filesystem root'),
    home: z.string().describe('The home folder of the user the runtime runs as'),
    folders: z.array(folderEntrySchema).describe('Sub-folders, sorted by name; hidden ones only with hidden=true'),
    truncated: z.boolean().describe('More than 2,000 sub-folders: the rest are left out'),
  })
  .meta({ id: 'FolderListing' });
export const systemFoldersApi = {
  list: defineRoute({
    operationId: 'system.folders.list',
    method: 'get',
    path: '/api/v1/system/folders',
    summary: 'List the sub-folders of a folder on this machine (to pick one to open as a workspace)',
    tags: ['runtime'],
    access: 'token',
    query: z.object({
      path: z.string().min(1).optional().describe('Absolute folder path; the home folder when absent'),
      hidden: z.enum(['true', 'false']).optional().describe('Include folders whose name starts with a dot'),
    }),
    responses: { 200: z.object({ listing: folderListingSchema }), ...commonErrors },
  }),
};
