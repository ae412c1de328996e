// Writes resources/app.runtime.schema.json, the JSON Schema of app.runtime.yaml, from the zod
// manifest schema in src-runtime/contract/apps.ts (bundled on the fly with esbuild, since Node 20
// does not run TypeScript). `--check` exits 1 when the checked-in file is out of date.
import { build } from 'esbuild';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const repo = fileURLToPath(new URL('..', import.meta.url));
export const schemaFile = join(repo, 'resources', 'app.runtime.schema.json');

export async function generateManifestSchema() {
  const dir = await mkdtemp(join(tmpdir(), 'wr-schema-'));
  try {
    const out = join(dir, 'apps.mjs');
    await build({
      entryPoints: [join(repo, 'src-runtime/contract/apps.ts')],
      outfile: out,
      bundle: true,
      platform: 'node',
      format: 'esm',
      logLevel: 'error',
      nodePaths: [join(repo, 'node_modules')],
    });
    const { manifestSchema } = await import(pathToFileURL(out).href);
    const { z } = await import('zod');
    const schema = z.toJSONSchema(manifestSchema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' });
    schema.$id = 'https://workspace-runtime.dev/schemas/app.runtime.schema.json';
    return `${JSON.stringify(schema, null, 2)}\n`;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const text = await generateManifestSchema();
  if (process.argv.includes('--check')) {
    const current = await readFile(schemaFile, 'utf8').catch(() => '');
    if (current !== text) {
      console.error('resources/app.runtime.schema.json is out of date: run node scripts/gen-manifest-schema.mjs');
      process.exit(1);
    }
  } else {
    await writeFile(schemaFile, text);
    console.log(`wrote ${schemaFile}`);
  }
}
