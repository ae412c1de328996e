/**
 * Connection tickets: short-lived, single-use credentials a browser puts in a WebSocket or SSE URL
 * instead of the long-lived bearer token (URLs end up in consoles, logs and histories). A client
 * that holds the token asks `POST /api/v1/auth/tickets` for one right before it connects; the
 * runtime accepts it once, within 30 s, as `?ticket=` on a WebSocket upgrade or an SSE route.
 * Tickets live in memory only (a restart forgets them) and are looked up by their SHA-256, so
 * nothing compares a secret byte by byte.
 */
import { createHash, randomBytes } from 'node:crypto';
import { authApi } from '../contract/auth.js';
import { bind, type RouteBinding } from './bind.js';

export const TICKET_TTL_MS = 30_000;
/** Outstanding tickets kept at most; the oldest go first (a client asking in a loop cannot grow memory). */
const MAX_OUTSTANDING = 1024;
/** An expired ticket is still recognised (to answer `ticket_expired`) this long, then forgotten. */
const EXPIRED_MEMORY_MS = 5 * 60_000;

export type TicketCheck = { ok: true } | { ok: false; code: 'ticket_invalid' | 'ticket_expired'; message: string };

export interface IssuedTicket {
  value: string;
  expires_at: string;
}

const digest = (value: string) => createHash('sha256').update(value).digest('base64url');

export class TicketStore {
  /** digest → expiry (ms since the epoch on `now`'s clock); Map order is issue order. */
  private readonly tickets = new Map<string, number>();

  constructor(
    /** The clock expiry is measured on (tests inject one). */
    private readonly now: () => number = Date.now,
    private readonly ttlMs = TICKET_TTL_MS,
  ) {}

  issue(): IssuedTicket {
    this.prune();
    const value = `tkt_${randomBytes(32).toString('base64url')}`;
    const expires = this.now() + this.ttlMs;
    this.tickets.set(digest(value), expires);
    while (this.tickets.size > MAX_OUTSTANDING) this.tickets.delete(this.tickets.keys().next().value!);
    return { value, expires_at: new Date(expires).toISOString() };
  }

  /** Use a ticket up: valid once, before it expires. Whatever the verdict, the ticket is gone afterwards. */
  consume(value: string): TicketCheck {
    const key = digest(value);
    const expires = this.tickets.get(key);
    this.tickets.delete(key);
    if (expires === undefined) {
      return { ok: false, code: 'ticket_invalid', message: 'Unknown or already used ticket: tickets are single use; ask POST /api/v1/auth/tickets for a new one before each connection' };
    }
    if (this.now() >= expires) {
      return { ok: false, code: 'ticket_expired', message: `Expired ticket: tickets are valid for ${Math.round(this.ttlMs / 1000)} s; ask POST /api/v1/auth/tickets for a new one right before connecting` };
    }
    return { ok: true };
  }

  get size(): number {
    return this.tickets.size;
  }

  private prune(): void {
    const cutoff = this.now() - EXPIRED_MEMORY_MS;
    for (const [key, expires] of this.tickets) if (expires < cutoff) this.tickets.delete(key);
  }
}

/** `POST /api/v1/auth/tickets` (token required; a ticket cannot buy another one: JSON routes refuse tickets). */
export function ticketRoutes(store: TicketStore): RouteBinding[] {
  return [bind(authApi.createTicket, () => ({ ticket: store.issue() }))];
}
