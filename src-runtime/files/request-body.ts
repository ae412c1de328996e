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

/**
 * The whole body, up to `limit` bytes. Over the limit the rest is drained (not buffered) so the
 * 413 still reaches the client; a client that disconnects first is a 400 request_aborted, and a
 * stream error never escapes as an unhandled one.
 */
function readBounded(req: Request, limit: number): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (error: Error | undefined, value?: Buffer) => {
      if (settled) return;
      settled = true;
      req.off('data', onData);
      if (error) {
        if (!req.destroyed) req.resume();
        reject(error);
      } else resolve(value!);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        settle(new ApiError(413, 'body_too_large', `A JSON file write is limited to ${limit} bytes; send the bytes raw instead`));
        return;
      }
      chunks.push(chunk);
    };
    const aborted = () => settle(badRequest('request_aborted', 'The client aborted the request'));
    req.on('data', onData);
    req.once('end', () => settle(undefined, Buffer.concat(chunks)));
    req.once('aborted', aborted);
    req.on('error', aborted);
    req.once('close', () => {
      if (!req.complete) aborted();
    });
  });
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
