/**
 * Workspace files on the wire: read/list/write/delete under `/api/v1/workspaces/{id}/files/{path}`,
 * the non-CRUD operations under `/file-ops/{move|mkdir|upload|search}`, the same on the default
 * workspace under `/api/v1/files…`, the E2B-style sandbox view, templates, export, snapshots, the
 * per-workspace event stream, and the file events (`file_changed`, `watcher_error`, …).
 */
import { z } from 'zod';
import { defineEvent } from './events.js';
import { errorBodySchema } from './errors.js';
import { commonErrors, defineRoute, sseResponse, type RawResponse } from './route.js';
import { okResponse, queryBool, queryInt, timestamp, workspaceIdParams, workspaceQuery } from './common.js';
import { workspaceSchema } from './workspaces.js';

// ---------------------------------------------------------------------------------------------
// Shapes

export const fileEntrySchema = z
  .object({
    name: z.string(),
    path: z.string().describe('Relative to the workspace root, "/"-separated'),
    type: z.enum(['file', 'directory', 'symlink', 'other']),
    size: z.number().int().nonnegative(),
    mtime: timestamp,
  })
  .meta({ id: 'FileEntry' });

export const directoryListingSchema = z
  .object({
    path: z.string(),
    entries: z.array(fileEntrySchema),
    truncated: z.boolean().describe('More entries exist than `limit`'),
  })
  .meta({ id: 'DirectoryListing' });

export const fileContentSchema = z
  .object({
    path: z.string(),
    content: z.string(),
    encoding: z.enum(['utf-8', 'base64']),
    size: z.number().int().nonnegative(),
    mtime: timestamp,
    etag: z.string(),
  })
  .meta({ id: 'FileContent' });

export const fileInfoSchema = z
  .object({
    path: z.string(),
    size: z.number().int().nonnegative(),
    mtime: timestamp,
    etag: z.string().describe('Strong ETag (content hash), as sent in the ETag header'),
    created: z.boolean().describe('The file did not exist before this write'),
  })
  .meta({ id: 'FileInfo' });

export const searchMatchSchema = z
  .object({
    path: z.string(),
    score: z.number().optional().describe('Name search: higher is better'),
    line: z.number().int().optional().describe('Content search: 1-based line number'),
    column: z.number().int().optional().describe('Content search: 1-based byte column of the match'),
    text: z.string().optional().describe('Content search: the matching line (trimmed to 500 chars)'),
  })
  .meta({ id: 'SearchMatch' });

export const snapshotSchema = z
  .object({
    id: z.string().describe('Opaque id, prefixed snap_'),
    workspace_id: z.string(),
    label: z.string().nullable(),
    kind: z.enum(['manual', 'pre_restore']),
    file_count: z.number().int().nonnegative(),
    created_at: timestamp,
  })
  .meta({ id: 'Snapshot' });

export const templateSchema = z
  .object({
    name: z.string(),
    description: z.string(),
    files: z.array(z.string()),
  })
  .meta({ id: 'Template' });

export const commandSchema = z
  .object({
    id: z.string().describe('Opaque id, prefixed exec_'),
    workspace_id: z.string(),
    cmd: z.string(),
    cwd: z.string().describe('Sandbox path of the working directory (/workspace/…)'),
    pid: z.number().int().nullable(),
    status: z.enum(['running', 'exited', 'killed', 'failed']),
    exit_code: z.number().int().nullable(),
    signal: z.string().nullable(),
    stdout: z.string().describe('Captured stdout (the last 1 MiB)'),
    stderr: z.string().describe('Captured stderr (the last 1 MiB)'),
    started_at: timestamp,
    ended_at: timestamp.nullable(),
  })
  .meta({ id: 'SandboxCommand' });

// ---------------------------------------------------------------------------------------------
// Events

