/** The runtime version, injected at build time (esbuild and vitest `define`). */
declare const __WR_VERSION__: string | undefined;

export const VERSION: string = typeof __WR_VERSION__ !== 'undefined' ? __WR_VERSION__ : '0.0.0-dev';
