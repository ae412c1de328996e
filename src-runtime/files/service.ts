/**
 * The files domain: reading, listing, writing (atomic, If-Match guarded, mode preserved), deleting,
 * moving and creating folders inside a workspace root. Every path goes through path-guard first,
 * and every change through a folder opened and verified by platform/confined-fs (race-proof on Linux).
 * Strong ETags are content hashes (sha1) for files up to 8 MiB, cached per inode/size/ns-mtime and
 * recomputed for files touched in the last 2 s (so two writes a millisecond apart differ); larger
 * files get a stat-based tag (inode, size, ns mtime and ctime).
 */
import { createHash } from 'node:crypto';
import { createWriteStream, lstatSync, type BigIntStats, type Stats } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { ApiError, badRequest, conflict, notFound } from '../contract/errors.js';
import type { FileEntry, FileInfo } from '../contract/files.js';
import { GitIgnoreFilter } from './ignore-filter.js';
import { guardPath, type GuardedPath } from '../platform/path-guard.js';
import { KeyedLock } from '../platform/keyed-lock.js';
import { ConfinedDir, escaped, isTempName } from '../platform/confined-fs.js';

export { TEMP_MARK, TEMP_FILE_PATTERN, isTempName, tempName } from '../platform/confined-fs.js';

export const HASH_LIMIT = 8 * 1024 * 1024;
export const DEFAULT_MAX_WRITE_BYTES = 1024 * 1024 * 1024;
const RECENT_NS = 2_000_000_000n;
interface EtagCacheEntry {
  ino: bigint;
  size: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  etag: string;
}

export interface ListOptions {
  depth?: number;
  hidden?: boolean;
  gitignore?: boolean;
  limit?: number;
}

export interface WriteOptions {
  mkdir?: boolean;
  ifMatch?: string;
  maxBytes?: number;
  /** Upload: refuse to replace an existing file. */
  overwrite?: boolean;
}

function aborted(): ApiError {
  return badRequest('request_aborted', 'The upload was interrupted');
}

function statEtag(s: BigIntStats): string {
  return `"s-${s.ino.toString(36)}-${s.size.toString(36)}-${s.mtimeNs.toString(36)}-${s.ctimeNs.toString(36)}"`;
}

function hashEtag(hash: string): string {
  return `"${hash}"`;
}

function entryType(s: { isFile(): boolean; isDirectory(): boolean; isSymbolicLink(): boolean }): FileEntry['type'] {
  if (s.isSymbolicLink()) return 'symlink';
  if (s.isDirectory()) return 'directory';
  if (s.isFile()) return 'file';
  return 'other';
}

