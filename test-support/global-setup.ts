// Builds the runtime bundle once before the tests, for the tests that start it as a real child
// process (ready handshake, data dir lock, SIGKILL recovery).
import { buildRuntime } from '../scripts/build-runtime.mjs';

export default async function setup(): Promise<void> {
  await buildRuntime({ quiet: true });
}
