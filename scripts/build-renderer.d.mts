export function buildRenderer(options?: { quiet?: boolean }): Promise<void>;
