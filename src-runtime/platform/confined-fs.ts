/**
 * Confined writes: every create, write, move, mkdir and delete under a workspace root that a
 * request names goes through a directory opened here, so a symlink swapped into the path between
 * the path guard's check and the operation cannot redirect it outside the roots.
 *
 * How (Linux): the parent directory is opened (O_RDONLY|O_DIRECTORY), and the opened descriptor's
 * real location — `readlink(/proc/self/fd/N)`, which names the directory the kernel actually
 * opened, whatever links the path went through — must lie inside one of the roots. Operations then
 * use `/proc/self/fd/N/<name>`: the kernel resolves that through the already-open directory, so a
 * later swap of any path component cannot move it. The last component is never followed: temp
 * files are created O_CREAT|O_EXCL|O_NOFOLLOW, children are opened O_NOFOLLOW, and
 * mkdir/rename/unlink/rmdir/lstat act on a link itself. Missing folders are created one at a time,
 * each inside a verified parent and verified again once opened. Recursive deletes descend through
 * descriptors the same way and never follow a link.
 *
 * Elsewhere (no /proc/self/fd) the same calls fall back to check-then-use on the verified real
 * path plus a check after each operation; a swap that lands in between is detected afterwards
 * but not prevented. The race guarantee is Linux-only.
 *
 * Moving the verified directory itself out of the workspace while an operation runs is not a path
 * swap and is not covered: the write lands in that directory wherever it went.
 */
import { randomBytes } from 'node:crypto';
import { constants, existsSync, type BigIntStats } from 'node:fs';
import { lstat, mkdir, open, readdir, readlink, realpath, rename, rm, rmdir, symlink, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join, resolve, sep } from 'node:path';
import { ApiError } from '../contract/errors.js';

/** Temp files of atomic writes and uploads carry this mark; watchers, listings and exports skip them. */
export const TEMP_MARK = '.wr-tmp-';

/** The exact shape of the temp files this runtime creates (see tempName); the stale sweep deletes only these. */
export const TEMP_FILE_PATTERN = /^\.wr-tmp-[0-9a-f]{12}-/;

export function isTempName(name: string): boolean {
  return name.includes(TEMP_MARK);
}

/** The temp file name for a write of `target` (a base name): mark, 12 hex digits, the target name. */
export function tempName(target: string): string {
  return `${TEMP_MARK}${randomBytes(6).toString('hex')}-${target}`.slice(0, 250);
}

/** Whether operations are pinned to opened directories (Linux with /proc) or only checked before and after. */
export const PINNED = process.platform === 'linux' && existsSync('/proc/self/fd');

const O_DIRECTORY = constants.O_DIRECTORY ?? 0;
const O_NOFOLLOW = constants.O_NOFOLLOW ?? 0;

export function escaped(what: string): ApiError {
  return new ApiError(403, 'path_outside_workspace', `${what} resolves outside the workspace (through a symlink)`);
}

