/** Opaque prefixed ids (`ws_…`, `run_…`): random, URL-safe, sortable enough to read in logs. */
import { randomBytes } from 'node:crypto';
import { ID_PREFIXES, type IdKind } from './contract/common.js';

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}${randomBytes(9).toString('base64url')}`;
}

/** A stable id derived from a key (apps: workspace + manifest file + manifest id). */
export async function stableId(kind: IdKind, key: string): Promise<string> {
  const { createHash } = await import('node:crypto');
  return `${ID_PREFIXES[kind]}${createHash('sha256').update(key).digest('base64url').slice(0, 12)}`;
}
