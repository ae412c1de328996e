export function buildMain(options?: { quiet?: boolean; outdir?: string }): Promise<void>;
