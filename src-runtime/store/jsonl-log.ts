/**
 * Append-only JSONL logs (one JSON object per line), used for per-session event logs. Appends are
 * queued in order through one file handle; reading skips a torn last line left by a crash, so a
 * log is always readable up to its last complete event.
 */
import { open, readFile, mkdir, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export class JsonlLog<T extends object = Record<string, unknown>> {
  private handle: Promise<FileHandle> | null = null;
  private tail: Promise<void> = Promise.resolve();

  constructor(readonly file: string) {}

  private fileHandle(): Promise<FileHandle> {
    this.handle ??= mkdir(dirname(this.file), { recursive: true }).then(() => open(this.file, 'a'));
    return this.handle;
  }

  /** Queue an append; resolves when the line is written. */
  append(entry: T): Promise<void> {
    const line = `${JSON.stringify(entry)}\n`;
    this.tail = this.tail.then(async () => {
      const fh = await this.fileHandle();
      await fh.write(line);
    });
    return this.tail;
  }

  /** Wait for queued appends. */
  flush(): Promise<void> {
    return this.tail;
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
