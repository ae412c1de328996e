/**
 * Where the runtime is and how to authenticate: in the desktop app the preload bridge
 * (`window.workspaceRuntime`) gives the token (and URL); in a browser the page came from the runtime
 * itself (same origin) and the token was handed over through `/?token=` into sessionStorage.
 */
import { storedToken } from '../app/token.js';

/** What the renderer uses of the preload bridge; read defensively, every member may be missing. */
export interface BridgeLike {
  token?: string;
  runtimeUrl?: string;
  getRuntime?: () => Promise<{ url?: string; token?: string } | undefined>;
  openFolder?: () => Promise<string | null | undefined>;
  showOpenDialog?: () => Promise<string | null | undefined>;
  platform?: string;
}

export function bridge(): BridgeLike | undefined {
  return (window as unknown as { workspaceRuntime?: BridgeLike }).workspaceRuntime;
}

export interface Connection {
  baseUrl: string;
  token: string | null;
}

/** Resolve the connection once at start-up. */
export async function resolveConnection(): Promise<Connection> {
  const b = bridge();
  if (b) {
    const info = b.getRuntime ? await b.getRuntime().catch(() => undefined) : undefined;
    const token = info?.token ?? b.token ?? storedToken();
    const url = info?.url ?? b.runtimeUrl;
    // The desktop window is loaded from the runtime's own origin; prefer same-origin requests.
    const baseUrl = url && new URL(url).origin !== window.location.origin ? url : '';
    return { baseUrl, token: token ?? null };
  }
  return { baseUrl: '', token: storedToken() };
}

/** The native folder picker when the desktop bridge offers one. */
export function nativeFolderPicker(): (() => Promise<string | null | undefined>) | undefined {
  const b = bridge();
  return b?.openFolder ?? b?.showOpenDialog;
}
