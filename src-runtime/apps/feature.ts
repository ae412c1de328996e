/**
 * The apps feature: apps from app.runtime.yaml, gated by workspace trust. On stop it stops every
 * app and build it started (what a killed runtime left is the process registry's business, see
 * platform/process-registry.ts). Exposes `services.apps` (session actions: the manifests' plus
 * OpenSpec's, the manifests' scripts, stopping a workspace's apps) to the other features.
 */
import type { RuntimeFeature } from '../feature.js';
import type { WorkspaceAction } from '../services.js';
import { appsRoutes } from './routes.js';
import { AppsService } from './service.js';

export const appsFeature: RuntimeFeature = {
  name: 'apps',
  setup(ctx) {
    const apps = new AppsService(ctx);
    ctx.services.apps = {
      async listActions(workspace) {
        const actions: WorkspaceAction[] = [];
        for (const manifest of await apps.manifests.load(workspace.root_dir)) {
          for (const [name, action] of Object.entries(manifest.actions)) {
            if (actions.some((a) => a.name === name)) continue;
            actions.push({ name, description: action.description ?? `Declared in ${manifest.relPath}`, prompt: action.prompt, source: 'manifest' });
          }
        }
        actions.push(...((await ctx.services.openspec?.sessionActions(workspace)) ?? []));
        return actions;
      },
      async manifestScripts(root) {
        const scripts: Array<{ name: string; command: string; cwd: string }> = [];
        for (const manifest of await apps.manifests.load(root)) {
          for (const [name, command] of Object.entries(manifest.scripts)) {
            if (!scripts.some((s) => s.name === name)) scripts.push({ name, command, cwd: manifest.dir });
          }
        }
        return scripts;
      },
      stopWorkspaceApps: (workspaceId) => apps.stopWorkspaceApps(workspaceId),
    };

    return {
      routes: appsRoutes(ctx, apps),
      status: () => ({ running_apps: apps.countRunning() }),
      counts: () => ({ running_apps: apps.countRunning() }),
      workspaceDetail: async (workspace) => ({ apps: await apps.list(workspace) }),
      onWorkspaceRemoved: (workspaceId) => apps.stopWorkspaceApps(workspaceId),
      stop: () => apps.stopAll(),
    };
  },
};
