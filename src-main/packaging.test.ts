// The packaging layout: electron-builder --linux --dir with electron-builder.yml, offline, against a
// stand-in Electron distribution (electronDist) and a stand-in embedded git. Asserts what lands in
// app.asar (runtime entry, renderer build, main + preload; no sources, tests or source maps), that
// the runtime, the renderer and dugite are unpacked next to it and git sits where the main process
// looks for it, and that the packaged runtime starts from there under plain Node (so it needs
// nothing from inside the archive) and serves the packaged renderer.
import * as asar from '@electron/asar';
import { execFile, fork } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMain } from '../scripts/build-main.mjs';
import { buildRenderer } from '../scripts/build-renderer.mjs';
import { embeddedGitDir, runtimeEntryPath } from './runtime-env.js';

const run = promisify(execFile);
const ELECTRON_VERSION = (JSON.parse(readFileSync('node_modules/electron/package.json', 'utf8')) as { version: string }).version;

let work: string;
let resources: string;
let files: string[];

beforeAll(async () => {
  await Promise.all([buildMain({ quiet: true }), buildRenderer({ quiet: true })]);
  work = await mkdtemp(join(tmpdir(), 'wr-pack-'));

  // A stand-in for an unpacked Electron: an executable, a version file and an empty resources dir
  // (no default_app.asar: an empty one breaks the build).
  const electronDist = join(work, 'electron');
  mkdirSync(join(electronDist, 'resources'), { recursive: true });
  writeFileSync(join(electronDist, 'electron'), '#!/bin/sh\necho "stand-in electron: the real binary cannot be downloaded here" >&2\nexit 1\n');
  chmodSync(join(electronDist, 'electron'), 0o755);
  writeFileSync(join(electronDist, 'version'), `v${ELECTRON_VERSION}`);
  writeFileSync(join(electronDist, 'LICENSE'), 'stand-in\n');

  // A stand-in for the git `npm run fetch-git` puts in resources/git.
  const git = join(work, 'git');
  mkdirSync(join(git, 'bin'), { recursive: true });
  writeFileSync(join(git, 'bin', 'git'), '#!/bin/sh\necho "git version 0.0.0-standin"\n');
  chmodSync(join(git, 'bin', 'git'), 0o755);

  // The project's config, with only the git source, the output folder and electronDist changed.
  const config = parse(readFileSync('electron-builder.yml', 'utf8')) as { extraResources: Array<{ from: string }>; directories: { output: string } };
  const gitResource = config.extraResources.find((r) => r.from === 'resources/git');
  expect(gitResource).toBeDefined();
  gitResource!.from = git;
  const configFile = join(work, 'electron-builder.json');
  writeFileSync(configFile, JSON.stringify({ ...config, electronDist, directories: { ...config.directories, output: join(work, 'out') } }));

  await run(process.execPath, [resolve('node_modules/electron-builder/cli.js'), '--linux', '--dir', '--config', configFile, '--projectDir', resolve('.')], {
    env: { ...process.env, ELECTRON_BUILDER_OFFLINE: 'true', CSC_IDENTITY_AUTO_DISCOVERY: 'false' },
    timeout: 85_000,
    maxBuffer: 16 * 1024 * 1024,
  });
  resources = join(work, 'out', 'linux-unpacked', 'resources');
  files = asar.listPackage(join(resources, 'app.asar'), { isPack: false }).map((f) => f.replaceAll('\\', '/'));
}, 120_000);

afterAll(async () => {
  if (work) await rm(work, { recursive: true, force: true });
});

