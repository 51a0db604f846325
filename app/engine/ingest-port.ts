/**
 * What the indexer needs from ingest, as one interface: scanning a folder (with ignore rules and skip reasons),
 * extracting a file's text, splitting it into passages by tokens, and watching a folder. `ingest-adapter.ts` binds
 * it to app/ingest; the indexer knows only this shape.
 */


/** A file the scanner found: to index, or left out (with the rule's code and a sentence; `failed` when it could not be read). */
export interface ScanEntry {
  path: string;
  size: number;
  /** Whole milliseconds (floored), as the catalog compares them. */
  mtimeMs: number;
  skip?: { code: string; reason: string; failed?: boolean } | undefined;
  /** A directory the scan could not read: what is indexed under it is kept as it is (not taken for deleted). */
  unreadableDirectory?: boolean;
}

export interface ScanOptions {
  ignorePatterns: string[];
  maxFileBytes: number;
  signal?: AbortSignal | undefined;
}

/** A passage of a file's extracted text: UTF-16 range in that text, 1-based page (PDF) or line (text files). */
export interface PassageDraft {
  text: string;
  start: number;
  end: number;
  page: number | null;
  line: number | null;
}

export interface ExtractOptions {
  maxFileBytes: number;
  passageTokens: number;
  passageOverlap: number;
  /** The encoder's tokenizer folder: passages are split by its tokens (in the extraction workers). */
  tokenizerFolder: string;
  /** The model's maximum sequence length (passages never exceed it minus [CLS]/[SEP]). */
  modelMaxTokens: number;
  signal?: AbortSignal | undefined;
}

/** The outcome of extracting and splitting one file: passages, or why not (skip = left out on purpose). */
export type ExtractResult =
  /** `size` and `mtimeMs` (whole ms) describe the bytes that were read, so a change during the read is seen by the next scan. */
  | { ok: true; passages: PassageDraft[]; contentHash: string; size: number; mtimeMs: number }
  | { ok: false; skipped: boolean; code: string; reason: string };

/** What the watcher saw in one debounced batch (renames arrive as a gone path plus a present file). */
export interface WatchChanges {
  /** Files added or changed (with a skip when a rule now leaves them out). */
  present: ScanEntry[];
  /** Files gone (deleted, moved or renamed away). */
  gone: string[];
  /** Directories gone: every file under them is gone. */
  goneDirs: string[];
  /** The folder must be rescanned (ignore rules changed, or the folder came back). */
  rescan: boolean;
}

export interface WatchStatus {
  watching: 'events' | 'polling' | 'off';
  /** False while the folder itself is missing or unreadable. */
  available: boolean;
  warning: string | null;
}

export interface FolderWatch {
  readonly status: WatchStatus;
  close(): Promise<void>;
}

export interface IngestPort {
  scan(folder: string, options: ScanOptions): AsyncIterable<ScanEntry>;
  /** One file: read, decode or extract, split. Never throws for a file's own problems (returns ok: false). */
  extract(path: string, options: ExtractOptions): Promise<ExtractResult>;
  /** The content hash extract would record, for pairing a renamed file with its old entry without extracting. */
  hash(path: string): Promise<string>;
  watch(folder: string, options: { ignorePatterns: string[]; maxFileBytes: number; onChanges: (changes: WatchChanges) => void; onStatus: (status: WatchStatus) => void }): Promise<FolderWatch>;
  /** Stops workers. */
  close(): Promise<void>;
}
