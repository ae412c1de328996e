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
    const probe = ctx.processes.owner('openspec-probe', { record: false });
    ctx.services.openspec = { sessionActions: async (workspace) => openspecSessionActions(await readOpenSpec(workspace, probe)) };
    return { routes: openspecRoutes(ctx) };
  },
};
