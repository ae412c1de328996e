/**
 * Binding handlers to route declarations. A handler gets validated, typed params, query and body
 * and returns the JSON body (sent with the route's success status), a `reply(...)` for another
 * status, or nothing when it wrote the response itself (streams, files).
 */
import type { Request, Response } from 'express';
import type { z } from 'zod';
import type { RouteDef } from '../contract/route.js';

export interface Reply {
  readonly __reply: true;
  status: number;
  body: unknown;
  headers?: Record<string, string>;
}

export function reply(status: number, body: unknown, headers?: Record<string, string>): Reply {
  return { __reply: true, status, body, headers };
}

export function isReply(value: unknown): value is Reply {
  return typeof value === 'object' && value !== null && (value as Reply).__reply === true;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface HandlerInput<D extends RouteDef> {
  params: D extends RouteDef<infer P> ? Out<P> : never;
  query: D extends RouteDef<z.ZodType, infer Q> ? Out<Q> : never;
  body: D extends RouteDef<z.ZodType, z.ZodType, infer B> ? Out<B> : never;
  req: Request;
  res: Response;
}

export type Handler<D extends RouteDef> = (input: HandlerInput<D>) => unknown;

export interface RouteBinding {
  def: RouteDef;
  handler: (input: HandlerInput<RouteDef>) => unknown;
}

export function bind<D extends RouteDef>(def: D, handler: Handler<D>): RouteBinding {
  return { def, handler: handler as unknown as RouteBinding['handler'] };
}
