/**
 * Search in a workspace: file names (fuzzy, for quick-open, scored by fuzzysort) and file contents.
 * Both use ripgrep when it is on PATH (`rg --files` / `rg --json`) and otherwise a bounded Node
 * walker (file count, file size and time limits, .gitignore honoured). `.git` is always skipped and
 * `node_modules` unless `include_ignored`.
 */
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import fuzzysort from 'fuzzysort';
import { badRequest } from '../contract/errors.js';
import type { SearchBody, SearchMatch } from '../contract/files.js';
import { findOnPath } from '../platform/find-on-path.js';
import { guardPath } from '../platform/path-guard.js';
import { startGroup, type ProcessOwner } from '../platform/process.js';
import { GitIgnoreFilter } from './ignore-filter.js';
import { isTempName } from './service.js';

export const SEARCH_LIMITS = {
  maxFiles: 200_000,
  nodeMaxFiles: 50_000,
  maxFileBytes: 2 * 1024 * 1024,
  timeMs: 10_000,
};

export interface SearchResult {
  matches: SearchMatch[];
  truncated: boolean;
  engine: 'rg' | 'node';
}

let rgPathCache: Promise<string | null> | undefined;

export function findRipgrep(): Promise<string | null> {
  return (rgPathCache ??= Promise.resolve(findOnPath('rg')));
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

interface WalkOptions {
  includeIgnored: boolean;
  maxFiles: number;
  deadline: number;
}

/** Files under `start` (relative paths from root), honouring .gitignore unless includeIgnored. */
async function* walk(root: string, start: string, options: WalkOptions): AsyncGenerator<string> {
  const filter = options.includeIgnored ? undefined : new GitIgnoreFilter(root);
  const stack = [start];
  let count = 0;
  while (stack.length) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = await readdir(join(root, dir), { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? 1 : -1));
    for (const entry of entries) {
      if (entry.name === '.git' || isTempName(entry.name)) continue;
      if (!options.includeIgnored && entry.name === 'node_modules') continue;
      const rel = dir ? `${dir}/${entry.name}` : entry.name;
      const isDir = entry.isDirectory();
      if (filter && (await filter.ignores(rel, isDir))) continue;
      if (isDir) stack.push(rel);
      else if (entry.isFile()) {
        if (++count > options.maxFiles || Date.now() > options.deadline) throw new WalkLimit();
        yield rel;
      }
    }
  }
}

class WalkLimit extends Error {}

function rgBaseArgs(body: SearchBody): string[] {
  const args = ['--hidden', '--no-require-git', '--glob', '!.git', '--glob', `!*.wr-tmp-*`];
  if (body.include_ignored) args.push('--no-ignore');
  else args.push('--glob', '!node_modules');
  return args;
}

interface RgRun {
  lines: AsyncIterable<string>;
  stop(): void;
  done: Promise<{ code: number | null; stderr: string }>;
}

function runRg(rg: string, args: string[], cwd: string, owner: ProcessOwner): RgRun {
  const group = startGroup(rg, args, { owner, cwd });
  let stderr = '';
  group.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
  const timer = setTimeout(() => void group.terminate(), SEARCH_LIMITS.timeMs);
  const done = group.done.then(({ exitCode }) => {
    clearTimeout(timer);
    return { code: exitCode, stderr };
  });
  return { lines: createInterface({ input: group.stdout }), stop: () => void group.terminate(), done };
}

export class SearchService {
  constructor(
    /** Owns the rg processes (marked, not recorded: every search has a time limit). */
    private readonly owner: ProcessOwner,
    private readonly forceEngine?: 'rg' | 'node',
  ) {}

  async search(root: string, body: SearchBody): Promise<SearchResult> {
    const start = body.path ? (await guardPath(root, body.path)).rel : '';
    const limit = body.limit ?? 100;
    const wanted = body.engine ?? this.forceEngine ?? 'auto';
    const rg = wanted === 'node' ? null : await findRipgrep();
    if (wanted === 'rg' && !rg) throw badRequest('ripgrep_not_installed', 'engine "rg" was asked for but ripgrep (rg) is not on PATH');
    if ((body.mode ?? 'name') === 'name') {
      const { files, truncated } = rg ? await this.listWithRg(rg, root, start, body) : await this.listWithNode(root, start, body);
      const results = fuzzysort.go(body.query, files, { limit, threshold: 0.1 });
      const matches = results.map((r) => ({ path: r.target, score: Math.round(r.score * 10_000) / 10_000 }));
      return { matches, truncated: truncated || results.total > limit, engine: rg ? 'rg' : 'node' };
    }
    return rg ? this.contentWithRg(rg, root, start, body, limit) : this.contentWithNode(root, start, body, limit);
  }

