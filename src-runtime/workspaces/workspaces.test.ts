import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, realpath, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';

describe('workspaces API', () => {
  let rt: TestRuntime;
  let root: string;

  beforeAll(async () => {
    root = await realpath(await makeTempDir());
    rt = await startTestRuntime();
  });
  afterAll(() => rt.close());

  it('registers an existing folder, is idempotent, and lists it', async () => {
    const dir = join(root, 'proj');
    await mkdir(dir);
    const created = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    expect(created.status).toBe(201);
    expect(created.body.workspace).toMatchObject({ name: 'proj', root_dir: dir, trusted: false, is_default: true });
    expect(created.body.workspace.id).toMatch(/^ws_/);
    const again = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    expect(again.status).toBe(200);
    expect(again.body.workspace.id).toBe(created.body.workspace.id);
    const list = await rt.json('/api/v1/workspaces');
    expect(list.body.workspaces.map((w: { id: string }) => w.id)).toEqual([created.body.workspace.id]);
  });

  it('gets a workspace by id and by URL-encoded path, also under the AGH alias', async () => {
    const dir = join(root, 'by-path');
    await mkdir(dir);
    const { body } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir, name: 'By path' } });
    const byId = await rt.json(`/api/v1/workspaces/${body.workspace.id}`);
    expect(byId.body.workspace.name).toBe('By path');
    const byPath = await rt.json(`/api/v1/workspaces/${encodeURIComponent(dir)}`);
    expect(byPath.status).toBe(200);
    expect(byPath.body.workspace.id).toBe(body.workspace.id);
    const agh = await rt.json(`/api/workspaces/${body.workspace.id}`);
    expect(agh.body.workspace.id).toBe(body.workspace.id);
  });

  it('creates a new folder on request and refuses missing folders, files and relative paths', async () => {
    const fresh = join(root, 'new', 'deep');
    const made = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: fresh, create: true } });
    expect(made.status).toBe(201);
    const missing = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: join(root, 'nope') } });
    expect(missing).toMatchObject({ status: 400, body: { code: 'folder_not_found' } });
    await writeFile(join(root, 'a-file'), 'x');
    const file = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: join(root, 'a-file') } });
    expect(file).toMatchObject({ status: 400, body: { code: 'not_a_directory' } });
    const relative = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: 'relative/path' } });
    expect(relative).toMatchObject({ status: 400, body: { code: 'path_not_absolute' } });
    const extra = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: root, bogus: 1 } });
    expect(extra.status).toBe(400);
    expect(extra.body.error).toContain('bogus');
  });

  it('resolves a path inside a workspace to it, through symlinks, and registers unknown folders', async () => {
    const dir = join(root, 'resolve-me');
    await mkdir(join(dir, 'src', 'deep'), { recursive: true });
    const { body } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    await symlink(dir, join(root, 'link-to-resolve'));
    const inner = await rt.json('/api/v1/workspaces/resolve', { method: 'POST', json: { path: join(root, 'link-to-resolve', 'src', 'deep') } });
    expect(inner.status).toBe(200);
    expect(inner.body.workspace.id).toBe(body.workspace.id);
    const other = join(root, 'unregistered');
    await mkdir(other);
    const registered = await rt.json('/api/v1/workspaces/resolve', { method: 'POST', json: { path: other } });
    expect(registered.status).toBe(201);
    expect(registered.body.workspace.root_dir).toBe(other);
  });

  it('patches trust and the default, and DELETE unregisters without touching the folder', async () => {
    const dir = join(root, 'patch-me');
    await mkdir(dir);
    const { body } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    const id = body.workspace.id as string;
    const patched = await rt.json(`/api/v1/workspaces/${id}`, { method: 'PATCH', json: { trusted: true, make_default: true, name: 'Renamed' } });
    expect(patched.body.workspace).toMatchObject({ trusted: true, is_default: true, name: 'Renamed' });
    const bad = await rt.json(`/api/v1/workspaces/${id}`, { method: 'PATCH', json: { trusted: 'yes' } });
    expect(bad.status).toBe(400);
    const removed = await rt.json(`/api/v1/workspaces/${id}`, { method: 'DELETE' });
    expect(removed).toMatchObject({ status: 200, body: { ok: true } });
    expect((await rt.json(`/api/v1/workspaces/${id}`)).body.code).toBe('workspace_not_found');
    const { stat } = await import('node:fs/promises');
    expect((await stat(dir)).isDirectory()).toBe(true);
  });

  it('answers unknown ids with 404 and a readable message', async () => {
    const res = await rt.json('/api/v1/workspaces/ws_doesnotexist');
    expect(res).toMatchObject({ status: 404, body: { code: 'workspace_not_found' } });
    expect(res.body.error).toContain('ws_doesnotexist');
  });
});
