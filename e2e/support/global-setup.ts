// Builds the runtime bundle and the renderer once before the browser tests (skip with E2E_NO_BUILD=1).
import { buildRuntime } from '../../scripts/build-runtime.mjs';
import { buildRenderer } from '../../scripts/build-renderer.mjs';

export default async function setup(): Promise<void> {
  if (process.env.E2E_NO_BUILD) return;
  await buildRuntime({ quiet: true });
  await buildRenderer({ quiet: true });
}