  private async listWithRg(rg: string, root: string, start: string, body: SearchBody): Promise<{ files: string[]; truncated: boolean }> {
    const run = runRg(rg, ['--files', ...rgBaseArgs(body), '--', start || '.'], root, this.owner);
    const files: string[] = [];
    let truncated = false;
    for await (const line of run.lines) {
      if (files.length >= SEARCH_LIMITS.maxFiles) {
        truncated = true;
        run.stop();
        break;
      }
      files.push(line.startsWith('./') ? line.slice(2) : line);
    }
    await run.done;
    return { files, truncated };
  }

  private async listWithNode(root: string, start: string, body: SearchBody): Promise<{ files: string[]; truncated: boolean }> {
    const files: string[] = [];
    try {
      for await (const rel of walk(root, start, { includeIgnored: body.include_ignored ?? false, maxFiles: SEARCH_LIMITS.nodeMaxFiles, deadline: Date.now() + SEARCH_LIMITS.timeMs })) files.push(rel);
    } catch (error) {
      if (error instanceof WalkLimit) return { files, truncated: true };
      throw error;
    }
    return { files, truncated: false };
  }

  private async contentWithRg(rg: string, root: string, start: string, body: SearchBody, limit: number): Promise<SearchResult> {
    const args = ['--json', ...rgBaseArgs(body), '--max-filesize', String(SEARCH_LIMITS.maxFileBytes), '--max-columns', '500', '--max-columns-preview'];
    if (!body.regex) args.push('--fixed-strings');
    args.push(body.case_sensitive ? '--case-sensitive' : '--ignore-case');
    args.push('-e', body.query, '--', start || '.');
    const run = runRg(rg, args, root, this.owner);
    const matches: SearchMatch[] = [];
    let truncated = false;
    for await (const line of run.lines) {
      let msg: { type: string; data: { path?: { text?: string }; line_number?: number; lines?: { text?: string }; submatches?: Array<{ start: number }> } };
      try {
        msg = JSON.parse(line);
      } catch {
        continue;
      }
      if (msg.type !== 'match') continue;
      if (matches.length >= limit) {
        truncated = true;
        run.stop();
        break;
      }
      const path = msg.data.path?.text ?? '';
      matches.push({
        path: path.startsWith('./') ? path.slice(2) : path,
        line: msg.data.line_number ?? 0,
        column: (msg.data.submatches?.[0]?.start ?? 0) + 1,
        text: (msg.data.lines?.text ?? '').replace(/\r?\n$/, '').slice(0, 500),
      });
    }
    const { code, stderr } = await run.done;
    if (!truncated && code === 2 && !matches.length && /regex|parse/i.test(stderr)) {
      throw badRequest('invalid_regex', `Invalid regular expression: ${stderr.trim().split('\n').slice(-3).join(' ')}`);
    }
    return { matches, truncated, engine: 'rg' };
  }

  private async contentWithNode(root: string, start: string, body: SearchBody, limit: number): Promise<SearchResult> {
    let pattern: RegExp;
    try {
      pattern = new RegExp(body.regex ? body.query : escapeRegExp(body.query), body.case_sensitive ? '' : 'i');
    } catch (error) {
      throw badRequest('invalid_regex', `Invalid regular expression: ${(error as Error).message}`);
    }
    const matches: SearchMatch[] = [];
    const deadline = Date.now() + SEARCH_LIMITS.timeMs;
    try {
      for await (const rel of walk(root, start, { includeIgnored: body.include_ignored ?? false, maxFiles: SEARCH_LIMITS.nodeMaxFiles, deadline })) {
        const text = await readTextFile(join(root, rel));
        if (text === undefined) continue;
        const lines = text.split('\n');
        for (let i = 0; i < lines.length; i++) {
          const lineText = lines[i]!;
          const m = pattern.exec(lineText);
          if (!m) continue;
          if (matches.length >= limit) return { matches, truncated: true, engine: 'node' };
          matches.push({ path: rel, line: i + 1, column: Buffer.byteLength(lineText.slice(0, m.index)) + 1, text: lineText.replace(/\r$/, '').slice(0, 500) });
        }
      }
    } catch (error) {
      if (error instanceof WalkLimit) return { matches, truncated: true, engine: 'node' };
      throw error;
    }
    return { matches, truncated: false, engine: 'node' };
  }
}

/** A file's text, or undefined when it is too large or looks binary (NUL in the first 8 KiB). */
async function readTextFile(path: string): Promise<string | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const { size } = await handle.stat();
    if (size > SEARCH_LIMITS.maxFileBytes) return undefined;
    const buffer = Buffer.alloc(size);
    await handle.read(buffer, 0, size, 0);
    if (buffer.subarray(0, 8192).includes(0)) return undefined;
    return buffer.toString('utf8');
  } finally {
    await handle.close();
  }
}
