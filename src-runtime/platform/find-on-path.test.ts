import { describe, expect, it } from 'vitest';
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { makeTempDir } from '../../test-support/runtime-harness.js';
import { findOnPath } from './find-on-path.js';

describe('findOnPath', () => {
  it('finds an executable in an absolute PATH entry and never through a relative one', async () => {
    const dir = await makeTempDir('wr-path-');
    await mkdir(join(dir, 'bin'));
    const tool = join(dir, 'bin', 'some-tool');
    await writeFile(tool, '#!/bin/sh\nexit 0\n');
    await chmod(tool, 0o755);
    expect(findOnPath('some-tool', join(dir, 'bin'))).toBe(tool);
    // "bin" relative to the process's folder is exactly what a hostile folder would plant.
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      expect(findOnPath('some-tool', ['bin', '.', ''].join(delimiter))).toBeNull();
    } finally {
      process.chdir(cwd);
    }
    await writeFile(join(dir, 'bin', 'not-executable'), 'x');
    expect(findOnPath('not-executable', join(dir, 'bin'))).toBeNull();
  });
});
