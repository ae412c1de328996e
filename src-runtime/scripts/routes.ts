/** Thin HTTP bindings of the scripts routes. */
import { scriptsApi } from '../contract/apps.js';
import type { RuntimeContext } from '../feature.js';
import { streamSse } from '../events/sse.js';
import { bind, type RouteBinding } from '../http/bind.js';
import type { ScriptsService } from './service.js';

export function scriptsRoutes(ctx: RuntimeContext, scripts: ScriptsService): RouteBinding[] {
  const workspaces = ctx.services.workspaces;
  return [
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
  ];
}
