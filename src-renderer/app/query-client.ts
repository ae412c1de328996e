/**
 * The query client: server state is refetched when stale and on window focus; client errors
 * (4xx) are not retried because asking again will not change the answer.
 */
import { QueryClient } from '@tanstack/react-query';
import { ApiError } from '../../src-runtime/contract/errors.js';

export function createQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        retry: (count, error) => !(error instanceof ApiError && error.status >= 400 && error.status < 500) && count < 2,
        refetchOnWindowFocus: true,
      },
      mutations: { retry: false },
    },
  });
}
