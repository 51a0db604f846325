/**
 * The settings file (`settings.json` in the data folder), shared by the CLI and the app. Read and validated with
 * the API contract's `settingsSchema` (a value that does not fit is reported with the field and replaced by its
 * default, never silently kept); written atomically (temp file + rename), so a crash leaves the old or the new file.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, fsyncSync, openSync, closeSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { settingsSchema } from '../api/api-contract.js';
import { DEFAULT_MODEL_ID } from '../hub/index.js';
import type { Settings } from './engine-types.js';

export const SETTINGS_FILE = 'settings.json';

export const DEFAULT_SETTINGS: Readonly<Settings> = Object.freeze({
  model: DEFAULT_MODEL_ID,
  device: 'auto',
  precision: 'auto',
  passageTokens: 256,
  passageOverlap: 32,
  ignorePatterns: [],
  maxFileBytes: 50 * 1024 * 1024,
  hotkey: '',
  theme: 'system',
  startAtLogin: false,
});

export interface LoadedSettings {
  settings: Settings;
  /** Fields of the file that were invalid and fell back to their default (for a warning), with why. */
  problems: string[];
}

/** Reads the settings of `dataDir` (defaults when there is no file yet). */
export function loadSettings(dataDir: string): LoadedSettings {
  const path = join(dataDir, SETTINGS_FILE);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { settings: { ...DEFAULT_SETTINGS, ignorePatterns: [] }, problems: [] };
    return { settings: { ...DEFAULT_SETTINGS, ignorePatterns: [] }, problems: [`${path} is not valid JSON (${(error as Error).message}); using the defaults`] };
  }
  const problems: string[] = [];
  const settings: Settings = { ...DEFAULT_SETTINGS, ignorePatterns: [] };
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    return { settings, problems: [`${path} does not hold a JSON object; using the defaults`] };
  }
  const shape = settingsSchema.shape;
  for (const [key, value] of Object.entries(raw)) {
    if (!(key in shape)) {
      problems.push(`${path}: unknown setting "${key}" ignored`);
      continue;
    }
    const parsed = shape[key as keyof typeof shape].safeParse(value);
    if (parsed.success) (settings as unknown as Record<string, unknown>)[key] = parsed.data;
    else problems.push(`${path}: ${key} ${JSON.stringify(value)} is not valid (${parsed.error.issues[0]?.message ?? 'invalid'}); using ${JSON.stringify(DEFAULT_SETTINGS[key as keyof Settings])}`);
  }
  return { settings, problems };
}

/** Validates a change (the contract's partial schema), merges it and writes the file atomically. Returns the new settings. */
export function saveSettings(dataDir: string, current: Settings, change: Partial<Settings>): Settings {
  const merged = settingsSchema.parse({ ...current, ...change }) as Settings;
  writeFileAtomic(join(dataDir, SETTINGS_FILE), JSON.stringify(merged, null, 2) + '\n');
  return merged;
}

/** Writes `path` through a temp file in the same folder, fsynced, then renamed over it. */
export function writeFileAtomic(path: string, content: string): void {
  mkdirSync(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.tmp`;
  writeFileSync(temp, content);
  const fd = openSync(temp, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, path);
}
