/**
 * Sweeping stale temp files: an atomic write or upload that died with the process (a crash, a
 * kill) leaves its `.wr-tmp-<12 hex>-<name>` file beside the target. At runtime start, and hourly
 * after, every registered workspace is walked and such files older than a minute are unlinked.
 *
 * Safe and bounded: the walk is async (one readdir at a time, a yield between folders) and stops
 * after a fixed number of entries and depth; it never follows symlinks (Dirent types are lstat
 * types, and each candidate is lstat'ed again before it goes); it skips node_modules and .git; it
 * deletes only regular files whose name has the exact shape the runtime gives its temp files, and
 * never one a write in progress holds.
 */
import type { Dirent } from 'node:fs';
import { lstat, readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TEMP_FILE_PATTERN } from './service.js';

export const STALE_TEMP_MS = 60_000;
export const SWEEP_INTERVAL_MS = 60 * 60_000;
const SKIP_DIRS = new Set(['node_modules', '.git']);
const MAX_ENTRIES = 200_000;
const MAX_DEPTH = 32;

export interface SweepOptions {
  /** Only temp files last modified longer ago than this go (default one minute). */
  olderThanMs?: number;
  /** Absolute paths of temp files in use (writes in progress); kept whatever their age. */
  isActive?: (path: string) => boolean;
  /** Checked between folders; a stopping runtime ends the walk early. */
  stopped?: () => boolean;
}

export interface SweepResult {
  removed: string[];
  visited: number;
  truncated: boolean;
}

/** Remove stale runtime temp files below `root` (absolute paths of the removed files are returned). */
export async function sweepTempFiles(root: string, options: SweepOptions = {}): Promise<SweepResult> {
  const olderThan = options.olderThanMs ?? STALE_TEMP_MS;
  const result: SweepResult = { removed: [], visited: 0, truncated: false };
  const queue: Array<{ dir: string; depth: number }> = [{ dir: root, depth: 0 }];
  while (queue.length) {
    if (options.stopped?.()) return result;
    const { dir, depth } = queue.shift()!;
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const entry of entries) {
      if (++result.visited > MAX_ENTRIES) {
        result.truncated = true;
        return result;
      }
      const path = join(dir, entry.name);
      if (entry.isDirectory()) {
        if (!SKIP_DIRS.has(entry.name) && depth + 1 < MAX_DEPTH) queue.push({ dir: path, depth: depth + 1 });
        continue;
      }
      if (!entry.isFile() || !TEMP_FILE_PATTERN.test(entry.name)) continue;
      if (options.isActive?.(path)) continue;
      try {
        const info = await lstat(path);
        if (!info.isFile() || Date.now() - info.mtimeMs <= olderThan) continue;
        // unlink never follows a link, so even a file swapped for one since the lstat is safe.
        await unlink(path);
        result.removed.push(path);
      } catch {
        // Gone already, or not ours to remove: leave it.
      }
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  return result;
}

/** Sweeps every workspace at start and then every `intervalMs` (timer unref'd) until stopped. */
export class TempSweeper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = false;

  constructor(
    private readonly roots: () => string[],
    private readonly log: (message: string) => void,
    private readonly isActive?: (path: string) => boolean,
    private readonly intervalMs = SWEEP_INTERVAL_MS,
  ) {}

  start(): void {
    if (this.stopping || this.timer) return;
    void this.sweepAll();
    this.timer = setInterval(() => void this.sweepAll(), this.intervalMs);
    this.timer.unref();
  }

  /** One pass over all workspaces (a pass already running is reused, not doubled). */
  sweepAll(): Promise<void> {
    if (this.stopping) return Promise.resolve();
    this.running ??= (async () => {
      for (const root of this.roots()) {
        if (this.stopping) break;
        try {
          const { removed, truncated } = await sweepTempFiles(root, { isActive: this.isActive, stopped: () => this.stopping });
          if (removed.length) this.log(`removed ${removed.length} stale temp file(s) in ${root}`);
          if (truncated) this.log(`temp sweep of ${root} stopped early: too many entries`);
        } catch (error) {
          this.log(`temp sweep of ${root} failed: ${(error as Error).message}`);
        }
      }
    })().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
