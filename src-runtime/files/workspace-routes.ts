/**
 * Workspace-level file routes (thin): the template list, applying a template, cloning a git URL
 * into a new workspace, the tar.gz export and snapshots.
 */
import { workspaceFilesApi } from '../contract/files.js';
import type { EventBus } from '../events/bus.js';
import { bind, reply, type RouteBinding } from '../http/bind.js';
import { newId } from '../ids.js';
import type { VersionControlServiceApi, WorkspacesServiceApi } from '../services.js';
import { streamExport } from './export.js';
import type { Snapshots } from './snapshots.js';
import { cloneRepository, type Templates } from './templates.js';
import { badRequest } from '../contract/errors.js';
import { normaliseRelative } from '../platform/path-guard.js';

export function workspaceLevelRoutes(deps: {
  workspaces: WorkspacesServiceApi;
  templates: Templates;
  snapshots: Snapshots;
  bus: EventBus;
  versionControl: () => VersionControlServiceApi;
}): RouteBinding[] {
  const { workspaces, templates, snapshots, bus, versionControl } = deps;
  const api = workspaceFilesApi;
  return [
    bind(api.templates, async () => ({ templates: await templates.list() })),
    bind(api.applyTemplate, async ({ params, body }) => {
      const w = await workspaces.get(params.id);
      const result = await templates.apply(w.root_dir, body.template);
      return { template: body.template, ...result };
    }),
    bind(api.cloneTemplate, async ({ body }) => {
      const cloneId = body.clone_id ?? newId('execution').replace(/^exec_/, 'clone_');
      await cloneRepository(bus, versionControl(), { url: body.url, rootDir: body.root_dir, cloneId, keepHistory: body.keep_history ?? true });
      const { workspace } = await workspaces.create({ root_dir: body.root_dir, name: body.name, trusted: body.trusted ?? false });
      return reply(201, { workspace, clone_id: cloneId });
    }),
    bind(api.export, async ({ params, query, res }) => {
      const w = await workspaces.get(params.id);
      await streamExport(w.root_dir, w.name, query.gitignore ?? false, res);
    }),
    bind(api.createSnapshot, async ({ params, body }) => {
      const w = await workspaces.get(params.id);
      return reply(201, { snapshot: await snapshots.create(w.id, w.root_dir, body.label ?? null) });
    }),
    bind(api.listSnapshots, async ({ params }) => {
      const w = await workspaces.get(params.id);
      return { snapshots: snapshots.list(w.id) };
    }),
    bind(api.restoreSnapshot, async ({ params, body }) => {
      const w = await workspaces.get(params.id);
      const paths = body.paths?.map((p, i) => {
        const segments = normaliseRelative(p, `paths[${i}]`);
        if (segments.length === 0) throw badRequest('invalid_path', `paths[${i}] names the workspace root; leave paths out to restore the whole tree`);
        return segments.join('/');
      });
      return snapshots.restore(w.id, w.root_dir, params.sid, paths);
    }),
    bind(api.deleteSnapshot, async ({ params }) => {
      const w = await workspaces.get(params.id);
      await snapshots.remove(w.id, w.root_dir, params.sid);
      return { ok: true as const };
    }),
  ];
}
