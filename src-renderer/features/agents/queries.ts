/**
 * Agents: the agent catalogue (available or why not), the workspace's sessions, a session's
 * queue, and the mutations (create/stop a session, send a message, cancel, guide, dequeue, answer a
 * permission). `session_status` from the event socket invalidates sessions and queues; the chat
 * itself follows the session's own SSE stream (chat-model.ts).
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import { agentSessionsApi, agentsApi } from '../../../src-runtime/contract/agents.js';
import { api } from '../../api/client.js';
import type { EventHandlers } from '../../api/event-socket.js';

export const agentKeys = {
  all: ['agents'] as const,
  catalog: (ws: string) => [...agentKeys.all, 'catalog', ws] as const,
  sessions: (ws: string) => [...agentKeys.all, 'sessions', ws] as const,
  queue: (sessionId: string) => [...agentKeys.all, 'queue', sessionId] as const,
};

export const agentCatalogQuery = (ws: string) =>
  queryOptions({ queryKey: agentKeys.catalog(ws), queryFn: ({ signal }) => api().call(agentsApi.listAgents, { query: { workspace_id: ws }, signal }), staleTime: 60_000 });

export const sessionsQuery = (ws: string) =>
  queryOptions({ queryKey: agentKeys.sessions(ws), queryFn: ({ signal }) => api().call(agentSessionsApi.list, { query: { workspace_id: ws }, signal }) });

export const queueQuery = (sessionId: string) =>
  queryOptions({ queryKey: agentKeys.queue(sessionId), queryFn: ({ signal }) => api().call(agentsApi.queue, { params: { id: sessionId }, signal }) });

export function useCreateSession(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (agent: string) => api().call(agentSessionsApi.create, { body: { workspace_id: ws, agent } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: agentKeys.sessions(ws) }),
  });
}

export function useStopSession(ws: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (id: string) => api().call(agentSessionsApi.remove, { params: { id } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: agentKeys.sessions(ws) }),
  });
}

export function useSendMessage(sessionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ content, interrupt }: { content: string; interrupt?: boolean }) =>
      api().call(agentsApi.postMessage, { params: { id: sessionId }, body: { content, runningRunBehavior: interrupt ? 'interrupt' : 'queue' } }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: agentKeys.queue(sessionId) }),
  });
}

export function useRunAction(sessionId: string) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: async ({ runId, action }: { runId: string; action: 'cancel' | 'guide' | 'dequeue' }) => {
      if (action === 'cancel') return api().call(agentsApi.cancelRun, { params: { id: runId } });
      if (action === 'guide') return api().call(agentsApi.guideRun, { params: { id: runId } });
      return api().call(agentsApi.dequeue, { params: { id: sessionId, run_id: runId } });
    },
    onSuccess: () => void qc.invalidateQueries({ queryKey: agentKeys.queue(sessionId) }),
  });
}

export function useAnswerPermission() {
  return useMutation({
    mutationFn: ({ runId, requestId, optionId }: { runId: string; requestId: string; optionId: string }) =>
      api().call(agentsApi.answerPermission, { params: { id: runId, request_id: requestId }, body: { option_id: optionId } }),
  });
}

export const agentEventHandlers: EventHandlers = {
  session_status: (event, qc) => {
    const ws = String(event.workspace_id ?? '');
    if (ws) void qc.invalidateQueries({ queryKey: agentKeys.sessions(ws) });
    if (event.session_id) void qc.invalidateQueries({ queryKey: agentKeys.queue(String(event.session_id)) });
  },
};
