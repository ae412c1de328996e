/**
 * HTTP and WebSocket bindings of the agents feature: thin handlers over AgentService (sessions,
 * runs, queue, permissions, transcript, event streams), the agent catalog and workspace actions.
 */
import { agentSessionsApi, agentsApi, sessionsApi } from '../contract/agents.js';
import { notFound } from '../contract/errors.js';
import type { RuntimeContext } from '../feature.js';
import { bind, reply, type RouteBinding } from '../http/bind.js';
import { streamSse } from '../events/sse.js';
import { pipeStreamToSocket, sendJson, socketCursor } from '../events/ws-hub.js';
import type { AgentService } from './service.js';

export function agentRoutes(ctx: RuntimeContext, service: AgentService): RouteBinding[] {
  const crud = [agentSessionsApi, sessionsApi].flatMap((api) => [
    bind(api.create, async ({ body }) => reply(201, { session: await service.create(body) })),
    bind(api.list, async ({ query }) => ({ sessions: service.list(query.workspace_id ? (await ctx.services.workspaces.get(query.workspace_id)).id : undefined) })),
    bind(api.get, ({ params }) => ({ session: service.get(params.id) })),
    bind(api.remove, async ({ params }) => ({ session: await service.remove(params.id) })),
  ]);

  ctx.hub.route('/api/v1/ws/agent-sessions/{id}', (ws, req, params, query) => {
    let session;
    try {
      session = service.get(params.id ?? '');
    } catch {
      sendJson(ws, { type: 'error', code: 'session_not_found', error: `No agent session with id "${params.id}"` });
      ws.close(4404, 'session not found');
      return;
    }
    const after = socketCursor(ws, query);
    if (after === undefined) return;
    const stream = service.stream(session.id);
    sendJson(ws, { type: 'server.connected', stream: stream.name, last_seq: stream.lastSeq });
    pipeStreamToSocket(ws, stream, after, { socket: req.socket });
  });

  return [
    ...crud,
    bind(agentsApi.listAgents, async ({ query }) => {
      if (query.workspace_id) await ctx.services.workspaces.get(query.workspace_id);
      const agents = (await service.catalog.list()).map(({ env: _env, ...agent }) => agent);
      return { agents, providers: service.catalog.providers() };
    }),
    bind(agentsApi.postMessage, async ({ params, body }) => ({ run: await service.send(params.id, body.content, { behavior: body.runningRunBehavior }) })),
    bind(agentsApi.listMessages, async ({ params }) => ({ messages: await service.transcript(params.id) })),
    bind(agentsApi.queue, ({ params }) => ({ runs: service.queue(params.id) })),
    bind(agentsApi.dequeue, async ({ params }) => ({ run: await service.dequeue(params.id, params.run_id) })),
    bind(agentsApi.events, async ({ params, req, res }) => {
      service.get(params.id);
      await streamSse(req, res, service.stream(params.id));
    }),
    bind(agentsApi.action, async ({ params, body }) => {
      const session = service.get(params.id);
      const workspace = await ctx.services.workspaces.get(session.workspace_id);
      const actions = (await ctx.services.apps?.listActions(workspace)) ?? [];
      const action = actions.find((a) => a.name === params.name);
      if (!action) {
        const names = actions.map((a) => a.name);
        throw notFound('action_not_found', `Workspace "${workspace.name}" has no action "${params.name}"; available: ${names.length ? names.join(', ') : 'none (declare actions: in app.runtime.yaml)'}`, { actions: names });
      }
      const prompt = body?.input ? `${action.prompt}\n\n${body.input}` : action.prompt;
      return { run: await service.send(session.id, prompt, { behavior: body?.runningRunBehavior, source: 'action', action: action.name }) };
    }),
    bind(agentsApi.getRun, ({ params }) => ({ run: service.getRun(params.id) })),
    bind(agentsApi.cancelRun, async ({ params }) => ({ run: await service.cancel(params.id) })),
    bind(agentsApi.guideRun, async ({ params }) => service.guide(params.id)),
    bind(agentsApi.listPermissions, ({ params }) => ({ permissions: service.permissions(params.id) })),
    bind(agentsApi.answerPermission, ({ params, body }) => ({ permission: service.answerPermission(params.id, params.request_id, body.option_id) })),
    bind(agentsApi.agentRun, async ({ body }) => {
      const sessionId = body.session_id ?? (await service.create({ workspace_id: body.workspace_id, agent: body.agent })).id;
      const run = await service.send(sessionId, body.content, { behavior: body.runningRunBehavior, source: 'agent_run' });
      return { run, session: service.get(sessionId) };
    }),
    bind(agentsApi.agentRunStream, async ({ body, req, res }) => {
      const sessionId = body.session_id ?? (await service.create({ workspace_id: body.workspace_id, agent: body.agent })).id;
      const stream = service.stream(sessionId);
      const from = stream.lastSeq;
      const run = await service.send(sessionId, body.content, { behavior: body.runningRunBehavior, source: 'agent_run' });
      // Replay from just before the run was created, then live, ending with its `done` event.
      req.headers['last-event-id'] = String(from);
      await streamSse(req, res, stream, {
        filter: (e) => e.run_id === run.id,
        endAfter: (e) => e.type === 'done' && e.run_id === run.id,
        connected: { session_id: sessionId, run_id: run.id },
      });
    }),
  ];
}
