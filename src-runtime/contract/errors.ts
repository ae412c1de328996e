/**
 * The error model of the wire: every failure a client can see is an ApiError with an HTTP status,
 * a machine code and a message written for a person. Services throw these; the HTTP layer renders
 * them as `{ error, code, details? }`. Pure TS so the client and renderer share the codes.
 */
import { z } from 'zod';

export const errorBodySchema = z
  .object({
    error: z.string().describe('What is wrong, written for a person'),
    code: z.string().describe('Machine-readable error code, e.g. workspace_not_found'),
    details: z.unknown().optional(),
  })
  .meta({ id: 'Error' });

export type ErrorBody = z.infer<typeof errorBodySchema>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { error: this.message, code: this.code }
      : { error: this.message, code: this.code, details: this.details };
  }
}

export const badRequest = (code: string, message: string, details?: unknown) =>
  new ApiError(400, code, message, details);
export const notFound = (code: string, message: string, details?: unknown) =>
  new ApiError(404, code, message, details);
export const conflict = (code: string, message: string, details?: unknown) =>
  new ApiError(409, code, message, details);
export const forbidden = (code: string, message: string, details?: unknown) =>
  new ApiError(403, code, message, details);