/** Parse an If-Match / If-None-Match list; weak tags compare by their opaque part. */
export function parseEtagList(header: string): string[] {
  return header
    .split(',')
    .map((t) => t.trim().replace(/^W\//, ''))
    .filter(Boolean);
}

/**
 * lstat of many names in one folder. Synchronous calls in slices of 256 with a yield between them:
 * for large folders this is several times faster than one promise per entry (10k entries: tens of
 * ms instead of hundreds) while never blocking the event loop for long.
 */
async function lstatMany(dir: string, names: string[]): Promise<Array<Stats | undefined>> {
  const out: Array<Stats | undefined> = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    if (i > 0 && i % 256 === 0) await new Promise((r) => setImmediate(r));
    out[i] = lstatSync(join(dir, names[i]!), { throwIfNoEntry: false });
  }
  return out;
}

export class FilesService {
  private readonly etags = new Map<string, EtagCacheEntry>();
  private readonly lock = new KeyedLock();
  /** Temp files of writes in progress (absolute paths); the stale-temp sweep leaves them alone. */
  readonly activeTemps = new Set<string>();

  /** Serialise writes to one path so an If-Match check and its rename are one step. */
  private locked<T>(key: string, fn: () => Promise<T>): Promise<T> {
    return this.lock.run(key, fn);
  }

  guard(root: string, path: string, field = 'path'): Promise<GuardedPath> {
    return guardPath(root, path, field);
  }

  async statOf(real: string): Promise<BigIntStats> {
    return stat(real, { bigint: true });
  }

  /**
   * The ETag of a file; `content` avoids a second read when the caller has the bytes, `readPath`
   * names the file for the read when `real` is only the cache key (a confined path).
   */
  async etagOf(real: string, s: BigIntStats, content?: Buffer, readPath = real): Promise<string> {
    if (s.size > BigInt(HASH_LIMIT)) return statEtag(s);
    const cached = this.etags.get(real);
    const recent = BigInt(Date.now()) * 1_000_000n - s.mtimeNs < RECENT_NS;
    if (cached && !recent && cached.ino === s.ino && cached.size === s.size && cached.mtimeNs === s.mtimeNs && cached.ctimeNs === s.ctimeNs) {
      return cached.etag;
    }
    const bytes = content ?? (await readFile(readPath));
    const etag = hashEtag(createHash('sha1').update(bytes).digest('base64url'));
    this.remember(real, s, etag);
    return etag;
  }

  private remember(real: string, s: BigIntStats, etag: string): void {
    if (this.etags.size > 50_000) this.etags.clear();
    this.etags.set(real, { ino: s.ino, size: s.size, mtimeNs: s.mtimeNs, ctimeNs: s.ctimeNs, etag });
  }

  async requireExisting(root: string, path: string): Promise<GuardedPath> {
    const g = await guardPath(root, path);
    if (!g.exists) throw notFound('file_not_found', `No file or folder at "${g.rel}"`);
    return g;
  }

  // -------------------------------------------------------------------------------------------
  // Listing

  async list(root: string, g: GuardedPath, options: ListOptions = {}): Promise<{ entries: FileEntry[]; truncated: boolean }> {
    const depth = options.depth ?? 1;
    const hidden = options.hidden ?? true;
    const limit = options.limit ?? 50_000;
    const filter = options.gitignore ? new GitIgnoreFilter(root) : undefined;
    const entries: FileEntry[] = [];
    let truncated = false;
    // Breadth first so a limit keeps the shallow entries.
    let level: Array<{ rel: string; real: string }> = [{ rel: g.rel, real: g.real }];
    for (let d = 0; d < depth && level.length && !truncated; d++) {
      const next: Array<{ rel: string; real: string }> = [];
      for (const dir of level) {
        let names: string[];
        try {
          names = (await readdir(dir.real)).sort();
        } catch {
          continue;
        }
        const candidates: string[] = [];
        for (const name of names) {
          if (!hidden && name.startsWith('.')) continue;
          if (isTempName(name)) continue;
          candidates.push(name);
        }
        const infos = await lstatMany(dir.real, candidates);
        for (let i = 0; i < candidates.length; i++) {
          const name = candidates[i]!;
          const info = infos[i];
          if (!info) continue;
          const rel = dir.rel ? `${dir.rel}/${name}` : name;
          const type = entryType(info);
          if (filter && (await filter.ignores(rel, type === 'directory'))) continue;
          if (entries.length >= limit) {
            truncated = true;
            break;
          }
          entries.push({ name, path: rel, type, size: type === 'directory' ? 0 : info.size, mtime: info.mtime.toISOString() });
          if (type === 'directory' && name !== '.git') next.push({ rel, real: join(dir.real, name) });
        }
        if (truncated) break;
      }
      level = next;
    }
    return { entries, truncated };
  }

  // -------------------------------------------------------------------------------------------
  // Writing. Every change goes through a ConfinedDir (platform/confined-fs.ts): the folder it
  // happens in is opened and verified inside the root, and the operation resolves through that
  // open folder, so a symlink swapped into the path after the guard's check cannot redirect it.

  /** Open the folder of a guarded path, with the errors a client can act on. */
  private async openParent(root: string, dir: string, rel: string, create: boolean): Promise<ConfinedDir> {
    try {
      return await ConfinedDir.open([root], dir, { create, what: `The folder holding "${rel}"` });
    } catch (error) {
      if (error instanceof ApiError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT') {
        throw notFound('parent_not_found', create ? `The folder of "${rel}" disappeared while it was being created` : `The folder of "${rel}" does not exist; pass ?mkdir=true to create it`);
      }
      if (code === 'ENOTDIR' || code === 'EEXIST') throw conflict('not_a_directory', `A file is in the way of the folder of "${rel}"`);
      if (code === 'ELOOP') throw escaped(`The folder holding "${rel}"`);
      throw error;
    }
  }

  /**
   * Write `source` to `path` atomically: a temp file beside the target, then rename. The mode of
   * an existing file is kept. `ifMatch` ("*" or ETags) must match the current file (412 if not).
   */
  async write(root: string, path: string, source: Readable | Buffer, options: WriteOptions = {}): Promise<FileInfo> {
    const g = await guardPath(root, path);
    if (!g.rel) throw badRequest('is_a_directory', 'The workspace root is a folder, not a file');
    return this.locked(g.real, async () => {
      const dir = await this.openParent(root, dirname(g.real), g.rel, options.mkdir ?? false);
      try {
        return await this.writeIn(dir, g, source, options).catch((error: unknown) => {
          // The verified folder was deleted while we wrote into it: nothing is left behind.
          if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw notFound('parent_not_found', `The folder of "${g.rel}" was removed while writing it; nothing was written`);
          throw error;
        });
      } finally {
        await dir.close();
      }
    });
  }

  private async writeIn(dir: ConfinedDir, g: GuardedPath, source: Readable | Buffer, options: WriteOptions): Promise<FileInfo> {
    const name = basename(g.real);
    const existing = await dir.lstat(name);
    // The guard resolved every link up to here: a link now is one swapped in since.
    if (existing?.isSymbolicLink()) throw escaped(`path "${g.rel}"`);
    if (existing?.isDirectory()) throw conflict('is_a_directory', `"${g.rel}" is a folder; a file cannot replace it`);
    if (options.overwrite === false && existing) throw conflict('file_exists', `"${g.rel}" already exists`);
    if (options.ifMatch !== undefined) {
      const wanted = parseEtagList(options.ifMatch);
      if (!existing) throw new ApiError(412, 'precondition_failed', `If-Match: "${g.rel}" does not exist`);
      if (!wanted.includes('*')) {
        const current = await this.etagOf(g.real, existing, undefined, dir.at(name));
        if (!wanted.includes(current)) {
          throw new ApiError(412, 'precondition_failed', `If-Match: "${g.rel}" changed since you read it (current ETag ${current})`, { etag: current });
        }
      }
    }
    if (!Buffer.isBuffer(source) && (source.destroyed || source.errored)) throw aborted();
    const tmp = await dir.createTemp(name);
    const hash = createHash('sha1');
    const maxBytes = options.maxBytes ?? DEFAULT_MAX_WRITE_BYTES;
    let size = 0;
    this.activeTemps.add(tmp.real);
    let out: ReturnType<typeof createWriteStream> | undefined;
    try {
      if (existing) await tmp.handle.chmod(Number(existing.mode) & 0o7777);
      // The stream owns the handle from here and closes it when it ends or fails.
      out = createWriteStream('', { fd: tmp.handle });
      if (Buffer.isBuffer(source)) {
        if (source.length > maxBytes) throw new ApiError(413, 'file_too_large', `The file is larger than the ${maxBytes} byte limit`);
        hash.update(source);
        size = source.length;
        await pipeline([source], out);
      } else {
        const meter = new Transform({
          transform(chunk: Buffer, _enc, done) {
            size += chunk.length;
            if (size > maxBytes) return done(new ApiError(413, 'file_too_large', `The file is larger than the ${maxBytes} byte limit`));
            hash.update(chunk);
            done(null, chunk);
          },
        });
        await pipeline(source, meter, out);
      }
      await dir.rename(tmp.name, name);
    } catch (error) {
      // The temp file goes at once: let the write stream release its descriptor, then unlink it
      // through the same opened folder it was created in.
      if (out && !out.closed) {
        const stream = out;
        await new Promise<void>((resolve) => {
          stream.once('close', () => resolve());
          stream.destroy();
        });
      } else if (!out) await tmp.handle.close().catch(() => undefined);
      await dir.unlink(tmp.name).catch(() => undefined);
      if (error instanceof ApiError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ERR_STREAM_PREMATURE_CLOSE' || code === 'ECONNRESET' || code === 'ECONNABORTED' || code === 'ERR_STREAM_DESTROYED') throw aborted();
      throw error;
    } finally {
      this.activeTemps.delete(tmp.real);
    }
    const after = await dir.lstat(name);
    if (!after) {
      // Written, then deleted or moved by someone else before we looked: the write still happened.
      return { path: g.rel, size, mtime: new Date().toISOString(), etag: hashEtag(hash.digest('base64url')), created: !existing };
    }
    const etag = after.size > BigInt(HASH_LIMIT) ? statEtag(after) : hashEtag(hash.digest('base64url'));
    this.remember(g.real, after, etag);
    return { path: g.rel, size, mtime: after.mtime.toISOString(), etag, created: !existing };
  }

  // -------------------------------------------------------------------------------------------
  // Delete, move, mkdir

  async remove(root: string, path: string, recursive: boolean): Promise<void> {
    const g = await this.requireExisting(root, path);
    if (!g.rel) throw badRequest('cannot_delete_root', 'The workspace root cannot be deleted through the files API');
    // The entry itself (a link is deleted, not what it points to), in its verified folder.
    const dir = await this.openParent(root, dirname(g.abs), g.rel, false);
    try {
      const name = basename(g.abs);
      const info = await dir.lstat(name);
      if (!info) throw notFound('file_not_found', `No file or folder at "${g.rel}"`);
      if (info.isDirectory()) {
        if (recursive) await dir.removeTree(name);
        else {
          await dir.rmdir(name).catch((error: NodeJS.ErrnoException) => {
            if (error.code === 'ENOTEMPTY' || error.code === 'EEXIST') throw conflict('directory_not_empty', `"${g.rel}" is not empty; pass ?recursive=true to delete it with its contents`);
            throw error;
          });
        }
      } else {
        await dir.unlink(name).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') throw notFound('file_not_found', `No file or folder at "${g.rel}"`);
          // Swapped for a folder since the lstat: say what is there now.
          if (error.code === 'EISDIR' || error.code === 'EPERM') throw conflict('is_a_directory', `"${g.rel}" changed into a folder while it was being deleted`);
          throw error;
        });
      }
    } finally {
      await dir.close();
    }
    this.etags.delete(g.real);
  }

  async move(root: string, from: string, to: string, overwrite = false): Promise<FileEntry> {
    const src = await guardPath(root, from, 'from');
    if (!src.exists) throw notFound('file_not_found', `No file or folder at "${src.rel}"`);
    if (!src.rel) throw badRequest('cannot_move_root', 'The workspace root cannot be moved');
    const dst = await guardPath(root, to, 'to');
    if (!dst.rel) throw badRequest('invalid_destination', 'The destination cannot be the workspace root');
    if (dst.rel === src.rel) throw badRequest('invalid_destination', 'Source and destination are the same');
    if (dst.rel.startsWith(`${src.rel}/`)) throw badRequest('invalid_destination', `Cannot move "${src.rel}" into itself`);
    if (dst.exists && !overwrite) throw conflict('destination_exists', `"${dst.rel}" already exists; pass "overwrite": true to replace it`);
    // Both ends are opened and verified: the entry moved is the one in the source folder (a link
    // moves as a link), and it lands in the destination folder, whatever happens to the paths.
    const from_ = await this.openParent(root, dirname(src.abs), src.rel, false);
    try {
      const to_ = await this.openParent(root, dirname(dst.real), dst.rel, true);
      try {
        const srcName = basename(src.abs);
        const dstName = basename(dst.real);
        const moving = await from_.lstat(srcName);
        if (!moving) throw notFound('file_not_found', `No file or folder at "${src.rel}"`);
        const d = await to_.lstat(dstName);
        if (d && !overwrite) throw conflict('destination_exists', `"${dst.rel}" already exists; pass "overwrite": true to replace it`);
        if (d?.isDirectory()) throw conflict('destination_exists', `"${dst.rel}" is a folder and is not replaced`);
        await from_.rename(srcName, dstName, to_).catch((error: NodeJS.ErrnoException) => {
          if (error.code === 'ENOENT') throw notFound('file_not_found', `No file or folder at "${src.rel}"`);
          if (error.code === 'EINVAL') throw badRequest('invalid_destination', `Cannot move "${src.rel}" into itself`);
          if (error.code === 'EISDIR' || error.code === 'ENOTDIR' || error.code === 'ENOTEMPTY' || error.code === 'EEXIST') {
            throw conflict('destination_exists', `"${dst.rel}" changed while the move ran and is not replaced`);
          }
          throw error;
        });
        this.etags.delete(src.real);
        // Moved, then perhaps removed by someone else at once: describe what was moved.
        const info = (await to_.lstat(dstName)) ?? moving;
        const type = entryType(info);
        return { name: basename(dst.rel), path: dst.rel, type, size: type === 'directory' ? 0 : Number(info.size), mtime: info.mtime.toISOString() };
      } finally {
        await to_.close();
      }
    } finally {
      await from_.close();
    }
  }

  async mkdir(root: string, path: string, parents = true): Promise<{ entry: FileEntry; created: boolean }> {
    const g = await guardPath(root, path);
    const made = (info: { mtime: Date }, created: boolean) => ({ entry: { name: basename(g.rel), path: g.rel, type: 'directory' as const, size: 0, mtime: info.mtime.toISOString() }, created });
    if (g.exists) {
      const info = await stat(g.real);
      if (!info.isDirectory()) throw conflict('file_exists', `"${g.rel}" exists and is a file`);
      return made(info, false);
    }
    let dir: ConfinedDir;
    try {
      dir = await this.openParent(root, dirname(g.real), g.rel, parents);
    } catch (error) {
      if (error instanceof ApiError && error.code === 'parent_not_found' && !parents) {
        throw notFound('parent_not_found', `The parent of "${g.rel}" does not exist (omit "parents": false to create it)`);
      }
      throw error;
    }
    try {
      const name = basename(g.real);
      let created = true;
      await dir.mkdir(name).catch(async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error;
        // Made meanwhile: fine if it is a folder (not a link to one).
        if (!(await dir.lstat(name))?.isDirectory()) throw conflict('not_a_directory', `A file is in the way of "${g.rel}"`);
        created = false;
      });
      const info = await dir.lstat(name);
      if (!info?.isDirectory()) throw conflict('not_a_directory', `"${g.rel}" changed while it was being created`);
      return made(info, created);
    } finally {
      await dir.close();
    }
  }
}
