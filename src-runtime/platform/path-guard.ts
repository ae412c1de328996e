/**
 * Path safety, the one guard for every feature: turns a client-supplied relative path into a
 * location inside a workspace root (`guardPath`), or an absolute path into one inside any of
 * several roots (`guardAbsolutePath`: an agent's file access, confined to the workspace and its
 * add_dirs), or refuses it with a 4xx and a machine code. Refused: NUL bytes, absolute paths
 * (POSIX, drive letters, UNC) where a relative one is expected, `..` segments (also behind a
 * leftover percent-encoding, i.e. double-encoded traversal, and behind backslashes), existing
 * paths whose real path leaves the roots (symlinks), dangling symlinks, and new paths whose
 * nearest existing ancestor resolves outside the roots.
 */
import { realpathSync } from 'node:fs';
import { lstat, realpath } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
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

const insideAny = (roots: readonly string[], path: string) => roots.some((root) => inside(root, path));

/**
 * Where the lexical path `abs` really is, refused (403) when that leaves every root (real paths).
 * An existing path is resolved whole; otherwise a dangling symlink at `abs` is refused (writing
 * through it would land wherever it points) and its nearest existing ancestor is resolved — so a
 * symlinked folder leading out is refused even for new files below it. The walk up stops at
 * `floor` when given (guardPath's root: nothing above it was asked for).
 */
async function resolveReal(roots: readonly string[], abs: string, what: string, floor?: string): Promise<{ real: string; exists: boolean }> {
  // Fast path: the whole path exists; one realpath(3) call resolves every link on the way. It is
  // synchronous on purpose: a metadata lookup on a local disk costs microseconds, while a trip
  // through the libuv pool queues behind every other request under load (files-read bench).
  try {
    const real = realpathSync.native(abs);
    if (!insideAny(roots, real)) throw outside(what);
    return { real, exists: true };
  } catch (error) {
    if (error instanceof ApiError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'ENOENT' && code !== 'ENOTDIR') {
      // A dangling symlink or a loop: lstat tells whether something is there.
      if (code === 'ELOOP') throw outside(what);
      throw badRequest('invalid_path', `${what} cannot be resolved: ${code ?? 'error'}`);
    }
  }
  // Something at abs may still exist as a dangling link.
  const linkThere = await lstat(abs).then(
    (s) => s,
    () => undefined,
  );
  if (linkThere?.isSymbolicLink()) throw outside(`${what} is a symlink whose target`);
  // Walk up to the nearest existing ancestor and check where it really is.
  const rest: string[] = [];
  for (let ancestor = abs; ancestor !== floor && dirname(ancestor) !== ancestor; ) {
    rest.unshift(basename(ancestor));
    ancestor = dirname(ancestor);
    const info = await lstat(ancestor).catch(() => undefined);
    if (!info) continue;
    const realAncestor = await realpath(ancestor).catch(() => undefined);
    if (!realAncestor || !insideAny(roots, realAncestor)) throw outside(`The folder holding ${what}`);
    return { real: join(realAncestor, ...rest), exists: false };
  }
  return { real: abs, exists: false };
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
  const { real, exists } = await resolveReal([root], abs, `${field} "${rel}"`, root);
  return { rel, abs, real, exists };
}

export interface GuardedAbsolutePath {
  /** The path as given, normalised (`.`/`..` resolved lexically). */
  abs: string;
  /** Real path when it exists (symlinks resolved), else the lexical rest under its real ancestor; inside one of the roots either way. */
  real: string;
  exists: boolean;
}

/**
 * Confine an absolute path to any of `roots` (a workspace and its add_dirs): its real path — after
 * every symlink on the way, for new paths that of the nearest existing ancestor — must lie inside
 * the real path of one of them. A path reached through a link from outside that lands inside is
 * accepted; one inside that leads out is refused.
 */
export async function guardAbsolutePath(roots: readonly string[], input: string, field = 'path'): Promise<GuardedAbsolutePath> {
  if (input.includes('\0')) throw badRequest('invalid_path', `${field} contains a NUL byte`);
  if (!isAbsolute(input)) throw badRequest('path_not_absolute', `${field} must be absolute, got "${input}"`);
  const abs = resolve(input);
  const realRoots = await Promise.all(roots.map((root) => realpath(root).catch(() => resolve(root))));
  try {
    return { abs, ...(await resolveReal(realRoots, abs, `${field} "${input}"`)) };
  } catch (error) {
    // Not even lexically inside: say so plainly rather than blaming a symlink.
    if (error instanceof ApiError && error.code === 'path_outside_workspace' && !insideAny(realRoots, abs) && !insideAny(roots.map((r) => resolve(r)), abs)) {
      throw new ApiError(403, 'path_outside_workspace', `${field} "${input}" is outside the workspace`);
    }
    throw error;
  }
}

/** "/"-separated path of `abs` relative to `root`. */
export function toRel(root: string, abs: string): string {
  return relative(root, abs).split(sep).join('/');
}
