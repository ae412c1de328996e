// fetch-git runs dugite's download script with the cache dir and arch in its environment and moves
// the unpacked git into the resources folder. The real script needs GitHub; here a stand-in dugite
// folder whose script "unpacks" a tiny git is used, and the real script's presence is checked.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { fetchGit } from './fetch-git.mjs';

let dir: string;
afterEach(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('fetch-git', () => {
  it('has the real dugite download script to run', () => {
    expect(existsSync('node_modules/dugite/script/download-git.js')).toBe(true);
  });

  it.skipIf(process.platform === 'win32')('runs the download script with DUGITE_CACHE_DIR and npm_config_arch, then moves git out of dugite', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wr-fetch-git-'));
    const dugite = join(dir, 'dugite');
    await mkdir(join(dugite, 'script'), { recursive: true });
    await writeFile(
      join(dugite, 'script', 'download-git.js'),
      `const fs = require('fs'); const path = require('path');
const git = path.join(__dirname, '..', 'git');
fs.mkdirSync(path.join(git, 'bin'), { recursive: true });
fs.writeFileSync(path.join(git, 'bin', 'git'), '#!/bin/sh\\necho "git version 2.99.0-standin"\\n', { mode: 0o755 });
fs.writeFileSync(path.join(git, 'env.json'), JSON.stringify({ cache: process.env.DUGITE_CACHE_DIR, arch: process.env.npm_config_arch }));
`,
    );
    const out = join(dir, 'resources', 'git');
    const result = fetchGit({ dugiteDir: dugite, out, cacheDir: join(dir, 'cache'), arch: 'arm64' });
    expect(result).toEqual({ dir: out, version: 'git version 2.99.0-standin' });
    expect(JSON.parse(await readFile(join(out, 'env.json'), 'utf8'))).toEqual({ cache: join(dir, 'cache'), arch: 'arm64' });
    expect(existsSync(join(dugite, 'git'))).toBe(false); // development keeps using the system git
  });

  it('fails with a message about network access when the download fails', async () => {
    dir = await mkdtemp(join(tmpdir(), 'wr-fetch-git-'));
    await mkdir(join(dir, 'dugite', 'script'), { recursive: true });
    await writeFile(join(dir, 'dugite', 'script', 'download-git.js'), "console.log('Unable to download archive, aborting...'); process.exit(1);\n");
    expect(() => fetchGit({ dugiteDir: join(dir, 'dugite'), out: join(dir, 'out'), cacheDir: join(dir, 'cache') })).toThrow(/needs network access/);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});
