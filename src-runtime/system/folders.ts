/**
 * The server-side folder browser: lists the sub-folders (never files) of an absolute path so a
 * browser client, which has no native Open Folder dialog, can pick a folder to open as a workspace.
 * Token-protected like every API route; symlinks to folders count as folders.
 */
import { readdir, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { systemFoldersApi } from '../contract/runtime.js';
import { ApiError, badRequest, notFound } from '../contract/errors.js';
import { bind, type RouteBinding } from '../http/bind.js';

const LIMIT = 2000;

export async function listFolders(path: string | undefined, includeHidden: boolean) {
  const home = homedir();
  const target = resolve(path ?? home);
  if (path !== undefined && !isAbsolute(path)) throw badRequest('path_not_absolute', `"${path}" is not an absolute path`);
  let info;
  try {
    info = await stat(target);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new ApiError(403, 'folder_not_readable', `No permission to read "${target}"`);
    throw notFound('folder_not_found', `There is no folder at "${target}"`);
  }
  if (!info.isDirectory()) throw badRequest('not_a_folder', `"${target}" is a file, not a folder`);
  let entries;
  try {
    entries = await readdir(target, { withFileTypes: true });
  } catch {
    throw new ApiError(403, 'folder_not_readable', `No permission to list "${target}"`);
  }
  const folders: Array<{ name: string; path: string }> = [];
  for (const entry of entries) {
    if (!includeHidden && entry.name.startsWith('.')) continue;
    let isDir = entry.isDirectory();
    if (!isDir && entry.isSymbolicLink()) isDir = await stat(join(target, entry.name)).then((s) => s.isDirectory(), () => false);
    if (isDir) folders.push({ name: entry.name, path: join(target, entry.name) });
  }
  folders.sort((a, b) => a.name.localeCompare(b.name));
  const parent = dirname(target);
  return {
    listing: { path: target, parent: parent === target ? null : parent, home, folders: folders.slice(0, LIMIT), truncated: folders.length > LIMIT },
  };
}

export function folderRoutes(): RouteBinding[] {
  return [bind(systemFoldersApi.list, ({ query }) => listFolders(query.path, query.hidden === 'true'))];
}
