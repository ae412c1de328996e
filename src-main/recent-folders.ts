/** The Open Recent list: most recent first, no duplicates, at most MAX_RECENT, kept in userData. */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export const MAX_RECENT = 10;

export function addRecent(list: readonly string[], folder: string, max = MAX_RECENT): string[] {
  return [folder, ...list.filter((f) => f !== folder)].slice(0, max);
}

export function loadRecent(file: string): string[] {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as unknown;
    return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, MAX_RECENT) : [];
  } catch {
    return [];
  }
}

export function saveRecent(file: string, list: readonly string[]): void {
  try {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, `${JSON.stringify(list, null, 2)}\n`);
  } catch {
    // Not remembering a folder is no reason to fail opening it.
  }
}
