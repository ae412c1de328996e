/**
 * What a window may load: the runtime's own origin stays in the window; http(s) links elsewhere go
 * to the system browser; everything else (file:, javascript:, data:, custom schemes) is dropped.
 */
import { isRuntimeOrigin } from './ipc-contract.js';

export type NavigationDecision = 'allow' | 'external' | 'deny';

export function isHttpUrl(value: string): boolean {
  try {
    const { protocol } = new URL(value);
    return protocol === 'http:' || protocol === 'https:';
  } catch {
    return false;
  }
}

export function decideNavigation(targetUrl: string, runtimeUrl: string | undefined): NavigationDecision {
  if (isRuntimeOrigin(targetUrl, runtimeUrl)) return 'allow';
  return isHttpUrl(targetUrl) ? 'external' : 'deny';
}

/** New windows (target=_blank, window.open) never open inside the app. */
export function decideWindowOpen(targetUrl: string): 'external' | 'deny' {
  return isHttpUrl(targetUrl) ? 'external' : 'deny';
}
