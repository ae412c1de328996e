/**
 * Route declarations: every HTTP route of the runtime is declared once here-style, with its method,
 * OpenAPI path, operation id, who may call it and zod schemas for params, query, body and each
 * response status. The server mounts handlers against these, the OpenAPI document is generated
 * from them and the typed client calls through them.
 */
import type { z } from 'zod';
import { errorBodySchema } from './errors.js';

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** Who may call a route (DESIGN.md "Who may call what"). */
export type RouteAccess = 'public' | 'token' | 'token+loopback' | 'loopback';

/** A response that is not JSON: a stream or raw bytes, described for the OpenAPI document. */
export interface RawResponse {
  contentType: string;
  description: string;
}

export type ResponseSpec = z.ZodType | RawResponse;

export interface RouteDef<
  P extends z.ZodType = z.ZodType,
  Q extends z.ZodType = z.ZodType,
  B extends z.ZodType = z.ZodType,
  R extends Record<number, ResponseSpec> = Record<number, ResponseSpec>,
> {
  operationId: string;
  method: HttpMethod;
  /** OpenAPI path with `{name}` parameters; a trailing `{path}` wildcard is declared with `wildcard`. */
  path: string;
  summary: string;
  description?: string;
  tags: string[];
  access: RouteAccess;
  params?: P;
  query?: Q;
  /** JSON body schema. Routes with raw or multipart bodies set `bodyKind` instead. */
  body?: B;
  bodyKind?: 'json' | 'raw' | 'multipart' | 'none';
  /** Largest accepted request body in bytes (JSON default 1 MiB); larger bodies get 413. */
  maxBodyBytes?: number;
  /** Name of the trailing path parameter that swallows the rest of the path (files/{path}). */
  wildcard?: string;
  /** When the wildcard may be empty (listing the root), the Express path uses `{/*name}`. */
  wildcardOptional?: boolean;
  responses: R;
}

export function defineRoute<
  P extends z.ZodType,
  Q extends z.ZodType,
  B extends z.ZodType,
  R extends Record<number, ResponseSpec>,
>(def: RouteDef<P, Q, B, R>): RouteDef<P, Q, B, R> {
  return def;
}

export function isRawResponse(spec: ResponseSpec): spec is RawResponse {
  return typeof (spec as RawResponse).contentType === 'string' && !('_zod' in (spec as object));
}

/** The error statuses most routes share; spread into `responses`. */
export const commonErrors = {
  400: errorBodySchema,
  401: errorBodySchema,
  403: errorBodySchema,
  404: errorBodySchema,
} as const;

export const sseResponse: RawResponse = {
  contentType: 'text/event-stream',
  description:
    'Server-sent events: `id: <seq>`, `event: <type>`, `data: <json>`; `server.connected` first, heartbeats every 15 s, replay from Last-Event-ID or ?after=.',
};

type SuccessKeys<R> = {
  [K in keyof R]: K extends 200 | 201 | 202 ? K : never;
}[keyof R];

/** The JSON body type of a route's success response(s). */
export type RouteOutput<D> = D extends RouteDef<z.ZodType, z.ZodType, z.ZodType, infer R>
  ? R[SuccessKeys<R>] extends infer S
    ? S extends z.ZodType
      ? z.output<S>
      : unknown
    : never
  : never;

export type RouteParams<D> = D extends RouteDef<infer P> ? z.input<P> : never;
export type RouteQuery<D> = D extends RouteDef<z.ZodType, infer Q> ? z.input<Q> : never;
export type RouteBody<D> = D extends RouteDef<z.ZodType, z.ZodType, infer B> ? z.input<B> : never;

/** Express path for a declaration: `{id}` → `:id`, wildcard → `*name` or `{/*name}`. */
export function toExpressPath(def: Pick<RouteDef, 'path' | 'wildcard' | 'wildcardOptional'>): string {
  let path = def.path;
  if (def.wildcard) {
    const token = `/{${def.wildcard}}`;
    if (!path.endsWith(token)) throw new Error(`${def.path}: wildcard {${def.wildcard}} must end the path`);
    path = path.slice(0, -token.length) + (def.wildcardOptional ? `{/*${def.wildcard}}` : `/*${def.wildcard}`);
  }
  return path.replace(/\{([a-zA-Z_]+)\}/g, ':$1');
}
