#!/usr/bin/env node
// `workspace-runtime`: runs the bundled runtime. In a checkout it first builds what is missing or
// older than its sources (a fresh clone, or after a pull): the runtime bundle, and the renderer
// the runtime serves at /.
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const bundle = join(root, 'dist', 'runtime', 'main.mjs');
const rendererIndex = join(root, 'dist', 'renderer', 'index.html');

function newestSource(dir, pattern = /\.(ts|tsx|css|html)$/) {
  if (!existsSync(dir)) return 0;
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path, pattern));
    else if (pattern.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

const stale = (output, ...sourceDirs) => !existsSync(output) || statSync(output).mtimeMs < Math.max(...sourceDirs.map((d) => newestSource(d)));
const isCommand = (arg) => arg === undefined || arg === 'serve' || (arg.startsWith('--') && !['--help', '--version'].includes(arg));

const sources = join(root, 'src-runtime');
if (existsSync(sources)) {
  const scripts = join(root, 'scripts');
  if (stale(bundle, sources)) {
    const { buildRuntime } = await import(pathToFileURL(join(scripts, 'build-runtime.mjs')).href);
    process.chdir(root);
    await buildRuntime({ quiet: true });
  }
  const rendererSources = join(root, 'src-renderer');
  if (isCommand(process.argv[2]) && existsSync(rendererSources) && stale(rendererIndex, rendererSources, join(sources, 'contract'), join(sources, 'client'))) {
    process.stderr.write('workspace-runtime: building the renderer (first start, or its sources changed)…\n');
    const { buildRenderer } = await import(pathToFileURL(join(scripts, 'build-renderer.mjs')).href);
    process.chdir(root);
    await buildRenderer({ quiet: true });
  }
}
// Node ≥ 22.1 keeps V8's compiled code between starts (most of a cold start is compiling the
// bundle); Node 20 has no such cache and ignores this.
module.enableCompileCache?.();
await import(pathToFileURL(bundle).href);
