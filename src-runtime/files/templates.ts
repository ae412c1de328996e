/**
 * Workspace templates: folders under resources/templates/<name>/ (template.json describes one;
 * `gitignore.template` becomes `.gitignore`). Applying copies a template into a workspace and never
 * overwrites: an existing file with other content is a conflict, and any conflict means nothing is
 * written (409 with the list). Also cloning a git URL (local path, file://, https…) into a new
 * folder, with git's progress published as clone_progress events.
 */
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ApiError, badRequest, conflict, notFound } from '../contract/errors.js';
import type { EventBus } from '../events/bus.js';
import type { VersionControlServiceApi } from '../services.js';
import { guardPath } from '../platform/path-guard.js';
import type { FilesService } from './service.js';

const RENAMES: Record<string, string> = { 'gitignore.template': '.gitignore' };

/** resources/templates, found from this module upwards (source tree and built bundle), or $WR_TEMPLATES_DIR. */
export function findTemplatesDir(): string | undefined {
  if (process.env.WR_TEMPLATES_DIR) return process.env.WR_TEMPLATES_DIR;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 8; i++) {
    const candidate = join(dir, 'resources', 'templates');
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return undefined;
}

async function listFiles(dir: string, prefix = ''): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile() && rel !== 'template.json') out.push(rel);
  }
  return out.sort();
}

const targetName = (rel: string) => rel.split('/').map((s) => RENAMES[s] ?? s).join('/');

export interface TemplateInfo {
  name: string;
  description: string;
  files: string[];
}

export class Templates {
  constructor(
    private readonly files: FilesService,
    private readonly dir = findTemplatesDir(),
  ) {}

  async list(): Promise<TemplateInfo[]> {
    if (!this.dir) return [];
    const out: TemplateInfo[] = [];
    for (const entry of await readdir(this.dir, { withFileTypes: true })) {
      if (!entry.isDirectory()) continue;
      out.push(await this.get(entry.name));
    }
    return out.sort((a, b) => a.name.localeCompare(b.name));
  }

  async get(name: string): Promise<TemplateInfo> {
    if (!this.dir || !/^[a-z0-9][a-z0-9._-]*$/i.test(name) || !existsSync(join(this.dir, name))) {
      throw notFound('template_not_found', `No template "${name}"; GET /api/v1/templates lists them`);
    }
    const meta = await readFile(join(this.dir, name, 'template.json'), 'utf8').then((t) => JSON.parse(t) as { description?: string }, () => ({}) as { description?: string });
    const files = (await listFiles(join(this.dir, name))).map(targetName);
    return { name, description: meta.description ?? '', files };
  }

  async apply(root: string, name: string): Promise<{ created: string[]; unchanged: string[] }> {
    await this.get(name);
    const source = join(this.dir!, name);
    const plan: Array<{ from: string; to: string; bytes: Buffer; mode: number }> = [];
    const conflicts: string[] = [];
    const unchanged: string[] = [];
    for (const rel of await listFiles(source)) {
      const to = targetName(rel);
      const bytes = await readFile(join(source, rel));
      const g = await guardPath(root, to);
      if (g.exists) {
        const same = await readFile(g.real).then((b) => b.equals(bytes), () => false);
        (same ? unchanged : conflicts).push(to);
        continue;
      }
      plan.push({ from: rel, to, bytes, mode: (await stat(join(source, rel))).mode });
    }
    if (conflicts.length) {
      throw conflict('template_conflicts', `Template "${name}" would overwrite ${conflicts.length} existing file(s) with other content; nothing was written`, { conflicts });
    }
    for (const item of plan) await this.files.write(root, item.to, item.bytes, { mkdir: true, overwrite: false });
    return { created: plan.map((p) => p.to), unchanged };
  }
}

export interface CloneInput {
  url: string;
  rootDir: string;
  cloneId: string;
  keepHistory: boolean;
}

/** Clone `url` into a new (or empty) folder through the version-control feature, publishing progress on the global stream. */
export async function cloneRepository(bus: EventBus, vc: VersionControlServiceApi, input: CloneInput): Promise<void> {
  const { url, rootDir, cloneId } = input;
  if (!isAbsolute(rootDir)) throw badRequest('path_not_absolute', `root_dir must be an absolute path, got "${rootDir}"`);
  if (url.startsWith('-') || /^ext::/i.test(url) || url.includes('\0')) throw badRequest('invalid_url', `"${url}" is not a clone URL`);
  const existing = await readdir(rootDir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)));
  if (existing && existing.length) throw conflict('folder_not_empty', `"${rootDir}" exists and is not empty`);
  const progress = (phase: string, percent: number | null, message: string) =>
    bus.publish('global', 'clone_progress', { clone_id: cloneId, phase, percent, message });
  progress('starting', 0, `Cloning ${url}`);
  await mkdir(dirname(resolve(rootDir)), { recursive: true });
  const source = /^[a-z][a-z0-9+.-]*:\/\//i.test(url) || /^[^/]+@[^/]+:/.test(url) ? url : resolve(url);
  let lastKey = '';
  try {
    await vc.clone(source, rootDir, {
      onProgress: (p) => {
        if (p.percent === null) return;
        const key = `${p.phase}:${p.percent}`;
        if (key !== lastKey) progress(p.phase, p.percent, p.text.trim());
        lastKey = key;
      },
    });
  } catch (error) {
    if (!existing) await rm(rootDir, { recursive: true, force: true });
    const message = error instanceof Error ? error.message : String(error);
    progress('failed', null, message);
    if (error instanceof ApiError && error.code === 'git_unavailable') throw error;
    throw new ApiError(422, 'clone_failed', `git clone failed: ${message}`);
  }
  if (!input.keepHistory) await rm(join(rootDir, '.git'), { recursive: true, force: true });
  progress('done', 100, `Cloned into ${rootDir}`);
}
