/**
 * Connection tickets: a client holding the bearer token exchanges it for a short-lived, single-use
 * ticket right before it opens a WebSocket or an SSE stream, and puts the ticket (not the token)
 * in the URL as `?ticket=`. See README "Authentication".
 */
import { z } from 'zod';
import { defineRoute } from './route.js';
import { errorBodySchema } from './errors.js';

export const ticketSchema = z
  .object({
    value: z.string().regex(/^tkt_[A-Za-z0-9_-]+$/).describe('Pass as ?ticket= on one WebSocket upgrade or SSE request'),
    expires_at: z.string().describe('ISO time after which the ticket is refused (30 s after it was issued)'),
  })
  .meta({ id: 'Ticket' });

export type Ticket = z.infer<typeof ticketSchema>;

export const authApi = {
  createTicket: defineRoute({
    operationId: 'auth.tickets.create',
    method: 'post',
    path: '/api/v1/auth/tickets',
    summary: 'A single-use ticket for one WebSocket or SSE connection (valid 30 s)',
    description:
      'Browsers cannot set headers on WebSocket or EventSource requests. Instead of putting the long-lived token in the URL, ask for a ticket ' +
      'and connect with `?ticket=<value>`: it is accepted once, within 30 s, on WebSocket upgrades and SSE routes only (JSON routes refuse it with 401 ' +
      '`ticket_not_accepted`). A used or unknown ticket answers 401 `ticket_invalid`, an expired one 401 `ticket_expired`. Tickets are kept in memory only.',
    tags: ['auth'],
    access: 'token',
    responses: { 201: z.object({ ticket: ticketSchema }), 401: errorBodySchema },
  }),
};
