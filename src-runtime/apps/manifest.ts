/**
 * Reading `app.runtime.yaml`: finding the manifests of a workspace (the root and sub-folders such
 * as apps/*), parsing them with positions, and validating each app entry on its own so one broken
 * entry (or file) shows up as an `invalid` app with file, line and field instead of hiding the
 * others or taking the runtime down.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { isMap, LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { manifestAppSchema, manifestTopSchema, type ManifestApp } from '../contract/apps.js';

export const MANIFEST_NAMES = ['app.runtime.yaml', 'app.runtime.yml'];
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', '.next', '.venv', 'venv', '__pycache__', 'target', 'vendor', '.cache', 'coverage']);
const MAX_DEPTH = 3;

export interface ManifestProblem {
  file: string;
  line: number | null;
  column: number | null;
  field: string | null;
  message: string;
}

export interface ParsedAppEntry {
  /** The author's id, or `apps[i]` / the file name when the entry has none. */
  manifestId: string;
  index: number;
  app?: ManifestApp;
  errors: ManifestProblem[];
}

export interface ParsedManifest {
  /** Absolute path of the file. */
  path: string;
  /** Relative to the workspace root, with forward slashes. */
  relPath: string;
  dir: string;
  apps: ParsedAppEntry[];
  scripts: Record<string, string>;
  actions: Record<string, { prompt: string; description?: string }>;
  /** Problems of the file itself (syntax, top-level keys). */
  errors: ManifestProblem[];
}

/** Manifests under `root`: the root's own, then sub-folders breadth-first (depth ≤ 3), sorted. */
export async function discoverManifests(root: string): Promise<string[]> {
  const found: string[] = [];
  let level = [root];
  for (let depth = 0; depth <= MAX_DEPTH && level.length; depth += 1) {
    const next: string[] = [];
    for (const dir of level) {
      let entries;
      try {
        entries = await readdir(dir, { withFileTypes: true });
      } catch {
        continue;
      }
      const names = new Set(entries.map((e) => e.name));
      const own = MANIFEST_NAMES.find((n) => names.has(n));
      if (own) found.push(join(dir, own));
      for (const e of entries) {
        if (e.isDirectory() && !e.name.startsWith('.') && !SKIP_DIRS.has(e.name)) next.push(join(dir, e.name));
      }
    }
    level = next.sort();
  }
  return found;
}

function position(lc: LineCounter, offset: number | undefined): { line: number | null; column: number | null } {
  if (offset === undefined) return { line: null, column: null };
  const p = lc.linePos(offset);
  return { line: p.line, column: p.col };
}

/** The position of the deepest node that exists along `path`. */
function locate(doc: Document, lc: LineCounter, path: Array<string | number>): { line: number | null; column: number | null } {
  for (let n = path.length; n >= 0; n -= 1) {
    const sub = path.slice(0, n);
    const node = (sub.length ? doc.getIn(sub, true) : doc.contents) as { range?: [number, number, number] } | undefined;
    // For a missing key, point at the key of the enclosing map entry when possible.
    if (node && typeof node === 'object' && node.range) return position(lc, node.range[0]);
  }
  return { line: null, column: null };
}

