/**
 * Malformed requests derived from the served OpenAPI document, for the contract fuzzer
 * (src-runtime/http/contract-fuzz.test.ts). For each operation: wrong types for every body field
 * and query parameter, missing required fields, extra fields, NUL bytes, lone surrogates and very
 * long strings, deep nesting, bodies that are not JSON or not objects, other content types, and
 * unknown or malformed path parameters. Every request is malformed in some way, so none of them
 * does what a well-formed call would (start an agent, delete a workspace) unless the runtime
 * wrongly accepts it.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default as typeof import('ajv/dist/2020').default;

type Json = Record<string, unknown>;

export interface FuzzParameter {
  name: string;
  in: 'path' | 'query';
  required: boolean;
  schema: Json;
}

export interface FuzzOperation {
  operationId: string;
  method: string;
  /** OpenAPI path with `{name}` parameters. */
  path: string;
  parameters: FuzzParameter[];
  bodyKind: 'json' | 'raw' | 'multipart' | 'none';
  bodySchema?: Json;
  /** Whether any response is a server-sent event stream. */
  streams: boolean;
}

export interface FuzzRequest {
  operationId: string;
  method: string;
  /** Path and query, already encoded, relative to the runtime URL. */
  url: string;
  headers: Record<string, string>;
  body?: string;
  /** What is odd about the request, for the failure report. */
  summary: string;
}

export const LONG_BODY_STRING = 'a'.repeat(100 * 1024);
/** URLs stay under Node's 16 KiB header limit (a longer one is refused with 431 before any route). */
export const LONG_URL_STRING = 'a'.repeat(8 * 1024);
export const DEEP_LEVELS = 100;

const UNKNOWN_ID = 'does-not-exist';
/** Path parameter values, already URL-encoded as sent. */
const MALFORMED_PATH_VALUES: Array<[string, string]> = [
  ['unknown id', UNKNOWN_ID],
  ['encoded traversal', '..%2f..%2f..%2fetc%2fpasswd'],
  ['NUL byte', 'x%00y'],
  ['very long id', LONG_URL_STRING],
  ['lone surrogate (invalid UTF-8)', '%ED%A0%80'],
  ['malformed percent escape', '%E0%A4%A'],
  ['encoded absolute path', encodeURIComponent('/does/not/exist')],
];

export function listOperations(doc: Json): FuzzOperation[] {
  const out: FuzzOperation[] = [];
  for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(methods)) {
      const content = ((op.requestBody as Json | undefined)?.content ?? {}) as Record<string, Json>;
      const bodyKind = content['application/json'] ? 'json' : content['multipart/form-data'] ? 'multipart' : content['application/octet-stream'] ? 'raw' : 'none';
      const streams = Object.values((op.responses ?? {}) as Record<string, Json>).some((r) => Object.keys((r.content ?? {}) as Json).some((t) => t.startsWith('text/event-stream')));
      out.push({
        operationId: String(op.operationId),
        method: method.toUpperCase(),
        path,
        parameters: ((op.parameters ?? []) as Json[]).map((p) => ({ name: String(p.name), in: p.in as 'path' | 'query', required: Boolean(p.required), schema: (p.schema ?? {}) as Json })),
        bodyKind,
        bodySchema: content['application/json']?.schema as Json | undefined,
        streams,
      });
    }
  }
  return out;
}

/** Schema helpers over one document (refs resolved against its components). */
export class SchemaTools {
  private readonly ajv = new Ajv2020({ strict: false, allErrors: false, validateFormats: false });
  private readonly cache = new Map<Json, ValidateFunction>();

  constructor(private readonly doc: Json) {}

  resolve(schema: Json | undefined): Json {
    let s = schema ?? {};
    for (let i = 0; i < 20 && typeof s.$ref === 'string'; i++) {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = ((this.doc.components as Json).schemas as Record<string, Json>)[name] ?? {};
    }
    return s;
  }

  accepts(schema: Json, value: unknown): boolean {
    let validate = this.cache.get(schema);
    if (!validate) {
      validate = this.ajv.compile({ ...schema, components: this.doc.components });
      this.cache.set(schema, validate);
    }
    return validate(value);
  }

  /** Branches of anyOf/oneOf (or the schema itself). */
  branches(schema: Json): Json[] {
    const s = this.resolve(schema);
    const list = (s.anyOf ?? s.oneOf) as Json[] | undefined;
    return list ? list.map((b) => this.resolve(b)) : [s];
  }

