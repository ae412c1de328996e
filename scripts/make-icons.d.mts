export function encodePng(width: number, height: number, rgba: Buffer): Buffer;
export function drawIcon(size: number, samples?: number): Buffer;
export function makeIcons(outDir?: string): void;
