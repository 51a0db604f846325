/**
 * The app's per-user data folder, shared by the CLI and the desktop app (so both use one index and one settings
 * file): an explicit folder (`--data`, Electron's `userData`), else $SPLADE_DATA_DIR, else the platform's place —
 * `$XDG_DATA_HOME/splade-search` (default `~/.local/share/splade-search`) on Linux and other Unixes,
 * `%APPDATA%\splade-search` on Windows, `~/Library/Application Support/splade-search` on macOS.
 */
import { homedir } from 'node:os';
import { join, resolve, win32 } from 'node:path';

export interface DataDirOptions {
  /** An explicit data folder (CLI `--data`; Electron: app.getPath('userData')). */
  dataDir?: string | undefined;
  env?: NodeJS.ProcessEnv;
}

export function appDataDir(options: DataDirOptions = {}, platform: NodeJS.Platform = process.platform): string {
  if (options.dataDir) return resolve(options.dataDir);
  const env = options.env ?? process.env;
  if (env.SPLADE_DATA_DIR) return resolve(env.SPLADE_DATA_DIR);
  const home = env.HOME || env.USERPROFILE || homedir();
  if (platform === 'win32') return win32.join(env.APPDATA || win32.join(home, 'AppData', 'Roaming'), 'splade-search');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'splade-search');
  return join(env.XDG_DATA_HOME || join(home, '.local', 'share'), 'splade-search');
}
