/**
 * The files feature: workspace file routes (scoped, default-workspace and sandbox forms), search,
 * uploads, the per-workspace file watcher and event stream, templates, export and snapshots, and
 * the stale temp-file sweep (at start and hourly).
 * Exposes `ctx.services.files` (retainWatcher) to other features.
 */
import type { RuntimeFeature } from '../feature.js';
import type { FilesServiceApi } from '../services.js';
import { CommandRunner } from './commands.js';
import { filesRoutes } from './routes.js';
import { sandboxRoutes } from './sandbox-routes.js';
import { SearchService } from './search.js';
import { TempSweeper } from './temp-sweep.js';
import { FilesService } from './service.js';
import { WatcherManager } from './watcher.js';
import { Snapshots } from './snapshots.js';
import { Templates } from './templates.js';
import { workspaceLevelRoutes } from './workspace-routes.js';
import { bind } from '../http/bind.js';
import { workspaceFilesApi } from '../contract/files.js';
import { streamSse } from '../events/sse.js';
import { ApiError } from '../contract/errors.js';

export const filesFeature: RuntimeFeature = {
  name: 'files',
  setup(ctx) {
    const workspaces = ctx.services.workspaces;
    const files = new FilesService();
    const search = new SearchService(ctx.processes.owner('search', { record: false }));
    const commands = new CommandRunner(ctx.bus, (id) => ctx.processes.owner(`command:${id}`));
    const watchers = new WatcherManager(
      ctx.bus,
      { subscribers: (id) => ctx.demand.subscribers('file_changed', id) + ctx.demand.subscribers('git_status_changed', id) },
      () => workspaces.list(),
      () => ctx.config().watcher_ignore ?? [],
      ctx.log,
    );
    const offDemand = ctx.demand.onChange((topic) => {
      if (topic === 'file_changed' || topic === 'git_status_changed' || topic === '*') watchers.reconcile();
    });
    const offWorkspaces = ctx.bus.stream('global').subscribe((e) => {
      if (e.type === 'workspace_changed') watchers.reconcile();
    });
    ctx.services.files = {
      retainWatcher: (id) => watchers.retain(id),
      // For tests and diagnostics: the live watcher of a workspace, if any.
      watcherFor: (id: string) => watchers.get(id),
    } as FilesServiceApi;
    const sweeper = new TempSweeper(
      () => workspaces.list().map((w) => w.root_dir),
      ctx.log,
      (path) => files.activeTemps.has(path),
    );
    const versionControl = () => {
      const vc = ctx.services.versionControl;
      if (!vc) throw new ApiError(503, 'git_unavailable', 'Git is not available in this runtime: install git and restart it');
      return vc;
    };
    const snapshots = new Snapshots(ctx.store, ctx.dataDir, (args, cwd, options) => versionControl().runPrivate(args, cwd, options));
    const templates = new Templates(files);
    const routes = [
      ...workspaceLevelRoutes({ workspaces, templates, snapshots, bus: ctx.bus, versionControl }),
      ...filesRoutes({ workspaces, files, search }),
      ...sandboxRoutes({ workspaces, files, commands, bus: ctx.bus }),
      bind(workspaceFilesApi.events, async ({ params, req, res }) => {
        const w = await workspaces.get(params.id);
        const release = watchers.holdForSse(w.id);
        req.on('close', release);
        await streamSse(req, res, ctx.bus.stream(`workspace:${w.id}`), { connected: { workspace_id: w.id } });
      }),
    ];
    return {
      routes,
      status: () => ({ watchers: watchers.status(), running_commands: commands.running() }),
      onWorkspaceRemoved: async (id) => {
        watchers.reconcile();
        await snapshots.dropWorkspace(id);
      },
      started: () => sweeper.start(),
      stop: async () => {
        await sweeper.stop();
        offDemand();
        offWorkspaces();
        await Promise.all([commands.stopAll(), watchers.stop()]);
      },
    };
  },
};
