/**
 * Answering a GET on a workspace path over HTTP: a folder becomes a JSON listing; a file is sent
 * with Content-Type, a strong ETag and Last-Modified, honouring If-None-Match (304) and a single
 * `Range` (206/416); `?format=json` wraps the content as utf-8 or base64. Small files are read in
 * one go, larger ones streamed.
 */
import { createReadStream } from 'node:fs';
import { readFileSync, statSync, type BigIntStats } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import type { Request, Response } from 'express';
import { ApiError } from '../contract/errors.js';
import type { FilesService, ListOptions } from './service.js';
import { parseEtagList } from './service.js';
import type { GuardedPath } from '../platform/path-guard.js';

const SMALL = 64 * 1024;
const JSON_LIMIT = 64 * 1024 * 1024;

const TYPES: Record<string, string> = {
  '.txt': 'text/plain', '.md': 'text/markdown', '.html': 'text/html', '.htm': 'text/html', '.css': 'text/css',
  '.js': 'text/javascript', '.mjs': 'text/javascript', '.cjs': 'text/javascript', '.ts': 'text/x-typescript',
  '.tsx': 'text/x-typescript', '.jsx': 'text/javascript', '.json': 'application/json', '.yaml': 'application/yaml',
  '.yml': 'application/yaml', '.xml': 'application/xml', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.jpg': 'image/jpeg', '.jpeg': 'image/jpeg', '.gif': 'image/gif', '.webp': 'image/webp', '.ico': 'image/x-icon',
  '.pdf': 'application/pdf', '.zip': 'application/zip', '.gz': 'application/gzip', '.tgz': 'application/gzip',
  '.wasm': 'application/wasm', '.py': 'text/x-python', '.sh': 'text/x-shellscript', '.csv': 'text/csv',
  '.toml': 'text/plain', '.rs': 'text/plain', '.go': 'text/plain', '.java': 'text/plain', '.c': 'text/plain',
  '.h': 'text/plain', '.cpp': 'text/plain', '.rb': 'text/plain', '.php': 'text/plain', '.sql': 'text/plain',
  '.lock': 'text/plain', '.log': 'text/plain', '.env': 'text/plain',
};

export function contentTypeFor(path: string): string {
  const type = TYPES[extname(path).toLowerCase()];
  if (!type) return 'application/octet-stream';
  return type.startsWith('text/') || type === 'application/json' || type === 'application/yaml' || type === 'application/xml' || type === 'image/svg+xml'
    ? `${type}; charset=utf-8`
    : type;
}

/** Whether bytes are valid UTF-8 without NULs (what an editor can show as text). */
function isText(bytes: Buffer): boolean {
  if (bytes.includes(0)) return false;
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}

function parseRange(header: string, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m) return undefined; // multiple or malformed ranges: serve the whole file
  const [, a, b] = m;
  if (a === '' && b === '') return undefined;
  let start: number;
  let end: number;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(a);
    end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  }
  if (start >= size || start > end) return 'unsatisfiable';
  return { start, end };
}

export interface ReadQuery extends ListOptions {
  format?: 'raw' | 'json';
}

export async function serveGuardedPath(service: FilesService, root: string, g: GuardedPath, query: ReadQuery, req: Request, res: Response): Promise<unknown> {
  // Synchronous stat and small reads: see path-guard.ts (the hot path of the files-read bench).
  let s: BigIntStats;
  try {
    s = statSync(g.real, { bigint: true });
  } catch {
    throw new ApiError(404, 'file_not_found', `No file or folder at "${g.rel}"`);
  }
  if (s.isDirectory()) {
    const { entries, truncated } = await service.list(root, g, query);
    return { path: g.rel, entries, truncated };
  }
  if (!s.isFile()) throw new ApiError(400, 'not_a_file', `"${g.rel}" is neither a file nor a folder`);
  const size = Number(s.size);
  const small = size <= SMALL;
  const bytes = small ? readFileSync(g.real) : query.format === 'json' && size <= JSON_LIMIT ? await readFile(g.real) : undefined;
  const etag = await service.etagOf(g.real, s, bytes);
  const mtime = s.mtime;

  if (query.format === 'json') {
    if (size > JSON_LIMIT) throw new ApiError(400, 'file_too_large_for_json', `"${g.rel}" is ${size} bytes; read it raw (without ?format=json), possibly with Range`);
    const text = isText(bytes!);
    res.setHeader('ETag', etag);
    return {
      path: g.rel,
      content: text ? bytes!.toString('utf8') : bytes!.toString('base64'),
      encoding: text ? 'utf-8' : 'base64',
      size,
      mtime: mtime.toISOString(),
      etag,
    };
  }

  res.setHeader('ETag', etag);
  res.setHeader('Last-Modified', mtime.toUTCString());
  res.setHeader('Accept-Ranges', 'bytes');
  res.setHeader('Cache-Control', 'no-cache');
  const inm = req.headers['if-none-match'];
  if (inm && (inm.trim() === '*' || parseEtagList(inm).includes(etag))) {
    res.status(304).end();
    return undefined;
  }
  res.setHeader('Content-Type', contentTypeFor(g.rel));
  const rangeHeader = req.headers.range;
  const range = rangeHeader ? parseRange(rangeHeader, size) : undefined;
  if (range === 'unsatisfiable') {
    res.setHeader('Content-Range', `bytes */${size}`);
    res.removeHeader('Content-Type');
    throw new ApiError(416, 'range_not_satisfiable', `Range "${rangeHeader}" is outside the file (${size} bytes)`);
  }
  if (range) {
    res.status(206);
    res.setHeader('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    res.setHeader('Content-Length', String(range.end - range.start + 1));
    if (req.method === 'HEAD') return void res.end();
    if (bytes) return void res.end(bytes.subarray(range.start, range.end + 1));
    await pipeStream(createReadStream(g.real, { start: range.start, end: range.end }), res);
    return undefined;
  }
  res.status(200);
  res.setHeader('Content-Length', String(size));
  if (req.method === 'HEAD') return void res.end();
  if (bytes) return void res.end(bytes);
  await pipeStream(createReadStream(g.real, { highWaterMark: 256 * 1024 }), res);
  return undefined;
}

function pipeStream(stream: NodeJS.ReadableStream & { destroy(): void }, res: Response): Promise<void> {
  return new Promise((resolve) => {
    stream.on('error', () => {
      res.destroy();
      resolve();
    });
    res.on('close', () => {
      stream.destroy();
      resolve();
    });
    stream.pipe(res);
  });
}
