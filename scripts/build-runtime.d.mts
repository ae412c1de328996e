export function buildRuntime(options?: { quiet?: boolean }): Promise<void>;
