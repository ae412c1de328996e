export function fetchGit(options?: { arch?: string; dugiteDir?: string; out?: string; cacheDir?: string; platform?: NodeJS.Platform }): { dir: string; version: string | null };
