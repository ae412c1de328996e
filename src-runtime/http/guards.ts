/**
 * Who may call: Host header allowlist (DNS rebinding), Origin limited to the runtime's own origin
 * (CSRF from web pages, cross-site WebSockets), bearer-token checks in constant time, and loopback
 * detection for internal routes. Shared by the HTTP middleware and the WebSocket upgrade handler.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { TicketStore } from './tickets.js';

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]', '::1']);

export interface GuardConfig {
  token: string;
  port: () => number;
  allowedHosts: () => readonly string[];
  /** Single-use connection tickets (`?ticket=`); without a store every ticket is refused. */
  tickets?: TicketStore;
}

export function isLoopbackAddress(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/** `host:port` → lower-cased host name without the port (IPv6 keeps its brackets). */
export function hostName(hostHeader: string): string {
  const h = hostHeader.trim().toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.lastIndexOf(':');
  return colon === -1 ? h : h.slice(0, colon);
}

export function hostAllowed(hostHeader: string | undefined, config: GuardConfig): boolean {
  if (!hostHeader) return false;
  const name = hostName(hostHeader);
  return LOOPBACK_HOSTS.has(name) || config.allowedHosts().some((h) => h.toLowerCase() === name);
}

/** The runtime's own origins: loopback names and configured hosts, on its port. */
export function originAllowed(origin: string | undefined, config: GuardConfig): boolean {
  if (origin === undefined) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  if (port !== config.port()) return false;
  const name = url.hostname.toLowerCase();
  const bracketed = name.includes(':') && !name.startsWith('[') ? `[${name}]` : name;
  return LOOPBACK_HOSTS.has(bracketed) || config.allowedHosts().some((h) => h.toLowerCase() === name);
}

export function tokensEqual(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The token a request carries: the Authorization header, or ?access_token= where allowed. */
export function requestToken(req: IncomingMessage, allowQuery: boolean): string | undefined {
  const header = req.headers.authorization;
  if (header) {
    const match = /^Bearer\s+(.+)$/i.exec(header);
    return match?.[1]?.trim();
  }
  if (allowQuery && req.url) {
    const q = req.url.indexOf('?');
    if (q !== -1) return new URLSearchParams(req.url.slice(q + 1)).get('access_token') ?? undefined;
  }
  return undefined;
}

function queryParam(req: IncomingMessage, name: string): string | undefined {
  const q = req.url?.indexOf('?') ?? -1;
  if (q === -1) return undefined;
  return new URLSearchParams(req.url!.slice(q + 1)).get(name) ?? undefined;
}

export interface AuthFailure {
  code: 'unauthorized' | 'ticket_invalid' | 'ticket_expired' | 'ticket_not_accepted';
  message: string;
}

/**
 * Why a request may not pass the token check, or undefined when it may. In order: the
 * Authorization header (when present it alone decides); else `?ticket=` where tickets are accepted
 * (WebSocket upgrades, SSE routes), used up by this check; else `?access_token=` where allowed.
 */
export function authFailure(req: IncomingMessage, guard: GuardConfig, accepts: { queryToken: boolean; ticket: boolean }): AuthFailure | undefined {
  if (!req.headers.authorization) {
    const ticket = queryParam(req, 'ticket');
    if (ticket !== undefined) {
      if (!accepts.ticket) {
        return { code: 'ticket_not_accepted', message: 'Tickets (?ticket=) are accepted only on WebSocket upgrades and SSE streams; send "Authorization: Bearer <token>"' };
      }
      const check = guard.tickets?.consume(ticket) ?? { ok: false, code: 'ticket_invalid', message: 'This runtime does not accept tickets' };
      return check.ok ? undefined : { code: check.code, message: check.message };
    }
  }
  const token = requestToken(req, accepts.queryToken);
  if (!token) {
    return { code: 'unauthorized', message: 'Missing bearer token: send "Authorization: Bearer <token>" (the token is in runtime.json in the data dir)' };
  }
  return tokensEqual(token, guard.token) ? undefined : { code: 'unauthorized', message: 'Invalid bearer token' };
}

/** The refusal text for a WebSocket upgrade that fails the token check (status 401), or undefined. */
export function upgradeAuthRefusal(req: IncomingMessage, guard: GuardConfig): string | undefined {
  const failure = authFailure(req, guard, { queryToken: true, ticket: true });
  if (!failure) return undefined;
  return failure.code === 'unauthorized' ? 'Missing or invalid token' : `${failure.code}: ${failure.message}`;
}
