/**
 * The event union of the wire. Every event carries `type`, a per-stream monotonically increasing
 * `seq` and `ts`; its payload fields sit beside them (flat, snake_case), as the seed events do:
 * `{ type: "file_changed", seq, ts, workspace_id, path, event_type }`.
 * Features define their events next to their routes with `defineEvent` and list them here.
 * Clients ignore types they do not know.
 */
import { z } from 'zod';

export interface EventDef<T extends string = string, S extends z.ZodType = z.ZodType> {
  type: T;
  description: string;
  payload: S;
  /** Whether the event goes to WS /api/v1/ws (global hub) as well as its own stream. */
  global: boolean;
}

export function defineEvent<T extends string, S extends z.ZodType>(def: EventDef<T, S>): EventDef<T, S> {
  return def;
}

export const eventEnvelope = z.object({
  type: z.string(),
  seq: z.number().int().nonnegative(),
  ts: z.string(),
});

export const systemStatsEvent = defineEvent({
  type: 'system_stats',
  description: 'Host load, every 2 s to subscribers of WS /api/v1/ws',
  global: true,
  payload: z.object({
    stats: z.object({
      cpu_percent: z.number(),
      memory_percent: z.number(),
      disk_percent: z.number(),
    }),
  }),
});

export const workspaceChangedEvent = defineEvent({
  type: 'workspace_changed',
  description: 'A workspace was registered, updated or removed',
  global: true,
  payload: z.object({
    workspace_id: z.string(),
    change: z.enum(['created', 'updated', 'deleted']),
  }),
});

export const backlogTruncatedEvent = defineEvent({
  type: 'backlog_truncated',
  description:
    'Events after `after` and before `oldest_seq` are gone: the requested cursor is older than the bounded in-memory backlog, or the client stopped reading and `skipped` live events were not sent to it; refetch state',
  global: false,
  payload: z.object({ after: z.number(), oldest_seq: z.number(), skipped: z.number().optional().describe('How many events were skipped (set when a client that stopped reading missed live events)') }),
});

/** Messages a client sends on WS /api/v1/ws. */
export const hubClientMessage = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('subscribe'),
    topics: z.array(z.string().min(1)).min(1).describe('Event types, or "*" for all'),
    workspace_id: z.string().optional(),
  }),
  z.object({ type: z.literal('unsubscribe'), topics: z.array(z.string().min(1)).min(1) }),
  z.object({ type: z.literal('ping') }),
]);

export type HubClientMessage = z.infer<typeof hubClientMessage>;

export const foundationEvents = [systemStatsEvent, workspaceChangedEvent, backlogTruncatedEvent];

/** A wire event as a client receives it. */
export type WireEvent = { type: string; seq: number; ts: string } & Record<string, unknown>;
