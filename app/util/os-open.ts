/**
 * Opening a file with the system's default app, at a page where the app allows it, and showing a file in its
 * folder, with the operating system's own opener (serve mode; Electron main uses `shell` for the plain cases).
 * Commands are spawned without a shell, the path as one argument, so no character in a file name is interpreted.
 * Only call these with a path the index vouched for (`requireIndexedFile`).
 */
import { spawn, spawnSync } from 'node:child_process';
import { dirname } from 'node:path';

export interface OpenCommand {
  command: string;
  args: string[];
}

/** PDF viewers whose command line takes a page, by the name of their desktop entry (freedesktop). */
const LINUX_PDF_PAGE_FLAGS: [pattern: RegExp, command: string, flag: (page: number) => string[]][] = [
  [/evince/i, 'evince', (page) => ['-i', String(page)]],
  [/okular/i, 'okular', (page) => ['-p', String(page)]],
  [/zathura/i, 'zathura', (page) => ['-P', String(page)]],
];

/** The command that opens `path` (at `page` for a PDF when `pdfApp`, the default PDF app's desktop entry, takes one). */
export function openCommand(path: string, options: { page?: number | null; platform?: NodeJS.Platform; pdfApp?: string | null } = {}): OpenCommand {
  const platform = options.platform ?? process.platform;
  if (platform === 'darwin') return { command: 'open', args: [path] };
  if (platform === 'win32') return { command: 'explorer.exe', args: [path] };
  if (options.page && /\.pdf$/i.test(path) && options.pdfApp) {
    for (const [pattern, command, flag] of LINUX_PDF_PAGE_FLAGS) {
      if (pattern.test(options.pdfApp)) return { command, args: [...flag(options.page), path] };
    }
  }
  return { command: 'xdg-open', args: [path] };
}

/** The command that shows `path` selected in its folder (Linux: opens the folder, as xdg-open cannot select). */
export function revealCommand(path: string, platform: NodeJS.Platform = process.platform): OpenCommand {
  if (platform === 'darwin') return { command: 'open', args: ['-R', path] };
  if (platform === 'win32') return { command: 'explorer.exe', args: [`/select,${path}`] };
  return { command: 'xdg-open', args: [dirname(path)] };
}

/** The desktop entry of the default PDF app on Linux (`xdg-mime query default application/pdf`), or null. */
export function defaultLinuxPdfApp(): string | null {
  const result = spawnSync('xdg-mime', ['query', 'default', 'application/pdf'], { encoding: 'utf8', timeout: 2000 });
  return result.status === 0 && result.stdout.trim() ? result.stdout.trim() : null;
}

/** Starts `command` detached; resolves once it started, rejects when it cannot (e.g. no xdg-open installed). */
export function runDetached({ command, args }: OpenCommand): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { detached: true, stdio: 'ignore', shell: false });
    child.once('error', (error) => reject(new Error(`cannot run ${command}: ${error.message}`)));
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
}