function zodProblems(file: string, doc: Document, lc: LineCounter, base: Array<string | number>, error: z.ZodError): ManifestProblem[] {
  return error.issues.map((issue) => {
    const path = [...base, ...issue.path.map((p) => (typeof p === 'number' ? p : String(p)))];
    // Unknown keys: point at the key itself.
    const keys = issue.code === 'unrecognized_keys' ? (issue as { keys?: string[] }).keys ?? [] : [];
    const where = keys[0] !== undefined ? [...path, keys[0]] : path;
    const field = where.length ? where.join('.') : null;
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown field${keys.length > 1 ? 's' : ''} ${keys.map((k) => `"${k}"`).join(', ')}`;
    return { file, ...locateKey(doc, lc, where), field, message };
  });
}

/** Like locate(), but a key that exists points at the key's own line. */
function locateKey(doc: Document, lc: LineCounter, path: Array<string | number>): { line: number | null; column: number | null } {
  const last = path[path.length - 1];
  if (typeof last === 'string' && path.length) {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    if (isMap(parent)) {
      const pair = parent.items.find((p) => (p.key as { value?: unknown } | null)?.value === last);
      const key = pair?.key as { range?: [number, number, number] } | undefined;
      if (key?.range) return position(lc, key.range[0]);
    }
  }
  return locate(doc, lc, path);
}

export function parseManifest(text: string, absPath: string, root: string): ParsedManifest {
  const relPath = relative(root, absPath).split(sep).join('/');
  const out: ParsedManifest = { path: absPath, relPath, dir: dirname(absPath), apps: [], scripts: {}, actions: {}, errors: [] };
  const lc = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lc, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length) {
    for (const e of doc.errors) {
      const p = position(lc, e.pos[0]);
      out.errors.push({ file: relPath, ...p, field: null, message: e.message.split('\n')[0] ?? e.message });
    }
    return out;
  }
  const data = doc.toJS({ maxAliasCount: 100 }) as unknown;
  if (data === null || data === undefined) return out; // empty file: nothing declared
  if (typeof data !== 'object' || Array.isArray(data)) {
    out.errors.push({ file: relPath, ...locate(doc, lc, []), field: null, message: 'the manifest must be a mapping (apps:, or id:/start: of one app, scripts:, actions:)' });
    return out;
  }
  const obj = data as Record<string, unknown>;
  const top = manifestTopSchema.safeParse({ apps: obj.apps, scripts: obj.scripts, actions: obj.actions });
  if (!top.success) {
    out.errors.push(...zodProblems(relPath, doc, lc, [], top.error));
  } else {
    out.scripts = top.data.scripts ?? {};
    for (const [name, action] of Object.entries(top.data.actions ?? {})) {
      out.actions[name] = typeof action === 'string' ? { prompt: action } : action;
    }
  }

  const entries: Array<{ value: unknown; base: Array<string | number> }> = [];
  if (Array.isArray(obj.apps)) {
    obj.apps.forEach((value, i) => entries.push({ value, base: ['apps', i] }));
    const stray = Object.keys(obj).filter((k) => !['apps', 'scripts', 'actions'].includes(k));
    if (stray.length) {
      out.errors.push({ file: relPath, ...locateKey(doc, lc, [stray[0]!]), field: stray[0]!, message: `unknown top-level field${stray.length > 1 ? 's' : ''} ${stray.map((k) => `"${k}"`).join(', ')} beside apps: (put app fields inside an apps: entry)` });
    }
  } else if ('start' in obj || 'id' in obj) {
    const { scripts: _s, actions: _a, apps: _p, ...single } = obj;
    entries.push({ value: single, base: [] });
  }

  const seen = new Set<string>();
  entries.forEach(({ value, base }, index) => {
    const rawId = value && typeof value === 'object' ? (value as Record<string, unknown>).id : undefined;
    const manifestId = typeof rawId === 'string' && rawId ? rawId : base.length ? `apps[${index}]` : relPath;
    const parsed = manifestAppSchema.safeParse(value);
    const entry: ParsedAppEntry = { manifestId, index, errors: [] };
    if (!parsed.success) {
      entry.errors = zodProblems(relPath, doc, lc, base, parsed.error);
    } else if (seen.has(parsed.data.id)) {
      entry.errors = [{ file: relPath, ...locateKey(doc, lc, [...base, 'id']), field: [...base, 'id'].join('.'), message: `duplicate app id "${parsed.data.id}"` }];
    } else {
      entry.app = parsed.data;
    }
    seen.add(manifestId);
    out.apps.push(entry);
  });
  return out;
}

/** Absolute cwd of an app; refuses a cwd that leaves the workspace. */
export function appCwd(manifest: ParsedManifest, app: ManifestApp, workspaceRoot: string): string {
  const cwd = resolve(manifest.dir, app.cwd ?? '.');
  const rel = relative(workspaceRoot, cwd);
  if (rel.startsWith('..') || resolve(workspaceRoot, rel) !== cwd) throw new Error(`cwd "${app.cwd}" leaves the workspace`);
  return cwd;
}

interface CacheEntry {
  mtimeMs: number;
  size: number;
  parsed: ParsedManifest;
}

/**
 * Manifests of workspaces, re-read only when a file's mtime or size changes; the folder scan is
 * reused for a short while so hot paths (ensure-running) do not walk the tree each call.
 */
export class ManifestCache {
  private readonly files = new Map<string, CacheEntry>();
  private readonly scans = new Map<string, { at: number; paths: string[] }>();

  constructor(
    private readonly scanTtlMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  invalidate(root?: string): void {
    if (root) this.scans.delete(root);
    else this.scans.clear();
  }

  async load(root: string): Promise<ParsedManifest[]> {
    let scan = this.scans.get(root);
    if (!scan || this.now() - scan.at > this.scanTtlMs) {
      scan = { at: this.now(), paths: await discoverManifests(root) };
      this.scans.set(root, scan);
    }
    const out: ParsedManifest[] = [];
    for (const path of scan.paths) {
      let info;
      try {
        info = await stat(path);
      } catch {
        this.scans.delete(root);
        continue;
      }
      const cached = this.files.get(path);
      if (cached && cached.mtimeMs === info.mtimeMs && cached.size === info.size) {
        out.push(cached.parsed);
        continue;
      }
      let parsed: ParsedManifest;
      try {
        parsed = parseManifest(await readFile(path, 'utf8'), path, root);
      } catch (error) {
        const relPath = relative(root, path).split(sep).join('/');
        parsed = { path, relPath, dir: dirname(path), apps: [], scripts: {}, actions: {}, errors: [{ file: relPath, line: null, column: null, field: null, message: (error as Error).message }] };
      }
      this.files.set(path, { mtimeMs: info.mtimeMs, size: info.size, parsed });
      out.push(parsed);
    }
    return out;
  }
}
