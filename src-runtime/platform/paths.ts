/** Comparing and resolving folder paths the same way everywhere (trust, workspace roots, add_dirs). */
import { realpath } from 'node:fs/promises';
import { resolve, sep } from 'node:path';

/** Whether `path` is `folder` or inside it; the prefix must end at a separator ("/a/b" is not in "/a/bc"). */
export function isInsideFolder(path: string, folder: string): boolean {
  if (path === folder) return true;
  const prefix = folder.endsWith(sep) || folder.endsWith('/') ? folder : folder + sep;
  return path.startsWith(prefix);
}

/** Real paths of folders, without duplicates (a folder that does not exist yet keeps its normalised path). */
export async function realFolders(folders: readonly string[]): Promise<string[]> {
  const resolved = await Promise.all(folders.map((f) => realpath(f).catch(() => resolve(f))));
  return [...new Set(resolved)];
}
