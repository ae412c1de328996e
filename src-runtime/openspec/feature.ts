/**
 * The OpenSpec feature: the state of a workspace's openspec/ folder and its workflow actions, run
 * through services.scripts. Exposes `services.openspec` (the actions a session can run).
 */
import type { RuntimeFeature } from '../feature.js';
import { openspecRoutes } from './routes.js';
import { openspecSessionActions, readOpenSpec } from './service.js';

export const openspecFeature: RuntimeFeature = {
  name: 'openspec',
  setup(ctx) {
    ctx.services.openspec = { sessionActions: async (workspace) => openspecSessionActions(await readOpenSpec(workspace)) };
    return { routes: openspecRoutes(ctx) };
  },
};
