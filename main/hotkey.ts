/**
 * The global hotkey (setting `hotkey`, Electron accelerator syntax; '' for none) that shows the window focused on
 * the search box. Registration can fail silently when another app owns the keys: the result says so, for the
 * settings screen.
 */
import type { GlobalShortcutLike } from './electron-boundary.js';

export class Hotkey {
  private current: string | null = null;
  constructor(
    private readonly globalShortcut: GlobalShortcutLike,
    private readonly onPress: () => void,
  ) {}

  /** Replaces the registered hotkey; returns whether `accelerator` is now active ('' unregisters: true). */
  set(accelerator: string): boolean {
    if (accelerator === this.current) return true;
    if (this.current) this.globalShortcut.unregister(this.current);
    this.current = null;
    if (!accelerator) return true;
    let ok = false;
    try {
      ok = this.globalShortcut.register(accelerator, this.onPress);
    } catch {
      ok = false; // an accelerator Electron cannot parse
    }
    if (ok) this.current = accelerator;
    return ok;
  }

  get active(): string | null {
    return this.current;
  }

  dispose(): void {
    this.globalShortcut.unregisterAll();
    this.current = null;
  }
}
