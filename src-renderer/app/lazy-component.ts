/**
 * Code-split components that can be preloaded: `preload()` starts fetching the chunk early, and
 * once it has arrived the component renders directly instead of through React.lazy (which would
 * suspend once more and wait out React's Suspense reveal throttle, ~300 ms).
 */
import { createElement, lazy, type ComponentType } from 'react';

export function lazyComponent<P extends object>(load: () => Promise<{ default: ComponentType<P> }>) {
  let loaded: ComponentType<P> | undefined;
  let pending: Promise<{ default: ComponentType<P> }> | undefined;
  const start = () =>
    (pending ??= load().then((m) => {
      loaded = m.default;
      return m;
    }));
  const Lazy = lazy(start);
  function Component(props: P) {
    return createElement((loaded ?? Lazy) as ComponentType<P>, props);
  }
  return { Component, preload: () => void start() };
}

/** Preload when the browser is idle (or after a short delay), so first use does not wait. */
export function preloadWhenIdle(preload: () => void): () => void {
  const w = window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number; cancelIdleCallback?: (id: number) => void };
  if (w.requestIdleCallback) {
    const id = w.requestIdleCallback(preload, { timeout: 2000 });
    return () => w.cancelIdleCallback?.(id);
  }
  const t = setTimeout(preload, 800);
  return () => clearTimeout(t);
}
