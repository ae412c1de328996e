/**
 * The environment the runtime process starts with. In a packaged app whose resources hold dugite's
 * embedded git (`resources/git`, see scripts/fetch-git.mjs), LOCAL_GIT_DIRECTORY points at it so
 * dugite uses it; otherwise the system git is used (the runtime's own fallback). Packaged
 * workspace templates (`resources/templates`) are passed as WR_TEMPLATES_DIR.
 */
import { join } from 'node:path';

export interface RuntimeEnvOptions {
  resourcesPath: string | undefined;
  platform: NodeJS.Platform;
  exists: (path: string) => boolean;
}

/**
 * The runtime entry: dist/runtime/main.mjs under the app path; in a packaged app the runtime is
 * unpacked next to the asar (electron-builder.yml asarUnpack), so the path leaves the archive.
 */
export function runtimeEntryPath(appPath: string): string {
  return join(appPath, 'dist', 'runtime', 'main.mjs').replace(/app\.asar(?=[\\/])/, 'app.asar.unpacked');
}

export function embeddedGitDir(options: RuntimeEnvOptions): string | undefined {
  if (!options.resourcesPath) return undefined;
  const dir = join(options.resourcesPath, 'git');
  const binary = options.platform === 'win32' ? join(dir, 'cmd', 'git.exe') : join(dir, 'bin', 'git');
  return options.exists(binary) ? dir : undefined;
}

export function runtimeEnv(base: Record<string, string | undefined>, options: RuntimeEnvOptions): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { ...base, WORKSPACE_RUNTIME_DESKTOP: '1' };
  // Electron's own switches are for this process, not for the runtime or the programs it starts.
  delete env.ELECTRON_RUN_AS_NODE;
  delete env.ELECTRON_NO_ATTACH_CONSOLE;
  // Workspace templates ship as an extra resource (their .ts and .md files would be filtered out
  // of the app archive); the runtime looks there when WR_TEMPLATES_DIR names it.
  const templates = options.resourcesPath ? join(options.resourcesPath, 'templates') : undefined;
  if (templates && options.exists(templates)) env.WR_TEMPLATES_DIR = templates;
  const git = embeddedGitDir(options);
  if (git) {
    env.LOCAL_GIT_DIRECTORY = git;
    // dugite derives the exec path from LOCAL_GIT_DIRECTORY unless one is set: a stray one from
    // the user's shell would mix two gits.
    delete env.GIT_EXEC_PATH;
    // dugite only points git at the bundled CA file when LOCAL_GIT_DIRECTORY is unset.
    const caFile = join(git, 'ssl', 'cacert.pem');
    if (options.platform === 'linux' && !env.GIT_SSL_CAINFO && options.exists(caFile)) env.GIT_SSL_CAINFO = caFile;
  }
  return env;
}
