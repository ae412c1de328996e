/**
 * Append-only JSONL logs (one JSON object per line), used for per-session event logs. Appends keep
 * their order through one file handle, and lines queued during a write go out together in the
 * next one. Reading skips a torn last line left by a crash, so a log is always readable up to its
 * last complete event.
 */
import { open, readFile, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class JsonlLog<T extends object = Record<string, unknown>> {
  private handle: Promise<FileHandle> | null = null;
  /** Lines waiting for the next write; appended while a write is in flight, written together. */
  private pending: string[] = [];
  private writing: Promise<void> | null = null;
  private failure: Error | null = null;

  constructor(readonly file: string) {}

  private fileHandle(): Promise<FileHandle> {
    this.handle ??= mkdir(dirname(this.file), { recursive: true }).then(() => open(this.file, 'a'));
    return this.handle;
  }

  /** Queue an append; resolves when the line (and those queued with it) is written. */
  append(entry: T): Promise<void> {
    this.pending.push(`${JSON.stringify(entry)}\n`);
    this.writing ??= this.drain();
    return this.writing;
  }

  private async drain(): Promise<void> {
    try {
      const fh = await this.fileHandle();
      while (this.pending.length > 0) {
        const batch = this.pending.join('');
        this.pending = [];
        await fh.write(batch);
      }
    } catch (error) {
      this.failure = error as Error;
      throw error;
    } finally {
      this.writing = null;
    }
  }

  /** Wait for queued appends. */
  async flush(): Promise<void> {
    while (this.writing) await this.writing.catch(() => undefined);
    if (this.failure) throw this.failure;
  }

  async readAll(): Promise<T[]> {
    await this.flush();
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const out: T[] = [];
    for (const line of text.split('\n')) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line) as T);
      } catch {
        // A torn line from a crash mid-append; everything before it is intact.
      }
    }
    return out;
  }

  async close(): Promise<void> {
    await this.flush();
    if (this.handle) {
      const fh = await this.handle;
      this.handle = null;
      await fh.close();
    }
  }
}
