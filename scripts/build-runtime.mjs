// Bundles the runtime entry into dist/runtime/main.mjs (one file: fast cold start). dugite stays
// external because it finds its embedded git relative to its own package folder.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));

export async function buildRuntime({ quiet = false } = {}) {
  const started = Date.now();
  await build({
    entryPoints: { main: 'src-runtime/main.ts' },
    outdir: 'dist/runtime',
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    sourcemap: 'linked',
    minify: true,
    keepNames: true,
    external: ['dugite', '@anthropic-ai/claude-code', 'electron'],
    define: { __WR_VERSION__: JSON.stringify(pkg.version) },
    banner: {
      js: "import { createRequire as __wrCreateRequire } from 'node:module'; const require = __wrCreateRequire(import.meta.url);",
    },
    logLevel: quiet ? 'error' : 'warning',
  });
  if (!quiet) console.log(`built dist/runtime/main.mjs in ${Date.now() - started} ms`);
}

if (import.meta.url === `file://${process.argv[1]}`) await buildRuntime();
