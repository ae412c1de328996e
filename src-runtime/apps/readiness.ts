/**
 * Readiness checks: when is a started app ready? `tcp` (the port accepts a connection on 127.0.0.1
 * or ::1), `http` (GET on the path answers below 500) or `log` (an output line contains the text,
 * or matches it when written /like this/). Polls briefly (20 ms) so a fast app is seen at once.
 */
import { connect } from 'node:net';
import { request } from 'node:http';

export type ReadinessSpec =
  | { kind: 'tcp'; port: number }
  | { kind: 'http'; port: number; path: string }
  | { kind: 'log'; pattern: string }
  | { kind: 'none' };

const POLL_MS = 20;

function tcpOnce(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ port, host });
    const done = (ok: boolean) => {
      socket.removeAllListeners();
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('connect', () => done(true));
    socket.once('error', () => done(false));
  });
}

export async function tcpReady(port: number): Promise<boolean> {
  return (await tcpOnce(port, '127.0.0.1')) || (await tcpOnce(port, '::1'));
}

function httpOnce(port: number, host: string, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request({ host, port, path, method: 'GET', timeout: 2000, headers: { 'user-agent': 'workspace-runtime-readiness' } }, (res) => {
      res.resume();
      resolve((res.statusCode ?? 500) < 500);
    });
    req.once('timeout', () => req.destroy());
    req.once('error', () => resolve(false));
    req.end();
  });
}

export async function httpReady(port: number, path: string): Promise<boolean> {
  return (await httpOnce(port, '127.0.0.1', path)) || (await httpOnce(port, '::1', path));
}

/** A matcher for `readiness.log`: `/re/flags` is a regex, anything else a substring. */
export function logMatcher(pattern: string): (line: string) => boolean {
  const m = /^\/(.+)\/([a-z]*)$/.exec(pattern);
  if (m) {
    try {
      const re = new RegExp(m[1]!, m[2]);
      return (line) => re.test(line);
    } catch {
      // not a valid regex: fall back to a substring
    }
  }
  return (line) => line.includes(pattern);
}

/**
 * Poll a port check until it passes, `signal` aborts, or the timeout passes. Resolves true when
 * ready. Log readiness is resolved by the supervisor from the output, not here.
 */
export async function waitReady(spec: ReadinessSpec, timeoutMs: number, signal: AbortSignal, ownsPort: (port: number) => Promise<boolean> = async () => true): Promise<boolean> {
  if (spec.kind === 'none' || spec.kind === 'log') return true;
  const deadline = Date.now() + timeoutMs;
  while (!signal.aborted && Date.now() < deadline) {
    const ok = spec.kind === 'tcp' ? await tcpReady(spec.port) : await httpReady(spec.port, spec.path);
    // Someone answering on the port is not enough: it must be the app (see groupListensOn).
    if (ok && (await ownsPort(spec.port))) return true;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
  return false;
}
