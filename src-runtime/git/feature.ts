/**
 * The version-control feature: locates git once, in the background from start-up (embedded, system
 * or none), installs the askpass helper, replaces `services.gitInfo` so the runtime status says
 * which git is in use, exposes `services.versionControl` (clone for other features), mounts the routes and runs the
 * `git_status_changed` notifier.
 */
import type { RuntimeFeature } from '../feature.js';
import { installAskpass, locateGit, noGit, type LocateOptions } from './core.js';
import type { GitBinaryInfo } from '../services.js';
import { versionControlRoutes } from './routes.js';
import { VersionControlService } from './service.js';
import { GitStatusNotifier } from './status-events.js';

export interface VersionControlFeatureOptions extends LocateOptions {
  /** Quiet period before git_status_changed (default 300 ms; 50 ms with fast test timers). */
  debounceMs?: number;
}

export function createVersionControlFeature(options: VersionControlFeatureOptions = {}): RuntimeFeature {
  return {
    name: 'version_control',
    async setup(ctx) {
      // Locating git runs a few git processes: do it in the background so the server listens at
      // once; routes and the runtime status wait for it.
      let info: GitBinaryInfo | null = null;
      const located = (async () => {
        const git = await locateGit(options);
        // Every git this runtime starts carries its process marker, so a detached leftover
        // (`git gc --auto`, a hung credential program) is ended with the runtime's other processes.
        if (git) git.binary.env.WR_OWNER = ctx.processes.owner('git', { record: false }).claim().marker;
        if (git) await installAskpass(ctx.dataDir);
        else ctx.log('git not found: version-control routes answer 503 git_unavailable');
        info = git ? git.info() : noGit;
        return git;
      })();
      ctx.services.gitInfo = async () => {
        await located;
        return info ?? noGit;
      };
      const notifier = new GitStatusNotifier(ctx, options.debounceMs ?? (ctx.options.fastTimers ? 50 : 300));
      const service = new VersionControlService(ctx, located, notifier);
      ctx.services.versionControl = {
        clone: (url, destination, opts) => service.clone(url, destination, opts),
        runPrivate: (args, cwd, opts) => service.runPrivate(args, cwd, opts),
      };
      notifier.start();
      return {
        routes: versionControlRoutes(service),
        status: () => ({ git: info ?? { probing: true }, watched_workspaces: notifier.retainedCount }),
        started: () => notifier.syncWatchers(),
        onWorkspaceRemoved: async (id) => service.forget(id),
        stop: async () => {
          notifier.stop();
          await located;
        },
      };
    },
  };
}

export const versionControlFeature = createVersionControlFeature();
