/**
 * The Electron main process's answers to the shell calls: open (at the PDF page on Linux where the default
 * viewer takes one) and reveal through Electron's `shell`, only for files the engine knows; the native folder
 * picker.
 */
import type { EngineHandlers, ShellHandlers } from '../app/api/api-dispatch.js';
import { requireIndexedFile } from '../app/api/indexed-file.js';
import { EngineError } from '../app/engine/engine-error.js';
import { defaultLinuxPdfApp, openCommand, runDetached } from '../app/util/os-open.js';
import type { BrowserWindowLike, DialogLike, ShellLike } from './electron-boundary.js';

export interface ElectronShellDeps {
  engine: Pick<EngineHandlers, 'filePassages'>;
  shell: ShellLike;
  dialog: DialogLike;
  window(): BrowserWindowLike | undefined;
  version: string;
  platform?: NodeJS.Platform;
}

export function electronShellHandlers(deps: ElectronShellDeps): ShellHandlers {
  const platform = deps.platform ?? process.platform;
  return {
    async openFile({ path, page }) {
      const file = await requireIndexedFile(deps.engine, path);
      if (page && platform === 'linux' && /\.pdf$/i.test(file)) {
        const command = openCommand(file, { page, platform, pdfApp: defaultLinuxPdfApp() });
        if (command.command !== 'xdg-open') {
          await runDetached(command);
          return { opened: true };
        }
      }
      const problem = await deps.shell.openPath(file);
      if (problem) throw new EngineError('not-found', `cannot open ${file}: ${problem}`, { path: file });
      return { opened: true };
    },
    async revealFile({ path }) {
      deps.shell.showItemInFolder(await requireIndexedFile(deps.engine, path));
      return { revealed: true };
    },
    async pickFolder() {
      const result = await deps.dialog.showOpenDialog(deps.window(), { properties: ['openDirectory'], title: 'Add a folder to search' });
      return { path: result.canceled ? null : (result.filePaths[0] ?? null) };
    },
    async hostInfo() {
      return { host: 'electron', canPickFolder: true, canOpenFiles: true, version: deps.version };
    },
  };
}
