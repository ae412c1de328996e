import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { mkdir, readdir, readFile, realpath, symlink, utimes, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { request, type ClientRequest } from 'node:http';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { filesFeature } from './feature.js';
import { sweepTempFiles, TempSweeper } from './temp-sweep.js';

const WAIT = { timeout: 15_000, interval: 50 };

async function tempsIn(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).filter((n) => String(n).includes('.wr-tmp-')).map(String);
}

/** Starts a request that declares a body far larger than what it sends, and never ends it. */
function openUpload(rt: TestRuntime, path: string, headers: Record<string, string>, declared: number): { req: ClientRequest; closed: Promise<void> } {
  const url = new URL(rt.url);
  const req = request({
    host: url.hostname,
    port: url.port,
    method: headers['x-method'] ?? 'PUT',
    path,
    headers: { authorization: `Bearer ${rt.token}`, 'content-length': String(declared), ...headers },
  });
  const closed = new Promise<void>((resolve) => {
    req.on('error', () => resolve());
    req.on('close', () => resolve());
  });
  return { req, closed };
}

async function sendMegabytes(req: ClientRequest, count: number): Promise<void> {
  const chunk = Buffer.alloc(1024 * 1024, 7);
  for (let i = 0; i < count; i++) {
    if (!req.write(chunk)) await new Promise((resolve) => req.once('drain', resolve));
  }
}

describe('aborted writes and uploads', { timeout: 60_000 }, () => {
  let rt: TestRuntime;
  let root: string;
  let id: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-abort-'));
    rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    id = (await rt.json('/api/v1/workspaces')).body.workspaces[0].id;
  });
  afterAll(() => rt.close());

  it('a raw PUT cut off mid-body leaves no temp file and no target, and the next write works', async () => {
    const { req, closed } = openUpload(rt, `/api/v1/workspaces/${id}/files/cut.bin`, { 'content-type': 'application/octet-stream' }, 64 * 1024 * 1024);
    await sendMegabytes(req, 3);
    // The write is under way once its temp file exists.
    await vi.waitFor(async () => expect(await tempsIn(root)).not.toEqual([]), WAIT);
    req.destroy();
    await closed;
    await vi.waitFor(async () => expect(await tempsIn(root)).toEqual([]), WAIT);
    expect(existsSync(join(root, 'cut.bin'))).toBe(false);
    const again = await rt.json(`/api/v1/workspaces/${id}/files/cut.bin`, { method: 'PUT', body: 'whole' });
    expect(again.status).toBe(201);
    expect(await readFile(join(root, 'cut.bin'), 'utf8')).toBe('whole');
  });

  it('a multipart upload cut off mid-part leaves no temp file and no target, and the next upload works', async () => {
    const boundary = 'AbortBoundary';
    const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="part.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const { req, closed } = openUpload(
      rt,
      `/api/v1/workspaces/${id}/file-ops/upload?path=up`,
      { 'content-type': `multipart/form-data; boundary=${boundary}`, 'x-method': 'POST' },
      64 * 1024 * 1024,
    );
    req.write(head);
    await sendMegabytes(req, 3);
    await vi.waitFor(async () => expect(existsSync(join(root, 'up')) && (await tempsIn(join(root, 'up')))).not.toEqual([]), WAIT);
    req.destroy();
    await closed;
    await vi.waitFor(async () => expect(await tempsIn(root)).toEqual([]), WAIT);
    expect(existsSync(join(root, 'up/part.bin'))).toBe(false);
    const form = new FormData();
    form.append('file', new Blob(['complete']), 'part.bin');
    const ok = await rt.json(`/api/v1/workspaces/${id}/file-ops/upload?path=up`, { method: 'POST', body: form });
    expect(ok.status).toBe(201);
    expect(await readFile(join(root, 'up/part.bin'), 'utf8')).toBe('complete');
  });

  it('a JSON-form PUT cut off mid-body does not upset the runtime', async () => {
    const { req, closed } = openUpload(rt, `/api/v1/workspaces/${id}/files/j.txt?format=json`, { 'content-type': 'application/json' }, 8 * 1024 * 1024);
    req.write('{"content": "');
    await sendMegabytes(req, 2);
    req.destroy();
    await closed;
    expect((await rt.json('/health')).status).toBe(200);
    // The runtime notices the cut on its own schedule: wait for it rather than race it.
    await vi.waitFor(async () => expect(await tempsIn(root)).toEqual([]), WAIT);
    expect(existsSync(join(root, 'j.txt'))).toBe(false);
  });
});