describe('electron-builder --dir layout', () => {
  it('puts the main process, the preload, the runtime entry and the renderer build in app.asar', () => {
    for (const path of ['/package.json', '/dist/main/main.cjs', '/dist/main/preload.cjs', '/dist/runtime/main.mjs', '/dist/renderer/index.html']) {
      expect(files, path).toContain(path);
    }
    expect(files.some((f) => /^\/dist\/renderer\/assets\/.+\.js$/.test(f))).toBe(true);
    const pkg = JSON.parse(asar.extractFile(join(resources, 'app.asar'), 'package.json').toString()) as { main: string; productName: string };
    expect(pkg.main).toBe('dist/main/main.cjs');
    expect(pkg.productName).toBe('Workspace Runtime');
    expect(existsSync(join(work, 'out', 'linux-unpacked', 'workspace-runtime-desktop'))).toBe(true);
  });

  it('ships no sources, tests, test support or source maps', () => {
    const offenders = files.filter(
      (f) => f.endsWith('.map') || /\.(test|spec)\.[cm]?[jt]sx?$/.test(f) || /\.(ts|tsx|mts|cts)$/.test(f) || /^\/(src-main|src-runtime|src-renderer|test-support|e2e|bench|scripts|resources)\//.test(f),
    );
    expect(offenders).toEqual([]);
    expect(files.filter((f) => f.startsWith('/dist/')).every((f) => /^\/dist\/(main|runtime|renderer)(\/|$)/.test(f) || f === '/dist')).toBe(true);
  });

  it('bundles the preload into one CommonJS file that requires nothing but electron', () => {
    const preload = asar.extractFile(join(resources, 'app.asar'), 'dist/main/preload.cjs').toString();
    const required = new Set([...preload.matchAll(/require\(["']([^"']+)["']\)/g)].map((m) => m[1]));
    expect([...required]).toEqual(['electron']);
    expect(preload).toContain('exposeInMainWorld');
  });

  it('unpacks dugite from the asar and ships git where the main process looks for it', () => {
    expect(existsSync(join(resources, 'app.asar.unpacked', 'node_modules', 'dugite', 'build', 'lib', 'index.js'))).toBe(true);
    expect(embeddedGitDir({ resourcesPath: resources, platform: 'linux', exists: existsSync })).toBe(join(resources, 'git'));
    // Workspace templates ship whole (their .ts and .md files too) beside the archive.
    expect(existsSync(join(resources, 'templates', 'node-ts', 'app.runtime.yaml'))).toBe(true);
    expect(readdirSync(join(resources, 'templates')).sort()).toEqual(readdirSync('resources/templates').sort());
    expect(existsSync(join(resources, 'icon.png'))).toBe(true);
  });

  it('unpacks the runtime and the renderer next to the asar, where the main process forks it from', () => {
    const unpacked = join(resources, 'app.asar.unpacked');
    expect(runtimeEntryPath(join(resources, 'app.asar'))).toBe(join(unpacked, 'dist', 'runtime', 'main.mjs'));
    expect(existsSync(join(unpacked, 'dist', 'runtime', 'main.mjs'))).toBe(true);
    expect(existsSync(join(unpacked, 'dist', 'renderer', 'index.html'))).toBe(true);
    expect(existsSync(join(unpacked, 'dist', 'runtime', 'main.mjs.map'))).toBe(false);
    // Main and preload stay packed.
    expect(existsSync(join(unpacked, 'dist', 'main'))).toBe(false);
  });

  it('runs the packaged runtime from app.asar.unpacked under plain Node, serving the packaged renderer with a CSP', async () => {
    const unpacked = join(resources, 'app.asar.unpacked');
    const child = fork(runtimeEntryPath(join(resources, 'app.asar')), ['serve', '--port', '0', '--data-dir', join(work, 'data')], { stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    child.stdout!.resume();
    let stderr = '';
    child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    try {
      const [ready] = (await Promise.race([once(child, 'message'), once(child, 'exit').then(() => Promise.reject(new Error(stderr)))])) as [{ type: string; url: string }];
      expect(ready.type).toBe('ready');
      const page = await fetch(`${ready.url}/`);
      expect(page.status).toBe(200);
      expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(await page.text()).toBe(readFileSync(join(unpacked, 'dist', 'renderer', 'index.html'), 'utf8'));
    } finally {
      if (child.exitCode === null) {
        const exited = once(child, 'exit');
        child.send({ type: 'shutdown' });
        expect((await exited)[0]).toBe(0);
      }
    }
  });
});
