/**
 * Serve mode's answers to the shell calls: open and reveal through the operating system's opener, only for files
 * the engine knows (`requireIndexedFile`); no folder picker (a browser page cannot name a local folder, so the
 * page asks for a typed path instead); `hostInfo` says 'serve'.
 */
import type { EngineHandlers, ShellHandlers } from '../api/api-dispatch.js';
import { requireIndexedFile } from '../api/indexed-file.js';
import { defaultLinuxPdfApp, openCommand, revealCommand, runDetached, type OpenCommand } from '../util/os-open.js';

export interface ServeShellOptions {
  engine: Pick<EngineHandlers, 'filePassages'>;
  version: string;
  /** Runs an opener command; default: spawn it detached. Tests pass a recorder. */
  run?: (command: OpenCommand) => Promise<void>;
  platform?: NodeJS.Platform;
}

export function serveShellHandlers(options: ServeShellOptions): ShellHandlers {
  const run = options.run ?? runDetached;
  const platform = options.platform ?? process.platform;
  return {
    async openFile({ path, page }) {
      const file = await requireIndexedFile(options.engine, path);
      const pdfApp = page && platform === 'linux' && /\.pdf$/i.test(file) ? defaultLinuxPdfApp() : null;
      await run(openCommand(file, { page: page ?? null, platform, pdfApp }));
      return { opened: true };
    },
    async revealFile({ path }) {
      const file = await requireIndexedFile(options.engine, path);
      await run(revealCommand(file, platform));
      return { revealed: true };
    },
    async pickFolder() {
      return { path: null };
    },
    async hostInfo() {
      return { host: 'serve', canPickFolder: false, canOpenFiles: true, version: options.version };
    },
  };
}
