import { describe, expect, it } from 'vitest';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { parse } from 'yaml';
import { makeTempDir } from '../../test-support/runtime-harness.js';
import { manifestSchema } from '../contract/apps.js';
import { discoverManifests, parseManifest } from './manifest.js';
import { generateManifestSchema, schemaFile } from '../../scripts/gen-manifest-schema.mjs';

const require = createRequire(import.meta.url);
const Ajv2020 = require('ajv/dist/2020').default;

describe('app.runtime.yaml parsing', () => {
  it('reads an apps: list with scripts and actions', () => {
    const m = parseManifest(
      ['apps:', '  - id: api', '    start: node server.js', '    readiness: { http: /health, timeout: 10s }', '  - id: web', '    start: npm run dev', '    depends_on: [api]', 'scripts:', '  test: npm test', 'actions:', '  review: Review it'].join('\n'),
      '/w/app.runtime.yaml',
      '/w',
    );
    expect(m.errors).toEqual([]);
    expect(m.apps.map((a) => [a.manifestId, a.app?.start])).toEqual([['api', 'node server.js'], ['web', 'npm run dev']]);
    expect(m.scripts).toEqual({ test: 'npm test' });
    expect(m.actions).toEqual({ review: { prompt: 'Review it' } });
  });

  it('reads one app at top level', () => {
    const m = parseManifest('id: solo\nstart: node a.js\nport: 4100\nscripts:\n  x: echo x\n', '/w/sub/app.runtime.yaml', '/w');
    expect(m.relPath).toBe('sub/app.runtime.yaml');
    expect(m.apps[0]?.app).toMatchObject({ id: 'solo', port: 4100 });
    expect(m.scripts).toEqual({ x: 'echo x' });
  });

  it('names file, line and field of a bad entry and keeps the good ones', () => {
    const text = ['apps:', '  - id: good', '    start: node a.js', '  - id: bad', '    start: node b.js', '    port: sometimes', '    restrat: always'].join('\n');
    const m = parseManifest(text, '/w/app.runtime.yaml', '/w');
    expect(m.apps[0]?.app?.id).toBe('good');
    const bad = m.apps[1]!;
    expect(bad.app).toBeUndefined();
    expect(bad.manifestId).toBe('bad');
    const port = bad.errors.find((e) => e.field === 'apps.1.port');
    expect(port).toMatchObject({ file: 'app.runtime.yaml', line: 6 });
    const typo = bad.errors.find((e) => e.field === 'apps.1.restrat');
    expect(typo).toMatchObject({ line: 7, message: expect.stringContaining('restrat') });
  });

  it('reports YAML syntax errors with their line, and a missing start command', () => {
    const syntax = parseManifest('apps:\n  - id: x\n    start: [unclosed\n', '/w/app.runtime.yaml', '/w');
    expect(syntax.errors.length).toBeGreaterThan(0);
    expect(syntax.errors[0]?.line).toBeGreaterThanOrEqual(3);
    const missing = parseManifest('apps:\n  - id: nostart\n    cwd: ./x\n', '/w/app.runtime.yaml', '/w');
    expect(missing.apps[0]?.errors[0]).toMatchObject({ field: 'apps.0.start', line: 2 });
  });

  it('refuses duplicate ids within a file', () => {
    const m = parseManifest('apps:\n  - id: a\n    start: x\n  - id: a\n    start: y\n', '/w/app.runtime.yaml', '/w');
    expect(m.apps[1]?.errors[0]).toMatchObject({ field: 'apps.1.id', line: 4, message: expect.stringContaining('duplicate') });
  });

  it('discovers the root manifest and sub-folder manifests, skipping node_modules', async () => {
    const root = await makeTempDir();
    await writeFile(join(root, 'app.runtime.yaml'), 'id: root\nstart: x\n');
    await mkdir(join(root, 'apps', 'web'), { recursive: true });
    await writeFile(join(root, 'apps', 'web', 'app.runtime.yaml'), 'id: web\nstart: x\n');
    await mkdir(join(root, 'node_modules', 'pkg'), { recursive: true });
    await writeFile(join(root, 'node_modules', 'pkg', 'app.runtime.yaml'), 'id: nope\nstart: x\n');
    const found = await discoverManifests(root);
    expect(found).toEqual([join(root, 'app.runtime.yaml'), join(root, 'apps', 'web', 'app.runtime.yaml')]);
  });

  it('ships a sample manifest that is valid against the zod schema and the checked-in JSON Schema', async () => {
    const text = await readFile(new URL('../../resources/app.runtime.yaml', import.meta.url), 'utf8');
    const data = parse(text);
    expect(manifestSchema.safeParse(data).success).toBe(true);
    const parsed = parseManifest(text, '/w/app.runtime.yaml', '/w');
    expect(parsed.errors).toEqual([]);
    expect(parsed.apps.every((a) => a.app)).toBe(true);
    const jsonSchema = JSON.parse(await readFile(schemaFile, 'utf8'));
    const ajv = new Ajv2020({ strict: false });
    const validate = ajv.compile(jsonSchema);
    expect(validate(data)).toBe(true);
    expect(validate({ apps: [{ id: 'x', start: 'y', port: 'sometimes' }] })).toBe(false);
  });

  it('keeps resources/app.runtime.schema.json in sync with the zod schema', async () => {
    expect(await readFile(schemaFile, 'utf8')).toBe(await generateManifestSchema());
  });
});
