/** Workspace routes, under /api/v1/workspaces and the AGH aliases under /api/workspaces. */
import { workspacesAghApi, workspacesApi } from '../contract/workspaces.js';
import type { WorkspaceDetail } from '../contract/workspaces.js';
import { bind, reply, type RouteBinding } from '../http/bind.js';
import type { FeatureInstance } from '../feature.js';
import type { WorkspaceService } from './service.js';

export function workspaceRoutes(service: WorkspaceService, details: () => FeatureInstance[]): RouteBinding[] {
  const out: RouteBinding[] = [];
  for (const api of [workspacesApi, workspacesAghApi]) {
    out.push(
      bind(api.list, () => ({ workspaces: service.list() })),
      bind(api.create, async ({ body }) => {
        const { workspace, created } = await service.create(body);
        return reply(created ? 201 : 200, { workspace });
      }),
      bind(api.resolve, async ({ body }) => {
        const { workspace, created } = await service.resolve(body.path);
        return reply(created ? 201 : 200, { workspace });
      }),
      bind(api.get, async ({ params }) => {
        const workspace = await service.get(params.id);
        const detail: WorkspaceDetail = { ...workspace };
        const parts = await Promise.all(details().map((f) => f.workspaceDetail?.(workspace)));
        for (const part of parts) if (part) Object.assign(detail, part);
        return { workspace: detail };
      }),
      bind(api.patch, async ({ params, body }) => ({ workspace: await service.patch(params.id, body) })),
      bind(api.remove, async ({ params }) => {
        const removed = await service.remove(params.id);
        await Promise.all(details().map((f) => f.onWorkspaceRemoved?.(removed.id)));
        return { ok: true as const };
      }),
    );
  }
  return out;
}
