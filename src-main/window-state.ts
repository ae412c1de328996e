/**
 * The main window's size, position and maximized state, remembered in userData/window-state.json
 * and brought back inside a visible display (a monitor may have been unplugged since).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

export interface Bounds {
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
  fullScreen: boolean;
}

export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 820, maximized: false, fullScreen: false };
export const MIN_SIZE = { width: 640, height: 420 };

function finite(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}

export function parseWindowState(value: unknown): WindowState {
  const v = (value ?? {}) as Record<string, unknown>;
  const state: WindowState = {
    width: finite(v.width) && v.width >= MIN_SIZE.width ? Math.round(v.width) : DEFAULT_WINDOW_STATE.width,
    height: finite(v.height) && v.height >= MIN_SIZE.height ? Math.round(v.height) : DEFAULT_WINDOW_STATE.height,
    maximized: v.maximized === true,
    fullScreen: v.fullScreen === true,
  };
  if (finite(v.x) && finite(v.y)) {
    state.x = Math.round(v.x);
    state.y = Math.round(v.y);
  }
  return state;
}

function overlap(a: Bounds, b: Bounds): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return w > 0 && h > 0 ? w * h : 0;
}

/**
 * Keeps the window on a display: it goes to the work area it overlaps most, shrunk to fit; a window
 * that is on no display loses its position (the OS centres it).
 */
export function fitToWorkAreas(state: WindowState, workAreas: readonly Bounds[]): WindowState {
  if (state.x === undefined || state.y === undefined || workAreas.length === 0) {
    const primary = workAreas[0];
    if (!primary) return state;
    return { ...state, width: Math.min(state.width, primary.width), height: Math.min(state.height, primary.height) };
  }
  const rect: Bounds = { x: state.x, y: state.y, width: state.width, height: state.height };
  let best: Bounds | undefined;
  let bestOverlap = 0;
  for (const area of workAreas) {
    const o = overlap(rect, area);
    if (o > bestOverlap) {
      best = area;
      bestOverlap = o;
    }
  }
  // Less than a title bar's worth visible counts as off-screen.
  if (!best || bestOverlap < Math.min(rect.width, 100) * Math.min(rect.height, 40)) {
    const primary = workAreas[0]!;
    const { x: _x, y: _y, ...rest } = state;
    return { ...rest, width: Math.min(state.width, primary.width), height: Math.min(state.height, primary.height) };
  }
  const width = Math.min(state.width, best.width);
  const height = Math.min(state.height, best.height);
  const x = Math.min(Math.max(state.x, best.x), best.x + best.width - width);
  const y = Math.min(Math.max(state.y, best.y), best.y + best.height - height);
  return { ...state, x, y, width, height };
}

export function loadWindowState(file: string): WindowState {
  try {
    return parseWindowState(JSON.parse(readFileSync(file, 'utf8')));
  } catch {
    return { ...DEFAULT_WINDOW_STATE };
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`);
  renameSync(tmp, file);
}

/** The subset of BrowserWindow the keeper reads (so it is testable without Electron). */
export interface TrackedWindow {
  getNormalBounds(): Bounds;
  isMaximized(): boolean;
  isFullScreen(): boolean;
  on(event: 'resize' | 'move' | 'close' | 'maximize' | 'unmaximize' | 'enter-full-screen' | 'leave-full-screen', listener: () => void): unknown;
}

export function captureWindowState(win: TrackedWindow): WindowState {
  const bounds = win.getNormalBounds();
  return { ...bounds, maximized: win.isMaximized(), fullScreen: win.isFullScreen() };
}

/** Saves the window's state on close, and (debounced) while it moves, so a crash loses little. */
export function trackWindowState(win: TrackedWindow, file: string, debounceMs = 1000): void {
  let timer: NodeJS.Timeout | undefined;
  const save = () => {
    clearTimeout(timer);
    try {
      saveWindowState(file, captureWindowState(win));
    } catch {
      // A read-only profile must not break closing the window.
    }
  };
  const later = () => {
    clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  for (const event of ['resize', 'move', 'maximize', 'unmaximize', 'enter-full-screen', 'leave-full-screen'] as const) win.on(event, later);
  win.on('close', save);
}
