/**
 * The main process's API: the engine's calls (through the engine process) and Electron's shell calls behind the
 * one dispatcher, with settings that concern the desktop (hotkey, theme, start at login) applied when they
 * change. `main.ts` and the tests build it the same way.
 */
import { createDispatcher, engineHandlers, type ApiEngine, type ApiHandlers, type Dispatch } from '../app/api/api-dispatch.js';
import { EngineError } from '../app/engine/engine-error.js';
import type { Settings } from '../app/engine/engine-types.js';
import { electronShellHandlers, type ElectronShellDeps } from './electron-shell.js';

export interface MainApiDeps extends Omit<ElectronShellDeps, 'engine'> {
  engine: ApiEngine;
  /** Called with the settings after each successful setSettings. */
  onSettings?(settings: Settings): void;
  /** Registers the global hotkey ('' for none); false when another app holds it or it is not a valid accelerator. */
  applyHotkey?(accelerator: string): boolean;
  onInternalError?(method: string, error: unknown): void;
}

export function createMainApi(deps: MainApiDeps): { handlers: ApiHandlers; dispatch: Dispatch } {
  const { engine, onSettings, applyHotkey, onInternalError, ...shellDeps } = deps;
  const handlers: ApiHandlers = { ...engineHandlers(engine), ...electronShellHandlers({ ...shellDeps, engine }) };
  const setSettings = handlers.setSettings;
  handlers.setSettings = async (params) => {
    const previous = params.hotkey !== undefined && applyHotkey ? (await engine.getSettings({})).hotkey : undefined;
    const settings = await setSettings(params);
    if (previous !== undefined && applyHotkey && !applyHotkey(settings.hotkey)) {
      // A shortcut that cannot be registered is not kept: the old one stays, and the user is told why.
      await setSettings({ hotkey: previous });
      applyHotkey(previous);
      throw new EngineError(
        'invalid-request',
        `the hotkey ${JSON.stringify(settings.hotkey)} cannot be used: another app holds it, or it is not a valid shortcut (e.g. CommandOrControl+Shift+Space); the previous one is kept`,
        { field: 'hotkey' },
      );
    }
    onSettings?.(settings);
    return settings;
  };
  return { handlers, dispatch: createDispatcher(handlers, onInternalError ? { onInternalError } : {}) };
}
