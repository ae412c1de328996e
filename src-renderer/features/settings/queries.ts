/**
 * Agent settings in Claude Code's own formats: hooks (.claude/settings.json `hooks`) and MCP
 * servers (.mcp.json), per workspace or at user level.
 */
import { queryOptions, useMutation, useQueryClient } from '@tanstack/react-query';
import type { z } from 'zod';
import { settingsApi, type hooksSchema, type mcpConfigSchema } from '../../../src-runtime/contract/agents.js';
import { api } from '../../api/client.js';

export type Scope = 'workspace' | 'user';
export type Hooks = z.infer<typeof hooksSchema>;
export type McpConfig = z.infer<typeof mcpConfigSchema>;

export const settingsKeys = {
  all: ['settings'] as const,
  hooks: (ws: string | undefined, scope: Scope) => [...settingsKeys.all, 'hooks', scope, ws ?? ''] as const,
  mcp: (ws: string | undefined, scope: Scope) => [...settingsKeys.all, 'mcp', scope, ws ?? ''] as const,
};

const query = (ws: string | undefined, scope: Scope) => ({ workspace_id: scope === 'workspace' ? ws : undefined, scope });

export const hooksQuery = (ws: string | undefined, scope: Scope) =>
  queryOptions({ queryKey: settingsKeys.hooks(ws, scope), queryFn: ({ signal }) => api().call(settingsApi.getHooks, { query: query(ws, scope), signal }) });

export const mcpQuery = (ws: string | undefined, scope: Scope) =>
  queryOptions({ queryKey: settingsKeys.mcp(ws, scope), queryFn: ({ signal }) => api().call(settingsApi.getMcp, { query: query(ws, scope), signal }) });

export function useSaveHooks(ws: string | undefined, scope: Scope) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (hooks: Hooks) => api().call(settingsApi.putHooks, { query: query(ws, scope), body: hooks }),
    onSuccess: (data) => qc.setQueryData(settingsKeys.hooks(ws, scope), data),
  });
}

export function useSaveMcp(ws: string | undefined, scope: Scope) {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (mcp: McpConfig) => api().call(settingsApi.putMcp, { query: query(ws, scope), body: mcp }),
    onSuccess: (data) => qc.setQueryData(settingsKeys.mcp(ws, scope), data),
  });
}
