/**
 * The scripts feature: a workspace's package.json scripts, manifest `scripts:` (through
 * services.apps) and Makefile targets, and their executions. Exposes `services.scripts` (OpenSpec
 * runs its CLI actions as executions); execution processes are owned by the runtime's process
 * registry (ctx.processes). On stop it cancels every running execution.
 */
import type { RuntimeFeature } from '../feature.js';
import { scriptsRoutes } from './routes.js';
import { ScriptsService } from './service.js';

export const scriptsFeature: RuntimeFeature = {
  name: 'scripts',
  setup(ctx) {
    const scripts = new ScriptsService(ctx);
    ctx.services.scripts = { run: (workspace, script, args) => scripts.run(workspace, script, args) };
    return {
      routes: scriptsRoutes(ctx, scripts),
      stop: () => scripts.stopAll(),
    };
  },
};
