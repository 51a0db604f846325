/**
 * The engine's public data shapes: what every front end (CLI, serve mode, Electron app) sends to and gets back from
 * the one `Engine` object. Plain JSON-serialisable values only (no class instances, no Maps, no bigint): the API
 * sends them over IPC and HTTP unchanged.
 *
 * Offsets: every character offset here is in UTF-16 code units of the string it points into (what JavaScript's
 * `slice` uses), `[start, end)`. Times are milliseconds since the epoch. Weights are the model's float32 weights.
 */
import type { Device, PrecisionSetting } from '../encoder/index.js';

/** What became of a file the scanner saw. */
export type FileState =
  /** Waiting in the job queue (new, changed, or its index entry was dropped by a repair). */
  | 'pending'
  /** Its passages are in the index. */
  | 'indexed'
  /** Deliberately left out; `reason` names the rule (ignore file, default skip list, size cap, binary...). */
  | 'skipped'
  /** Extraction or encoding failed; `reason` says why in words a user can act on. */
  | 'failed'
  /** Its folder vanished (unmounted drive, removed folder): kept searchable, marked so, until it comes back or is removed. */
  | 'unavailable';

export const FILE_STATES: readonly FileState[] = ['pending', 'indexed', 'skipped', 'failed', 'unavailable'];

/** A watched folder and how far its files got. */
export interface FolderEntry {
  path: string;
  addedMs: number;
  /** Paused folders are neither scanned nor watched; what is indexed stays searchable. */
  paused: boolean;
  /** False while the folder does not exist or cannot be read (its files are then `unavailable`). */
  available: boolean;
  /** How changes are seen: file-system events, polling (after the watch limit was hit), or not at all (paused/unavailable). */
  watching: 'events' | 'polling' | 'off';
  /** A problem the user should know of (e.g. "inotify watch limit reached: polling every 5 s"), else null. */
  warning: string | null;
  counts: Record<FileState, number>;
}

/** One file the scanner saw, with what became of it. */
export interface FileEntry {
  path: string;
  /** The watched folder it belongs to. */
  folder: string;
  /** Lower-case extension without the dot ('' when none). */
  ext: string;
  size: number | null;
  mtimeMs: number | null;
  status: FileState;
  /** Why it is skipped or failed (a sentence), else null. */
  reason: string | null;
  /** A stable short code for the reason (e.g. 'gitignore', 'default-skip', 'too-large', 'binary', 'pdf-encrypted', 'timeout'), else null. */
  reasonCode: string | null;
  passageCount: number;
  updatedMs: number;
}

/** A vocabulary term with its weight in a sparse vector. */
export interface TermWeight {
  /** The word piece as the tokenizer writes it (e.g. "star", "##s"). */
  term: string;
  /** Vocabulary id (the vector dimension). */
  id: number;
  weight: number;
  /** True when the term is one of the text's own tokens; false when the model added it by expansion. */
  inText: boolean;
}

/** One term shared by the query and a passage: queryWeight × passageWeight = contribution. */
export interface TermContribution {
  term: string;
  id: number;
  queryWeight: number;
  passageWeight: number;
  contribution: number;
  /** True when the term is one of the passage's own tokens; false when the model added it to the passage by expansion. */
  inText: boolean;
}

/** A span of a passage's text whose token is one of the hit's contributing terms (for highlighting). */
export interface Highlight {
  start: number;
  end: number;
  /** Vocabulary id of the token at this span (a key into the hit's `terms`). */
  id: number;
}

export interface FileRef {
  path: string;
  /** Base name. */
  name: string;
  /** The watched folder it belongs to. */
  folder: string;
  ext: string;
  size: number | null;
  mtimeMs: number | null;
  status: FileState;
}

export interface PassageRef {
  id: number;
  /** Position of the passage in its file (0-based). */
  ordinal: number;
  text: string;
  /** Character range in the file's extracted text. */
  start: number;
  end: number;
  /** 1-based page (PDF) or null. */
  page: number | null;
  /** 1-based line of the passage's first character (text files) or null. */
  line: number | null;
}