  acceptsStrings(schema: Json): boolean {
    return this.branches(schema).some((b) => b.type === 'string' || (Array.isArray(b.type) && b.type.includes('string')) || (b.type === undefined && b.enum === undefined && b.const === undefined && !b.properties && !b.items));
  }

  /** A plausible value: required object fields only, the first enum member, strings of "fuzz". */
  sample(schema: Json | undefined, depth = 0): unknown {
    const s = this.resolve(schema);
    if (s.const !== undefined) return s.const;
    if (Array.isArray(s.enum)) return s.enum[0];
    if (s.anyOf || s.oneOf) {
      const branch = this.branches(s).find((b) => b.type !== 'null') ?? {};
      return this.sample(branch, depth);
    }
    const type = Array.isArray(s.type) ? (s.type as string[]).find((t) => t !== 'null') : (s.type as string | undefined);
    if (depth > 6) return undefined;
    switch (type) {
      case 'object': {
        const out: Json = {};
        const props = (s.properties ?? {}) as Record<string, Json>;
        for (const name of (s.required ?? []) as string[]) out[name] = this.sample(props[name], depth + 1);
        return out;
      }
      case 'array':
        return Array.from({ length: Math.max(1, Number(s.minItems ?? 0)) }, () => this.sample(s.items as Json, depth + 1));
      case 'string': {
        const min = Number(s.minLength ?? 0);
        return 'fuzz'.padEnd(Math.max(4, min), 'z');
      }
      case 'integer':
      case 'number':
        return Number(s.minimum ?? 1);
      case 'boolean':
        return false;
      case 'null':
        return null;
      default:
        return 'fuzz';
    }
  }

  /** Up to `n` values of a type the schema does not accept. */
  wrongTypes(schema: Json, n = 2): unknown[] {
    const candidates: unknown[] = [12345, 'not-the-right-type', true, [1, 'two'], { nested: { object: 1 } }, null, -1.5];
    return candidates.filter((v) => !this.accepts(schema, v)).slice(0, n);
  }
}

