// Builds the React renderer with Vite into dist/renderer (served by the runtime at /).
import { build } from 'vite';

export async function buildRenderer({ quiet = false } = {}) {
  await build({ configFile: new URL('../src-renderer/vite.config.ts', import.meta.url).pathname, logLevel: quiet ? 'error' : 'info' });
}

if (import.meta.url === `file://${process.argv[1]}`) await buildRenderer();