export interface SearchHit {
  /** The model's exact float dot product of query and passage vectors. */
  score: number;
  file: FileRef;
  passage: PassageRef;
  /**
   * The largest contributing terms, largest first (at most the request's `termsPerHit`, default 64); their
   * contributions plus `otherTerms.contribution` sum to `score`.
   */
  terms: TermContribution[];
  /** The contributing terms left out of `terms`: how many, and their summed contribution. */
  otherTerms: OtherTerms;
  /** Spans in `passage.text` whose tokens are among `terms` (the kept ones), in text order. */
  highlights: Highlight[];
}

/** Contributing terms listed per search hit unless the request says otherwise, and the most a request may ask for. */
export const DEFAULT_TERMS_PER_HIT = 64;
export const MAX_TERMS_PER_HIT = 1024;

/** The remainder of a capped list of contributing terms. */
export interface OtherTerms {
  count: number;
  contribution: number;
}

/** Structured filters; the query syntax (`path:`, `ext:`, `after:`, `before:`) adds to these. */
export interface SearchFilters {
  /** Folder paths: files at or under any of them. */
  folders?: string[];
  /** Extensions without the dot, any case. */
  fileTypes?: string[];
  /** Modification time bounds, ms since the epoch, inclusive. */
  modifiedAfter?: number;
  modifiedBefore?: number;
}

export interface SearchRequest {
  query: string;
  /** Number of results (default 10, at most 200). */
  k?: number;
  filters?: SearchFilters;
  /** 'exact' (default) or 'approximate' candidate selection; final scores are exact in both. */
  mode?: 'exact' | 'approximate';
  /** Contributing terms listed per hit (default 64, at most 1024); the rest are summed in `otherTerms`. */
  termsPerHit?: number;
}

/** The query as the engine understood it. */
export interface ParsedQuery {
  /** The text that was encoded (operators removed). */
  text: string;
  /** `"exact phrase"` parts: a passage must contain each (case-insensitive). */
  phrases: string[];
  /** `-word` parts: a passage must contain none (case-insensitive, whole word). */
  excluded: string[];
  /** Filters from the syntax merged with the request's. */
  filters: SearchFilters;
}

export interface SearchResponse {
  query: ParsedQuery;
  /** The query's own expansion, heaviest first. */
  queryTerms: TermWeight[];
  hits: SearchHit[];
  timings: { encodeMs: number; searchMs: number; totalMs: number };
  /** True while the index is being rebuilt for new model or passage settings (results come from the old one). */
  stale: boolean;
}

/**
 * The detail of one hit: every term a query and a passage share (or the first `limit`), largest contribution first.
 * A search lists a few terms per hit to stay small; the detail view asks for the rest with this.
 */
export interface HitTermsRequest {
  passageId: number;
  /** The query as typed (its operators are removed, as in a search); or `likePassageId` for "more like this". */
  query?: string;
  /** The passage whose vector was the query (more like this). */
  likePassageId?: number;
  /** Terms listed (default and most: 1024); the rest are summed in `otherTerms`. */
  limit?: number;
}

export interface HitTermsResponse {
  passageId: number;
  /** The same exact score the search gave this passage. */
  score: number;
  terms: TermContribution[];
  otherTerms: OtherTerms;
  /** Spans in the passage's text whose tokens are among `terms`, in text order. */
  highlights: Highlight[];
}

/** A text's expansion as the model sees it in one role. */
export interface Expansion {
  /** Heaviest first. */
  terms: TermWeight[];
  /** Non-zero dimensions. */
  activeDims: number;
  /** The text's own tokens with their spans, in order (after truncation to the model's maximum). */
  tokens: { text: string; id: number; start: number; end: number }[];
  truncated: boolean;
}

