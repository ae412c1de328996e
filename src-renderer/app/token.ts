/**
 * The token hand-over for the standalone page: `/?token=…` is moved to sessionStorage and removed
 * from the address bar. The desktop app gets the token from the preload bridge instead.
 */
const KEY = 'workspace-runtime.token';

export function takeTokenFromUrl(): void {
  const url = new URL(window.location.href);
  const token = url.searchParams.get('token');
  if (!token) return;
  sessionStorage.setItem(KEY, token);
  url.searchParams.delete('token');
  window.history.replaceState(window.history.state, '', url.pathname + url.search + url.hash);
}

export function storedToken(): string | null {
  return sessionStorage.getItem(KEY);
}
