/**
 * Schemas shared by several features: prefixed opaque ids, timestamps, list cursors and the
 * parameter shapes most routes take.
 */
import { z } from 'zod';

export const ID_PREFIXES = {
  workspace: 'ws_',
  session: 'ses_',
  run: 'run_',
  app: 'app_',
  snapshot: 'snap_',
  execution: 'exec_',
  permission: 'perm_',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;

export const timestamp = z.string().describe('ISO 8601 timestamp');

/** `?workspace_id=` on the unscoped seed routes; absent means the default workspace. */
export const workspaceQuery = z.object({
  workspace_id: z.string().min(1).optional().describe('Workspace id or path; the default workspace when absent'),
});

export const workspaceIdParams = z.object({
  id: z.string().min(1).describe('Workspace id (ws_…) or URL-encoded absolute path'),
});

export const okResponse = z.object({ ok: z.literal(true) }).meta({ id: 'Ok' });

/** Boolean query flags arrive as strings; accept the usual spellings. */
export const queryBool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

export const queryInt = (min: number, max: number) =>
  z.coerce.number().int().min(min).max(max);
