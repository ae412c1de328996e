/** Thin HTTP bindings of the OpenSpec routes; workflow actions run as script executions (services.scripts). */
import { openspecApi } from '../contract/apps.js';
import { ApiError } from '../contract/errors.js';
import type { RuntimeContext } from '../feature.js';
import { bind, type RouteBinding } from '../http/bind.js';
import { cliActionCommand, readOpenSpec } from './service.js';

export function openspecRoutes(ctx: RuntimeContext): RouteBinding[] {
  const workspaces = ctx.services.workspaces;
  const probe = ctx.processes.owner('openspec-probe', { record: false });
  return [
    bind(openspecApi.get, async ({ params }) => ({ openspec: await readOpenSpec(await workspaces.get(params.workspace_id), probe) })),
    bind(openspecApi.runAction, async ({ params, body }) => {
      const workspace = await workspaces.get(params.workspace_id);
      workspaces.requireTrusted(workspace);
      const scripts = ctx.services.scripts;
      if (!scripts) throw new ApiError(503, 'scripts_unavailable', 'This runtime runs no scripts feature, so OpenSpec actions cannot run');
      const { command, title } = cliActionCommand(await readOpenSpec(workspace, probe), params.action, body.change_id);
      const name = body.change_id ? `openspec ${params.action} ${body.change_id}` : `openspec ${params.action}`;
      const script = { id: `openspec:${params.action}`, name, source: 'openspec' as const, command, cwd: workspace.root_dir, definition: title, package_manager: null };
      return { execution: await scripts.run(workspace, script, []) };
    }),
  ];
}
