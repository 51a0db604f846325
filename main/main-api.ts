/**
 * The main process's API: the engine's calls (through the engine process) and Electron's shell calls behind the
 * one dispatcher, with settings that concern the desktop (hotkey, theme, start at login) applied when they
 * change. `main.ts` and the tests build it the same way.
 */
import { createDispatcher, engineHandlers, type ApiEngine, type ApiHandlers, type Dispatch } from '../app/api/api-dispatch.js';
import type { Settings } from '../app/engine/engine-types.js';
import { electronShellHandlers, type ElectronShellDeps } from './electron-shell.js';

export interface MainApiDeps extends Omit<ElectronShellDeps, 'engine'> {
  engine: ApiEngine;
  /** Called with the settings after each successful setSettings. */
  onSettings?(settings: Settings): void;
  onInternalError?(method: string, error: unknown): void;
}

export function createMainApi(deps: MainApiDeps): { handlers: ApiHandlers; dispatch: Dispatch } {
  const { engine, onSettings, onInternalError, ...shellDeps } = deps;
  const handlers: ApiHandlers = { ...engineHandlers(engine), ...electronShellHandlers({ ...shellDeps, engine }) };
  const setSettings = handlers.setSettings;
  handlers.setSettings = async (params) => {
    const settings = await setSettings(params);
    onSettings?.(settings);
    return settings;
  };
  return { handlers, dispatch: createDispatcher(handlers, onInternalError ? { onInternalError } : {}) };
}
