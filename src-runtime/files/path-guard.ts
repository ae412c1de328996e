/**
 * Path safety: turns a client-supplied relative path into a location inside a workspace root, or
 * refuses it with a 4xx and a machine code. Refused: NUL bytes, absolute paths (POSIX, drive
 * letters, UNC), `..` segments (also behind a leftover percent-encoding, i.e. double-encoded
 * traversal, and behind backslashes), existing paths whose real path leaves the root (symlinks),
 * and new paths whose nearest existing ancestor resolves outside the root.
 */
import { realpathSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { ApiError, badRequest } from '../contract/errors.js';

export interface GuardedPath {
  /** Normalised relative path, "/"-separated, "" for the root. */
  rel: string;
  /** Lexical absolute path (root + rel); a symlink here is the link itself. */
  abs: string;
  /** Real path when the path exists (symlinks resolved, always inside the root), else the lexical path under the real ancestor. */
  real: string;
  /** Whether something (file, folder, link) exists at `abs`. */
  exists: boolean;
}

const outside = (what: string) =>
  new ApiError(403, 'path_outside_workspace', `${what} resolves outside the workspace (through a symlink)`);

function decodeOnce(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

/** Lexical checks only; returns the normalised segments. Exported for tests and upload names. */
export function normaliseRelative(input: string, field = 'path'): string[] {
  if (input.includes('\0')) throw badRequest('invalid_path', `${field} contains a NUL byte`);
  // A path that still decodes to something different carries encoded characters: check what it
  // would mean if some layer decoded it again (double-encoded traversal such as %252e%252e).
  const candidates = [input];
  let current = input;
  for (let i = 0; i < 3 && /%[0-9a-fA-F]{2}/.test(current); i++) {
    const next = decodeOnce(current);
    if (next === undefined || next === current) break;
    candidates.push(next);
    current = next;
  }
  for (const candidate of candidates) {
    if (candidate.includes('\0')) throw badRequest('invalid_path', `${field} contains an encoded NUL byte`);
    if (candidate.startsWith('/') || candidate.startsWith('\\') || /^[A-Za-z]:/.test(candidate)) {
      throw badRequest('path_absolute', `${field} must be relative to the workspace root, got "${input}"`);
    }
    if (candidate.split(/[\\/]/).some((s) => s === '..')) {
      throw badRequest('path_traversal', `${field} may not contain ".." segments, got "${input}"`);
    }
  }
  return input.split('/').filter((s) => s !== '' && s !== '.');
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/**
 * Resolve `input` under `root` (a real path). `field` names the parameter in messages.
 * Every existing ancestor is resolved, so a symlinked folder leading out is refused even for new
 * files below it.
 */
export async function guardPath(root: string, input: string, field = 'path'): Promise<GuardedPath> {
  const segments = normaliseRelative(input, field);
  const rel = segments.join('/');
  const abs = segments.length ? join(root, ...segments) : root;
  if (!inside(root, abs)) throw badRequest('path_traversal', `${field} leaves the workspace`);
  // Fast path: the whole path exists; one realpath(3) call resolves every link on the way. It is
  // synchronous on purpose: a metadata lookup on a local disk costs microseconds, while a trip
  // through the libuv pool queues behind every other request under load (files-read bench).
  try {
    const real = realpathSync.native(abs);
    if (!inside(root, real)) throw outside(`${field} "${rel}"`);
    return { rel, abs, real, exists: true };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      // A dangling symlink or a loop: lstat tells whether something is there.
      if (code === 'ELOOP') throw outside(`${field} "${rel}"`);
      throw badRequest('invalid_path', `${field} "${rel}" cannot be resolved: ${code ?? 'error'}`);
    }
  }
  // Something at abs may still exist as a dangling link.
  const linkThere = await lstat(abs).then(
    (s) => s,
    () => undefined,
  );
  if (linkThere?.isSymbolicLink()) throw outside(`${field} "${rel}" is a symlink whose target`);
  // Walk up to the nearest existing ancestor and check where it really is.
  for (let i = segments.length - 1; i >= 0; i--) {
    const ancestor = i === 0 ? root : join(root, ...segments.slice(0, i));
    const info = await lstat(ancestor).catch(() => undefined);
    if (!info) continue;
    const realAncestor = await realpath(ancestor).catch(() => undefined);
    if (!realAncestor || !inside(root, realAncestor)) throw outside(`The folder holding ${field} "${rel}"`);
    const real = join(realAncestor, ...segments.slice(i));
    return { rel, abs, real, exists: false };
  }
  return { rel, abs, real: abs, exists: false };
}

/** "/"-separated path of `abs` relative to `root`. */
export function toRel(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}
