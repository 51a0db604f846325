/** The WordPiece model: greedy longest-match-first split of one word into vocabulary pieces, with a word cache. */

export interface WordPieceOptions {
  vocab: Map<string, number>;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
}

const MAX_CACHED_WORDS = 100_000;

/**
 * Rust `tokenizers` WordPiece semantics: a word longer than `maxInputCharsPerWord` code points is one unknown
 * token; otherwise the longest vocabulary entry starting at each position is taken (continuations carry the
 * `##` prefix), and if some position has none the whole word becomes one unknown token.
 */
export class WordPiece {
  /** Pieces that may start a word, and continuation pieces keyed without their prefix. */
  private readonly initial = new Map<string, number>();
  private readonly continuation = new Map<string, number>();
  /** The longest key of each map, in UTF-16 units: no longer substring needs a look-up. */
  private readonly maxInitialLength: number;
  private readonly maxContinuationLength: number;
  readonly unkId: number;
  /** Words longer than this many code points are unknown. */
  readonly maxChars: number;
  private cache = new Map<string, Int32Array>();

  constructor(options: WordPieceOptions) {
    const prefix = options.continuingSubwordPrefix;
    let maxInitial = 0;
    let maxContinuation = 0;
    for (const [token, id] of options.vocab) {
      this.initial.set(token, id);
      maxInitial = Math.max(maxInitial, token.length);
      if (prefix.length > 0 && token.startsWith(prefix)) {
        const rest = token.slice(prefix.length);
        this.continuation.set(rest, id);
        maxContinuation = Math.max(maxContinuation, rest.length);
      }
    }
    // An empty prefix makes continuations the same strings as word starts.
    if (prefix.length === 0) {
      for (const [token, id] of options.vocab) this.continuation.set(token, id);
      maxContinuation = maxInitial;
    }
    this.maxInitialLength = maxInitial;
    this.maxContinuationLength = maxContinuation;
    this.unkId = options.vocab.get(options.unkToken)!;
    this.maxChars = options.maxInputCharsPerWord;
  }

  /**
   * Splits `word` (`codePointCount` code points) into pieces: a flat `[id, end, id, end, ...]` where `end` is the
   * piece's end in code points from the word start. An unknown word is `[unkId, codePointCount]`.
   */
  split(word: string, codePointCount: number): Int32Array {
    let pieces = this.cache.get(word);
    if (pieces === undefined) {
      pieces = this.compute(word, codePointCount);
      if (this.cache.size >= MAX_CACHED_WORDS) this.cache = new Map();
      this.cache.set(word, pieces);
    }
    return pieces;
  }

  private compute(word: string, codePointCount: number): Int32Array {
    if (codePointCount > this.maxChars) return Int32Array.of(this.unkId, codePointCount);
    const n = word.length;
    const astral = n !== codePointCount;
    const out: number[] = [];
    let start = 0;
    let startCp = 0;
    while (start < n) {
      const map = start === 0 ? this.initial : this.continuation;
      let end = Math.min(n, start + (start === 0 ? this.maxInitialLength : this.maxContinuationLength));
      // Never cut a surrogate pair: pieces end on code point boundaries, as Rust slices on char boundaries.
      if (astral && end < n && isLowSurrogate(word.charCodeAt(end))) end--;
      let id: number | undefined;
      while (end > start) {
        id = map.get(word.slice(start, end));
        if (id !== undefined) break;
        end -= astral && end - 2 >= start && isLowSurrogate(word.charCodeAt(end - 1)) ? 2 : 1;
      }
      if (id === undefined) return Int32Array.of(this.unkId, codePointCount);
      startCp += astral ? countCodePoints(word, start, end) : end - start;
      out.push(id, startCp);
      start = end;
    }
    return Int32Array.from(out);
  }
}

function isLowSurrogate(unit: number): boolean {
  return unit >= 0xdc00 && unit <= 0xdfff;
}

function countCodePoints(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (!(isLowSurrogate(unit) && i > from && text.charCodeAt(i - 1) >= 0xd800 && text.charCodeAt(i - 1) <= 0xdbff)) count++;
  }
  return count;
}
