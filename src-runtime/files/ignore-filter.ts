/**
 * .gitignore filtering for listings, search, export: reads the .gitignore of every folder on the
 * way down (cached per filter instance) and answers whether a relative path is ignored, the way
 * git does (a rule applies relative to the folder of its .gitignore; an ignored folder hides all
 * below it). `.git` is always ignored.
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';

export class GitIgnoreFilter {
  private readonly cache = new Map<string, Promise<Ignore | null>>();

  constructor(
    private readonly root: string,
    private readonly extra: string[] = [],
  ) {}

  private rules(dir: string): Promise<Ignore | null> {
    let hit = this.cache.get(dir);
    if (!hit) {
      hit = (async () => {
        const files = [join(this.root, dir, '.gitignore')];
        if (dir === '') files.push(join(this.root, '.git', 'info', 'exclude'));
        const texts = await Promise.all(files.map((f) => readFile(f, 'utf8').catch(() => '')));
        const all = texts.join('\n');
        const extra = dir === '' ? this.extra : [];
        if (!all.trim() && !extra.length) return null;
        return ignore().add(all).add(extra);
      })();
      this.cache.set(dir, hit);
    }
    return hit;
  }

  private readonly syncCache = new Map<string, Ignore | null>();

  private rulesSync(dir: string): Ignore | null {
    if (this.syncCache.has(dir)) return this.syncCache.get(dir)!;
    const files = [join(this.root, dir, '.gitignore')];
    if (dir === '') files.push(join(this.root, '.git', 'info', 'exclude'));
    const all = files.map((f) => { try { return readFileSync(f, 'utf8'); } catch { return ''; } }).join('\n');
    const extra = dir === '' ? this.extra : [];
    const rules = !all.trim() && !extra.length ? null : ignore().add(all).add(extra);
    this.syncCache.set(dir, rules);
    return rules;
  }

  /** Synchronous form for callbacks that cannot wait (tar's filter); reads each .gitignore once. */
  ignoresSync(rel: string, isDir: boolean): boolean {
    const parts = rel.split('/');
    if (parts.includes('.git')) return true;
    for (let i = 0; i < parts.length; i++) {
      const rules = this.rulesSync(parts.slice(0, i).join('/'));
      if (!rules) continue;
      const sub = parts.slice(i).join('/');
      if (rules.ignores(isDir ? `${sub}/` : sub)) return true;
    }
    return false;
  }

  /** `rel` is "/"-separated, relative to the root; callers check parents before children. */
  async ignores(rel: string, isDir: boolean): Promise<boolean> {
    const parts = rel.split('/');
    if (parts.includes('.git')) return true;
    for (let i = 0; i < parts.length; i++) {
      const dir = parts.slice(0, i).join('/');
      const rules = await this.rules(dir);
      if (!rules) continue;
      const sub = parts.slice(i).join('/');
      if (rules.ignores(isDir ? `${sub}/` : sub)) return true;
    }
    return false;
  }
}
