/**
 * Files routes (thin): resolve the workspace, hand the path and request to the files service, and
 * shape the reply. The same bindings serve the workspace-scoped form, the default-workspace form
 * (`/api/v1/files…`, `?workspace_id=`) and, with a path mapping, the sandbox view.
 */
import type { Request } from 'express';
import { defaultFilesApi, defaultUploadAlias, filesApi } from '../contract/files.js';
import type { Workspace } from '../contract/workspaces.js';
import { bind, reply, type RouteBinding } from '../http/bind.js';
import type { WorkspacesServiceApi } from '../services.js';
import { writeSource } from './request-body.js';
import { serveGuardedPath } from './serve-file.js';
import type { FilesService } from './service.js';
import { uploadFiles } from './upload.js';
import type { SearchService } from './search.js';

export interface FilesRouteDeps {
  workspaces: WorkspacesServiceApi;
  files: FilesService;
  search: SearchService;
}

export const DEFAULT_UPLOAD_LIMIT = 1024 * 1024 * 1024;

function ifMatch(req: Request): string | undefined {
  const v = req.headers['if-match'];
  return typeof v === 'string' ? v : undefined;
}

export function filesRoutes(deps: FilesRouteDeps): RouteBinding[] {
  const { files, workspaces, search } = deps;
  const out: RouteBinding[] = [];
  // The scoped form names the workspace in the path ({id}); the default form in ?workspace_id=.
  const fromParams = (params: unknown): Promise<Workspace> => workspaces.get((params as { id: string }).id);
  const fromQuery = (_params: unknown, query: unknown): Promise<Workspace> =>
    workspaces.resolveOptional((query as { workspace_id?: string }).workspace_id);
  const scoped = fromParams;
  const byQuery = fromQuery;

  const forms = [
    { api: filesApi, resolve: fromParams },
    { api: defaultFilesApi, resolve: fromQuery },
  ] as const;

  for (const { api, resolve } of forms) {
    out.push(
      bind(api.read, async ({ params, query, req, res }) => {
        const w = await resolve(params, query);
        const g = await files.requireExisting(w.root_dir, params.path);
        return serveGuardedPath(files, w.root_dir, g, query, req, res);
      }),
      bind(api.write, async ({ params, query, req }) => {
        const w = await resolve(params, query);
        const { source, mkdir } = await writeSource(req, query.format);
        const file = await files.write(w.root_dir, params.path, source, { mkdir: query.mkdir ?? mkdir, ifMatch: ifMatch(req) });
        return reply(file.created ? 201 : 200, { file }, { ETag: file.etag });
      }),
      bind(api.remove, async ({ params, query }) => {
        const w = await resolve(params, query);
        await files.remove(w.root_dir, params.path, query.recursive ?? false);
        return { ok: true as const };
      }),
      bind(api.move, async ({ params, query, body }) => {
        const w = await resolve(params, query);
        return { entry: await files.move(w.root_dir, body.from, body.to, body.overwrite ?? false) };
      }),
      bind(api.mkdir, async ({ params, query, body }) => {
        const w = await resolve(params, query);
        const { entry, created } = await files.mkdir(w.root_dir, body.path, body.parents ?? true);
        return reply(created ? 201 : 200, { entry });
      }),
      bind(api.search, async ({ params, query, body }) => {
        const w = await resolve(params, query);
        return search.search(w.root_dir, body);
      }),
    );
  }

  for (const def of [filesApi.upload, defaultFilesApi.upload, defaultUploadAlias]) {
    const isScoped = def === filesApi.upload;
    out.push(
      bind(def, async ({ params, query, req }) => {
        const w = isScoped ? await scoped(params) : await byQuery(params, query);
        const uploaded = await uploadFiles(files, w.root_dir, req, {
          dir: query.path ?? '',
          overwrite: query.overwrite ?? true,
          maxFileBytes: query.max_file_bytes ?? DEFAULT_UPLOAD_LIMIT,
        });
        return reply(201, { files: uploaded });
      }),
    );
  }
  return out;
}
