/**
 * The only lowdb importer: durable runtime metadata in `<data dir>/db.json` with a schema version
 * and migrations. Mutations apply synchronously to the in-memory document (so concurrent requests
 * never lose an update) and writes are coalesced: at most one write in flight, and one more queued
 * for everything changed meanwhile. lowdb writes a temp file and renames it, so a runtime killed
 * mid-write leaves the previous or the next complete document, never a torn one.
 */
import { Low } from 'lowdb';
import { JSONFile } from 'lowdb/node';
import { join } from 'node:path';
import { readFile, rename } from 'node:fs/promises';
import { defaultRuntimeConfig, type RuntimeConfig } from '../contract/runtime.js';
import type { Workspace } from '../contract/workspaces.js';

export const SCHEMA_VERSION = 2;

/** `trusted` is the workspace's own flag; the view adds what the runtime config makes of it. */
export type StoredWorkspace = Omit<Workspace, 'is_default' | 'trusted_by_folder'>;

export interface DbData {
  schema_version: number;
  config: RuntimeConfig;
  workspaces: StoredWorkspace[];
  /** Feature-owned sections (sessions, app process records, …), keyed by feature. */
  sections: Record<string, unknown>;
}

type Migration = (data: Record<string, unknown>) => void;

/** Index i migrates schema version i+1 → i+2. */
const migrations: Migration[] = [
  // v1 kept the default workspace at top level and had no feature sections.
  (data) => {
    const config = (data.config ?? {}) as Record<string, unknown>;
    if ('default_workspace_id' in data && config.default_workspace_id === undefined) {
      config.default_workspace_id = data.default_workspace_id;
      delete data.default_workspace_id;
    }
    data.config = config;
    data.sections ??= {};
  },
];

function emptyData(): DbData {
  return { schema_version: SCHEMA_VERSION, config: structuredClone(defaultRuntimeConfig), workspaces: [], sections: {} };
}

export function migrate(raw: Record<string, unknown>): DbData {
  let version = typeof raw.schema_version === 'number' ? raw.schema_version : 1;
  if (version > SCHEMA_VERSION) {
    throw new Error(`db.json has schema version ${version}, newer than this runtime understands (${SCHEMA_VERSION}); upgrade the runtime`);
  }
  while (version < SCHEMA_VERSION) {
    migrations[version - 1]?.(raw);
    version += 1;
  }
  const data = raw as unknown as DbData;
  data.schema_version = SCHEMA_VERSION;
  data.config = { ...structuredClone(defaultRuntimeConfig), ...(data.config ?? {}) };
  data.workspaces ??= [];
  data.sections ??= {};
  return data;
}

export class Store {
  private writing: Promise<void> | null = null;
  private dirty = false;
  private closed = false;

  private constructor(
    private readonly db: Low<DbData>,
    readonly file: string,
  ) {}

  static async open(dataDir: string): Promise<Store> {
    const file = join(dataDir, 'db.json');
    const db = new Low<DbData>(new JSONFile<DbData>(file), emptyData());
    try {
      await db.read();
    } catch (error) {
      // Unreadable JSON (written by something else, or a disk error): keep it aside, start fresh.
      const aside = `${file}.corrupt-${Date.now()}`;
      await rename(file, aside).catch(() => undefined);
      process.stderr.write(`workspace-runtime: ${file} was unreadable (${(error as Error).message}); moved to ${aside}\n`);
      db.data = emptyData();
    }
    db.data = migrate((db.data ?? emptyData()) as unknown as Record<string, unknown>);
    const store = new Store(db, file);
    // Write at once: the file exists from the first start, and a migrated document is saved.
    store.touch();
    await store.flush();
    return store;
  }

  /** Read-only view of the current document. */
  get data(): Readonly<DbData> {
    return this.db.data;
  }

  /** Apply a change synchronously and schedule a coalesced write. */
  update<T>(fn: (data: DbData) => T): T {
    const result = fn(this.db.data);
    this.scheduleWrite();
    return result;
  }

  /**
   * Apply a change and resolve once it is on disk: for changes a response acknowledges. Concurrent
   * callers still share coalesced writes.
   */
  async commit<T>(fn: (data: DbData) => T): Promise<T> {
    const result = this.update(fn);
    await this.flush();
    return result;
  }

  /** A feature's own section, created on first use. */
  section<T extends object>(name: string, init: () => T): T {
    const existing = this.db.data.sections[name] as T | undefined;
    if (existing) return existing;
    const created = init();
    this.db.data.sections[name] = created;
    this.scheduleWrite();
    return created;
  }

  /** Mark the document changed after mutating a section in place. */
  touch(): void {
    this.scheduleWrite();
  }

  private scheduleWrite(): void {
    if (this.closed) return;
    this.dirty = true;
    if (!this.writing) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    // Yield once so a burst of synchronous updates becomes one write.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.dirty) {
        this.dirty = false;
        await this.db.write();
      }
    } finally {
      this.writing = null;
    }
  }

  /** Resolve once everything changed so far is on disk. */
  async flush(): Promise<void> {
    if (!this.writing && this.dirty) this.writing = this.drain();
    while (this.writing) await this.writing;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }
}

/** For tests and diagnostics: parse the file as a fresh process would. */
export async function readStoreFile(dataDir: string): Promise<DbData> {
  return JSON.parse(await readFile(join(dataDir, 'db.json'), 'utf8')) as DbData;
}
