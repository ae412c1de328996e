/**
 * The agents feature: agent catalog, sessions and runs with their event logs and streams, and
 * this feature's part of the workspace detail. Sessions get their MCP servers from services.settings.
 */
import type { RuntimeFeature } from '../feature.js';
import { AgentCatalog, listSkills } from './catalog.js';
import { agentRoutes } from './routes.js';
import { AgentService } from './service.js';
import { userHome } from '../platform/user-home.js';

export const agentsFeature: RuntimeFeature = {
  name: 'agents',
  async setup(ctx) {
    const catalog = new AgentCatalog(() => ctx.config(), ctx.processes.owner('agent-probe', { record: false }));
    const service = new AgentService(ctx, catalog);
    await service.recover();
    return {
      routes: agentRoutes(ctx, service),
      status: () => ({ sessions: service.list().length, live_sessions: service.liveCount() }),
      counts: () => ({ live_sessions: service.liveCount() }),
      async workspaceDetail(workspace) {
        const agents = (await catalog.list()).map(({ env: _env, ...a }) => a);
        return { agents, providers: catalog.providers(), sessions: service.list(workspace.id), skills: await listSkills(workspace.root_dir, userHome()) };
      },
      onWorkspaceRemoved: (id) => service.onWorkspaceRemoved(id),
      stop: () => service.stop(),
    };
  },
};
