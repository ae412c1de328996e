// Builds the React renderer with Vite into dist/renderer (served by the runtime at /). Always a
// production build: under vitest NODE_ENV is "test", which would make Vite bundle React's
// development build, so NODE_ENV is pinned for the duration of the build.
import { build } from 'vite';

export async function buildRenderer({ quiet = false } = {}) {
  const previous = process.env.NODE_ENV;
  process.env.NODE_ENV = 'production';
  try {
    await build({ configFile: new URL('../src-renderer/vite.config.ts', import.meta.url).pathname, mode: 'production', logLevel: quiet ? 'error' : 'info' });
  } finally {
    if (previous === undefined) delete process.env.NODE_ENV;
    else process.env.NODE_ENV = previous;
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await buildRenderer();
