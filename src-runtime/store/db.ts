/**
 * The only lowdb importer: durable runtime metadata in `<data dir>/db.json` with a schema version
 * and migrations. Mutations apply synchronously to the in-memory document (so concurrent requests
 * never lose an update) and writes are coalesced: at most one write in flight, and one more queued
 * for everything changed meanwhile; `commit`/`flush` resolve once the change is fsynced. The file
 * is replaced atomically and the previous good one kept as `db.json.prev` (durable-json-file.ts).
 * An unreadable or wrong-shaped db.json is never silently replaced: opening throws
 * StoreUnreadableError, and only `recover: true` (serve --recover-store) starts from the backup,
 * keeping the bad file aside.
 */
import { Low } from 'lowdb';
import { join } from 'node:path';
import { readdir, readFile, rename, unlink } from 'node:fs/promises';
import { DurableJsonFile, readJsonObject, StoreFileError } from './durable-json-file.js';
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

/** db.json (or its backup) cannot be used; the runtime refuses to start rather than lose it. */
export class StoreUnreadableError extends Error {
  readonly code = 'store_unreadable';
  constructor(
    readonly file: string,
    /** The backup `serve --recover-store` would start from, or null when there is none usable. */
    readonly backup: string | null,
    message: string,
  ) {
    super(message);
    this.name = 'StoreUnreadableError';
  }
}

const isPlainObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Throws a description of the first thing in a parsed document that is not the shape we store. */
function checkShape(raw: Record<string, unknown>): void {
  if (raw.schema_version !== undefined && typeof raw.schema_version !== 'number') throw new Error('schema_version is not a number');
  if (raw.config !== undefined && !isPlainObject(raw.config)) throw new Error('config is not an object');
  if (raw.sections !== undefined && !isPlainObject(raw.sections)) throw new Error('sections is not an object');
  if (raw.workspaces !== undefined) {
    if (!Array.isArray(raw.workspaces)) throw new Error('workspaces is not an array');
    raw.workspaces.forEach((w, i) => {
      if (!isPlainObject(w) || typeof w.id !== 'string' || typeof w.root_dir !== 'string') throw new Error(`workspaces[${i}] is not a workspace (needs string id and root_dir)`);
    });
  }
}

export function migrate(raw: Record<string, unknown>): DbData {
  checkShape(raw);
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
  /** Counts changes; `written` is the count the last completed write covered. */
  private changes = 0;
  private written = 0;
  private waiters: Array<{ upTo: number; resolve: () => void; reject: (error: Error) => void }> = [];
  private closed = false;

  private constructor(
    private readonly db: Low<DbData>,
    readonly file: string,
  ) {}

  static async open(dataDir: string, options: { recover?: boolean } = {}): Promise<Store> {
    const file = join(dataDir, 'db.json');
    const adapter = new DurableJsonFile<DbData>(file);
    await sweepTempFiles(dataDir);
    const data = await loadDocument(file, adapter.previousFile, options.recover ?? false);
    const db = new Low<DbData>(adapter, data);
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
    this.changes += 1;
    this.dirty = true;
    if (!this.writing) this.writing = this.drain();
  }

  private async drain(): Promise<void> {
    // Yield once so a burst of synchronous updates becomes one write.
    await new Promise((r) => setImmediate(r));
    try {
      while (this.dirty) {
        this.dirty = false;
        const covers = this.changes;
        await this.db.write();
        this.written = covers;
        this.settleWaiters();
      }
    } catch (error) {
      // Those waiting for this write hear why; the change stays pending for the next write.
      this.dirty = true;
      const waiting = this.waiters.splice(0);
      if (!waiting.length) process.stderr.write(`workspace-runtime: writing ${this.file} failed: ${(error as Error).message}\n`);
      for (const w of waiting) w.reject(error as Error);
    } finally {
      this.writing = null;
    }
  }

  private settleWaiters(): void {
    const done = this.waiters.filter((w) => w.upTo <= this.written);
    this.waiters = this.waiters.filter((w) => w.upTo > this.written);
    for (const w of done) w.resolve();
  }

  /**
   * Resolve once everything changed so far is on disk. Changes made after the call do not hold it
   * up: a stream of later updates (a run that keeps writing) never starves an acknowledgement.
   */
  async flush(): Promise<void> {
    const upTo = this.changes;
    if (this.written >= upTo) return;
    const done = new Promise<void>((resolve, reject) => this.waiters.push({ upTo, resolve, reject }));
    if (!this.writing) this.writing = this.drain();
    await done;
  }

  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
    while (this.writing) await this.writing;
  }
}

/** Parse and migrate one candidate file; null when it does not exist. */
async function tryLoad(file: string): Promise<DbData | null> {
  const raw = await readJsonObject(file);
  if (raw === null) return null;
  try {
    return migrate(raw);
  } catch (error) {
    throw new StoreFileError(file, `${file} cannot be used: ${(error as Error).message}`);
  }
}

async function usable(file: string): Promise<boolean> {
  try {
    return (await tryLoad(file)) !== null;
  } catch {
    return false;
  }
}

async function loadDocument(file: string, previous: string, recover: boolean): Promise<DbData> {
  try {
    return (await tryLoad(file)) ?? emptyData();
  } catch (error) {
    if (!(error instanceof StoreFileError)) throw error;
    const backup = (await usable(previous)) ? previous : null;
    if (!recover) throw new StoreUnreadableError(file, backup, error.message);
    const aside = `${file}.corrupt-${Date.now()}`;
    await rename(file, aside);
    const restored = backup ? await tryLoad(backup) : null;
    process.stderr.write(
      `workspace-runtime: ${error.message}; kept it as ${aside} and started from ${restored ? backup : 'an empty store (the backup is missing or unreadable too)'}\n`,
    );
    return restored ?? emptyData();
  }
}

/** Temp files a killed write left behind (`db.json.<pid>.<n>.tmp`, `db.json.prev.<pid>.tmp`). */
async function sweepTempFiles(dataDir: string): Promise<void> {
  const names = await readdir(dataDir).catch(() => [] as string[]);
  await Promise.all(names.filter((n) => /^db\.json(\.prev)?\.\d+(\.\d+)?\.tmp$/.test(n)).map((n) => unlink(join(dataDir, n)).catch(() => undefined)));
}

/** For tests and diagnostics: parse the file as a fresh process would. */
export async function readStoreFile(dataDir: string): Promise<DbData> {
  return JSON.parse(await readFile(join(dataDir, 'db.json'), 'utf8')) as DbData;
}
