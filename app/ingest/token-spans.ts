/**
 * The splitter counts WordPiece tokens through a function `(text) => token spans in UTF-16 units`. This adapter
 * builds that function from any tokenizer shaped like the encoder's BertTokenizer (typed structurally, so ingest
 * does not import the encoder): its `encode(text).offsets` are `[start, end)` in code points with `[0, 0]` for
 * [CLS]/[SEP], and it truncates long input. Text is therefore fed in pieces cut at whitespace (tokens never span
 * whitespace, so the cuts change nothing), each short enough not to be truncated, and offsets are converted to
 * UTF-16 code units (what `String.prototype.slice` uses).
 */

export interface TokenSpan {
  /** `[start, end)` in UTF-16 code units of the text given to the tokenize function. */
  start: number;
  end: number;
}

/** Token spans of `text`, in order, without special tokens. */
export type TokenizeFn = (text: string) => TokenSpan[];

/** What the adapter needs of a tokenizer: the encoder's BertTokenizer fits. */
export interface CodePointTokenizer {
  encode(text: string): { offsets: Array<[number, number]> };
}

export interface TokenSpansOptions {
  /** Characters per encode call (default 1000; a token covers at least one code point, so <= 510 never truncates). */
  pieceChars?: number;
}

export function tokenSpansFromTokenizer(tokenizer: CodePointTokenizer, options: TokenSpansOptions = {}): TokenizeFn {
  const pieceChars = Math.max(16, options.pieceChars ?? 1000);
  return (text: string): TokenSpan[] => {
    const spans: TokenSpan[] = [];
    let from = 0;
    while (from < text.length) {
      const to = cutAt(text, from, pieceChars);
      encodePiece(tokenizer, text, from, to, spans);
      from = to;
    }
    return spans;
  };
}

function encodePiece(tokenizer: CodePointTokenizer, text: string, from: number, to: number, out: TokenSpan[]): void {
  const piece = text.slice(from, to);
  const { offsets } = tokenizer.encode(piece);
  let lastEnd = 0;
  let maxEnd = 0;
  let contentTokens = 0;
  for (const [s, e] of offsets) {
    if (e <= s) continue;
    lastEnd = e;
    if (e > maxEnd) maxEnd = e;
    contentTokens++;
  }
  // Code points are UTF-16 units unless the piece holds surrogate pairs (emoji, astral CJK): map only then.
  const at = SURROGATE.test(piece) ? codePointToUtf16Map(piece, maxEnd) : null;
  // Truncated by the tokenizer (text left after the last token)? Split the piece and try each half.
  const tail = piece.slice(at ? at[lastEnd]! : lastEnd);
  if (contentTokens > 0 && to - from > 64 && /\S/.test(tail)) {
    const mid = cutAt(text, from, Math.floor((to - from) / 2));
    if (mid > from && mid < to) {
      encodePiece(tokenizer, text, from, mid, out);
      encodePiece(tokenizer, text, mid, to, out);
      return;
    }
  }
  for (const [s, e] of offsets) {
    if (e <= s) continue;
    out.push(at ? { start: from + at[s]!, end: from + at[e]! } : { start: from + s, end: from + e });
  }
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** An end for a piece starting at `from`: after the last whitespace within `max` units, else at `max` (never inside a surrogate pair). */
function cutAt(text: string, from: number, max: number): number {
  if (text.length - from <= max) return text.length;
  let end = from + max;
  for (let i = end; i > from + (max >> 1); i--) {
    if (isSpace(text.charCodeAt(i - 1))) return i;
  }
  const unit = text.charCodeAt(end - 1);
  if (unit >= 0xd800 && unit <= 0xdbff) end--;
  return end;
}

function isSpace(unit: number): boolean {
  return unit === 0x20 || unit === 0x0a || unit === 0x09 || unit === 0x0d || unit === 0x0c || unit === 0xa0 || unit === 0x3000 || (unit >= 0x2000 && unit <= 0x200a);
}

/** at[k] = the UTF-16 index of code point k of `text`, for k in 0..maxCp (past the end: text.length); one pass. */
function codePointToUtf16Map(text: string, maxCp: number): Int32Array {
  const at = new Int32Array(maxCp + 1);
  let unit = 0;
  let k = 0;
  for (; k <= maxCp && unit < text.length; k++) {
    at[k] = unit;
    unit += text.codePointAt(unit)! > 0xffff ? 2 : 1;
  }
  for (; k <= maxCp; k++) at[k] = text.length;
  return at;
}

/**
 * A tokenizer-free approximation of BERT's pre-tokenization (words and single punctuation marks; each CJK
 * character alone), for tools and benchmarks that have no model. Word-piece counts are higher than word counts:
 * a word of n characters counts as ceil(n / 6) tokens here, spans split evenly.
 */
export const approximateTokenSpans: TokenizeFn = (text: string): TokenSpan[] => {
  const spans: TokenSpan[] = [];
  const re = /[\p{L}\p{M}\p{N}]+|[^\s\p{L}\p{M}\p{N}]/gu;
  for (let m = re.exec(text); m !== null; m = re.exec(text)) {
    const word = m[0];
    const start = m.index;
    if (/[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/.test(word)) {
      let i = 0;
      for (const ch of word) {
        spans.push({ start: start + i, end: start + i + ch.length });
        i += ch.length;
      }
      continue;
    }
    const pieces = Math.ceil(word.length / 6);
    const step = Math.ceil(word.length / pieces);
    for (let i = 0; i < word.length; i += step) spans.push({ start: start + i, end: start + Math.min(word.length, i + step) });
  }
  return spans;
};
