/**
 * The typed HTTP client: one fetch wrapper bound to a runtime's base URL and token. `call(route,
 * {params, query, body})` takes a route declaration from contract/ and returns its success body,
 * typed from the zod schemas; a non-2xx answer becomes an ApiError carrying the wire error's status,
 * code, message and details. `raw()` is the same without JSON parsing (file bytes, downloads).
 */
import { authApi } from '../contract/auth.js';
import { ApiError } from '../contract/errors.js';
import type { RouteBody, RouteDef, RouteOutput, RouteParams, RouteQuery } from '../contract/route.js';

type RawBody = NonNullable<RequestInit['body']>;

export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

export interface ClientOptions {
  /** Runtime origin, e.g. http://127.0.0.1:3002 (no trailing /api). An empty string means same origin. */
  baseUrl: string;
  /** Bearer token; a function is read on every request (the token may arrive late). */
  token?: string | null | (() => string | null | undefined);
  /** fetch implementation (tests, Node < 18 polyfills); defaults to the global one. */
  fetch?: FetchLike;
}

type Defined<T> = unknown extends T ? never : T;

export interface CallArgs<D> {
  params?: Defined<RouteParams<D>> | Record<string, string | number>;
  query?: Defined<RouteQuery<D>> | Record<string, string | number | boolean | undefined>;
  /** JSON body, or for `bodyKind: 'raw' | 'multipart'` routes anything fetch accepts (string, Blob, FormData). */
  body?: Defined<RouteBody<D>> | RawBody;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Fill `{name}` parameters; the wildcard keeps its slashes, every segment is encoded. */
export function buildPath(def: Pick<RouteDef, 'path' | 'wildcard'>, params: Record<string, unknown> = {}): string {
  let path = def.path;
  if (def.wildcard) {
    const value = params[def.wildcard];
    const rest = value === undefined || value === null ? '' : String(value).split('/').filter(Boolean).map(encodeURIComponent).join('/');
    path = path.replace(`/{${def.wildcard}}`, rest ? `/${rest}` : '');
  }
  return path.replace(/\{([a-zA-Z_]+)\}/g, (_m, name: string) => {
    const value = params[name];
    if (value === undefined || value === null) throw new Error(`${def.path}: missing path parameter "${name}"`);
    return encodeURIComponent(String(value));
  });
}

export function buildQuery(query: Record<string, unknown> | undefined): string {
  if (!query) return '';
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null) continue;
    if (Array.isArray(value)) value.forEach((v) => search.append(key, String(v)));
    else search.set(key, String(value));
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}

function isRawBody(value: unknown): value is RawBody {
  return (
    typeof value === 'string' ||
    (typeof Blob !== 'undefined' && value instanceof Blob) ||
    (typeof FormData !== 'undefined' && value instanceof FormData) ||
    value instanceof ArrayBuffer ||
    ArrayBuffer.isView(value) ||
    (typeof ReadableStream !== 'undefined' && value instanceof ReadableStream)
  );
}

/** Turn an error response into an ApiError, whatever its body looks like. */
export async function errorFromResponse(res: Response): Promise<ApiError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { error?: unknown; code?: unknown; details?: unknown };
    if (typeof body.error === 'string') {
      return new ApiError(res.status, typeof body.code === 'string' ? body.code : `http_${res.status}`, body.error, body.details);
    }
  } catch {
    // not JSON: fall through
  }
  return new ApiError(res.status, `http_${res.status}`, text.trim().slice(0, 500) || `${res.status} ${res.statusText}`);
}

export class RuntimeClient {
  readonly baseUrl: string;
  private readonly fetchImpl: FetchLike;
  private readonly tokenSource: ClientOptions['token'];

  constructor(options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.tokenSource = options.token;
    const f = options.fetch ?? ((input: string, init?: RequestInit) => globalThis.fetch(input, init));
    this.fetchImpl = f;
  }

  token(): string | null {
    const t = typeof this.tokenSource === 'function' ? this.tokenSource() : this.tokenSource;
    return t ?? null;
  }

  /** Absolute URL of a route with its params and query filled in. */
  url<D extends RouteDef>(def: D, args: Pick<CallArgs<D>, 'params' | 'query'> = {}): string {
    return `${this.baseUrl}${buildPath(def, args.params as Record<string, unknown>)}${buildQuery(args.query as Record<string, unknown>)}`;
  }

  /**
   * A fresh single-use connection ticket (`POST /api/v1/auth/tickets`, valid 30 s): what goes in a
   * WebSocket or EventSource URL as `?ticket=` instead of the token. Ask for one per connection.
   */
  async ticket(): Promise<string> {
    const { ticket } = await this.call(authApi.createTicket);
    return ticket.value;
  }

  /**
   * The URL of an SSE route with a fresh `?ticket=` in it, for a native EventSource (which cannot
   * send the Authorization header). Call it again for every reconnect: the ticket works once.
   */
  async ticketUrl<D extends RouteDef>(def: D, args: Pick<CallArgs<D>, 'params' | 'query'> = {}): Promise<string> {
    const query = { ...(args.query as Record<string, unknown> | undefined), ticket: await this.ticket() };
    return `${this.baseUrl}${buildPath(def, args.params as Record<string, unknown>)}${buildQuery(query)}`;
  }

  /** Send a request for a route and return the Response when it is 2xx (throws ApiError otherwise). */
  async raw<D extends RouteDef>(def: D, args: CallArgs<D> = {}): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json', ...args.headers };
    const token = this.token();
    if (token) headers.authorization = `Bearer ${token}`;
    let body: RawBody | undefined;
    if (args.body !== undefined) {
      if ((def.bodyKind === 'raw' || def.bodyKind === 'multipart') && isRawBody(args.body)) {
        body = args.body;
      } else {
        body = JSON.stringify(args.body);
        headers['content-type'] = 'application/json';
      }
    } else if (def.body && def.method !== 'get') {
      body = '{}';
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await this.fetchImpl(this.url(def, args), { method: def.method.toUpperCase(), headers, body, signal: args.signal });
    } catch (error) {
      if ((error as Error).name === 'AbortError') throw error;
      throw new ApiError(0, 'network_error', `The runtime at ${this.baseUrl || 'this origin'} could not be reached: ${(error as Error).message}`);
    }
    if (!res.ok) throw await errorFromResponse(res);
    return res;
  }

  /** Call a route and return its parsed JSON success body. */
  async call<D extends RouteDef>(def: D, args: CallArgs<D> = {}): Promise<RouteOutput<D>> {
    const res = await this.raw(def, args);
    if (res.status === 204) return undefined as RouteOutput<D>;
    const text = await res.text();
    if (!text) return undefined as RouteOutput<D>;
    const type = res.headers.get('content-type') ?? '';
    if (!type.includes('json')) return text as RouteOutput<D>;
    return JSON.parse(text) as RouteOutput<D>;
  }
}

export function createClient(options: ClientOptions): RuntimeClient {
  return new RuntimeClient(options);
}