export interface ExplainRequest {
  text: string;
  /** A second text to compare with: its document expansion is dotted with `text`'s query expansion. */
  compareWith?: string;
  /** Terms per expansion (default 64). */
  topK?: number;
}

export interface ExplainResponse {
  document: Expansion;
  query: Expansion;
  comparison?: {
    /** query(text) · document(compareWith). */
    score: number;
    /** The largest contributing terms (at most `topK`); their contributions plus `otherTerms.contribution` sum to `score`. */
    terms: TermContribution[];
    otherTerms: OtherTerms;
    document: Expansion;
  };
}

export interface MoreLikeThisRequest {
  passageId: number;
  k?: number;
  filters?: SearchFilters;
  /** As in a search (default 64). */
  termsPerHit?: number;
}

export interface FilePassagesResponse {
  file: FileEntry;
  passages: (PassageRef & { topTerms: TermWeight[] })[];
}

export interface ListFilesRequest {
  status?: FileState;
  folder?: string;
  limit?: number;
  offset?: number;
}

export interface ListFilesResponse {
  files: FileEntry[];
  total: number;
}

/** Indexing progress, sent as an event whenever it changes (at most a few times a second). */
export interface Progress {
  phase: 'idle' | 'scanning' | 'indexing' | 'paused' | 'reindexing' | 'loading-model' | 'error';
  /** Files waiting in the queue. */
  queued: number;
  /** Files done since the current run started (indexed + skipped + failed). */
  done: number;
  indexed: number;
  skipped: number;
  failed: number;
  passagesPerSecond: number;
  /** Seconds until the queue is empty at the current rate, or null when unknown. */
  etaSeconds: number | null;
  currentFile: string | null;
  /** Set when phase is 'error'. */
  message: string | null;
}

/** Model download progress (first start, or a model changed in settings). */
export interface DownloadProgress {
  model: string;
  file: string | null;
  bytes: number;
  totalBytes: number | null;
  bytesPerSecond: number;
  etaSeconds: number | null;
  done: boolean;
  /** A wire error when the download failed (e.g. code 'offline-not-cached'). */
  error: { code: string; message: string } | null;
}

/** Everything a user can change; stored in the data folder, shared by the CLI and the app. */
export interface Settings {
  /** Hub id or local folder. */
  model: string;
  device: Device;
  precision: PrecisionSetting;
  /** Most word-piece tokens per passage (at most the model's maximum, default 256). */
  passageTokens: number;
  /** Tokens of overlap between consecutive windows of one section (default 32). */
  passageOverlap: number;
  /** Extra ignore globs (gitignore syntax), applied to every folder. */
  ignorePatterns: string[];
  /** Files larger than this are skipped (default 50 MiB). */
  maxFileBytes: number;
  /** Desktop app only: the global shortcut that shows the window, Electron accelerator syntax; '' for none. */
  hotkey: string;
  theme: 'system' | 'light' | 'dark';
  /** Desktop app only. */
  startAtLogin: boolean;
}

export interface EngineStatus {
  dataDir: string;
  model: {
    /** The model setting (Hub id or folder). */
    name: string;
    state: 'ready' | 'loading' | 'downloading' | 'missing' | 'error';
    /** The local folder it was loaded from, when loaded. */
    folder: string | null;
    error: { code: string; message: string } | null;
  };
  /** The execution provider and precision in use, and why others were passed over. */
  encoder: { provider: string; precision: string; reasons: string[] } | null;
  /** Devices that can be chosen on this machine (for the settings screen). */
  devices: string[];
  index: {
    folders: number;
    files: Record<FileState, number>;
    passages: number;
    bytes: number;
    /** The model and passage settings the index was built with. */
    builtWith: { model: string; passageTokens: number; passageOverlap: number } | null;
    /** True while the index does not match the current model/passage settings (a rebuild runs or is due). */
    stale: boolean;
  };
  /** Whether this process writes (holds the index's lock) or only reads. */
  role: 'writer' | 'reader';
  progress: Progress;
}