export const fileChangedEvent = defineEvent({
  type: 'file_changed',
  description: 'A file or folder of a watched workspace was created, modified or deleted (batched every ~30 ms)',
  global: true,
  payload: z.object({
    workspace_id: z.string(),
    path: z.string().describe('Relative to the workspace root; `.git/HEAD` and `.git/index` are reported too'),
    event_type: z.enum(['created', 'modified', 'deleted']),
  }),
});

export const watcherErrorEvent = defineEvent({
  type: 'watcher_error',
  description: 'The file watcher of a workspace failed (e.g. ENOSPC: inotify watches exhausted); events may be missing',
  global: true,
  payload: z.object({ workspace_id: z.string(), code: z.string(), error: z.string() }),
});

export const cloneProgressEvent = defineEvent({
  type: 'clone_progress',
  description: 'Progress of cloning a template from a git URL into a new workspace',
  global: true,
  payload: z.object({
    clone_id: z.string(),
    phase: z.string().describe('git phase ("Receiving objects", …), then "done" or "failed"'),
    percent: z.number().nullable(),
    message: z.string(),
  }),
});

export const commandOutputEvent = defineEvent({
  type: 'command_output',
  description: 'A chunk of a sandbox command output, on its own stream (GET …/commands/{command_id}/events)',
  global: false,
  payload: z.object({ command_id: z.string(), stream: z.enum(['stdout', 'stderr']), data: z.string() }),
});

export const commandExitEvent = defineEvent({
  type: 'command_exit',
  description: 'A sandbox command ended; the stream ends after this event',
  global: false,
  payload: z.object({ command_id: z.string(), exit_code: z.number().nullable(), signal: z.string().nullable(), status: z.string() }),
});

export const filesEvents = [fileChangedEvent, watcherErrorEvent, cloneProgressEvent, commandOutputEvent, commandExitEvent];

// ---------------------------------------------------------------------------------------------
// Routes

const tags = ['files'];
const anyBytes: RawResponse = {
  contentType: '*/*',
  description:
    'A file: its bytes with Content-Type, a strong ETag and Last-Modified (Range and If-None-Match honoured). With ?format=json: a FileContent object. A directory: a DirectoryListing object (JSON).',
};

export const readQuery = z.object({
  format: z.enum(['raw', 'json']).optional().describe('json: return {path, content, encoding, size, mtime, etag}'),
  depth: queryInt(1, 20).optional().describe('Directory listing depth (default 1)'),
  hidden: queryBool.optional().describe('Include dot files (default true)'),
  gitignore: queryBool.optional().describe('Leave out what .gitignore ignores (default false)'),
  limit: queryInt(1, 200_000).optional().describe('Most entries in a listing (default 50000)'),
});

export const writeQuery = z.object({
  mkdir: queryBool.optional().describe('Create missing parent folders'),
  format: z.enum(['raw', 'json']).optional().describe('How to read the body: raw bytes, or {content, encoding}. Default: JSON when Content-Type is application/json and the body is such an object'),
});

export const deleteQuery = z.object({
  recursive: queryBool.optional().describe('Delete a folder with everything in it'),
});

export const jsonWriteBody = z
  .object({
    content: z.string(),
    encoding: z.enum(['utf-8', 'utf8', 'base64']).optional(),
    mkdir: z.boolean().optional(),
  })
  .strict()
  .meta({ id: 'FileWrite' });

export const moveBody = z
  .object({ from: z.string().min(1), to: z.string().min(1), overwrite: z.boolean().optional() })
  .strict();

export const mkdirBody = z.object({ path: z.string().min(1), parents: z.boolean().optional() }).strict();

export const searchBody = z
  .object({
    query: z.string().min(1).max(1000),
    mode: z.enum(['name', 'content']).optional().describe('name: fuzzy file names (quick open); content: text in files. Default name'),
    limit: z.number().int().min(1).max(5000).optional().describe('Most matches (default 100)'),
    regex: z.boolean().optional().describe('Content search: the query is a regular expression'),
    case_sensitive: z.boolean().optional(),
    include_ignored: z.boolean().optional().describe('Also search files .gitignore ignores'),
    path: z.string().optional().describe('Only under this folder'),
    engine: z.enum(['auto', 'rg', 'node']).optional().describe('auto: ripgrep when installed, else the built-in walker'),
  })
  .strict();

