/**
 * Settings routes: GET|PUT /api/v1/settings, /settings/hooks, /settings/mcp for a workspace
 * (?workspace_id=, default workspace otherwise) or the user level (?scope=user). Writes at the
 * workspace level need a trusted workspace (403 workspace_untrusted).
 */
import { settingsApi } from '../contract/agents.js';
import type { RuntimeContext } from '../feature.js';
import { bind, type RouteBinding } from '../http/bind.js';
import { mcpPath, readMcp, readSettings, settingsPath, writeMcp, writeSettings, type SettingsScope } from './service.js';

export function settingsRoutes(ctx: RuntimeContext): RouteBinding[] {
  // Every workspace-level write configures commands (hooks, MCP servers, apiKeyHelper, statusLine…)
  // that run when a session starts there: only a trusted workspace takes them.
  const target = async (query: { workspace_id?: string; scope?: SettingsScope }, needTrust = false) => {
    const scope: SettingsScope = query.scope ?? 'workspace';
    if (scope === 'user') return { scope, root: null, workspace_id: null };
    const ws = await ctx.services.workspaces.resolveOptional(query.workspace_id);
    if (needTrust) ctx.services.workspaces.requireTrusted(ws);
    return { scope, root: ws.root_dir, workspace_id: ws.id };
  };
  return [
    bind(settingsApi.getSettings, async ({ query }) => {
      const t = await target(query);
      const path = settingsPath(t.scope, t.root);
      return { scope: t.scope, path, workspace_id: t.workspace_id, settings: await readSettings(path) };
    }),
    bind(settingsApi.putSettings, async ({ query, body }) => {
      const t = await target(query, true);
      const path = settingsPath(t.scope, t.root);
      return { scope: t.scope, path, workspace_id: t.workspace_id, settings: await writeSettings(path, body, t.scope === 'user' ? null : t.root) };
    }),
    bind(settingsApi.getHooks, async ({ query }) => {
      const t = await target(query);
      const path = settingsPath(t.scope, t.root);
      const settings = await readSettings(path);
      return { scope: t.scope, path, workspace_id: t.workspace_id, hooks: (settings.hooks ?? {}) as never };
    }),
    bind(settingsApi.putHooks, async ({ query, body }) => {
      const t = await target(query, true);
      const path = settingsPath(t.scope, t.root);
      const settings = await readSettings(path);
      await writeSettings(path, { ...settings, hooks: body }, t.scope === 'user' ? null : t.root);
      return { scope: t.scope, path, workspace_id: t.workspace_id, hooks: body };
    }),
    bind(settingsApi.getMcp, async ({ query }) => {
      const t = await target(query);
      const path = mcpPath(t.scope, t.root);
      return { scope: t.scope, path, workspace_id: t.workspace_id, mcp: (await readMcp(path)) as never };
    }),
    bind(settingsApi.putMcp, async ({ query, body }) => {
      const t = await target(query, true);
      const path = mcpPath(t.scope, t.root);
      await writeMcp(t.scope, path, body as never, t.root);
      return { scope: t.scope, path, workspace_id: t.workspace_id, mcp: body };
    }),
  ];
}
