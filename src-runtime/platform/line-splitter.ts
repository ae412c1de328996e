/**
 * Turning output chunks into lines: partial lines are held until their newline (or the end),
 * `\r\n` is one break, ANSI escapes are kept, and a line longer than the cap is cut into pieces
 * so a process printing without newlines cannot grow memory without bound. Lines are cut from the
 * bytes and decoded one by one: a line sliced from a decoded chunk would keep the whole chunk
 * alive for as long as a backlog or a tail keeps the line. (A newline byte never occurs inside a
 * UTF-8 sequence, so every line decodes whole.)
 */
export const MAX_LINE = 16 * 1024;

const NEWLINE = 10;
const CR = 13;

export class LineSplitter {
  /** The unterminated line so far, copied out of its chunks. */
  private partial: Buffer[] = [];
  private partialBytes = 0;

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string | Buffer): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    let start = 0;
    for (;;) {
      const nl = bytes.indexOf(NEWLINE, start);
      if (nl === -1) break;
      let line = bytes.subarray(start, nl);
      if (this.partialBytes) {
        line = Buffer.concat([...this.partial, line]);
        this.partial = [];
        this.partialBytes = 0;
      }
      this.emit(line.length && line[line.length - 1] === CR ? line.subarray(0, -1) : line);
      start = nl + 1;
    }
    if (start === bytes.length) return;
    this.partial.push(Buffer.from(bytes.subarray(start)));
    this.partialBytes += bytes.length - start;
    if (this.partialBytes <= MAX_LINE) return;
    let rest = Buffer.concat(this.partial);
    while (rest.length > MAX_LINE) {
      const cut = pieceEnd(rest, 0);
      this.onLine(rest.toString('utf8', 0, cut));
      rest = rest.subarray(cut);
    }
    this.partial = [Buffer.from(rest)];
    this.partialBytes = rest.length;
  }

  end(): void {
    if (this.partialBytes) this.emit(Buffer.concat(this.partial));
    this.partial = [];
    this.partialBytes = 0;
  }

  private emit(line: Buffer): void {
    let start = 0;
    do {
      const end = pieceEnd(line, start);
      this.onLine(line.toString('utf8', start, end));
      start = end;
    } while (start < line.length);
  }
}

/** Where the piece of `line` starting at `start` ends: at most MAX_LINE bytes, never inside a UTF-8 sequence. */
function pieceEnd(line: Buffer, start: number): number {
  let end = Math.min(line.length, start + MAX_LINE);
  if (end === line.length) return end;
  // 0b10xxxxxx continues a sequence: back up to the byte that starts it.
  while (end > start + 1 && (line[end]! & 0xc0) === 0x80) end -= 1;
  return end;
}

/** A fixed-size ring of the last lines (build logs, execution tails). */
export class LineRing<T> {
  private readonly items: T[] = [];

  constructor(private readonly size: number) {}

  push(item: T): void {
    this.items.push(item);
    if (this.items.length > this.size * 2) this.items.splice(0, this.items.length - this.size);
  }

  toArray(): T[] {
    return this.items.slice(-this.size);
  }

  clear(): void {
    this.items.length = 0;
  }
}

interface OutputStreams {
  stdout?: NodeJS.ReadableStream | null;
  stderr?: NodeJS.ReadableStream | null;
}

/**
 * Split a child's stdout and stderr into lines for `onLine`; `end()` emits what is left of an
 * unterminated last line (call it once the process is done).
 */
export function splitOutputLines(child: OutputStreams, onLine: (stream: 'stdout' | 'stderr', line: string) => void): { out: LineSplitter; err: LineSplitter; end(): void } {
  const out = new LineSplitter((line) => onLine('stdout', line));
  const err = new LineSplitter((line) => onLine('stderr', line));
  child.stdout?.on('data', (c: Buffer | string) => out.push(c));
  child.stderr?.on('data', (c: Buffer | string) => err.push(c));
  return {
    out,
    err,
    end() {
      out.end();
      err.end();
    },
  };
}