export const uploadQuery = z.object({
  path: z.string().optional().describe('Target folder (default the root); file names may carry sub-folders'),
  overwrite: queryBool.optional().describe('Replace existing files (default true)'),
  max_file_bytes: queryInt(1, 10 * 1024 * 1024 * 1024).optional().describe('Largest accepted file (default 1 GiB)'),
});

const pathParams = workspaceIdParams.extend({ path: z.string().describe('File or folder path, relative to the workspace root') });
const defaultPathParams = z.object({ path: z.string() });

const writeResult = z.object({ file: fileInfoSchema });
const searchResult = z
  .object({ matches: z.array(searchMatchSchema), truncated: z.boolean(), engine: z.enum(['rg', 'node']) })
  .meta({ id: 'SearchResult' });
const uploadResult = z.object({ files: z.array(fileInfoSchema) });

const e = errorBodySchema;

function fileRoutes(kind: 'ws' | 'default') {
  const scoped = kind === 'ws';
  const base = scoped ? '/api/v1/workspaces/{id}' : '/api/v1';
  const op = (name: string) => (scoped ? `files.${name}` : `files.default.${name}`);
  const params = scoped ? pathParams : defaultPathParams;
  const opParams = scoped ? workspaceIdParams : undefined;
  const q = <T extends z.ZodRawShape>(schema: z.ZodObject<T>) => (scoped ? schema : schema.extend(workspaceQuery.shape));
  return {
    read: defineRoute({
      operationId: op('read'),
      method: 'get',
      path: `${base}/files/{path}`,
      wildcard: 'path',
      wildcardOptional: true,
      summary: 'Read a file (bytes, or JSON with ?format=json) or list a folder',
      tags,
      access: 'token',
      params,
      query: q(readQuery),
      responses: { 200: anyBytes, 206: { contentType: '*/*', description: 'The requested byte range' }, 304: { contentType: '*/*', description: 'Not modified (If-None-Match)' }, ...commonErrors, 416: e },
    }),
    write: defineRoute({
      operationId: op('write'),
      method: 'put',
      path: `${base}/files/{path}`,
      wildcard: 'path',
      summary: 'Write a file atomically (raw body, or JSON {content, encoding}); If-Match guards against stale writes',
      tags,
      access: 'token',
      params,
      query: q(writeQuery),
      bodyKind: 'raw',
      responses: { 200: writeResult, 201: writeResult, ...commonErrors, 409: e, 412: e, 413: e },
    }),
    remove: defineRoute({
      operationId: op('delete'),
      method: 'delete',
      path: `${base}/files/{path}`,
      wildcard: 'path',
      summary: 'Delete a file, or a folder with ?recursive=true',
      tags,
      access: 'token',
      params,
      query: q(deleteQuery),
      responses: { 200: okResponse, ...commonErrors, 409: e },
    }),
    move: defineRoute({
      operationId: op('move'),
      method: 'post',
      path: `${base}/file-ops/move`,
      summary: 'Move or rename a file or folder',
      tags,
      access: 'token',
      params: opParams,
      query: scoped ? undefined : workspaceQuery,
      body: moveBody,
      responses: { 200: z.object({ entry: fileEntrySchema }), ...commonErrors, 409: e, 413: e },
    }),
    mkdir: defineRoute({
      operationId: op('mkdir'),
      method: 'post',
      path: `${base}/file-ops/mkdir`,
      summary: 'Create a folder (and its parents unless parents: false)',
      tags,
      access: 'token',
      params: opParams,
      query: scoped ? undefined : workspaceQuery,
      body: mkdirBody,
      responses: { 201: z.object({ entry: fileEntrySchema }), 200: z.object({ entry: fileEntrySchema }), ...commonErrors, 409: e, 413: e },
    }),
    upload: defineRoute({
      operationId: op('upload'),
      method: 'post',
      path: `${base}/file-ops/upload`,
      summary: 'Upload one or many files (multipart/form-data), streamed to disk',
      tags,
      access: 'token',
      params: opParams,
      query: q(uploadQuery),
      bodyKind: 'multipart',
      responses: { 201: uploadResult, ...commonErrors, 409: e, 413: e, 415: e },
    }),
    search: defineRoute({
      operationId: op('search'),
      method: 'post',
      path: `${base}/file-ops/search`,
      summary: 'Search file names (fuzzy) or contents (ripgrep when installed)',
      tags,
      access: 'token',
      params: opParams,
      query: scoped ? undefined : workspaceQuery,
      body: searchBody,
      responses: { 200: searchResult, ...commonErrors, 413: e },
    }),
  };
}

