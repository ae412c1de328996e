/**
 * Checks on what a request carries before a route sees it, shared by every JSON route: whether a
 * body is present and sent as JSON, how deep a parsed JSON value nests, and which strings in it
 * (keys included) hold a NUL byte. All walks are iterative, so hostile nesting cannot overflow
 * the stack.
 */
import type { IncomingMessage } from 'node:http';

export const MAX_JSON_DEPTH = 64;

/** A body is present when it has a non-zero length or is chunked. */
export function hasBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  if (length !== undefined) return Number(length) > 0;
  return req.headers['transfer-encoding'] !== undefined;
}

/** application/json or any `+json` type (parameters such as charset allowed). */
export function isJsonContentType(header: string | undefined): boolean {
  const type = (header ?? '').split(';')[0]!.trim().toLowerCase();
  return type === 'application/json' || /^[a-z0-9!#$&^_.-]+\/[a-z0-9!#$&^_.+-]+\+json$/.test(type);
}

/** Whether `value` nests objects/arrays deeper than `max` levels. */
export function deeperThan(value: unknown, max = MAX_JSON_DEPTH): boolean {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    if (depth + 1 > max) return true;
    for (const child of Array.isArray(v) ? v : Object.values(v)) if (child !== null && typeof child === 'object') stack.push([child, depth + 1]);
  }
  return false;
}

export interface NulIssue {
  path: string;
  message: string;
}

/** Every string (value or key) under `value` that contains a NUL byte, as `where.a.0.b` paths. */
export function findNulBytes(value: unknown, where: string, limit = 20): NulIssue[] {
  const issues: NulIssue[] = [];
  const stack: Array<[unknown, string]> = [[value, where]];
  while (stack.length && issues.length < limit) {
    const [v, path] = stack.pop()!;
    if (typeof v === 'string') {
      if (v.includes('\0')) issues.push({ path, message: 'contains a NUL byte' });
    } else if (Array.isArray(v)) {
      v.forEach((child, i) => stack.push([child, `${path}.${i}`]));
    } else if (v !== null && typeof v === 'object') {
      for (const [key, child] of Object.entries(v)) {
        if (key.includes('\0')) issues.push({ path: `${path}.${key.replace(/\0/g, '\\0')}`, message: 'key contains a NUL byte' });
        stack.push([child, `${path}.${key}`]);
      }
    }
  }
  return issues.sort((a, b) => a.path.localeCompare(b.path));
}
