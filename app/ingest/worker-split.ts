/**
 * Splitting inside the extractor workers: WordPiece tokenization costs ~3x the extraction (a 50-page PDF ~100 ms),
 * so doing it where the file was extracted keeps the caller's thread free (it feeds the encoder) and spreads the
 * work over the pool. Each worker loads the model's tokenizer once per folder, on the first job that asks for it;
 * the split is exactly `splitPassages(text, sections, tokenSpansFromTokenizer(tokenizer), options)`, so passages
 * equal the main-thread splitter's on the same text.
 *
 * The tokenizer is the encoder's (`app/encoder/tokenizer`, pure TypeScript, no onnxruntime): imported lazily, so
 * workers that never split do not load it.
 */
import { splitPassages, type Passage, type SplitOptions } from './passage-splitter.js';
import { tokenSpansFromTokenizer, type TokenizeFn } from './token-spans.js';
import type { Extraction } from './extract/extraction.js';
import { IngestError } from './ingest-error.js';

/** Split requested of the pool: the splitter's options plus where the worker loads the tokenizer from. */
export interface WorkerSplit extends SplitOptions {
  /** The model's tokenizer folder (tokenizer.json, tokenizer_config.json), as `BertTokenizer.fromFolder` takes it. */
  tokenizerFolder: string;
  /** Passed to `tokenSpansFromTokenizer` (characters per encode call; default 1000). */
  pieceChars?: number;
}

/** An extraction with its passages, split in the worker. */
export interface SplitExtraction extends Extraction {
  passages: Passage[];
}

interface LoadedTokenizer {
  tokenize: TokenizeFn;
  /** The tokenizer's own sequence limit (tokenizer_config `model_max_length`, else 512). */
  maxLength: number;
}

/** Per folder and piece size; a failed load is not kept, so a folder fixed later is picked up by the next job. */
const cache = new Map<string, Promise<LoadedTokenizer>>();

export function isTokenizerLoaded(split: WorkerSplit): boolean {
  return cache.has(cacheKey(split));
}

/**
 * Loads (once) the tokenizer a split needs. Rejects with IngestError 'extract-failed' naming the folder: a
 * tokenizer that cannot be loaded is a setup error, not the file's, and the message says so.
 */
export function loadTokenizer(split: WorkerSplit): Promise<LoadedTokenizer> {
  const key = cacheKey(split);
  let loading = cache.get(key);
  if (!loading) {
    loading = import('../encoder/tokenizer/index.js').then(
      async ({ BertTokenizer }) => {
        const tokenizer = await BertTokenizer.fromFolder(split.tokenizerFolder);
        const tokenize = tokenSpansFromTokenizer(tokenizer, split.pieceChars !== undefined ? { pieceChars: split.pieceChars } : {});
        return { tokenize, maxLength: tokenizer.maxLength };
      },
    );
    loading = loading.catch((error: unknown) => {
      cache.delete(key);
      throw new IngestError(
        'extract-failed',
        `The tokenizer in ${split.tokenizerFolder} could not be loaded, so no file can be split into passages (check the model folder): ${(error as Error)?.message ?? String(error)}`,
        { cause: error },
      );
    });
    cache.set(key, loading);
  }
  return loading;
}

/** The extraction's passages. `modelMaxTokens` defaults to the tokenizer's own limit. */
export async function splitExtraction(extraction: Extraction, split: WorkerSplit): Promise<Passage[]> {
  const { tokenize, maxLength } = await loadTokenizer(split);
  const { tokenizerFolder: _folder, pieceChars: _piece, ...options } = split;
  return splitPassages(extraction.text, extraction.sections, tokenize, { ...options, modelMaxTokens: options.modelMaxTokens ?? maxLength });
}

function cacheKey(split: WorkerSplit): string {
  return `${split.pieceChars ?? ''}\u0000${split.tokenizerFolder}`;
}
