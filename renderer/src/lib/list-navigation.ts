/** Keyboard movement through a list (results, files, passages): arrows, Page Up/Down, Home/End, clamped, never wrapping. */
export type NavKey = 'ArrowDown' | 'ArrowUp' | 'PageDown' | 'PageUp' | 'Home' | 'End';

export const NAV_KEYS: readonly string[] = ['ArrowDown', 'ArrowUp', 'PageDown', 'PageUp', 'Home', 'End'];

/** The new selected index; -1 (nothing selected) moves to the first item on ArrowDown/PageDown/Home. */
export function moveSelection(current: number, key: NavKey, count: number, pageSize = 10): number {
  if (count <= 0) return -1;
  const last = count - 1;
  switch (key) {
    case 'ArrowDown':
      return Math.min(last, current + 1);
    case 'ArrowUp':
      return Math.max(0, current - 1);
    case 'PageDown':
      return Math.min(last, Math.max(0, current) + pageSize);
    case 'PageUp':
      return Math.max(0, current - pageSize);
    case 'Home':
      return 0;
    case 'End':
      return last;
  }
}