export const filesApi = fileRoutes('ws');
export const defaultFilesApi = fileRoutes('default');

/** The seed's own name for the default-workspace upload. */
export const defaultUploadAlias = defineRoute({
  ...defaultFilesApi.upload,
  operationId: 'files.default.uploadAlias',
  path: '/api/v1/files/upload',
});

const sandboxParams = z.object({ id: z.string().min(1).describe('Workspace id (the sandbox is the workspace)') });
const sandboxPathQuery = z.object({
  path: z.string().min(1).describe('Absolute sandbox path under /workspace (the workspace root), or relative to it'),
});

export const commandBody = z
  .object({
    cmd: z.string().min(1).describe('Shell command line, run with /bin/sh -c'),
    cwd: z.string().optional().describe('Sandbox path (default /workspace)'),
    envs: z.record(z.string(), z.string()).optional(),
    timeout_ms: z.number().int().min(1).max(24 * 3600 * 1000).optional().describe('Kill the command after this long'),
    wait: z.boolean().optional().describe('Answer only when the command ended (200 with the result) instead of 201 at once'),
  })
  .strict();

const commandParams = sandboxParams.extend({ command_id: z.string().min(1) });
const oneCommand = z.object({ command: commandSchema });

export const sandboxApi = {
  read: defineRoute({
    operationId: 'sandbox.files.read',
    method: 'get',
    path: '/api/v1/sandboxes/{id}/files',
    summary: 'E2B-style: read a file or list a folder at a /workspace/… path',
    tags: ['sandbox'],
    access: 'token',
    params: sandboxParams,
    query: sandboxPathQuery.extend(readQuery.shape),
    responses: { 200: anyBytes, 206: { contentType: '*/*', description: 'The requested byte range' }, 304: { contentType: '*/*', description: 'Not modified' }, ...commonErrors, 416: e },
  }),
  write: defineRoute({
    operationId: 'sandbox.files.write',
    method: 'put',
    path: '/api/v1/sandboxes/{id}/files',
    summary: 'E2B-style: write a file at a /workspace/… path (parents are created)',
    tags: ['sandbox'],
    access: 'token',
    params: sandboxParams,
    query: sandboxPathQuery.extend(writeQuery.shape),
    bodyKind: 'raw',
    responses: { 200: writeResult, 201: writeResult, ...commonErrors, 409: e, 412: e, 413: e },
  }),
  remove: defineRoute({
    operationId: 'sandbox.files.delete',
    method: 'delete',
    path: '/api/v1/sandboxes/{id}/files',
    summary: 'E2B-style: delete a file or folder (recursively) at a /workspace/… path',
    tags: ['sandbox'],
    access: 'token',
    params: sandboxParams,
    query: sandboxPathQuery,
    responses: { 200: okResponse, ...commonErrors, 409: e },
  }),
  run: defineRoute({
    operationId: 'sandbox.commands.run',
    method: 'post',
    path: '/api/v1/sandboxes/{id}/commands',
    summary: 'Run a command in the workspace (trusted workspaces only); output is streamed on …/commands/{command_id}/events',
    tags: ['sandbox'],
    access: 'token',
    params: sandboxParams,
    body: commandBody,
    responses: { 201: oneCommand, 200: oneCommand, ...commonErrors, 413: e },
  }),
  list: defineRoute({
    operationId: 'sandbox.commands.list',
    method: 'get',
    path: '/api/v1/sandboxes/{id}/commands',
    summary: 'Commands of this workspace, newest first',
    tags: ['sandbox'],
    access: 'token',
    params: sandboxParams,
    responses: { 200: z.object({ commands: z.array(commandSchema) }), ...commonErrors },
  }),
  get: defineRoute({
    operationId: 'sandbox.commands.get',
    method: 'get',
    path: '/api/v1/sandboxes/{id}/commands/{command_id}',
    summary: 'A command with its status, exit code and captured output',
    tags: ['sandbox'],
    access: 'token',
    params: commandParams,
    responses: { 200: oneCommand, ...commonErrors },
  }),
  events: defineRoute({
    operationId: 'sandbox.commands.events',
    method: 'get',
    path: '/api/v1/sandboxes/{id}/commands/{command_id}/events',
    summary: 'SSE: command_output chunks, then command_exit (replayable with Last-Event-ID)',
    tags: ['sandbox'],
    access: 'token',
    params: commandParams,
    responses: { 200: sseResponse, ...commonErrors },
  }),
  kill: defineRoute({
    operationId: 'sandbox.commands.kill',
    method: 'post',
    path: '/api/v1/sandboxes/{id}/commands/{command_id}/kill',
    summary: 'Kill a running command (SIGTERM to its process group, SIGKILL after 2 s)',
    tags: ['sandbox'],
    access: 'token',
    params: commandParams,
    responses: { 200: oneCommand, ...commonErrors },
  }),
};

