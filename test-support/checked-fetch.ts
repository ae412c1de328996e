/**
 * The one fetch wrapper every integration test uses: it sends the request, then validates the
 * response status and JSON body against the runtime's own served OpenAPI document. A status the
 * document does not declare for the operation, or a body that does not match, fails the test.
 */
import { createRequire } from 'node:module';
import type { ValidateFunction } from 'ajv';

// ajv and ajv-formats are CommonJS with `exports.default`; require them to avoid interop guesswork.
const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default as typeof import('ajv/dist/2020').default;
const addFormats = require('ajv-formats').default as (ajv: unknown) => void;

type Json = Record<string, unknown>;

interface Operation {
  method: string;
  regex: RegExp;
  path: string;
  responses: Record<string, Json>;
}

export class ContractViolation extends Error {}

export class ContractChecker {
  private readonly ops: Operation[] = [];
  private readonly ajv: InstanceType<typeof Ajv2020>;
  private readonly cache = new Map<string, ValidateFunction>();

  constructor(readonly doc: Json) {
    this.ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(this.ajv);
    for (const [path, methods] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
      const source = path
        .replace(/[.*+?^$()|[\]\\]/g, '\\$&')
        .replace(/\/\\?\{([a-zA-Z_]+)\\?\}$/, (m, name: string) => {
          const op = Object.values(methods)[0] as Json;
          const isWildcard = ((op.parameters as Json[]) ?? []).some((p) => p.name === name && String(p.description ?? '').startsWith('Rest of the path'));
          return isWildcard ? '(?:/.*)?' : m;
        })
        .replace(/\\?\{([a-zA-Z_]+)\\?\}/g, '[^/]+');
      for (const [method, op] of Object.entries(methods)) {
        this.ops.push({ method: method.toUpperCase(), regex: new RegExp(`^${source}/?$`), path, responses: (op.responses ?? {}) as Record<string, Json> });
      }
    }
    // Specific paths before parameterised ones.
    this.ops.sort((a, b) => (a.path.match(/\{/g)?.length ?? 0) - (b.path.match(/\{/g)?.length ?? 0));
  }

  find(method: string, pathname: string): Operation | undefined {
    return this.ops.find((o) => o.method === method.toUpperCase() && o.regex.test(pathname));
  }

  check(method: string, pathname: string, status: number, contentType: string | null, body: unknown): void {
    const op = this.find(method, pathname);
    if (!op) throw new ContractViolation(`${method} ${pathname} is not in the OpenAPI document`);
    const response = op.responses[String(status)];
    if (!response) throw new ContractViolation(`${method} ${pathname} answered ${status}, which ${op.path} does not document (${Object.keys(op.responses).join(', ')}); body: ${JSON.stringify(body)?.slice(0, 500)}`);
    const content = response.content as Record<string, Json> | undefined;
    if (!content || status === 204 || status === 304) return;
    const json = content['application/json'];
    if (!json) return;
    if (!contentType?.includes('application/json')) throw new ContractViolation(`${method} ${pathname} ${status}: documented as JSON, got ${contentType}`);
    const key = `${op.method} ${op.path} ${status}`;
    const validate = this.cache.get(key) ?? this.ajv.compile({ ...(json.schema as Json), components: this.doc.components });
    this.cache.set(key, validate);
    if (!validate(body)) {
      throw new ContractViolation(`${method} ${pathname} ${status}: body does not match the document: ${this.ajv.errorsText(validate.errors)}; body: ${JSON.stringify(body)?.slice(0, 800)}`);
    }
  }
}

const checkers = new Map<string, Promise<ContractChecker>>();

async function checkerFor(baseUrl: string, token: string): Promise<ContractChecker> {
  let checker = checkers.get(baseUrl);
  if (!checker) {
    checker = fetch(`${baseUrl}/api/v1/openapi.json`, { headers: { authorization: `Bearer ${token}` } }).then(async (r) => {
      if (!r.ok) throw new Error(`openapi.json answered ${r.status}`);
      return new ContractChecker((await r.json()) as Json);
    });
    checkers.set(baseUrl, checker);
  }
  return checker;
}

/**
 * A fetch that validates each response against the served document. JSON responses are read
 * (the returned Response is a clone with the body still readable); streams are checked by status
 * and content type only.
 */
export function createCheckedFetch(baseUrl: string, token: string): typeof fetch {
  return async (input, init) => {
    const request = new Request(input instanceof Request ? input : new URL(String(input), baseUrl), init);
    const response = await fetch(request);
    const checker = await checkerFor(baseUrl, token);
    const url = new URL(request.url);
    const type = response.headers.get('content-type');
    let body: unknown = undefined;
    if (type?.includes('application/json')) body = await response.clone().json();
    checker.check(request.method, url.pathname, response.status, type, body);
    return response;
  };
}
