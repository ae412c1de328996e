/**
 * The apps feature: apps from app.runtime.yaml, scripts and OpenSpec, gated by workspace trust.
 * On setup it ends the process groups a killed runtime left behind; on stop it stops every app,
 * build and script it started. Exposes `services.apps` (session actions, stopping a workspace's
 * apps) to the other features.
 */
import type { RuntimeFeature } from '../feature.js';
import type { WorkspaceAction } from '../services.js';
import { openspecSessionActions, readOpenSpec } from '../openspec/service.js';
import { ScriptsService } from '../scripts/service.js';
import { appsRoutes } from './routes.js';
import { AppsService } from './service.js';

export const appsFeature: RuntimeFeature = {
  name: 'apps',
  async setup(ctx) {
    const apps = new AppsService(ctx);
    const reaped = await apps.reapRecordedGroups();
    const scripts = new ScriptsService(ctx, apps.manifests, apps.groups);

    ctx.services.apps = {
      async listActions(workspace) {
        const actions: WorkspaceAction[] = [];
        for (const manifest of await apps.manifests.load(workspace.root_dir)) {
          for (const [name, action] of Object.entries(manifest.actions)) {
            if (actions.some((a) => a.name === name)) continue;
            actions.push({ name, description: action.description ?? `Declared in ${manifest.relPath}`, prompt: action.prompt, source: 'manifest' });
          }
        }
        actions.push(...openspecSessionActions(await readOpenSpec(workspace)));
        return actions;
      },
      stopWorkspaceApps: (workspaceId) => apps.stopWorkspaceApps(workspaceId),
    };

    return {
      routes: appsRoutes(ctx, apps, scripts),
      status: () => ({ running_apps: apps.countRunning(), reaped_groups: reaped.ended, left_alone_groups: reaped.mismatched }),
      counts: () => ({ running_apps: apps.countRunning() }),
      workspaceDetail: async (workspace) => ({ apps: await apps.list(workspace) }),
      onWorkspaceRemoved: (workspaceId) => apps.stopWorkspaceApps(workspaceId),
      stop: async () => {
        await Promise.all([apps.stopAll(), scripts.stopAll()]);
      },
    };
  },
};
