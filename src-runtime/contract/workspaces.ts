/**
 * Workspaces: registered local folders. The detail view grows as features land (agents,
 * providers, sessions, skills, apps); those parts are loose here and owned by their features.
 */
import { z } from 'zod';
import { commonErrors, defineRoute } from './route.js';
import { errorBodySchema } from './errors.js';
import { okResponse, timestamp, workspaceIdParams } from './common.js';

export const workspaceSchema = z
  .object({
    id: z.string().describe('Opaque id, prefixed ws_'),
    name: z.string(),
    root_dir: z.string().describe('Absolute, real path of the folder'),
    add_dirs: z.array(z.string()).describe('Extra folders the workspace agents may use'),
    default_agent: z.string().nullable(),
    sandbox_ref: z.string().nullable(),
    trusted: z
      .boolean()
      .describe(
        'Whether the workspace own commands (apps, scripts, agents, git hooks and filters, MCP servers) may run: its own trust flag, or its root is inside one of the runtime config trusted_folders',
      ),
    trusted_by_folder: z
      .string()
      .nullable()
      .describe('The trusted folder (runtime config trusted_folders) containing the root, or null; such a workspace is trusted whatever its own flag'),
    is_default: z.boolean(),
    created_at: timestamp,
    updated_at: timestamp,
  })
  .meta({ id: 'Workspace' });

export type Workspace = z.infer<typeof workspaceSchema>;

export const workspaceDetailSchema = workspaceSchema
  .extend({
    agents: z.array(z.unknown()).optional(),
    providers: z.array(z.unknown()).optional(),
    sessions: z.array(z.unknown()).optional(),
    skills: z.array(z.unknown()).optional(),
    apps: z.array(z.unknown()).optional(),
  })
  .meta({ id: 'WorkspaceDetail' });

export type WorkspaceDetail = z.infer<typeof workspaceDetailSchema>;

const workspaceName = z.string().trim().min(1).max(200);

export const createWorkspaceBody = z
  .object({
    root_dir: z.string().min(1).describe('Absolute path of an existing folder, or of a folder to create with create: true'),
    name: workspaceName.optional(),
    create: z.boolean().optional().describe('Create the folder (and parents) when it does not exist'),
    add_dirs: z.array(z.string().min(1)).optional(),
    default_agent: z.string().min(1).nullable().optional(),
    trusted: z.boolean().optional(),
    make_default: z.boolean().optional(),
  })
  .strict();

export const patchWorkspaceBody = z
  .object({
    name: workspaceName.optional(),
    add_dirs: z.array(z.string().min(1)).optional(),
    default_agent: z.string().min(1).nullable().optional(),
    sandbox_ref: z.string().min(1).nullable().optional(),
    trusted: z.boolean().optional(),
    make_default: z.literal(true).optional(),
  })
  .strict();

const one = z.object({ workspace: workspaceSchema });
const oneDetail = z.object({ workspace: workspaceDetailSchema });

function workspaceRoutes(base: string, prefix: string) {
  const tags = ['workspaces'];
  return {
    list: defineRoute({
      operationId: `${prefix}workspaces.list`,
      method: 'get',
      path: base,
      summary: 'List registered workspaces',
      tags,
      access: 'token',
      responses: { 200: z.object({ workspaces: z.array(workspaceSchema) }), 401: errorBodySchema },
    }),
    create: defineRoute({
      operationId: `${prefix}workspaces.create`,
      method: 'post',
      path: base,
      summary: 'Register an existing folder as a workspace, or create a new empty folder',
      tags,
      access: 'token',
      body: createWorkspaceBody,
      responses: { 201: one, 200: one, ...commonErrors, 409: errorBodySchema, 413: errorBodySchema },
    }),
    resolve: defineRoute({
      operationId: `${prefix}workspaces.resolve`,
      method: 'post',
      path: `${base}/resolve`,
      summary: 'Find the workspace containing a path, registering the folder if none does',
      tags,
      access: 'token',
      body: z.object({ path: z.string().min(1) }).strict(),
      responses: { 200: one, 201: one, ...commonErrors, 413: errorBodySchema },
    }),
    get: defineRoute({
      operationId: `${prefix}workspaces.get`,
      method: 'get',
      path: `${base}/{id}`,
      summary: 'A workspace with its agents, providers, sessions, skills and apps',
      tags,
      access: 'token',
      params: workspaceIdParams,
      responses: { 200: oneDetail, ...commonErrors },
    }),
    patch: defineRoute({
      operationId: `${prefix}workspaces.update`,
      method: 'patch',
      path: `${base}/{id}`,
      summary: 'Rename, trust, set add_dirs or the default agent, or make it the default workspace',
      tags,
      access: 'token',
      params: workspaceIdParams,
      body: patchWorkspaceBody,
      responses: { 200: one, ...commonErrors, 413: errorBodySchema },
    }),
    remove: defineRoute({
      operationId: `${prefix}workspaces.delete`,
      method: 'delete',
      path: `${base}/{id}`,
      summary: 'Unregister a workspace (the folder is never deleted)',
      tags,
      access: 'token',
      params: workspaceIdParams,
      responses: { 200: okResponse, ...commonErrors },
    }),
  };
}

export const workspacesApi = workspaceRoutes('/api/v1/workspaces', '');
/** The AGH runtime's paths for the same operations. */
export const workspacesAghApi = workspaceRoutes('/api/workspaces', 'agh.');
