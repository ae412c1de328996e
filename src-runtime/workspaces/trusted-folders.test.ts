import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, realpath, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { makeTempDir, startTestRuntime, type TestRuntime } from '../../test-support/runtime-harness.js';
import { isInsideFolder } from '../platform/paths.js';
import { trustedFolderOf } from './service.js';

describe('trusted folder matching', () => {
  it('matches the folder itself and what is below it, at a separator boundary only', () => {
    expect(isInsideFolder('/src/a', '/src/a')).toBe(true);
    expect(isInsideFolder('/src/a/b', '/src/a')).toBe(true);
    expect(isInsideFolder('/src/ab', '/src/a')).toBe(false);
    expect(isInsideFolder('/src', '/src/a')).toBe(false);
    expect(isInsideFolder('/anything', '/')).toBe(true);
    expect(trustedFolderOf('/src/a/b', ['/src', '/src/a', '/other'])).toBe('/src/a');
    expect(trustedFolderOf('/src/ab', ['/src/a'])).toBeNull();
  });
});

describe('trusted_folders in the runtime config', () => {
  let rt: TestRuntime;
  let root: string;
  const events: Array<{ workspace_id: string; change: string }> = [];

  beforeAll(async () => {
    root = await realpath(await makeTempDir());
    rt = await startTestRuntime();
    rt.ctx.bus.tap((_stream, event) => {
      if (event.type === 'workspace_changed') events.push(event as unknown as { workspace_id: string; change: string });
    });
  });
  afterAll(() => rt.close());

  const register = async (dir: string) => {
    await mkdir(dir, { recursive: true });
    const { body } = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: dir } });
    return body.workspace.id as string;
  };

  it('defaults to an empty list and refuses relative paths with a 400 that names the field', async () => {
    const { body } = await rt.json('/api/v1/runtime/config');
    expect(body.config.trusted_folders).toEqual([]);
    const bad = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { trusted_folders: ['relative/dir'] } });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('invalid_request');
    expect(bad.body.error).toContain('trusted_folders');
    expect(bad.body.error).toContain('absolute');
    const notList = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { trusted_folders: '/tmp' } });
    expect(notList.status).toBe(400);
  });

  it('trusts workspaces inside a trusted folder (through a symlink), not its siblings, and announces the change', async () => {
    const parent = join(root, 'projects');
    const inside = await register(join(parent, 'app'));
    const deep = await register(join(parent, 'group', 'lib'));
    const sibling = await register(join(root, 'projects-other'));
    const link = join(root, 'link-to-projects');
    await symlink(parent, link);

    const before = await rt.json(`/api/v1/workspaces/${inside}`);
    expect(before.body.workspace).toMatchObject({ trusted: false, trusted_by_folder: null });
    const gated = await rt.json(`/api/v1/scripts/build/run?workspace_id=${inside}`, { method: 'POST', json: {} });
    expect(gated).toMatchObject({ status: 403, body: { code: 'workspace_untrusted' } });

    events.length = 0;
    const patched = await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { trusted_folders: [link] } });
    expect(patched.status).toBe(200);
    expect(patched.body.config.trusted_folders).toEqual([parent]);
    expect(events.filter((e) => e.change === 'updated').map((e) => e.workspace_id).sort()).toEqual([inside, deep].sort());

    const list = (await rt.json('/api/v1/workspaces')).body.workspaces as Array<{ id: string; trusted: boolean; trusted_by_folder: string | null }>;
    const byId = new Map(list.map((w) => [w.id, w]));
    expect(byId.get(inside)).toMatchObject({ trusted: true, trusted_by_folder: parent });
    expect(byId.get(deep)).toMatchObject({ trusted: true, trusted_by_folder: parent });
    expect(byId.get(sibling)).toMatchObject({ trusted: false, trusted_by_folder: null });
    // The gate sees the effective trust: the request now gets past it to "no such script".
    const passed = await rt.json(`/api/v1/scripts/build/run?workspace_id=${inside}`, { method: 'POST', json: {} });
    expect(passed.status).not.toBe(403);

    // A new workspace in the folder is trusted from the start; its own flag stays false.
    const later = await rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir: join(parent, 'later'), create: true } });
    expect(later.body.workspace).toMatchObject({ trusted: true, trusted_by_folder: parent });

    events.length = 0;
    await rt.json('/api/v1/runtime/config', { method: 'PATCH', json: { trusted_folders: [] } });
    expect((await rt.json(`/api/v1/workspaces/${inside}`)).body.workspace).toMatchObject({ trusted: false, trusted_by_folder: null });
    expect(events.map((e) => e.workspace_id)).toContain(inside);
    expect(events.map((e) => e.workspace_id)).not.toContain(sibling);
  });

  it('keeps a workspace trusted by its own flag whatever the folders say, and survives PUT', async () => {
    const own = await register(join(root, 'own'));
    await rt.json(`/api/v1/workspaces/${own}`, { method: 'PATCH', json: { trusted: true } });
    await rt.json('/api/v1/runtime/config', { method: 'PUT', json: { trusted_folders: [join(root, 'elsewhere')] } });
    const config = (await rt.json('/api/v1/runtime/config')).body.config;
    expect(config.trusted_folders).toEqual([join(root, 'elsewhere')]);
    expect((await rt.json(`/api/v1/workspaces/${own}`)).body.workspace).toMatchObject({ trusted: true, trusted_by_folder: null });
  });
});
