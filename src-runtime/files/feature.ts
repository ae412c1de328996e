/**
 * The files feature: workspace file routes (scoped, default-workspace and sandbox forms), search,
 * uploads, the per-workspace file watcher and event stream, templates, export and snapshots.
 * Exposes `ctx.services.files` (retainWatcher) to other features.
 */
import type { RuntimeFeature } from '../feature.js';
import { CommandRunner } from './commands.js';
import { filesRoutes } from './routes.js';
import { sandboxRoutes } from './sandbox-routes.js';
import { SearchService } from './search.js';
import { FilesService } from './service.js';

export const filesFeature: RuntimeFeature = {
  name: 'files',
  setup(ctx) {
    const workspaces = ctx.services.workspaces;
    const files = new FilesService();
    const search = new SearchService();
    const commands = new CommandRunner(ctx.bus);
    const routes = [
      ...filesRoutes({ workspaces, files, search }),
      ...sandboxRoutes({ workspaces, files, commands, bus: ctx.bus }),
    ];
    return {
      routes,
      status: () => ({ running_commands: commands.running() }),
      stop: () => commands.stopAll(),
    };
  },
};
