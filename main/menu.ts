/**
 * The standard application menu: the platform's app, file, edit (so copy/paste/select-all shortcuts work, on macOS
 * only through this menu), view and window menus, plus the app's own entries (add a folder, find).
 */
import type { MenuItemTemplate } from './electron-boundary.js';

export function appMenuTemplate(platform: NodeJS.Platform, actions: { addFolder(): void; focusSearch(): void; showWindow(): void }): MenuItemTemplate[] {
  const mac = platform === 'darwin';
  return [
    ...(mac ? [{ role: 'appMenu' }] : []),
    {
      label: 'File',
      submenu: [
        { label: 'Add Folder…', accelerator: 'CommandOrControl+O', click: actions.addFolder },
        { label: 'Find', accelerator: 'CommandOrControl+F', click: actions.focusSearch },
        { type: 'separator' },
        mac ? { role: 'close' } : { role: 'quit' },
      ],
    },
    { role: 'editMenu' },
    {
      label: 'View',
      submenu: [{ role: 'reload' }, { role: 'toggleDevTools' }, { type: 'separator' }, { role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }],
    },
    { role: 'windowMenu' },
  ];
}
