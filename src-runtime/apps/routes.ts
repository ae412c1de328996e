/** Thin HTTP bindings of the apps, scripts and OpenSpec routes. */
import { appsApi, openspecApi, scriptsApi } from '../contract/apps.js';
import type { RuntimeContext } from '../feature.js';
import { streamSse } from '../events/sse.js';
import { bind, type RouteBinding } from '../http/bind.js';
import { cliActionCommand, readOpenSpec } from '../openspec/service.js';
import type { ScriptsService } from '../scripts/service.js';
import type { AppsService } from './service.js';

export function appsRoutes(ctx: RuntimeContext, apps: AppsService, scripts: ScriptsService): RouteBinding[] {
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

    bind(scriptsApi.list, async ({ query }) => scripts.list(await workspaces.resolveOptional(query.workspace_id))),
    bind(scriptsApi.run, async ({ params, query, body }) => {
      const workspace = await workspaces.resolveOptional(query.workspace_id);
      workspaces.requireTrusted(workspace);
      const script = await scripts.find(workspace, params.name);
      return { execution: await scripts.run(workspace, script, body.args ?? []) };
    }),
    bind(scriptsApi.runs, async ({ query }) => {
      const workspace = query.workspace_id ? await workspaces.get(query.workspace_id) : undefined;
      return { executions: scripts.recent(workspace?.id) };
    }),
    bind(scriptsApi.get, ({ params }) => ({ execution: scripts.get(params.id) })),
    bind(scriptsApi.events, async ({ params, req, res }) => {
      const stream = scripts.eventsStream(params.id);
      const execution = scripts.get(params.id);
      await streamSse(req, res, stream, {
        connected: { execution_id: execution.id, status: execution.status },
        endAfter: (e) => e.type === 'script_finished',
      });
      // Already finished and fully replayed: nothing more will come.
      if (scripts.get(params.id).status !== 'running' && !res.writableEnded) res.end();
    }),
    bind(scriptsApi.cancel, async ({ params }) => ({ execution: await scripts.cancel(params.id) })),

    bind(openspecApi.get, async ({ params }) => ({ openspec: await readOpenSpec(await workspaces.get(params.workspace_id)) })),
    bind(openspecApi.runAction, async ({ params, body }) => {
      const workspace = await workspaces.get(params.workspace_id);
      workspaces.requireTrusted(workspace);
      const { command, title } = cliActionCommand(await readOpenSpec(workspace), params.action, body.change_id);
      const name = body.change_id ? `openspec ${params.action} ${body.change_id}` : `openspec ${params.action}`;
      const script = { id: `openspec:${params.action}`, name, source: 'openspec' as const, command, cwd: workspace.root_dir, definition: title, package_manager: null };
      return { execution: await scripts.run(workspace, script, []) };
    }),
  ];
}
