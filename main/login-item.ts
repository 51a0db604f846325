/**
 * Start at login (setting `startAtLogin`): Electron's login items on macOS and Windows; on Linux a freedesktop
 * autostart entry in `$XDG_CONFIG_HOME/autostart` (Electron's API does nothing there).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const AUTOSTART_FILE = 'splade-search.desktop';

export function autostartDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'autostart');
}

/** The autostart entry: the app started hidden (`--hidden`), so only the tray shows. */
export function autostartEntry(executable: string): string {
  const quoted = /[\s"'\\]/.test(executable) ? `"${executable.replace(/(["\\`$])/g, '\\$1')}"` : executable;
  return ['[Desktop Entry]', 'Type=Application', 'Name=splade-search', `Exec=${quoted} --hidden`, 'X-GNOME-Autostart-enabled=true', ''].join('\n');
}

export interface LoginItemDeps {
  platform: NodeJS.Platform;
  executable: string;
  setLoginItemSettings(settings: { openAtLogin: boolean; args?: string[] }): void;
  env?: NodeJS.ProcessEnv;
}

export function setStartAtLogin(enabled: boolean, deps: LoginItemDeps): void {
  if (deps.platform === 'darwin' || deps.platform === 'win32') {
    deps.setLoginItemSettings({ openAtLogin: enabled, args: ['--hidden'] });
    return;
  }
  const dir = autostartDir(deps.env);
  const file = join(dir, AUTOSTART_FILE);
  if (!enabled) return rmSync(file, { force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(file, autostartEntry(deps.executable));
}
