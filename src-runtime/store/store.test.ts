import { describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store, migrate, readStoreFile, SCHEMA_VERSION } from './db.js';
import { JsonlLog } from './jsonl-log.js';
import { makeTempDir, startTestRuntime } from '../../test-support/runtime-harness.js';

describe('store', () => {
  it('persists updates to disk (Low + JSONFile, not the in-memory preset) and coalesces bursts', async () => {
    const dir = await makeTempDir();
    const store = await Store.open(dir);
    for (let i = 0; i < 500; i++) store.update((d) => d.config.allowed_hosts.push(`h${i}`));
    await store.flush();
    const onDisk = await readStoreFile(dir);
    expect(onDisk.config.allowed_hosts).toHaveLength(500);
    expect(onDisk.schema_version).toBe(SCHEMA_VERSION);
    const reopened = await Store.open(dir);
    expect(reopened.data.config.allowed_hosts.at(-1)).toBe('h499');
  });

  it('gives features their own sections', async () => {
    const dir = await makeTempDir();
    const store = await Store.open(dir);
    const section = store.section('apps', () => ({ groups: [] as number[] }));
    section.groups.push(42);
    store.touch();
    await store.close();
    expect((await readStoreFile(dir)).sections.apps).toEqual({ groups: [42] });
  });

  it('migrates a version-1 document and refuses one from a newer runtime', () => {
    const v1 = { workspaces: [], default_workspace_id: 'ws_x', config: { model: 'm' } };
    const migrated = migrate(structuredClone(v1) as Record<string, unknown>);
    expect(migrated.schema_version).toBe(SCHEMA_VERSION);
    expect(migrated.config.default_workspace_id).toBe('ws_x');
    expect(migrated.config.model).toBe('m');
    expect(migrated.config.app_port_range).toBeDefined();
    expect(migrated.sections).toEqual({});
    expect(() => migrate({ schema_version: 99 })).toThrow(/newer/);
  });

  it('moves an unreadable db.json aside instead of failing to start', async () => {
    const dir = await makeTempDir();
    await writeFile(join(dir, 'db.json'), '{"workspaces": [');
    const store = await Store.open(dir);
    expect(store.data.workspaces).toEqual([]);
    expect((await readdir(dir)).some((f) => f.startsWith('db.json.corrupt-'))).toBe(true);
  });

  it('never loses an update under concurrent requests', async () => {
    const rt = await startTestRuntime();
    try {
      const base = await makeTempDir();
      const { mkdir } = await import('node:fs/promises');
      const dirs = await Promise.all(Array.from({ length: 40 }, async (_, i) => {
        const d = join(base, `w${i}`);
        await mkdir(d);
        return d;
      }));
      const results = await Promise.all(dirs.map((root_dir) => rt.json('/api/v1/workspaces', { method: 'POST', json: { root_dir } })));
      expect(results.every((r) => r.status === 201)).toBe(true);
      await rt.ctx.store.flush();
      expect((await readStoreFile(rt.dataDir)).workspaces).toHaveLength(40);
    } finally {
      await rt.close();
    }
  });
});

describe('JSONL log', () => {
  it('appends in order and skips a torn last line', async () => {
    const file = join(await makeTempDir(), 'logs', 's.jsonl');
    const log = new JsonlLog<{ seq: number }>(file);
    await Promise.all(Array.from({ length: 100 }, (_, i) => log.append({ seq: i + 1 })));
    await log.close();
    await writeFile(file, (await readFile(file, 'utf8')) + '{"seq": 101, "trunc');
    const entries = await new JsonlLog<{ seq: number }>(file).readAll();
    expect(entries.map((e) => e.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
  });
});
