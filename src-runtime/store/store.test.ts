import { describe, expect, it } from 'vitest';
import { readFile, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Store, StoreUnreadableError, migrate, readStoreFile, SCHEMA_VERSION, type DbData } from './db.js';
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

  it('acknowledges a commit once its change is on disk, even while other changes keep coming', async () => {
    const dir = await makeTempDir();
    const store = await Store.open(dir);
    let churning = true;
    const churn = (async () => {
      for (let i = 0; churning; i++) {
        store.update((d) => (d.config.model = `churn-${i}`));
        await new Promise((r) => setImmediate(r));
      }
    })();
    try {
      await store.commit((d) => d.config.allowed_hosts.push('acknowledged.example'));
      expect((await readStoreFile(dir)).config.allowed_hosts).toContain('acknowledged.example');
    } finally {
      churning = false;
      await churn;
      await store.close();
    }
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

  it('refuses to open an unreadable or wrong-shaped db.json and leaves it untouched', async () => {
    for (const [content, why] of [
      ['{"workspaces": [', /not valid JSON/],
      ['null', /null/],
      ['[]', /an array/],
      ['{"workspaces": 5}', /workspaces is not an array/],
      ['{"workspaces": [{"id": 1}]}', /workspaces\[0\]/],
      ['{"config": "x"}', /config is not an object/],
    ] as const) {
      const dir = await makeTempDir();
      await writeFile(join(dir, 'db.json'), content);
      const error = await Store.open(dir).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(StoreUnreadableError);
      expect((error as StoreUnreadableError).message).toMatch(why);
      expect((error as StoreUnreadableError).backup).toBeNull();
      expect(await readFile(join(dir, 'db.json'), 'utf8')).toBe(content);
      expect(await readdir(dir)).toEqual(['db.json']);
    }
  });

  it('keeps the previous good document as db.json.prev and recovers from it on request, keeping the bad file', async () => {
    const dir = await makeTempDir();
    const store = await Store.open(dir);
    await store.commit((d) => d.config.allowed_hosts.push('first.example'));
    await store.commit((d) => d.config.allowed_hosts.push('second.example'));
    await store.close();
    const prev = JSON.parse(await readFile(join(dir, 'db.json.prev'), 'utf8')) as DbData;
    expect(prev.config.allowed_hosts).toEqual(['first.example']);

    await writeFile(join(dir, 'db.json'), '{"trunc');
    const refused = await Store.open(dir).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'store_unreadable', file: join(dir, 'db.json'), backup: join(dir, 'db.json.prev') });

    const recovered = await Store.open(dir, { recover: true });
    expect(recovered.data.config.allowed_hosts).toEqual(['first.example']);
    await recovered.close();
    const corrupt = (await readdir(dir)).filter((f) => f.startsWith('db.json.corrupt-'));
    expect(corrupt).toHaveLength(1);
    expect(await readFile(join(dir, corrupt[0]!), 'utf8')).toBe('{"trunc');
    expect((await readStoreFile(dir)).config.allowed_hosts).toEqual(['first.example']);
  });

  it('recovers to an empty store when the backup is unusable too, still keeping both files', async () => {
    const dir = await makeTempDir();
    await writeFile(join(dir, 'db.json'), '[]');
    await writeFile(join(dir, 'db.json.prev'), 'not json');
    const recovered = await Store.open(dir, { recover: true });
    expect(recovered.data.workspaces).toEqual([]);
    await recovered.close();
    expect(await readFile(join(dir, 'db.json.prev'), 'utf8')).toBe('not json');
    expect((await readdir(dir)).some((f) => f.startsWith('db.json.corrupt-'))).toBe(true);
  });

  it('sweeps temp files a killed write left behind', async () => {
    const dir = await makeTempDir();
    await writeFile(join(dir, 'db.json.4242.7.tmp'), '{"half');
    await writeFile(join(dir, 'db.json.prev.4242.tmp'), '{}');
    await (await Store.open(dir)).close();
    expect((await readdir(dir)).sort()).toEqual(['db.json']);
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
