/** Where the model comes from: a local folder or a Hub id (picked from --model, SPLADE_MODEL, app settings, default), resolved to a folder on disk. */
import { statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { HubError } from './hub-error.js';
import { isHubRepoId, type ModelSourceResolver } from './hub-id.js';
import { downloadSnapshot, type Snapshot, type SnapshotOptions } from './snapshot-download.js';

/** The SPLADE model the app uses when nothing else is chosen: a LoRA adapter on `google-bert/bert-base-uncased`. */
export const DEFAULT_MODEL_ID = 'tomaarsen/splade-bert-base-uncased-gooaq-peft';

/** A chosen model: a folder used as is, or a Hub id to fetch. */
export type ModelSource =
  | { kind: 'folder'; path: string; origin: ModelSourceOrigin }
  | { kind: 'hub'; id: string; origin: ModelSourceOrigin };

/** Which setting chose the model, for messages ("SPLADE_MODEL=... is not a folder nor a Hub id"). */
export type ModelSourceOrigin = 'option' | 'env' | 'settings' | 'default' | 'reference';

/** Where a model setting came from, in words: `--model`, `SPLADE_MODEL`, ... */
export const MODEL_SOURCE_ORIGINS: Record<ModelSourceOrigin, string> = {
  option: '--model',
  env: 'SPLADE_MODEL',
  settings: 'the model setting',
  default: 'the default model',
  reference: 'the model reference',
};

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') || path.startsWith('~\\') ? join(homedir(), path.slice(2)) : path;
}

function isFolder(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Text that can only be meant as a path: absolute, `./`, `../`, `~`, or with a backslash. */
function looksLikePath(value: string): boolean {
  return isAbsolute(value) || /^(\.{1,2}|~)([/\\]|$)/.test(value) || value.includes('\\');
}

/**
 * Turns one value into a source: an existing folder (relative to `cwd`) is used as is; otherwise it must be a
 * Hub id. Throws a HubError naming the setting when it is neither.
 */
export function classifyModelSource(value: string, origin: ModelSourceOrigin, cwd = process.cwd()): ModelSource {
  const trimmed = value.trim();
  const path = resolve(cwd, expandHome(trimmed));
  if (isFolder(path)) return { kind: 'folder', path, origin };
  if (!looksLikePath(trimmed) && isHubRepoId(trimmed)) return { kind: 'hub', id: trimmed, origin };
  throw new HubError(
    'not-found',
    `${MODEL_SOURCE_ORIGINS[origin]} is "${value}", which is neither an existing folder${looksLikePath(trimmed) ? ` (${path} does not exist)` : ''} nor a Hugging Face model id (org/name)`,
  );
}

/** The candidates for the model, in order of precedence. */
export interface ModelSourceChoices {
  /** `--model` on the command line. */
  option?: string | undefined;
  /** Environment to read `SPLADE_MODEL` from (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
  /** The model saved in the app's settings. */
  settings?: string | undefined;
  /** Folder that relative paths are relative to (default `process.cwd()`). */
  cwd?: string | undefined;
}

/** Picks the model: `--model`, else `SPLADE_MODEL`, else the app setting, else `DEFAULT_MODEL_ID`. Empty values count as unset. */
export function pickModelSource(choices: ModelSourceChoices = {}): ModelSource {
  const env = choices.env ?? process.env;
  const candidates: Array<[string | undefined, ModelSourceOrigin]> = [
    [choices.option, 'option'],
    [env.SPLADE_MODEL, 'env'],
    [choices.settings, 'settings'],
  ];
  for (const [value, origin] of candidates) {
    if (value !== undefined && value.trim() !== '') return classifyModelSource(value, origin, choices.cwd);
  }
  return { kind: 'hub', id: DEFAULT_MODEL_ID, origin: 'default' };
}

/** A folder path is returned (absolute) as is; a Hub id is downloaded or found in the cache (see `downloadSnapshot`). */
export async function resolveModelSource(idOrPath: string, options: SnapshotOptions & { cwd?: string | undefined } = {}): Promise<string> {
  const source = classifyModelSource(idOrPath, 'reference', options.cwd);
  if (source.kind === 'folder') return source.path;
  return (await downloadSnapshot(source.id, options)).folder;
}

/**
 * A `ModelSourceResolver` bound to shared options (cache, token, progress listener, cancellation). The
 * per-call `revision` applies to that call only; a base model is fetched at `main` unless asked otherwise.
 */
export function createModelSourceResolver(options: Omit<SnapshotOptions, 'revision'> & { cwd?: string | undefined } = {}): ModelSourceResolver {
  return (idOrPath, call) => resolveModelSource(idOrPath, { ...options, revision: call?.revision, cwd: call?.relativeTo ?? options.cwd });
}

/** A model folder and, if it came from the Hub, the snapshot it is. */
export interface ResolvedModel {
  /** The id or path it was asked for. */
  source: string;
  folder: string;
  snapshot: Snapshot | undefined;
}

/** `base_model_name_or_path` (and `revision`) of a PEFT adapter folder, or undefined when the folder is not an adapter. */
export async function readAdapterBase(folder: string): Promise<{ base: string; revision: string | undefined } | undefined> {
  let text: string;
  try {
    text = await readFile(join(folder, 'adapter_config.json'), 'utf8');
  } catch {
    return undefined;
  }
  let config: { base_model_name_or_path?: unknown; revision?: unknown };
  try {
    config = JSON.parse(text) as typeof config;
  } catch (error) {
    throw new HubError('incomplete-model', `Cannot read ${join(folder, 'adapter_config.json')}: ${(error as Error).message}`);
  }
  if (typeof config.base_model_name_or_path !== 'string' || config.base_model_name_or_path.trim() === '') {
    throw new HubError('incomplete-model', `${join(folder, 'adapter_config.json')} names no base_model_name_or_path`);
  }
  return { base: config.base_model_name_or_path.trim(), revision: typeof config.revision === 'string' ? config.revision : undefined };
}

/**
 * Resolves a model source to a folder and, when the folder is a LoRA adapter, its base model too: a base path
 * is taken relative to the adapter folder; a base id is fetched from the Hub at the adapter's `revision` (or `main`).
 */
export async function resolveModelWithBase(
  source: ModelSource,
  options: SnapshotOptions = {},
): Promise<{ model: ResolvedModel; base: ResolvedModel | undefined }> {
  let model: ResolvedModel;
  if (source.kind === 'folder') model = { source: source.path, folder: source.path, snapshot: undefined };
  else {
    const snapshot = await downloadSnapshot(source.id, options);
    model = { source: source.id, folder: snapshot.folder, snapshot };
  }
  const adapter = await readAdapterBase(model.folder);
  if (!adapter) return { model, base: undefined };
  const basePath = resolve(model.folder, expandHome(adapter.base));
  if (isFolder(basePath)) return { model, base: { source: adapter.base, folder: basePath, snapshot: undefined } };
  if (looksLikePath(adapter.base) || !isHubRepoId(adapter.base)) {
    throw new HubError(
      'not-found',
      `The adapter in ${model.folder} names the base model "${adapter.base}", which is neither a folder (${basePath}) nor a Hugging Face model id`,
    );
  }
  const snapshot = await downloadSnapshot(adapter.base, { ...options, revision: adapter.revision });
  return { model, base: { source: adapter.base, folder: snapshot.folder, snapshot } };
}
