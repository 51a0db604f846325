/** What the commands that drive the Engine share: the data folder and model flags, opening the Engine, and its errors as one CLI line. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, isEngineError, type EngineOpenOptions } from '../engine/index.js';
import { isHubError } from '../hub/index.js';
import { isIndexError } from '../index/index.js';
import { appDataDir } from '../util/app-data-dir.js';
import { CliError } from './cli-error.js';
import type { CliIo } from './commands.js';

export const DATA_FLAG_HELP = `  --data <dir>        the data folder (default $SPLADE_DATA_DIR, else the per-user data folder: ~/.local/share/splade-search,
                      %APPDATA%\\splade-search or ~/Library/Application Support/splade-search)`;

/** The data folder the flags and environment name. */
export function dataDirFor(data: string | undefined, io: CliIo): string {
  return appDataDir({ dataDir: data, env: io.env });
}

/** True when the data folder holds an index (for commands that only read). */
export function hasIndex(dataDir: string): boolean {
  return existsSync(join(dataDir, 'index', 'catalog.sqlite'));
}

export async function openEngine(io: CliIo, options: Omit<EngineOpenOptions, 'env'> & { data?: string | undefined }): Promise<Engine> {
  const { data, ...rest } = options;
  try {
    return await Engine.open({ ...rest, dataDir: dataDirFor(data, io), env: io.env, processName: 'splade-search CLI' });
  } catch (error) {
    throw asCliError(error);
  }
}

/** Engine, Hub and index errors as one line for the user. */
export function asCliError(error: unknown): unknown {
  if (isEngineError(error) || isHubError(error) || isIndexError(error)) return new CliError((error as Error).message);
  return error;
}
