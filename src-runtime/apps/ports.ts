/**
 * Port assignment for apps: a preferred port derived from the workspace's and the app's position
 * inside the configured range (so an app tends to keep its port across restarts), then the next
 * free one. "Free" means nothing listens on 127.0.0.1 nor on ::1 (Node resolves `localhost` to
 * ::1 first) and no other app of this runtime holds it. A probe can still race another process,
 * so the supervisor retries with the next port when an app dies with EADDRINUSE.
 */
import { createServer } from 'node:net';

export interface PortRange {
  start: number;
  end: number;
}

/** Slots per workspace: apps of workspace i start at range.start + i * SLOT_STRIDE. */
export const SLOT_STRIDE = 20;

export function preferredPort(range: PortRange, workspaceIndex: number, appIndex: number): number {
  const size = range.end - range.start + 1;
  const offset = (Math.max(0, workspaceIndex) * SLOT_STRIDE + Math.max(0, appIndex)) % size;
  return range.start + offset;
}

function tryListen(port: number, host: string): Promise<'free' | 'busy' | 'unsupported'> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EADDRNOTAVAIL' || error.code === 'EAFNOSUPPORT') resolve('unsupported');
      else resolve('busy');
    });
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve('free')));
  });
}

/** Whether nothing listens on `port` on either loopback address. */
export async function portFree(port: number): Promise<boolean> {
  const v4 = await tryListen(port, '127.0.0.1');
  if (v4 === 'busy') return false;
  const v6 = await tryListen(port, '::1');
  return v6 !== 'busy';
}

/** The first free port at or after `preferred`, wrapping inside the range, skipping `taken`. */
export async function findFreePort(range: PortRange, preferred: number, taken: Set<number>): Promise<number | undefined> {
  const size = range.end - range.start + 1;
  for (let i = 0; i < size; i += 1) {
    const port = range.start + ((preferred - range.start + i) % size);
    if (taken.has(port)) continue;
    if (await portFree(port)) return port;
  }
  return undefined;
}
