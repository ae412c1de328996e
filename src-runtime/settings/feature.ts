/**
 * The settings feature: the agent settings routes (Claude Code formats, workspace and user level)
 * and `services.settings`, which gives an agent session its MCP servers.
 */
import type { RuntimeFeature } from '../feature.js';
import { settingsRoutes } from './routes.js';
import { mcpServersFor } from './service.js';

export const settingsFeature: RuntimeFeature = {
  name: 'settings',
  setup(ctx) {
    ctx.services.settings = { mcpServersFor };
    return { routes: settingsRoutes(ctx) };
  },
};
