/**
 * The HTTP safety net below Express: whatever one request does wrong ends that request only.
 * `guardedListener` wraps the app so an exception that escapes it (or the error handler) becomes
 * a 500 with the standard error body — or, once headers are out, a destroyed socket — logged once
 * with its stack. `onClientError` answers requests Node's parser rejects (bad bytes, huge headers)
 * with a plain 4xx and never throws. Neither lets the process go down.
 */
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { ApiError } from '../contract/errors.js';

/** The path of a request for a log line: never its query (tokens travel there). */
export function logPath(req: IncomingMessage): string {
  return (req.url ?? '/').split('?')[0]!.slice(0, 200);
}

/** End a request that failed outside the normal error handler: 500 JSON if possible, else destroy. */
export function endFailedRequest(req: IncomingMessage, res: ServerResponse, error: unknown, log: (line: string) => void): void {
  log(`${req.method ?? '?'} ${logPath(req)} → 500 ${(error as Error)?.stack ?? String(error)}`);
  try {
    if (res.headersSent || res.writableEnded || res.destroyed) {
      res.destroy();
      return;
    }
    const body = JSON.stringify(new ApiError(500, 'internal_error', 'The runtime failed to handle this request; see its log for details').toBody());
    res.writeHead(500, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body), connection: 'close' });
    res.end(body);
  } catch {
    res.destroy();
  }
}

export function guardedListener(app: RequestListener, log: (line: string) => void): RequestListener {
  return (req, res) => {
    try {
      const result = (app as (req: IncomingMessage, res: ServerResponse) => unknown)(req, res);
      if (result && typeof (result as Promise<unknown>).then === 'function') {
        (result as Promise<unknown>).then(undefined, (error: unknown) => endFailedRequest(req, res, error, log));
      }
    } catch (error) {
      endFailedRequest(req, res, error, log);
    }
  };
}

/** For `server.on('clientError')`: a request Node could not even parse. */
export function onClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  try {
    if (error.code === 'ECONNRESET' || !socket.writable || socket.destroyed) {
      socket.destroy();
      return;
    }
    const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
    const reason = status === 431 ? 'Request Header Fields Too Large' : status === 408 ? 'Request Timeout' : 'Bad Request';
    socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
  } catch {
    socket.destroy();
  }
}