describe('stale temp-file sweep', { timeout: 60_000 }, () => {
  const twoMinutesAgo = () => new Date(Date.now() - 2 * 60_000);

  it('removes old runtime temp files only: fresh ones, look-alikes, node_modules and links stay', async () => {
    const root = await realpath(await makeTempDir('wr-sweep-'));
    const outside = await realpath(await makeTempDir('wr-sweep-out-'));
    await mkdir(join(root, 'src/deep'), { recursive: true });
    await mkdir(join(root, 'node_modules/pkg'), { recursive: true });
    const old = join(root, 'src/deep/.wr-tmp-0123456789ab-index.ts');
    const fresh = join(root, 'src/.wr-tmp-abcdefabcdef-fresh.ts');
    const lookAlike = join(root, 'src/.wr-tmp-notes.txt');
    const inModules = join(root, 'node_modules/pkg/.wr-tmp-0123456789ab-x.js');
    const outsideFile = join(outside, '.wr-tmp-0123456789ab-victim.txt');
    const link = join(root, '.wr-tmp-0123456789ab-link.txt');
    for (const f of [old, fresh, lookAlike, inModules, outsideFile]) await writeFile(f, 'x');
    for (const f of [old, lookAlike, inModules, outsideFile]) await utimes(f, twoMinutesAgo(), twoMinutesAgo());
    await symlink(outsideFile, link);
    await symlink(outside, join(root, 'linked-dir'));

    const { removed } = await sweepTempFiles(root);
    expect(removed).toEqual([old]);
    for (const f of [fresh, lookAlike, inModules, outsideFile, link]) expect(existsSync(f), f).toBe(true);
    expect(existsSync(old)).toBe(false);
  });

  it('keeps a temp file a write in progress holds', async () => {
    const root = await realpath(await makeTempDir('wr-sweep-'));
    const held = join(root, '.wr-tmp-0123456789ab-held.txt');
    await writeFile(held, 'x');
    await utimes(held, twoMinutesAgo(), twoMinutesAgo());
    expect((await sweepTempFiles(root, { isActive: (p) => p === held })).removed).toEqual([]);
    expect(existsSync(held)).toBe(true);
  });

  it('runs for each registered workspace when the runtime starts', async () => {
    const root = await realpath(await makeTempDir('wr-sweep-start-'));
    const stale = join(root, '.wr-tmp-0123456789ab-left-over.txt');
    const kept = join(root, 'keep.txt');
    await writeFile(stale, 'x');
    await writeFile(kept, 'x');
    await utimes(stale, twoMinutesAgo(), twoMinutesAgo());
    const rt = await startTestRuntime({ workspace: root, features: [filesFeature] });
    try {
      await vi.waitFor(() => expect(existsSync(stale)).toBe(false), WAIT);
      expect(existsSync(kept)).toBe(true);
    } finally {
      await rt.close();
    }
  });

  it('a stopped sweeper sweeps no more', async () => {
    const roots = vi.fn(() => [] as string[]);
    const sweeper = new TempSweeper(roots, () => undefined, undefined, 10);
    sweeper.start();
    await vi.waitFor(() => expect(roots).toHaveBeenCalled(), WAIT);
    await sweeper.stop();
    const calls = roots.mock.calls.length;
    await sweeper.sweepAll();
    expect(roots.mock.calls.length).toBe(calls);
  });
});
