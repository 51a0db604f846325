/**
 * The window's size and position, remembered between runs (`window-state.json` in the app's config folder):
 * normal bounds (also when maximized) and whether it was maximized, saved on close and, debounced, on move and
 * resize. Restored only when the saved rectangle still overlaps a display's work area (a monitor may be gone).
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { BrowserWindowLike, Rectangle } from './electron-boundary.js';

export interface WindowState {
  bounds: Rectangle | null;
  maximized: boolean;
}

export const DEFAULT_SIZE = { width: 1100, height: 760 };

export function loadWindowState(file: string): WindowState {
  try {
    const value = JSON.parse(readFileSync(file, 'utf8')) as Partial<WindowState>;
    const b = value.bounds;
    const valid = b && [b.x, b.y, b.width, b.height].every((n) => Number.isFinite(n)) && b.width >= 200 && b.height >= 150;
    return { bounds: valid ? { x: b.x, y: b.y, width: b.width, height: b.height } : null, maximized: value.maximized === true };
  } catch {
    return { bounds: null, maximized: false };
  }
}

export function saveWindowState(file: string, state: WindowState): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file + '.tmp', JSON.stringify(state) + '\n');
  renameSync(file + '.tmp', file);
}

/** True when at least 64×64 pixels of `bounds` lie on one of the work areas. */
export function isVisibleOnSomeDisplay(bounds: Rectangle, workAreas: Rectangle[]): boolean {
  return workAreas.some((area) => {
    const width = Math.min(bounds.x + bounds.width, area.x + area.width) - Math.max(bounds.x, area.x);
    const height = Math.min(bounds.y + bounds.height, area.y + area.height) - Math.max(bounds.y, area.y);
    return width >= 64 && height >= 64;
  });
}

/** The bounds to open the window with: the saved ones when visible, else the default size (centred by Electron). */
export function initialBounds(state: WindowState, workAreas: Rectangle[]): Partial<Rectangle> & { width: number; height: number } {
  if (state.bounds && isVisibleOnSomeDisplay(state.bounds, workAreas)) return state.bounds;
  return { ...DEFAULT_SIZE };
}

/** Saves the window's state on move/resize (debounced) and on close. */
export function trackWindowState(window: BrowserWindowLike, file: string, debounceMs = 500): void {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const save = () => {
    if (timer) clearTimeout(timer);
    timer = null;
    if (window.isDestroyed()) return;
    saveWindowState(file, { bounds: window.getNormalBounds(), maximized: window.isMaximized() });
  };
  const later = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, debounceMs);
  };
  window.on('resize', later);
  window.on('move', later);
  window.on('close', save);
}
