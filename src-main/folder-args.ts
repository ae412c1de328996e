/**
 * Folders named on a command line (`workspace-runtime-desktop ~/src/app`, or a second launch):
 * positional arguments that are existing directories, resolved against the launch's working dir.
 */
import { isAbsolute, resolve } from 'node:path';

export interface FolderArgsOptions {
  /** Unpackaged (`electron . <folder>`), argv[1] is the app path, not a folder to open. */
  isPackaged: boolean;
  isDirectory: (path: string) => boolean;
}

export function folderArgs(argv: readonly string[], cwd: string, options: FolderArgsOptions): string[] {
  const positional = argv.slice(1).filter((arg) => arg.length > 0 && !arg.startsWith('-'));
  const candidates = options.isPackaged ? positional : positional.slice(1);
  const folders: string[] = [];
  for (const arg of candidates) {
    const path = isAbsolute(arg) ? resolve(arg) : resolve(cwd, arg);
    if (!folders.includes(path) && options.isDirectory(path)) folders.push(path);
  }
  return folders;
}

/** The `additionalData` a second instance passes with its single-instance lock request. */
export interface SecondInstanceData {
  folders: string[];
}

export function readSecondInstanceData(data: unknown): string[] | undefined {
  const folders = (data as Partial<SecondInstanceData> | null)?.folders;
  return Array.isArray(folders) && folders.every((f) => typeof f === 'string') ? folders : undefined;
}
