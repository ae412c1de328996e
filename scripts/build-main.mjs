// Bundles the Electron main process (dist/main/main.cjs) and the preload (dist/main/preload.cjs).
// Both are CommonJS with `electron` external; the preload must be ONE file because a sandboxed
// preload can require nothing but a few electron modules.
import { build } from 'esbuild';

export async function buildMain({ quiet = false, outdir = 'dist/main' } = {}) {
  const started = Date.now();
  const common = {
    bundle: true,
    format: 'cjs',
    external: ['electron'],
    sourcemap: 'linked',
    logLevel: quiet ? 'error' : 'warning',
    outExtension: { '.js': '.cjs' },
    outdir,
  };
  await Promise.all([
    build({ ...common, entryPoints: { main: 'src-main/main.ts' }, platform: 'node', target: 'node22' }),
    // The sandboxed preload has no Node: no node: builtins may end up in it (a build error if one does).
    build({ ...common, entryPoints: { preload: 'src-main/preload.ts' }, platform: 'browser', target: 'chrome140' }),
  ]);
  if (!quiet) console.log(`built ${outdir}/main.cjs and ${outdir}/preload.cjs in ${Date.now() - started} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildMain();