function inside(root: string, path: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

async function realRoots(roots: readonly string[]): Promise<string[]> {
  return Promise.all(roots.map((root) => realpath(root).catch(() => resolve(root))));
}

function singleName(name: string): string {
  if (!name || name === '.' || name === '..' || name.includes('/') || name.includes('\0')) {
    throw new Error(`confined-fs: "${name}" is not a single path component`);
  }
  return name;
}

const isCode = (error: unknown, ...codes: string[]) => codes.includes((error as NodeJS.ErrnoException).code ?? '');

/** A directory opened and verified inside the roots; entries are addressed by single names. */
export class ConfinedDir {
  private constructor(
    private readonly handle: FileHandle | undefined,
    /** The verified real path when opened (informational on Linux, where the descriptor is what counts). */
    readonly real: string,
    private readonly roots: readonly string[],
    private readonly what: string,
  ) {}

  /**
   * Open `dir` (an absolute path; links on the way are followed) and verify where it really is.
   * With `create`, missing folders are made one by one, each inside an already verified parent.
   * Refuses with 403 path_outside_workspace; a missing or non-folder component rejects with the
   * errno error (ENOENT, ENOTDIR) for the caller to word.
   */
  static async open(roots: readonly string[], dir: string, options: { create?: boolean; what?: string } = {}): Promise<ConfinedDir> {
    const real = await realRoots(roots);
    return ConfinedDir.openIn(real, resolve(dir), options.create ?? false, options.what ?? `"${dir}"`);
  }

  private static async openIn(roots: readonly string[], dir: string, create: boolean, what: string): Promise<ConfinedDir> {
    try {
      return await ConfinedDir.openVerified(roots, dir, what, false);
    } catch (error) {
      const parent = dirname(dir);
      if (!create || !isCode(error, 'ENOENT') || parent === dir) throw error;
      const up = await ConfinedDir.openIn(roots, parent, true, what);
      try {
        await up.mkdir(basename(dir)).catch((e: unknown) => {
          if (!isCode(e, 'EEXIST')) throw e;
        });
        return await up.openChild(basename(dir), false);
      } finally {
        await up.close();
      }
    }
  }

  private static async openVerified(roots: readonly string[], path: string, what: string, noFollow: boolean): Promise<ConfinedDir> {
    if (!PINNED) {
      const real = await realpath(path);
      const info = await lstat(real);
      if (!info.isDirectory()) throw Object.assign(new Error(`ENOTDIR: not a directory, '${path}'`), { code: 'ENOTDIR' });
      if (!roots.some((root) => inside(root, real))) throw escaped(what);
      return new ConfinedDir(undefined, real, roots, what);
    }
    const handle = await open(path, constants.O_RDONLY | O_DIRECTORY | (noFollow ? O_NOFOLLOW : 0));
    try {
      const real = await readlink(`/proc/self/fd/${handle.fd}`);
      if (!roots.some((root) => inside(root, real))) throw escaped(what);
      return new ConfinedDir(handle, real, roots, what);
    } catch (error) {
      await handle.close();
      throw error;
    }
  }

  /** A path naming this opened directory itself (for readdir). */
  get path(): string {
    return this.handle ? `/proc/self/fd/${this.handle.fd}` : this.real;
  }

  /** The path of entry `name` that resolves through this opened directory. */
  at(name: string): string {
    return this.handle ? `/proc/self/fd/${this.handle.fd}/${singleName(name)}` : join(this.real, singleName(name));
  }

  /** Elsewhere than Linux: the directory must still be where it was verified (after the fact). */
  private async recheck(): Promise<void> {
    if (this.handle) return;
    const now = await realpath(this.real).catch(() => undefined);
    if (now !== this.real || !this.roots.some((root) => inside(root, now))) throw escaped(this.what);
  }

  /** Open the child folder `name` without following it if it is a link (ELOOP then), verified. */
  async openChild(name: string, noFollow = true): Promise<ConfinedDir> {
    await this.recheck();
    return ConfinedDir.openVerified(this.roots, this.at(name), this.what, noFollow && PINNED);
  }

  /** lstat of an entry; undefined when there is none. */
  async lstat(name: string): Promise<BigIntStats | undefined> {
    await this.recheck();
    return lstat(this.at(name), { bigint: true }).catch((error: unknown) => {
      if (isCode(error, 'ENOENT')) return undefined;
      throw error;
    });
  }

  async mkdir(name: string): Promise<void> {
    await this.recheck();
    await mkdir(this.at(name)).catch((error: unknown) => this.vanished(error, name));
    await this.afterCreate(name);
  }

  /** Create the link `name` → `target` (the link itself is the entry; nothing is followed). */
  async symlink(target: string, name: string): Promise<void> {
    await this.recheck();
    await symlink(target, this.at(name)).catch((error: unknown) => this.vanished(error, name));
    await this.afterCreate(name);
  }

  // Creating in a folder that was removed after it was opened fails with ENOENT: the caller's 404.
  private vanished(error: unknown, name: string): never {
    if (isCode(error, 'ENOENT')) throw new ApiError(404, 'parent_not_found', `The folder meant to hold "${name}" was removed meanwhile; nothing was created`);
    throw error;
  }

  async unlink(name: string): Promise<void> {
    await this.recheck();
    await unlink(this.at(name));
  }

  async rmdir(name: string): Promise<void> {
    await this.recheck();
    await rmdir(this.at(name));
  }

  /** Create a fresh temp file for a write of `target` here (O_EXCL|O_NOFOLLOW): its handle, name and real path. */
  async createTemp(target: string, mode = 0o666): Promise<{ handle: FileHandle; name: string; real: string }> {
    await this.recheck();
    const name = tempName(target);
    const handle = await open(this.at(name), constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | O_NOFOLLOW, mode);
    try {
      await this.afterCreate(name);
    } catch (error) {
      await handle.close();
      throw error;
    }
    return { handle, name, real: join(this.real, name) };
  }

  /** rename(2) of entry `from` here to `to` in `target` (this folder by default); neither name is followed. */
  async rename(from: string, to: string, target: ConfinedDir = this): Promise<void> {
    await this.recheck();
    await target.recheck();
    await rename(this.at(from), target.at(to));
    await target.afterCreate(to);
  }

  /**
   * Delete entry `name` and, if it is a folder, everything below it, descending through opened
   * folders so no link on the way is ever followed (a link is removed itself).
   */
  async removeTree(name: string): Promise<void> {
    await this.recheck();
    if (!this.handle) {
      await rm(this.at(name), { recursive: true, force: true });
      return;
    }
    for (let attempt = 0; ; attempt++) {
      let child: ConfinedDir;
      try {
        child = await this.openChild(name);
      } catch (error) {
        if (isCode(error, 'ENOENT')) return;
        // A file, or a link (O_NOFOLLOW): unlink removes the entry itself.
        if (isCode(error, 'ENOTDIR', 'ELOOP')) {
          try {
            await unlink(this.at(name));
            return;
          } catch (e) {
            if (isCode(e, 'ENOENT')) return;
            // It became a folder in between (EISDIR; EPERM elsewhere than Linux): go again, bounded.
            if (!isCode(e, 'EISDIR', 'EPERM')) throw e;
            if (attempt >= 5) throw new ApiError(409, 'path_changed', `"${name}" kept changing between a file and a folder while it was being removed; try again`);
            continue;
          }
        }
        throw error;
      }
      try {
        for (const entry of await readdir(child.path)) await child.removeTree(entry);
      } finally {
        await child.close();
      }
      try {
        await rmdir(this.at(name));
        return;
      } catch (error) {
        if (isCode(error, 'ENOENT')) return;
        // Something was created inside meanwhile: go again, a bounded number of times.
        if (!isCode(error, 'ENOTEMPTY', 'EEXIST')) throw error;
        if (attempt >= 5) throw new ApiError(409, 'path_changed', `Entries kept appearing in "${name}" while it was being removed; try again`);
      }
    }
  }

  /** Elsewhere than Linux: undo a create that the post-check finds outside the roots. */
  private async afterCreate(name: string): Promise<void> {
    if (this.handle) return;
    try {
      await this.recheck();
    } catch (error) {
      await rm(join(this.real, name), { recursive: true, force: true }).catch(() => undefined);
      throw error;
    }
  }

  async close(): Promise<void> {
    await this.handle?.close();
  }
}

/** Run `fn` with `dir` opened and verified (see ConfinedDir.open); the directory is closed after. */
export async function withConfinedDir<T>(
  roots: readonly string[],
  dir: string,
  options: { create?: boolean; what?: string },
  fn: (dir: ConfinedDir) => Promise<T>,
): Promise<T> {
  const opened = await ConfinedDir.open(roots, dir, options);
  try {
    return await fn(opened);
  } finally {
    await opened.close();
  }
}

/**
 * Write `data` to `path` atomically inside the roots: a temp file in the verified parent, renamed
 * over the target; the parent folders are created when missing (`mkdir`, default true). The final
 * component is replaced, never followed; the temp file never outlives a failure.
 */
export async function writeFileConfined(roots: readonly string[], path: string, data: string | Buffer, options: { mkdir?: boolean; what?: string; mode?: number } = {}): Promise<void> {
  const abs = resolve(path);
  await writeIn(roots, abs, data, options).catch((error: unknown) => {
    // Its folder vanished under us (deleted or renamed meanwhile): the caller's 404, not a 500.
    if (isCode(error, 'ENOENT')) throw new ApiError(404, 'path_not_found', `The folder of ${abs} disappeared while writing it; nothing was written`);
    throw error;
  });
}

async function writeIn(roots: readonly string[], abs: string, data: string | Buffer, options: { mkdir?: boolean; what?: string; mode?: number }): Promise<void> {
  await withConfinedDir(roots, dirname(abs), { create: options.mkdir ?? true, what: options.what }, async (dir) => {
    const name = basename(abs);
    const existing = await dir.lstat(name);
    if (existing?.isDirectory()) throw Object.assign(new Error(`EISDIR: illegal operation on a directory, '${abs}'`), { code: 'EISDIR' });
    const tmp = await dir.createTemp(name);
    try {
      try {
        if (options.mode !== undefined) await tmp.handle.chmod(options.mode);
        else if (existing?.isFile()) await tmp.handle.chmod(Number(existing.mode) & 0o7777);
        await tmp.handle.writeFile(data);
      } finally {
        await tmp.handle.close();
      }
      await dir.rename(tmp.name, name);
    } catch (error) {
      await dir.unlink(tmp.name).catch(() => undefined);
      throw error;
    }
  });
}
