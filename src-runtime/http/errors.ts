/**
 * The one error handler: ApiErrors render as `{error, code, details?}` with their status; body
 * parser failures become 400 invalid_json / 413 body_too_large / 415; anything unexpected is a 500
 * whose body says nothing internal (the stack goes to stderr).
 */
import type { ErrorRequestHandler, RequestHandler } from 'express';
import { ApiError } from '../contract/errors.js';

interface ParserError extends Error {
  type?: string;
  status?: number;
  limit?: number;
}

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as ParserError;
  switch (e?.type) {
    case 'entity.parse.failed':
      return new ApiError(400, 'invalid_json', `The request body is not valid JSON: ${e.message}`);
    case 'entity.too.large':
      return new ApiError(413, 'body_too_large', `The request body is larger than the ${e.limit ?? ''} byte limit of this route`.replace('  ', ' '));
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new ApiError(415, 'unsupported_encoding', e.message);
    case 'request.aborted':
      return new ApiError(400, 'request_aborted', 'The client aborted the request');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new ApiError(e.status, 'bad_request', e.message);
  }
  return new ApiError(500, 'internal_error', 'The runtime failed to handle this request; see its log for details');
}

export const errorHandler: ErrorRequestHandler = (error, req, res, _next) => {
  const apiError = toApiError(error);
  if (apiError.status >= 500) {
    // Expected upstream failures (git missing, a remote refusing) get one line; bugs get their stack.
    const what = error instanceof ApiError ? `${error.code}: ${error.message}` : ((error as Error)?.stack ?? String(error));
    process.stderr.write(`[runtime] ${req.method} ${(req.originalUrl ?? req.url ?? '/').split('?')[0]!.slice(0, 200)} → ${apiError.status} ${what}\n`);
  }
  // Once the response has started the only honest end is a cut connection; and rendering the
  // error must never itself throw out of the handler.
  if (res.headersSent || res.writableEnded) {
    res.destroy();
    return;
  }
  try {
    res.status(apiError.status).json(apiError.toBody());
  } catch {
    res.destroy();
  }
};

export const apiNotFound: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'route_not_found', `No route ${req.method} ${req.originalUrl.split("?")[0]}; see /api/v1/openapi.json for the API`));
};
