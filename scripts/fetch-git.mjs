// Fetches dugite's embedded git for packaging into resources/git, which electron-builder ships as
// an extra resource (the desktop main process then sets LOCAL_GIT_DIRECTORY to it). It runs
// dugite's own download script (node_modules/dugite/script/download-git.js), so it needs network
// access (GitHub releases); the normal `npm install` never downloads git (allowScripts: dugite false).
//
//   node scripts/fetch-git.mjs [--arch x64|arm64] [--dugite-dir DIR] [--out DIR]
//
// The archive is cached in .cache/dugite (DUGITE_CACHE_DIR). The git fetched is for this OS:
// installers are built per OS. dugite unpacks into its own package folder; the result is moved
// out of it, so development keeps using the system git.
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export function fetchGit({ arch = process.arch, dugiteDir, out = 'resources/git', cacheDir = '.cache/dugite', platform = process.platform } = {}) {
  const dir = dugiteDir ?? dirname(createRequire(import.meta.url).resolve('dugite/package.json'));
  const script = join(dir, 'script', 'download-git.js');
  if (!existsSync(script)) throw new Error(`dugite's download script is missing: ${script}`);
  const env = { ...process.env, DUGITE_CACHE_DIR: resolve(cacheDir), npm_config_arch: arch };
  mkdirSync(env.DUGITE_CACHE_DIR, { recursive: true });
  const run = spawnSync(process.execPath, [script], { cwd: dir, env, stdio: 'inherit' });
  const unpacked = join(dir, 'git');
  const binary = join(unpacked, ...(platform === 'win32' ? ['cmd', 'git.exe'] : ['bin', 'git']));
  if (run.status !== 0 || !existsSync(binary)) {
    throw new Error(
      `dugite's download failed (exit ${run.status}). Fetching git needs network access to GitHub ` +
        `(and DUGITE_CACHE_DIR=${env.DUGITE_CACHE_DIR} keeps the archive for the next run).`,
    );
  }
  const target = resolve(out);
  rmSync(target, { recursive: true, force: true });
  mkdirSync(dirname(target), { recursive: true });
  try {
    renameSync(unpacked, target);
  } catch (error) {
    if (error.code !== 'EXDEV') throw error;
    cpSync(unpacked, target, { recursive: true, verbatimSymlinks: true });
    rmSync(unpacked, { recursive: true, force: true });
  }
  const version = spawnSync(join(target, ...(platform === 'win32' ? ['cmd', 'git.exe'] : ['bin', 'git'])), ['--version'], { encoding: 'utf8' });
  return { dir: target, version: version.status === 0 ? version.stdout.trim() : null };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { arch: { type: 'string' }, 'dugite-dir': { type: 'string' }, out: { type: 'string' } } });
  try {
    const result = fetchGit({ arch: values.arch, dugiteDir: values['dugite-dir'], out: values.out });
    console.log(`embedded git in ${result.dir}${result.version ? ` (${result.version})` : ''}`);
  } catch (error) {
    console.error(`fetch-git: ${error.message}`);
    process.exit(1);
  }
}
