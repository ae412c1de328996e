/**
 * Finding a program on PATH without starting it. Only absolute PATH entries count: a relative one
 * ("." or "node_modules/.bin") would resolve against whatever folder the process or its child sits
 * in, which may be a workspace nobody has trusted.
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, isAbsolute, join } from 'node:path';

export function findOnPath(name: string, path = process.env.PATH ?? ''): string | null {
  const file = process.platform === 'win32' && !name.endsWith('.exe') ? `${name}.exe` : name;
  for (const dir of path.split(delimiter)) {
    if (!isAbsolute(dir)) continue;
    const candidate = join(dir, file);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return null;
}
