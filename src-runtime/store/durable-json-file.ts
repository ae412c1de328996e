/**
 * The lowdb adapter behind db.json: reads strictly (a missing file is "no data", anything else that
 * is not a JSON object is an error for the caller to surface) and replaces the file durably. Each
 * write goes to a temp file that is fsynced, the current file is hard-linked to `<file>.prev` (the
 * last good document, kept on every replace), then the temp file is renamed over the original and
 * the directory fsynced. Every step is atomic, so a SIGKILL at any point leaves a complete db.json.
 */
import { constants } from 'node:fs';
import { link, open, readFile, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Adapter } from 'lowdb';

export class StoreFileError extends Error {
  constructor(
    readonly file: string,
    message: string,
  ) {
    super(message);
    this.name = 'StoreFileError';
  }
}

/** Parse a stored document; throws StoreFileError for unreadable or non-object content. */
export async function readJsonObject(file: string): Promise<Record<string, unknown> | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new StoreFileError(file, `cannot read ${file}: ${(error as Error).message}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new StoreFileError(file, `${file} is not valid JSON (${(error as Error).message})`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new StoreFileError(file, `${file} does not hold a JSON object (found ${parsed === null ? 'null' : Array.isArray(parsed) ? 'an array' : typeof parsed})`);
  }
  return parsed as Record<string, unknown>;
}

async function fsyncPath(path: string, flags: number): Promise<void> {
  const handle = await open(path, flags);
  try {
    await handle.sync();
  } catch {
    // Some file systems refuse fsync on directories; the rename itself is still atomic.
  } finally {
    await handle.close();
  }
}

export class DurableJsonFile<T> implements Adapter<T> {
  private seq = 0;

  constructor(readonly file: string) {}

  get previousFile(): string {
    return `${this.file}.prev`;
  }

  async read(): Promise<T | null> {
    return (await readJsonObject(this.file)) as T | null;
  }

  async write(data: T): Promise<void> {
    const tmp = `${this.file}.${process.pid}.${++this.seq}.tmp`;
    const handle = await open(tmp, 'w', 0o600);
    try {
      await handle.writeFile(JSON.stringify(data, null, 2));
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await this.keepPrevious();
      await rename(tmp, this.file);
    } catch (error) {
      await unlink(tmp).catch(() => undefined);
      throw error;
    }
    await fsyncPath(dirname(this.file), constants.O_RDONLY);
  }

  /** `<file>.prev` becomes the document being replaced (a hard link: no copy, atomic rename). */
  private async keepPrevious(): Promise<void> {
    const staged = `${this.previousFile}.${process.pid}.tmp`;
    await unlink(staged).catch(() => undefined);
    try {
      await link(this.file, staged);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return; // first write: nothing to keep
      throw error;
    }
    await rename(staged, this.previousFile);
  }
}
