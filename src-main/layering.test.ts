// Import rules of the desktop shell: only src-main imports electron, and src-main takes nothing from
// the runtime but types from its contract (the runtime runs in its own process).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sources(path);
    return /\.(ts|tsx|mts|mjs|js)$/.test(entry.name) ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, 'utf8').matchAll(/^\s*import\s+(type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]|require\(['"]([^'"]+)['"]\)|import\(['"]([^'"]+)['"]\)/gm)];

describe('layering', () => {
  it('imports electron only in src-main', () => {
    const offenders = ['src-runtime', 'src-renderer', 'test-support', 'bin']
      .flatMap((dir) => sources(dir))
      .filter((file) => importsOf(file).some((m) => (m[2] ?? m[3] ?? m[4]) === 'electron'));
    expect(offenders).toEqual([]);
  });

  it('takes only types from src-runtime, and only from its contract', () => {
    const offenders: string[] = [];
    for (const file of sources('src-main').filter((f) => !f.endsWith('.test.ts'))) {
      for (const m of importsOf(file)) {
        const spec = m[2] ?? m[3] ?? m[4] ?? '';
        if (!spec.includes('src-runtime')) continue;
        if (!m[1] || !/src-runtime\/contract\//.test(spec)) offenders.push(`${file}: ${m[0].trim()}`);
      }
    }
    expect(offenders).toEqual([]);
  });
});
