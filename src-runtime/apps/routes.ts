/** Thin HTTP bindings of the apps routes. */
import { appsApi } from '../contract/apps.js';
import type { RuntimeContext } from '../feature.js';
import { streamSse } from '../events/sse.js';
import { bind, type RouteBinding } from '../http/bind.js';
import type { AppsService } from './service.js';

export function appsRoutes(ctx: RuntimeContext, apps: AppsService): RouteBinding[] {
  const workspaces = ctx.services.workspaces;
  return [
    bind(appsApi.list, async ({ query }) => ({ apps: await apps.list(await workspaces.resolveOptional(query.workspace_id)) })),
    bind(appsApi.ports, async ({ query }) => ({ ports: await apps.ports(query.workspace_id) })),
    bind(appsApi.get, async ({ params }) => ({ app: await apps.get(params.app_id) })),
    bind(appsApi.start, async ({ params }) => ({ app: await apps.start(params.app_id) })),
    bind(appsApi.stop, async ({ params }) => ({ app: await apps.stop(params.app_id) })),
    bind(appsApi.ensureRunning, async ({ params }) => ({ app: await apps.ensureRunningById(params.app_id) })),
    bind(appsApi.setup, async ({ params }) => ({ build_status: await apps.setup(params.app_id) })),
    bind(appsApi.buildStatus, async ({ params }) => {
      const app = await apps.get(params.app_id);
      return { build_status: apps.buildStatus(app.id) };
    }),
    bind(appsApi.logs, async ({ params, req, res }) => {
      const app = await apps.get(params.app_id);
      // Logs are chattier than events: a client may fall 8 MiB behind (docs/apps.md); tests reach it sooner.
      await streamSse(req, res, apps.appStream(app.id), { connected: { app_id: app.id, status: app.status }, maxHeldBytes: ctx.options.fastTimers ? 256 * 1024 : 8 * 1024 * 1024 });
    }),
    bind(appsApi.internalStartResolved, async ({ params, body }) => {
      const workspace = await workspaces.get(params.workspace_id);
      return apps.startWorkspace(workspace, body.wait ?? true);
    }),
  ];
}
