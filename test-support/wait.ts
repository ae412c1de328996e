/**
 * Waiting in tests: on a condition, never for a fixed time. One wrapper over `vi.waitFor` (use
 * `expect.poll` for a plain assertion that must become true). The patience is generous because
 * the suite must pass with both cores busy; a condition that never comes true still ends the
 * test, with a message naming what it waited for.
 */
import { vi } from 'vitest';

/** How long a wait gives real processes, HTTP and file watching before failing the test. */
export const PATIENCE_MS = 30_000;

type Falsy = undefined | null | false | 0 | '';

/** Poll `probe` until it returns a truthy value and resolve with it; a throw counts as "not yet". */
export function waitFor<T>(probe: () => T | Falsy | Promise<T | Falsy>, what: string, timeoutMs = PATIENCE_MS): Promise<T> {
  return vi.waitFor(
    async () => {
      let value: T | Falsy;
      try {
        value = await probe();
      } catch (error) {
        throw new Error(`timed out waiting for ${what}: ${(error as Error).message}`, { cause: error });
      }
      if (!value) throw new Error(`timed out waiting for ${what}`);
      return value as T;
    },
    { timeout: timeoutMs, interval: 50 },
  );
}