function describe(value: unknown): string {
  if (typeof value === 'string') {
    if (value.length > 60) return `string(${value.length})`;
    return JSON.stringify(value);
  }
  const text = JSON.stringify(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function nest(levels: number): unknown {
  let v: unknown = 'bottom';
  for (let i = 0; i < levels; i++) v = i % 2 ? { d: v } : [v];
  return v;
}

/** Field-level mutations of an object schema: [label, path, value]; recurses into nested objects a little. */
function fieldMutations(tools: SchemaTools, schema: Json, prefix: string, depth: number): Array<[string, string[], unknown]> {
  const s = tools.resolve(schema);
  const props = (s.properties ?? {}) as Record<string, Json>;
  const out: Array<[string, string[], unknown]> = [];
  for (const [name, raw] of Object.entries(props)) {
    const prop = tools.resolve(raw);
    const at = [name];
    const label = prefix ? `${prefix}.${name}` : name;
    for (const v of tools.wrongTypes(prop, 1)) out.push([`wrong type in ${label}: ${describe(v)}`, at, v]);
    if (tools.acceptsStrings(prop)) {
      out.push([`NUL byte in ${label}`, at, 'fu\0zz']);
      out.push([`lone surrogate in ${label}`, at, '\ud800']);
      out.push([`100 KB string in ${label}`, at, LONG_BODY_STRING]);
    }
    const arrayBranch = tools.branches(prop).find((b) => b.type === 'array');
    if (arrayBranch) {
      const items = tools.resolve(arrayBranch.items as Json);
      if (tools.acceptsStrings(items)) {
        out.push([`lone surrogate in ${label}[0]`, at, ['\ud800']]);
        out.push([`100 KB string in ${label}[0]`, at, [LONG_BODY_STRING]]);
      } else if (items.type === 'object' && depth < 1) {
        for (const [l, p, v] of fieldMutations(tools, items, `${label}[0]`, depth + 1).slice(0, 6)) {
          const item = { ...(tools.sample(items) as Json) };
          setAt(item, p, v);
          out.push([l, at, [item]]);
        }
      }
    }
    const objectBranch = tools.branches(prop).find((b) => b.type === 'object' && b.properties);
    if (objectBranch && depth < 1) {
      for (const [l, p, v] of fieldMutations(tools, objectBranch, label, depth + 1).slice(0, 6)) {
        const inner = { ...(tools.sample(objectBranch) as Json) };
        setAt(inner, p, v);
        out.push([l, at, inner]);
      }
    }
    const recordBranch = tools.branches(prop).find((b) => b.type === 'object' && !b.properties && b.additionalProperties);
    if (recordBranch) {
      out.push([`NUL byte in a key of ${label}`, at, { 'k\0ey': tools.sample(recordBranch.additionalProperties as Json) }]);
      out.push([`lone surrogate key in ${label}`, at, { '\ud800': tools.sample(recordBranch.additionalProperties as Json) }]);
    }
  }
  return out;
}

function setAt(target: Json, path: string[], value: unknown): void {
  let t = target;
  for (const key of path.slice(0, -1)) t = (t[key] ??= {}) as Json;
  t[path[path.length - 1]!] = value;
}

export interface GenerateOptions {
  /** Real values for path parameters by name (a workspace id, a file path); others get UNKNOWN_ID. */
  realParams: Record<string, string>;
  /** Most requests for one operation. */
  cap: number;
}

/**
 * The malformed requests for one operation. Path parameters are real where `realParams` names
 * them (so body and query mutations reach the handler) except in the path-parameter mutations;
 * query parameters are left out unless required (then sampled) or mutated.
 */
export function generateRequests(tools: SchemaTools, op: FuzzOperation, options: GenerateOptions): FuzzRequest[] {
  const pathParams = op.parameters.filter((p) => p.in === 'path');
  const queryParams = op.parameters.filter((p) => p.in === 'query');
  const realPath = (overrides: Record<string, string> = {}) =>
    op.path.replace(/\{([a-zA-Z_]+)\}/g, (_m, name: string) => overrides[name] ?? (options.realParams[name] !== undefined ? encodePathValue(options.realParams[name], name === 'path') : UNKNOWN_ID));
  const baseQuery = (): Array<[string, string]> => queryParams.filter((p) => p.required).map((p) => [p.name, String(tools.sample(p.schema))]);
  const url = (path: string, query: Array<[string, string]>) => (query.length ? `${path}?${query.map(([k, v]) => `${k}=${v}`).join('&')}` : path);
  const q = (pairs: Array<[string, string]>) => pairs.map(([k, v]) => [encodeURIComponent(k), encodeURIComponent(v)] as [string, string]);

  const requests: FuzzRequest[] = [];
  const add = (summary: string, path: string, query: Array<[string, string]>, init: { body?: string; contentType?: string } = {}) => {
    const headers: Record<string, string> = {};
    if (init.contentType) headers['content-type'] = init.contentType;
    requests.push({ operationId: op.operationId, method: op.method, url: url(path, query), headers, body: init.body, summary });
  };

  const baseBody = op.bodyKind === 'json' ? (tools.sample(op.bodySchema) as unknown) : undefined;
  const jsonBody = (value: unknown) => ({ body: JSON.stringify(value), contentType: 'application/json' });
  const baseInit = () => (op.bodyKind === 'json' ? jsonBody(baseBody) : {});

  // A well-formed read first, so each GET's success body is checked too.
  if (op.method === 'GET') add('well-formed read', realPath(), q(baseQuery()));

  // Path parameters: unknown and malformed values, one parameter at a time (the rest real).
  for (const p of pathParams) {
    for (const [label, value] of MALFORMED_PATH_VALUES) {
      if (p.name === 'path' && label === 'unknown id') continue; // a plain new file name is not malformed
      add(`path ${p.name}: ${label}`, realPath({ [p.name]: value }), q(baseQuery()), baseInit());
    }
  }

  // Query parameters: wrong types, NUL, invalid UTF-8, long, repeated, nested, unknown.
  for (const p of queryParams) {
    const others = q(baseQuery().filter(([k]) => k !== p.name));
    const path = realPath();
    const init = baseInit();
    for (const v of tools.wrongTypes(p.schema, 2)) {
      if (v === null || typeof v === 'object') continue;
      add(`query ${p.name}: wrong value ${describe(v)}`, path, [...others, ...q([[p.name, String(v)]])], init);
    }
    const s = tools.resolve(p.schema);
    if (s.type === 'integer' || s.type === 'number') {
      add(`query ${p.name}: not a number`, path, [...others, [p.name, 'abc']], init);
      add(`query ${p.name}: out of range`, path, [...others, [p.name, '-99999999999999999999']], init);
      add(`query ${p.name}: fraction`, path, [...others, [p.name, '1.5']], init);
    }
    if (Array.isArray(s.enum)) add(`query ${p.name}: not one of the enum`, path, [...others, [p.name, 'not-an-option']], init);
    add(`query ${p.name}: NUL byte`, path, [...others, [p.name, 'fu%00zz']], init);
    add(`query ${p.name}: lone surrogate (invalid UTF-8)`, path, [...others, [p.name, '%ED%A0%80']], init);
    add(`query ${p.name}: malformed percent escape`, path, [...others, [p.name, '%E0%A4%A']], init);
    add(`query ${p.name}: 8 KB value`, path, [...others, [p.name, LONG_URL_STRING]], init);
    add(`query ${p.name}: repeated`, path, [...others, [p.name, 'a'], [p.name, 'b']], init);
    add(`query ${p.name}: bracketed key`, path, [...others, [`${p.name}[a][b]`, 'c']], init);
    add(`query ${p.name}: empty`, path, [...others, [p.name, '']], init);
  }
  if (queryParams.length) {
    for (const p of queryParams.filter((x) => x.required)) {
      add(`query ${p.name}: missing (required)`, realPath(), q(baseQuery().filter(([k]) => k !== p.name)), baseInit());
    }
  }

  // JSON bodies.
  if (op.bodyKind === 'json') {
    const path = realPath();
    const query = q(baseQuery());
    const schema = tools.resolve(op.bodySchema);
    add('body sent as text/plain', path, query, { body: JSON.stringify(baseBody), contentType: 'text/plain' });
    add('body sent as form data', path, query, { body: 'a=1&b=2', contentType: 'application/x-www-form-urlencoded' });
    add('body is not JSON', path, query, { body: '{"unterminated": ', contentType: 'application/json' });
    add('body is a JSON array', path, query, jsonBody([baseBody]));
    add('body is a JSON string', path, query, jsonBody('fuzz'));
    add('body is JSON null', path, query, jsonBody(null));
    add(`body nested ${DEEP_LEVELS} levels`, path, query, jsonBody({ ...(baseBody as Json), deep: nest(DEEP_LEVELS) }));
    add('body has an extra field', path, query, jsonBody({ ...(baseBody as Json), __fuzz_extra: 'x' }));
    add('body has a __proto__ field', path, query, { body: `{"__proto__": {"polluted": true}${Object.keys(baseBody as Json).length ? `, ${JSON.stringify(baseBody).slice(1, -1)}` : ''}}`, contentType: 'application/json' });
    for (const name of (schema.required ?? []) as string[]) {
      const rest = { ...(baseBody as Json) };
      delete rest[name];
      add(`body without required ${name}`, path, query, jsonBody(rest));
    }
    for (const [label, at, value] of fieldMutations(tools, schema, '', 0)) {
      const body = structuredClone(baseBody) as Json;
      setAt(body, at, value);
      add(`body: ${label}`, path, query, jsonBody(body));
    }
  } else if (op.bodyKind === 'raw') {
    const path = realPath();
    const query = q(baseQuery());
    add('raw body with NUL bytes', path, query, { body: 'a\0b\0c', contentType: 'application/octet-stream' });
    add('raw body claims JSON but is not', path, query, { body: '{"content": ', contentType: 'application/json' });
    add('raw body JSON with wrong types', path, query, { body: JSON.stringify({ content: 12345, encoding: ['x'] }), contentType: 'application/json' });
    add(`raw body JSON nested ${DEEP_LEVELS} levels`, path, query, { body: JSON.stringify({ content: nest(DEEP_LEVELS) }), contentType: 'application/json' });
  } else if (op.bodyKind === 'multipart') {
    const path = realPath();
    const query = q(baseQuery());
    add('multipart route sent JSON', path, query, jsonBody({ file: 'x' }));
    add('multipart without a boundary', path, query, { body: 'x', contentType: 'multipart/form-data' });
    add('multipart with a broken body', path, query, { body: '--b\r\nContent-Disposition: form-data; name="f"; filename="a.txt"\r\n\r\nunterminated', contentType: 'multipart/form-data; boundary=b' });
    add('multipart with a NUL in the file name', path, query, { body: '--b\r\nContent-Disposition: form-data; name="f"; filename="a\0.txt"\r\n\r\nx\r\n--b--\r\n', contentType: 'multipart/form-data; boundary=b' });
    add('multipart with a traversal file name', path, query, { body: '--b\r\nContent-Disposition: form-data; name="f"; filename="../../escape.txt"\r\n\r\nx\r\n--b--\r\n', contentType: 'multipart/form-data; boundary=b' });
  }
  // Routes without a body get no body: one they ignore would make the call well-formed (start an app).

  if (requests.length <= options.cap) return requests;
  // Keep an even spread across the kinds of mutation.
  const step = requests.length / options.cap;
  return Array.from({ length: options.cap }, (_, i) => requests[Math.floor(i * step)]!);
}

function encodePathValue(value: string, wildcard: boolean): string {
  return wildcard ? value.split('/').map(encodeURIComponent).join('/') : encodeURIComponent(value);
}
