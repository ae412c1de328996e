/**
 * The OpenAPI 3.1 document, generated from the route declarations (zod → JSON Schema). Schemas
 * named with `.meta({id})` become components; everything else is inlined. Built once, lazily, so
 * start-up does not pay for it.
 */
import { z } from 'zod';
import { isRawResponse, type RouteDef } from '../contract/route.js';
import { implicitResponses } from './mount.js';
import type { EventDef } from '../contract/events.js';
import { allowsQueryToken, allowsTicket } from './mount.js';

type Json = Record<string, unknown>;

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 202: 'Accepted', 204: 'No Content', 206: 'Partial Content', 304: 'Not Modified',
  400: 'Bad request', 401: 'Missing or invalid token', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed',
  409: 'Conflict', 410: 'Gone', 412: 'Precondition failed', 413: 'Body too large', 415: 'Unsupported media type',
  416: 'Range not satisfiable', 422: 'Unprocessable', 423: 'Locked', 429: 'Too many requests', 500: 'Internal error',
  502: 'Upstream failure', 503: 'Unavailable', 504: 'Timeout',
};

class SchemaCollector {
  readonly components: Record<string, Json> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): Json {
    const json = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as Json;
    delete json.$schema;
    const defs = (json.$defs ?? {}) as Record<string, Json>;
    delete json.$defs;
    const rename = (id: string) => (io === 'input' ? `${id}Input` : id);
    for (const [id, def] of Object.entries(defs)) this.components[rename(id)] ??= this.rewrite(def, rename) as Json;
    // A root schema with an id is itself a component.
    const rootId = (schema.meta() as { id?: string } | undefined)?.id;
    if (rootId) {
      this.components[rename(rootId)] ??= this.rewrite(json, rename) as Json;
      return { $ref: `#/components/schemas/${rename(rootId)}` };
    }
    return this.rewrite(json, rename) as Json;
  }

  private rewrite(node: unknown, rename: (id: string) => string): unknown {
    if (Array.isArray(node)) return node.map((n) => this.rewrite(n, rename));
    if (node && typeof node === 'object') {
      const out: Json = {};
      for (const [k, v] of Object.entries(node)) {
        if (k === '$ref' && typeof v === 'string' && v.startsWith('#/$defs/')) out[k] = `#/components/schemas/${rename(v.slice(8))}`;
        else if (k === 'id' && typeof v === 'string') continue;
        else out[k] = this.rewrite(v, rename);
      }
      return out;
    }
    return node;
  }
}

function objectProperties(schema: z.ZodType | undefined, collector: SchemaCollector): Array<[string, Json, boolean]> {
  if (!schema) return [];
  const json = collector.convert(schema, 'input');
  const props = (json.properties ?? {}) as Record<string, Json>;
  const required = new Set((json.required ?? []) as string[]);
  return Object.entries(props).map(([name, s]) => [name, s, required.has(name)]);
}

/** The header always; a single-use ?ticket= on SSE routes; ?access_token= (scripts) where a browser cannot set headers. */
function security(def: RouteDef): Json[] {
  if (def.access === 'public' || def.access === 'loopback') return [];
  return [{ bearer: [] }, ...(allowsTicket(def) ? [{ ticket: [] }] : []), ...(allowsQueryToken(def) ? [{ access_token: [] }] : [])];
}

export function buildOpenApi(routes: RouteDef[], info: { version: string; serverUrl?: string }, events: EventDef[] = []): Json {
  const collector = new SchemaCollector();
  const paths: Record<string, Record<string, Json>> = {};
  const seen = new Set<string>();
  for (const def of routes) {
    if (seen.has(def.operationId)) throw new Error(`duplicate operationId ${def.operationId}`);
    seen.add(def.operationId);
    const parameters: Json[] = [];
    for (const [name, schema] of objectProperties(def.params, collector)) {
      parameters.push({ name, in: 'path', required: true, schema, ...(name === def.wildcard ? { description: `Rest of the path (may contain /)${def.wildcardOptional ? '; may be empty' : ''}` } : {}) });
    }
    for (const [name, schema, required] of objectProperties(def.query, collector)) {
      parameters.push({ name, in: 'query', required, schema, ...(schema.description ? { description: schema.description } : {}) });
    }
    const responses: Json = {};
    for (const [code, spec] of Object.entries({ ...implicitResponses(def), ...def.responses })) {
      const description = STATUS_TEXT[Number(code)] ?? 'Response';
      if (isRawResponse(spec)) {
        responses[code] = { description: spec.description, content: { [spec.contentType]: { schema: {} } } };
      } else {
        responses[code] = { description, content: { 'application/json': { schema: collector.convert(spec, 'output') } } };
      }
    }
    const op: Json = {
      operationId: def.operationId,
      summary: def.summary,
      tags: def.tags,
      parameters,
      responses,
      security: security(def),
      'x-access': def.access,
    };
    if (def.description) op.description = def.description;
    if (def.body) {
      op.requestBody = { required: true, content: { 'application/json': { schema: collector.convert(def.body, 'input') } } };
    } else if (def.bodyKind === 'raw') {
      op.requestBody = { required: false, content: { 'application/octet-stream': { schema: { type: 'string', format: 'binary' } } } };
    } else if (def.bodyKind === 'multipart') {
      op.requestBody = { required: true, content: { 'multipart/form-data': { schema: { type: 'object', additionalProperties: { type: 'string', format: 'binary' } } } } };
    }
    const openapiPath = def.wildcard ? def.path : def.path;
    (paths[openapiPath] ??= {})[def.method] = op;
  }
  const xEvents = events.map((e) => ({
    type: e.type,
    description: e.description,
    on_global_hub: e.global,
    payload: collector.convert(e.payload, 'output'),
  }));
  return {
    openapi: '3.1.0',
    'x-events': xEvents,
    info: {
      title: 'Workspace Runtime API',
      version: info.version,
      description: 'Files, git, apps, scripts and coding agents of local workspaces. JSON is snake_case; errors are {error, code, details?}.',
    },
    servers: info.serverUrl ? [{ url: info.serverUrl }] : [],
    paths,
    components: {
      schemas: collector.components,
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'The token in runtime.json (standalone) or from the desktop preload' },
        ticket: {
          type: 'apiKey',
          in: 'query',
          name: 'ticket',
          description: 'A single-use ticket from POST /api/v1/auth/tickets, valid 30 s: what browsers put in WebSocket and SSE URLs instead of the token',
        },
        access_token: {
          type: 'apiKey',
          in: 'query',
          name: 'access_token',
          description: 'The token itself in the URL, for scripts (curl, EventSource in a tool). Browsers use a ticket: URLs end up in consoles and logs',
        },
      },
    },
  };
}
