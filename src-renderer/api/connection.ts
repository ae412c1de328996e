/**
 * Where the runtime is and how to authenticate: in the desktop app the preload bridge
 * (`window.workspaceRuntimeDesktop`, typed in contract/desktop-bridge.ts) gives the URL and token;
 * in a browser the page came from the runtime itself (same origin) and the token was handed over
 * through `/?token=` into sessionStorage.
 */
import type { DesktopBridge, DesktopWindow } from '../../src-runtime/contract/desktop-bridge.js';
import { storedToken } from '../app/token.js';

/** The desktop bridge, or undefined in a plain browser. */
export function bridge(): DesktopBridge | undefined {
  return (window as Window & DesktopWindow).workspaceRuntimeDesktop;
}

export interface Connection {
  baseUrl: string;
  token: string | null;
}

/** Resolve the connection once at start-up. */
export async function resolveConnection(): Promise<Connection> {
  const b = bridge();
  if (b) {
    const info = await b.getRuntime().catch(() => undefined);
    const token = info?.token ?? storedToken();
    // The desktop window is loaded from the runtime's own origin; prefer same-origin requests.
    const baseUrl = info?.url && new URL(info.url).origin !== window.location.origin ? info.url : '';
    return { baseUrl, token: token ?? null };
  }
  return { baseUrl: '', token: storedToken() };
}

/** The native folder picker when the desktop bridge offers one. */
export function nativeFolderPicker(): (() => Promise<string | null>) | undefined {
  const b = bridge();
  return b ? () => b.openFolderDialog() : undefined;
}
