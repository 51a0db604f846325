/**
 * The tray (menu-bar) item: indexing status in the tooltip and first menu line, show window, pause/resume
 * indexing, quit. The menu is rebuilt when progress changes phase or counts (Linux needs `setContextMenu` again).
 */
import type { Progress } from '../app/engine/engine-types.js';
import type { MenuItemTemplate, MenuLike, TrayLike } from './electron-boundary.js';

/** One line for the tooltip and menu: what indexing is doing. */
export function progressLine(progress: Progress | null): string {
  if (!progress) return 'Starting…';
  switch (progress.phase) {
    case 'idle':
      return progress.failed > 0 ? `Up to date (${progress.failed} failed)` : 'Up to date';
    case 'paused':
      return `Paused (${progress.queued} waiting)`;
    case 'loading-model':
      return 'Loading the model…';
    case 'scanning':
      return 'Scanning folders…';
    case 'error':
      return `Error: ${progress.message ?? 'unknown'}`;
    default: {
      const eta = progress.etaSeconds != null ? `, ~${Math.ceil(progress.etaSeconds / 60)} min left` : '';
      return `Indexing: ${progress.done} done, ${progress.queued} waiting${eta}`;
    }
  }
}

export function trayMenuTemplate(progress: Progress | null, actions: { show(): void; pause(): void; resume(): void; quit(): void }): MenuItemTemplate[] {
  const paused = progress?.phase === 'paused';
  return [
    { label: progressLine(progress), enabled: false },
    { type: 'separator' },
    { label: 'Show splade-search', click: actions.show },
    paused ? { label: 'Resume indexing', click: actions.resume } : { label: 'Pause indexing', click: actions.pause },
    { type: 'separator' },
    { label: 'Quit', role: 'quit', click: actions.quit },
  ];
}

export class AppTray {
  private shown: string | null = null;
  constructor(
    private readonly tray: TrayLike,
    private readonly menu: MenuLike,
    private readonly actions: { show(): void; pause(): void; resume(): void; quit(): void },
  ) {
    tray.on('click', actions.show);
    this.update(null);
  }

  update(progress: Progress | null): void {
    const line = progressLine(progress) + (progress?.phase === 'paused' ? '|p' : '');
    if (line === this.shown) return;
    this.shown = line;
    this.tray.setToolTip(`splade-search — ${progressLine(progress)}`);
    this.tray.setContextMenu(this.menu.buildFromTemplate(trayMenuTemplate(progress, this.actions)));
  }

  destroy(): void {
    this.tray.destroy();
  }
}
