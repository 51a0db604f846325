/**
 * The one API contract between the engine and every front end: each call and each event is defined here once,
 * with the runtime schema of its parameters (zod) and the type of its result. The preload bridge, the main
 * process's IPC handlers, serve mode's HTTP routes and `GET /api` listing, and the typed client all derive from
 * this table; none of them writes a method out by hand.
 *
 * - `host: 'engine'` calls are answered by the `Engine` (`app/engine/`); `host: 'shell'` calls by the process that
 *   shows the UI (Electron main: open a file, reveal it, pick a folder; serve mode answers what it can).
 * - Parameters are validated with `params` before anything runs (unknown keys rejected); a failure answers
 *   `{ code: 'invalid-request' }` and names the field.
 * - Errors cross the wire as `WireError` (`app/engine/engine-error.ts`).
 *
 * This module must stay importable by the renderer: no Node imports, types only from the engine.
 */
import { z } from 'zod';
import type {
  DownloadProgress,
  EngineStatus,
  ExplainResponse,
  FilePassagesResponse,
  FolderEntry,
  HitTermsResponse,
  ListFilesResponse,
  Progress,
  SearchResponse,
  Settings,
} from '../engine/engine-types.js';
import { MAX_TERMS_PER_HIT } from '../engine/engine-types.js';

/** A phantom carrying a result type through the table (never read at run time). */
function returns<T>(): T {
  return undefined as T;
}

const path = z.string().min(1).max(4096);
const k = z.number().int().min(1).max(200);
const fileState = z.enum(['pending', 'indexed', 'skipped', 'failed', 'unavailable']);
const filters = z.strictObject({
  folders: z.array(path).max(100).optional(),
  fileTypes: z.array(z.string().min(1).max(32)).max(100).optional(),
  modifiedAfter: z.number().finite().optional(),
  modifiedBefore: z.number().finite().optional(),
});
const empty = z.strictObject({});

export const settingsSchema = z.strictObject({
  model: z.string().min(1).max(4096),
  device: z.enum(['auto', 'cpu', 'cuda', 'dml', 'coreml', 'webgpu']),
  precision: z.enum(['auto', 'fp32', 'fp16', 'int8']),
  passageTokens: z.number().int().min(16).max(512),
  passageOverlap: z.number().int().min(0).max(256),
  ignorePatterns: z.array(z.string().min(1).max(1024)).max(1000),
  maxFileBytes: z.number().int().min(1024).max(4 * 1024 ** 3),
  hotkey: z.string().max(100),
  theme: z.enum(['system', 'light', 'dark']),
  startAtLogin: z.boolean(),
});

/** The schema's device and precision choices are the encoder's (through Settings): this stops compiling if they drift apart. */
type SameType<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const settingsChoicesMatch: SameType<z.infer<typeof settingsSchema>['device'], Settings['device']> & SameType<z.infer<typeof settingsSchema>['precision'], Settings['precision']> = true;
void settingsChoicesMatch;

/** One call of the API. */
export interface MethodSpec<P extends z.ZodType, R, H extends 'engine' | 'shell' = 'engine' | 'shell'> {
  summary: string;
  host: H;
  params: P;
  result: R;
}

function method<H extends 'engine' | 'shell', P extends z.ZodType, R>(host: H, summary: string, params: P, result: R): MethodSpec<P, R, H> {
  return { summary, host, params, result };
}

