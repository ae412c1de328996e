import { describe, expect, it } from 'vitest';
import type { FileEntry } from '../../../src-runtime/contract/files.js';
import { flattenTree } from './file-tree.js';
import { parentOf, sortEntries, type DirectoryListing } from './queries.js';

const entry = (path: string, type: FileEntry['type'] = 'file'): FileEntry => ({ name: path.split('/').pop() ?? path, path, type, size: 0, mtime: '' });
const listing = (path: string, entries: FileEntry[]): DirectoryListing => sortEntries({ path, entries, truncated: false });

describe('file tree rows', () => {
  it('sorts folders first and flattens expanded folders depth-first, with loading rows for pending ones', () => {
    const byDir = new Map<string, { data?: DirectoryListing; error?: unknown }>([
      ['', { data: listing('', [entry('b.txt'), entry('src', 'directory'), entry('a.txt'), entry('docs', 'directory')]) }],
      ['src', { data: listing('src', [entry('src/z.ts'), entry('src/lib', 'directory')]) }],
      ['src/lib', {}],
    ]);
    const rows = flattenTree(byDir, new Set(['', 'src', 'src/lib']));
    expect(rows.map((r) => `${r.depth}:${r.kind}:${r.entry?.path ?? r.dir}`)).toEqual([
      '0:entry:docs',
      '0:entry:src',
      '1:entry:src/lib',
      '2:loading:src/lib',
      '1:entry:src/z.ts',
      '0:entry:a.txt',
      '0:entry:b.txt',
    ]);
  });

  it('flattens a 50,000-entry folder into one row per entry (the virtualizer renders only the visible ones)', () => {
    const entries = Array.from({ length: 50_000 }, (_, i) => entry(`big/f${i}`));
    const byDir = new Map([
      ['', { data: listing('', [entry('big', 'directory')]) }],
      ['big', { data: listing('big', entries) }],
    ]);
    const rows = flattenTree(byDir, new Set(['', 'big']));
    expect(rows).toHaveLength(50_001);
    expect(rows[1]).toMatchObject({ depth: 1, kind: 'entry' });
  });

  it('knows parents of paths', () => {
    expect(parentOf('a/b/c.txt')).toBe('a/b');
    expect(parentOf('c.txt')).toBe('');
  });
});
