/**
 * Reading a PUT body for a file write: raw bytes are streamed straight to the writer; the JSON form
 * `{content, encoding?, mkdir?}` is buffered (bounded) and decoded. Without ?format=, a body sent as
 * application/json is the JSON form only when it parses to exactly that shape, so writing a
 * package.json with curl's JSON content type still writes the bytes as sent.
 */
import type { Request } from 'express';
import type { Readable } from 'node:stream';
import { ApiError, badRequest } from '../contract/errors.js';
import { jsonWriteBody } from '../contract/files.js';
import { formatIssues } from '../http/mount.js';

const JSON_BODY_LIMIT = 64 * 1024 * 1024;

async function readBounded(req: Request, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      req.resume();
      throw new ApiError(413, 'body_too_large', `A JSON file write is limited to ${limit} bytes; send the bytes raw instead`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

export async function writeSource(req: Request, format: 'raw' | 'json' | undefined): Promise<{ source: Readable | Buffer; mkdir?: boolean }> {
  const isJson = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/json');
  if (format === 'raw' || (format === undefined && !isJson)) return { source: req };
  const bytes = await readBounded(req, JSON_BODY_LIMIT);
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    if (format === 'json') throw badRequest('invalid_json', `The body is not valid JSON: ${(error as Error).message}`);
    return { source: bytes };
  }
  const result = jsonWriteBody.safeParse(parsed);
  if (!result.success) {
    if (format === 'json') {
      const { message, details } = formatIssues('body', result.error.issues);
      throw badRequest('invalid_request', `Invalid body: ${message}`, details);
    }
    return { source: bytes };
  }
  const { content, encoding, mkdir } = result.data;
  return { source: Buffer.from(content, encoding === 'base64' ? 'base64' : 'utf8'), mkdir };
}
