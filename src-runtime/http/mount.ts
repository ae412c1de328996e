/**
 * Mounting route bindings on Express: per-route access checks, a JSON body parser only where a
 * route takes JSON, zod validation of params/query/body with a 400 that names each bad field,
 * and the success status from the declaration.
 */
import express, { type Request, type Response, type Router } from 'express';
import type { z } from 'zod';
import { ApiError, errorBodySchema } from '../contract/errors.js';
import { isRawResponse, toExpressPath, type RouteDef } from '../contract/route.js';
import { isReply, type RouteBinding } from './bind.js';
import { authFailure, isLoopbackAddress, type GuardConfig } from './guards.js';
import { deeperThan, findNulBytes, hasBody, isJsonContentType, MAX_JSON_DEPTH } from './request-input.js';

const DEFAULT_JSON_LIMIT = 1024 * 1024;

/** Validation failures as `{message, details: [{path, message}]}`, paths like `body.cmd`. */
export function formatIssues(where: string, issues: z.core.$ZodIssue[]): { message: string; details: Array<{ path: string; message: string }> } {
  const list = issues.map((i) => ({ path: [where, ...i.path.map(String)].join('.'), message: i.message }));
  return { message: list.map((i) => `${i.path}: ${i.message}`).join('; '), details: list };
}

/** NUL bytes reach file systems and processes as truncation: refuse them in any input. */
function refuseNulBytes(params: unknown, query: unknown, body: unknown): void {
  const inPath = findNulBytes(params, 'path');
  if (inPath.length) throw new ApiError(400, 'invalid_path', `Invalid path parameter: ${inPath.map((i) => `${i.path} ${i.message}`).join('; ')}`, inPath);
  const issues = [...findNulBytes(query, 'query'), ...findNulBytes(body, 'body')];
  if (issues.length) throw new ApiError(400, 'invalid_request', `Invalid request: ${issues.map((i) => `${i.path} ${i.message}`).join('; ')}`, issues);
}

/** JSON routes take JSON: a body sent as anything else is refused before it is parsed. */
const requireJsonBody: express.RequestHandler = (req, _res, next) => {
  if (hasBody(req) && !isJsonContentType(req.headers['content-type'])) {
    throw new ApiError(415, 'unsupported_media_type', `This route takes a JSON body: send it with "Content-Type: application/json" (got ${req.headers['content-type'] ? `"${req.headers['content-type']}"` : 'no Content-Type'})`);
  }
  next();
};

const refuseDeepJson: express.RequestHandler = (req, _res, next) => {
  if (deeperThan(req.body)) throw new ApiError(400, 'json_too_deep', `The JSON body nests deeper than ${MAX_JSON_DEPTH} levels`);
  next();
};

function validate<S extends z.ZodType>(schema: S | undefined, value: unknown, where: string): unknown {
  if (!schema) return value;
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const { message, details } = formatIssues(where, result.error.issues);
  throw new ApiError(400, 'invalid_request', `Invalid ${where}: ${message}`, details);
}

/**
 * Statuses mounting itself can answer for a route, whatever the route declares: 401 for token
 * routes, 400 for bad params/query/body (NUL bytes, validation, invalid_json, json_too_deep), 413
 * and 415 for JSON bodies. The OpenAPI document adds them to every operation.
 */
export function implicitResponses(def: RouteDef): Record<number, typeof errorBodySchema> {
  const out: Record<number, typeof errorBodySchema> = {};
  if (def.access === 'token' || def.access === 'token+loopback') out[401] = errorBodySchema;
  if (def.access === 'loopback' || def.access === 'token+loopback') out[403] = errorBodySchema;
  if (def.params || def.query || def.body) out[400] = errorBodySchema;
  if (def.body) Object.assign(out, { 413: errorBodySchema, 415: errorBodySchema });
  return out;
}

function successStatus(def: RouteDef): number {
  const codes = Object.keys(def.responses).map(Number).filter((c) => c >= 200 && c < 300).sort();
  return codes[0] ?? 200;
}

/** Whether the token may ride in ?access_token= (browser SSE and pages that cannot set headers). */
export function allowsQueryToken(def: RouteDef): boolean {
  return Object.values(def.responses).some((r) => isRawResponse(r) && (r.contentType.startsWith('text/event-stream') || r.contentType === 'text/html'));
}

/** Whether a single-use ?ticket= may stand in for the token: SSE routes only (WebSocket upgrades check theirs in the hub). */
export function allowsTicket(def: RouteDef): boolean {
  return Object.values(def.responses).some((r) => isRawResponse(r) && r.contentType.startsWith('text/event-stream'));
}

export function checkAccess(def: RouteDef, req: Request, guard: GuardConfig): void {
  if (def.access === 'public') return;
  if (def.access === 'loopback' || def.access === 'token+loopback') {
    if (!isLoopbackAddress(req.socket.remoteAddress)) throw new ApiError(403, 'loopback_only', 'This route answers only to callers on this machine');
    if (def.access === 'loopback' && req.headers.origin !== undefined) {
      throw new ApiError(403, 'origin_refused', 'This route refuses requests that carry an Origin header');
    }
    if (def.access === 'loopback') return;
  }
  const failure = authFailure(req, guard, { queryToken: allowsQueryToken(def), ticket: allowsTicket(def) });
  if (failure) throw new ApiError(401, failure.code, failure.message);
}

function normaliseParams(def: RouteDef, params: Record<string, unknown>): Record<string, unknown> {
  if (!def.wildcard) return params;
  const raw = params[def.wildcard];
  return { ...params, [def.wildcard]: Array.isArray(raw) ? raw.join('/') : typeof raw === 'string' ? raw : '' };
}

export function mountRoutes(router: Router, bindings: RouteBinding[], guard: GuardConfig): void {
  for (const { def, handler } of bindings) {
    const path = toExpressPath(def);
    const middlewares: express.RequestHandler[] = [];
    middlewares.push((req, _res, next) => {
      checkAccess(def, req, guard);
      next();
    });
    if (def.body) {
      const limit = def.maxBodyBytes ?? DEFAULT_JSON_LIMIT;
      middlewares.push(requireJsonBody, express.json({ limit, strict: false, type: () => true }), refuseDeepJson);
    }
    const status = successStatus(def);
    router[def.method](path, ...middlewares, async (req: Request, res: Response) => {
      const rawParams = normaliseParams(def, req.params as Record<string, unknown>);
      refuseNulBytes(rawParams, req.query, def.body ? req.body : undefined);
      const params = validate(def.params, rawParams, 'path');
      const query = validate(def.query, req.query, 'query');
      // No body at all is validated as {} so all-optional bodies may be omitted; a JSON `null` is a body (and not an object).
      const body = def.body ? validate(def.body, req.body === undefined ? {} : req.body, 'body') : undefined;
      const result = await handler({ params, query, body, req, res } as never);
      if (res.headersSent || res.writableEnded) return;
      if (result === undefined) {
        if (!res.headersSent) res.status(204).end();
        return;
      }
      if (isReply(result)) {
        if (result.headers) res.set(result.headers);
        res.status(result.status).json(result.body);
        return;
      }
      res.status(status).json(result);
    });
  }
}
