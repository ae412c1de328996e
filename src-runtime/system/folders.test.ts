import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';

describe('GET /api/v1/system/folders', () => {
  let rt: TestRuntime;
  let root: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir('wr-folders-'));
    await mkdir(join(root, 'beta'));
    await mkdir(join(root, 'alpha'));
    await mkdir(join(root, '.hidden'));
    await writeFile(join(root, 'file.txt'), 'x');
    await symlink(join(root, 'alpha'), join(root, 'link-to-alpha'));
    rt = await startTestRuntime();
  });
  afterAll(() => rt.close());

  it('lists sub-folders only, sorted, hidden ones on request', async () => {
    const { status, body } = await rt.json(`/api/v1/system/folders?path=${encodeURIComponent(root)}`);
    expect(status).toBe(200);
    expect(body.listing.path).toBe(root);
    expect(body.listing.folders.map((f: { name: string }) => f.name)).toEqual(['alpha', 'beta', 'link-to-alpha']);
    expect(body.listing.folders[0].path).toBe(join(root, 'alpha'));
    expect(body.listing.parent).toBe(join(root, '..'));
    const hidden = await rt.json(`/api/v1/system/folders?path=${encodeURIComponent(root)}&hidden=true`);
    expect(hidden.body.listing.folders.map((f: { name: string }) => f.name)).toContain('.hidden');
  });

  it('starts at the home folder and has no parent above the root', async () => {
    const home = await rt.json('/api/v1/system/folders');
    expect(home.body.listing.path).toBe(homedir());
    const top = await rt.json('/api/v1/system/folders?path=%2F');
    expect(top.body.listing.parent).toBeNull();
  });

  it('answers 400 for files and relative paths, 404 for missing folders, 401 without a token', async () => {
    expect((await rt.json(`/api/v1/system/folders?path=${encodeURIComponent(join(root, 'file.txt'))}`)).body.code).toBe('not_a_folder');
    expect((await rt.json('/api/v1/system/folders?path=relative%2Fdir')).status).toBe(400);
    expect((await rt.json(`/api/v1/system/folders?path=${encodeURIComponent(join(root, 'nope'))}`)).status).toBe(404);
    expect((await rt.api('/api/v1/system/folders', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });
});
