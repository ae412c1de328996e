// Shared helpers for the benchmark scripts: start the built runtime as a child process and read
// its discovery file, temp dirs, medians and percentiles. Benchmarks print one JSON object.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const ENTRY = join(ROOT, 'dist', 'runtime', 'main.mjs');

export const tempDir = (prefix = 'wr-bench-') => mkdtempSync(join(tmpdir(), prefix));

export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

export function percentile(values, p) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export const round = (n, d = 2) => Math.round(n * 10 ** d) / 10 ** d;

/** Start `workspace-runtime serve` (the bundle) and resolve with url, token, child. */
export async function startRuntime(args = [], env = {}) {
  const dataDir = tempDir('wr-bench-data-');
  const child = spawn(process.execPath, [ENTRY, 'serve', '--port', '0', '--data-dir', dataDir, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const line = await new Promise((resolve, reject) => {
    createInterface({ input: child.stdout }).once('line', resolve);
    child.once('exit', (code) => reject(new Error(`runtime exited ${code}: ${stderr}`)));
  });
  const ready = JSON.parse(line);
  const { token } = JSON.parse(readFileSync(join(dataDir, 'runtime.json'), 'utf8'));
  return {
    url: ready.url,
    port: ready.port,
    token,
    dataDir,
    child,
    headers: { authorization: `Bearer ${token}` },
    stop: () => new Promise((r) => (child.exitCode !== null ? r() : (child.once('exit', r), child.kill('SIGTERM')))),
  };
}
