// Helpers for the renderer benchmarks (not a bench itself): build the runtime and renderer,
// start the runtime on a workspace, and launch Debian's Chromium headless through playwright-core.
import { spawnSync, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT, startRuntime, tempDir } from './lib.mjs';

export { ROOT, startRuntime, tempDir };

export function buildAll() {
  for (const script of ['build-runtime.mjs', 'build-renderer.mjs']) {
    const r = spawnSync(process.execPath, [join(ROOT, 'scripts', script)], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
    if (r.status !== 0) throw new Error(`${script} failed`);
  }
}

/** A git repo with `files` (path → content). */
export function makeWorkspace(files) {
  const dir = tempDir('wr-bench-ws-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  execFileSync('git', ['init', '-q', '-b', 'main'], { cwd: dir });
  return dir;
}

export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-dev-shm-usage'];

export async function launch() {
  const profile = tempDir('wr-bench-chromium-');
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 800 },
  });
  return context;
}
