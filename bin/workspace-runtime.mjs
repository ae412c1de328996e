#!/usr/bin/env node
// `workspace-runtime`: runs the bundled runtime, building it first when the bundle is missing or
// older than the sources (a fresh clone, or after a pull).
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'runtime', 'main.mjs');

function newestSource(dir) {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const sources = join(root, 'src-runtime');
if (existsSync(sources) && (!existsSync(bundle) || statSync(bundle).mtimeMs < newestSource(sources))) {
  const { buildRuntime } = await import(pathToFileURL(join(root, 'scripts', 'build-runtime.mjs')).href);
  process.chdir(root);
  await buildRuntime({ quiet: true });
}
// Node ≥ 22.1 keeps V8's compiled code between starts (most of a cold start is compiling the
// bundle); Node 20 has no such cache and ignores this.
module.enableCompileCache?.();
await import(pathToFileURL(bundle).href);
