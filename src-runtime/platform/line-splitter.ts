/**
 * Turning output chunks into lines: partial lines are held until their newline (or the end),
 * `\r\n` is one break, ANSI escapes are kept, and a line longer than the cap is cut into pieces
 * so a process printing without newlines cannot grow memory without bound.
 */
export const MAX_LINE = 16 * 1024;

export class LineSplitter {
  private partial = '';

  constructor(private readonly onLine: (line: string) => void) {}

  push(chunk: string | Buffer): void {
    const text = this.partial + (typeof chunk === 'string' ? chunk : chunk.toString('utf8'));
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl === -1) break;
      let end = nl;
      if (end > start && text.charCodeAt(end - 1) === 13) end -= 1;
      this.emit(text.slice(start, end));
      start = nl + 1;
    }
    this.partial = text.slice(start);
    while (this.partial.length > MAX_LINE) {
      this.onLine(this.partial.slice(0, MAX_LINE));
      this.partial = this.partial.slice(MAX_LINE);
    }
  }

  end(): void {
    if (this.partial) this.emit(this.partial);
    this.partial = '';
  }

  private emit(line: string): void {
    for (let i = 0; i < line.length || i === 0; i += MAX_LINE) {
      this.onLine(line.slice(i, i + MAX_LINE));
      if (line.length <= MAX_LINE) break;
    }
  }
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
  child.stdout?.setEncoding('utf8');
  child.stderr?.setEncoding('utf8');
  child.stdout?.on('data', (c: string) => out.push(c));
  child.stderr?.on('data', (c: string) => err.push(c));
  return {
    out,
    err,
    end() {
      out.end();
      err.end();
    },
  };
}