export const methods = {
  search: method('engine', 'Ranked passages for a query (with "exact phrase", -word, path:, ext:, after:, before: syntax), with exact scores and per-term contributions.',
    z.strictObject({ query: z.string().max(10_000), k: k.optional(), filters: filters.optional(), mode: z.enum(['exact', 'approximate']).optional(), termsPerHit: z.number().int().min(1).max(MAX_TERMS_PER_HIT).optional() }),
    returns<SearchResponse>()),
  hitTerms: method('engine', 'The terms a query (or, for more like this, a passage) shares with one passage, largest contribution first, summing with the remainder to its score: the detail of one search hit.',
    z.strictObject({ passageId: z.number().int().min(0), query: z.string().max(10_000).optional(), likePassageId: z.number().int().min(0).optional(), limit: z.number().int().min(1).max(MAX_TERMS_PER_HIT).optional() })
      .refine((p) => (p.query === undefined) !== (p.likePassageId === undefined), { message: 'give exactly one of query and likePassageId', path: ['query'] }),
    returns<HitTermsResponse>()),
  explain: method('engine', "A text's document and query expansions (top terms with weights); with compareWith, their dot product and the terms that make it up.",
    z.strictObject({ text: z.string().max(100_000), compareWith: z.string().max(100_000).optional(), topK: z.number().int().min(1).max(1000).optional() }),
    returns<ExplainResponse>()),
  moreLikeThis: method('engine', "Passages like the given one (its own vector as the query).",
    z.strictObject({ passageId: z.number().int().min(0), k: k.optional(), filters: filters.optional(), termsPerHit: z.number().int().min(1).max(MAX_TERMS_PER_HIT).optional() }),
    returns<SearchResponse>()),
  filePassages: method('engine', "An indexed file's passages in order, each with its top terms.",
    z.strictObject({ path }),
    returns<FilePassagesResponse>()),
  listFiles: method('engine', 'Files by status (indexed, skipped, failed, pending, unavailable) with the reason for each.',
    z.strictObject({ status: fileState.optional(), folder: path.optional(), limit: z.number().int().min(1).max(10_000).optional(), offset: z.number().int().min(0).optional() }),
    returns<ListFilesResponse>()),
  listFolders: method('engine', 'The watched folders with their counts per status.', empty, returns<FolderEntry[]>()),
  addFolder: method('engine', 'Watch a folder and index it.', z.strictObject({ path }), returns<FolderEntry>()),
  removeFolder: method('engine', 'Stop watching a folder and remove its files from the index.', z.strictObject({ path }), returns<{ removedFiles: number }>()),
  pauseFolder: method('engine', 'Stop scanning and watching a folder; its indexed files stay searchable.', z.strictObject({ path }), returns<FolderEntry>()),
  resumeFolder: method('engine', 'Scan and watch a paused folder again.', z.strictObject({ path }), returns<FolderEntry>()),
  reindexFolder: method('engine', "Re-extract and re-encode every file of a folder.", z.strictObject({ path }), returns<FolderEntry>()),
  pauseIndexing: method('engine', 'Pause all indexing (the queue is kept).', empty, returns<Progress>()),
  resumeIndexing: method('engine', 'Resume indexing.', empty, returns<Progress>()),
  getSettings: method('engine', 'The settings.', empty, returns<Settings>()),
  setSettings: method('engine', 'Change settings; a new model or passage size re-indexes in the background while the old index stays searchable.',
    settingsSchema.partial(), returns<Settings>()),
  status: method('engine', 'Model, execution provider and precision in use, index size and staleness, progress.', empty, returns<EngineStatus>()),
  downloadModel: method('engine', 'Download the configured model into the Hugging Face cache (progress as download events).', empty, returns<{ started: boolean }>()),
  openFile: method('shell', "Open an indexed file in the system's default app (at its page or line where the app allows).",
    z.strictObject({ path, page: z.number().int().min(1).optional(), line: z.number().int().min(1).optional() }),
    returns<{ opened: boolean }>()),
  revealFile: method('shell', 'Show an indexed file in its folder (file manager).', z.strictObject({ path }), returns<{ revealed: boolean }>()),
  pickFolder: method('shell', 'Ask the user for a folder with the native picker (null when cancelled or not available, as in serve mode).', empty, returns<{ path: string | null }>()),
  hostInfo: method('shell', 'What the host can do: electron or serve, native folder picker, opening files.', empty,
    returns<{ host: 'electron' | 'serve'; canPickFolder: boolean; canOpenFiles: boolean; version: string }>()),
} as const;

export type Methods = typeof methods;
export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = z.input<Methods[M]['params']>;
export type ResultOf<M extends MethodName> = Methods[M]['result'];
export const METHOD_NAMES = Object.keys(methods) as MethodName[];
/** Parameters as a handler receives them, after validation (defaults applied). */
export type ValidParamsOf<M extends MethodName> = z.output<Methods[M]['params']>;
/** The methods the Engine answers (host 'engine'), as a type: the Engine class is checked against it; the rest the process showing the UI answers. */
export type EngineMethodName = { [M in MethodName]: Methods[M]['host'] extends 'engine' ? M : never }[MethodName];
export type ShellMethodName = Exclude<MethodName, EngineMethodName>;
export const ENGINE_METHOD_NAMES = METHOD_NAMES.filter((name) => methods[name].host === 'engine') as EngineMethodName[];
export const SHELL_METHOD_NAMES = METHOD_NAMES.filter((name) => methods[name].host === 'shell') as ShellMethodName[];

/** Events pushed to every front end: by the engine, except `focusSearch`, which the desktop shell sends. */
export const events = {
  progress: { summary: 'Indexing progress (phase, queue, rates, ETA).', payload: returns<Progress>() },
  download: { summary: 'Model download progress.', payload: returns<DownloadProgress>() },
  folders: { summary: 'The folder list or a folder\'s counts changed.', payload: returns<FolderEntry[]>() },
  status: { summary: 'The engine status changed (model loaded, provider, staleness).', payload: returns<EngineStatus>() },
  focusSearch: { summary: 'The desktop shell asks the page to show and focus its search box (global hotkey, tray, menu, second launch); never sent by the engine or serve mode.', payload: returns<null>() },
} as const;

export type Events = typeof events;
export type EventName = keyof Events;
export type PayloadOf<E extends EventName> = Events[E]['payload'];
export const EVENT_NAMES = Object.keys(events) as EventName[];

/** The typed API as a front end sees it: one async function per method, and event subscription. */
export type Api = { [M in MethodName]: (params: ParamsOf<M>) => Promise<ResultOf<M>> } & {
  on<E extends EventName>(event: E, listener: (payload: PayloadOf<E>) => void): () => void;
};