const snapshotParams = workspaceIdParams.extend({ sid: z.string().min(1) });

export const workspaceFilesApi = {
  events: defineRoute({
    operationId: 'workspaces.events',
    method: 'get',
    path: '/api/v1/workspaces/{id}/events',
    summary: 'SSE: the workspace event stream (file_changed, git status, …), resumable with Last-Event-ID; keeps the file watcher running',
    tags: ['workspaces'],
    access: 'token',
    params: workspaceIdParams,
    responses: { 200: sseResponse, ...commonErrors },
  }),
  templates: defineRoute({
    operationId: 'templates.list',
    method: 'get',
    path: '/api/v1/templates',
    summary: 'Workspace templates shipped with the runtime',
    tags: ['templates'],
    access: 'token',
    responses: { 200: z.object({ templates: z.array(templateSchema) }), 401: e },
  }),
  applyTemplate: defineRoute({
    operationId: 'workspaces.applyTemplate',
    method: 'post',
    path: '/api/v1/workspaces/{id}/template',
    summary: 'Copy a template into the workspace; never overwrites: any differing existing file is a conflict (409, nothing written)',
    tags: ['templates'],
    access: 'token',
    params: workspaceIdParams,
    body: z.object({ template: z.string().min(1) }).strict(),
    responses: {
      200: z.object({ template: z.string(), created: z.array(z.string()), unchanged: z.array(z.string()) }),
      ...commonErrors,
      409: e,
      413: e,
    },
  }),
  cloneTemplate: defineRoute({
    operationId: 'workspaces.cloneTemplate',
    method: 'post',
    path: '/api/v1/workspaces/clone',
    summary: 'Clone a git URL (also local paths and file:// URLs) into a new folder and register it as a workspace, untrusted unless `trusted: true`; progress as clone_progress events',
    tags: ['templates'],
    access: 'token',
    body: z
      .object({
        url: z.string().min(1),
        root_dir: z.string().min(1).describe('Absolute path of the new folder (must not exist or be empty)'),
        name: z.string().min(1).max(200).optional(),
        clone_id: z.string().min(1).max(100).optional().describe('Correlates clone_progress events; generated when absent'),
        keep_history: z.boolean().optional().describe('Keep the clone .git (default true); false leaves a fresh folder without git'),
        trusted: z.boolean().optional().describe('Register the clone as trusted (default false: what a clone brings does not run until the user trusts it)'),
      })
      .strict(),
    responses: { 201: z.object({ workspace: workspaceSchema, clone_id: z.string() }), ...commonErrors, 409: e, 413: e, 422: e, 503: e },
  }),
  export: defineRoute({
    operationId: 'workspaces.export',
    method: 'get',
    path: '/api/v1/workspaces/{id}/export',
    summary: 'The workspace as a streamed .tar.gz (without .git; ?gitignore=true leaves out ignored files)',
    tags: ['workspaces'],
    access: 'token',
    params: workspaceIdParams,
    query: z.object({ gitignore: queryBool.optional() }),
    responses: { 200: { contentType: 'application/gzip', description: 'A gzipped tar of the workspace folder' }, ...commonErrors },
  }),
  createSnapshot: defineRoute({
    operationId: 'snapshots.create',
    method: 'post',
    path: '/api/v1/workspaces/{id}/snapshots',
    summary: 'Snapshot the non-ignored working tree (tracked and untracked) without touching the user git state',
    tags: ['snapshots'],
    access: 'token',
    params: workspaceIdParams,
    body: z.object({ label: z.string().max(200).optional() }).strict(),
    responses: { 201: z.object({ snapshot: snapshotSchema }), ...commonErrors, 409: e, 413: e, 503: e },
  }),
  listSnapshots: defineRoute({
    operationId: 'snapshots.list',
    method: 'get',
    path: '/api/v1/workspaces/{id}/snapshots',
    summary: 'Snapshots of the workspace, newest first',
    tags: ['snapshots'],
    access: 'token',
    params: workspaceIdParams,
    responses: { 200: z.object({ snapshots: z.array(snapshotSchema) }), ...commonErrors },
  }),
  restoreSnapshot: defineRoute({
    operationId: 'snapshots.restore',
    method: 'post',
    path: '/api/v1/workspaces/{id}/snapshots/{sid}/restore',
    summary: 'Make the non-ignored tree equal to the snapshot (after an automatic pre_restore snapshot); with paths, only those files and folders',
    tags: ['snapshots'],
    access: 'token',
    params: snapshotParams,
    body: z
      .object({
        paths: z
          .array(z.string().min(1))
          .min(1)
          .max(10_000)
          .optional()
          .describe('Restore only these workspace-relative files or folders (each with what is below it); the rest of the tree is left as it is. Without it, the whole tree.'),
      })
      .strict(),
    responses: {
      200: z.object({ snapshot: snapshotSchema, pre_restore: snapshotSchema, written: z.number().int(), removed: z.number().int() }),
      ...commonErrors,
      409: e,
      503: e,
    },
  }),
  deleteSnapshot: defineRoute({
    operationId: 'snapshots.delete',
    method: 'delete',
    path: '/api/v1/workspaces/{id}/snapshots/{sid}',
    summary: 'Delete a snapshot',
    tags: ['snapshots'],
    access: 'token',
    params: snapshotParams,
    responses: { 200: okResponse, ...commonErrors, 503: e },
  }),
};

export type FileEntry = z.infer<typeof fileEntrySchema>;
export type FileInfo = z.infer<typeof fileInfoSchema>;
export type SearchMatch = z.infer<typeof searchMatchSchema>;
export type Snapshot = z.infer<typeof snapshotSchema>;
export type SandboxCommand = z.infer<typeof commandSchema>;
export type SearchBody = z.infer<typeof searchBody>;
