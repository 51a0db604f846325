/**
 * Text → passages: structure first, then windows of at most N word-piece tokens. Sections (pages, headings) are
 * never crossed; inside a section, short paragraphs are packed together and a full window is cut at the last
 * paragraph break (blank line) past its first quarter, else at the best boundary in its second half — a sentence
 * end, else a line break, else between words — and only inside a word when a single word is longer than a window
 * (its re-tokenized pieces may then differ slightly; the window stays far below the model's limit). A window that ends inside a paragraph is followed by one that
 * repeats up to `overlapTokens` tokens, starting at the best boundary in that range (whole trailing sentences
 * when they fit). Passages are `[start, end)` UTF-16 ranges: their text is always `text.slice(start, end)`,
 * from the first token's start to the last token's end.
 */
import type { Section } from './extract/extraction.js';
import type { TokenizeFn, TokenSpan } from './token-spans.js';

export interface SplitOptions {
  /** Most word-piece tokens per passage (default 256; setting `passageTokens`). */
  maxTokens?: number;
  /** Tokens repeated between consecutive windows of one paragraph (default 32; setting `passageOverlap`). */
  overlapTokens?: number;
  /** The model's sequence limit (default 512)... */
  modelMaxTokens?: number;
  /** ...minus what the encoder adds: [CLS], [SEP] and any prompt tokens (default 2). */
  reservedTokens?: number;
}

export interface Passage {
  /** `[start, end)` in UTF-16 code units of the extracted text. */
  start: number;
  end: number;
  /** 1-based page from the section (PDF), else null. */
  page: number | null;
  /** 1-based line of the passage's first character in the extracted text. */
  line: number;
  /** Heading of the section the passage is in, else null. */
  heading: string | null;
  /** Word-piece tokens in the passage, as the tokenize function counted them. */
  tokenCount: number;
}

export const DEFAULT_PASSAGE_TOKENS = 256;
export const DEFAULT_PASSAGE_OVERLAP = 32;

/** Boundary strength between two tokens. */
const PARAGRAPH = 4;
const SENTENCE = 3;
const LINE = 2;
const WORD = 1;
const INSIDE_WORD = 0;

/** The effective window and overlap for these options (window never above the model's limit minus reserved tokens). */
export function passageLimits(options: SplitOptions = {}): { maxTokens: number; overlapTokens: number } {
  const modelMax = options.modelMaxTokens ?? 512;
  const reserved = options.reservedTokens ?? 2;
  const maxTokens = Math.max(1, Math.min(Math.floor(options.maxTokens ?? DEFAULT_PASSAGE_TOKENS), modelMax - reserved));
  const overlapTokens = Math.max(0, Math.min(Math.floor(options.overlapTokens ?? DEFAULT_PASSAGE_OVERLAP), Math.floor((maxTokens - 1) / 2)));
  return { maxTokens, overlapTokens };
}

export function splitPassages(text: string, sections: readonly Section[], tokenize: TokenizeFn, options: SplitOptions = {}): Passage[] {
  const { maxTokens, overlapTokens } = passageLimits(options);
  const lines = lineStarts(text);
  const passages: Passage[] = [];
  for (const section of sections) {
    const start = Math.max(0, section.start);
    const end = Math.min(text.length, section.end);
    if (end <= start) continue;
    const spans = tokenize(text.slice(start, end));
    if (spans.length === 0) continue;
    const tokens = spans.map((s) => ({ start: s.start + start, end: s.end + start }));
    const strength = boundaries(text, tokens);
    const emit = (from: number, to: number) => {
      const s = tokens[from]!.start;
      passages.push({
        start: s,
        end: tokens[to - 1]!.end,
        page: section.page ?? null,
        line: lineOf(lines, s),
        heading: section.heading ?? null,
        tokenCount: to - from,
      });
    };
    let i = 0;
    const n = tokens.length;
    while (i < n) {
      if (n - i <= maxTokens) {
        emit(i, n);
        break;
      }
      const limit = i + maxTokens;
      const cut =
        bestBoundary(strength, i + Math.max(1, maxTokens >> 2), limit, 'latest', PARAGRAPH) ??
        bestBoundary(strength, i + Math.max(1, maxTokens >> 1), limit, 'latest') ??
        bestBoundary(strength, i + 1, limit, 'latest') ??
        limit;
      emit(i, cut);
      if (overlapTokens === 0 || strength[cut]! >= PARAGRAPH) {
        i = cut;
        continue;
      }
      const back = bestBoundary(strength, Math.max(i + 1, cut - overlapTokens), cut - 1, 'earliest', WORD);
      i = back ?? Math.max(i + 1, cut - overlapTokens);
    }
  }
  return passages;
}

/**
 * The boundary index b in [from, to] (a cut before token b) with the highest strength >= `min`, ties broken by
 * position; null when none reaches `min`.
 */
function bestBoundary(strength: Uint8Array, from: number, to: number, prefer: 'latest' | 'earliest', min = WORD): number | null {
  let best: number | null = null;
  let bestStrength = -1;
  for (let b = from; b <= to; b++) {
    const s = strength[b]!;
    if (s < min) continue;
    if (s > bestStrength || (s === bestStrength && prefer === 'latest')) {
      best = b;
      bestStrength = s;
    }
  }
  return best;
}

/** strength[b] = how good a cut before token b is (b in 1..n-1; strength[n] = paragraph). */
function boundaries(text: string, tokens: TokenSpan[]): Uint8Array {
  const n = tokens.length;
  const strength = new Uint8Array(n + 1);
  strength[n] = PARAGRAPH;
  for (let b = 1; b < n; b++) {
    const prev = tokens[b - 1]!;
    const next = tokens[b]!;
    if (prev.end >= next.start) {
      const left = text.charCodeAt(prev.end - 1);
      const right = text.charCodeAt(next.start);
      strength[b] = isWordUnit(left) && isWordUnit(right) ? INSIDE_WORD : WORD;
      continue;
    }
    // Scan the gap once (no substring): newlines, and a blank line (two newlines with only spaces between).
    let newlines = 0;
    let blank = false;
    let sawNewline = false;
    for (let k = prev.end; k < next.start; k++) {
      const c = text.charCodeAt(k);
      if (c === 0x0a) {
        sawNewline = true;
        if (++newlines >= 2) {
          blank = true;
          break;
        }
      } else if (c !== 0x20 && c !== 0x09 && c !== 0x0d && c !== 0x0c && c !== 0x0b) {
        newlines = 0;
      }
    }
    if (blank) strength[b] = PARAGRAPH;
    else if (isSentenceEnd(text, prev)) strength[b] = SENTENCE;
    else if (sawNewline) strength[b] = LINE;
    else strength[b] = WORD;
  }
  return strength;
}

function isSentenceEnd(text: string, token: TokenSpan): boolean {
  const last = text[token.end - 1];
  return last === '.' || last === '!' || last === '?' || last === '。' || last === '！' || last === '？' || last === ':' || last === ';';
}

/** Letters and digits of scripts that separate words with spaces (CJK ideographs and kana are each their own word). */
function isWordUnit(unit: number): boolean {
  if (Number.isNaN(unit)) return false;
  if ((unit >= 0x30 && unit <= 0x39) || (unit >= 0x41 && unit <= 0x5a) || (unit >= 0x61 && unit <= 0x7a)) return true;
  if (unit < 0xc0) return false;
  if ((unit >= 0x3040 && unit <= 0x30ff) || (unit >= 0x3400 && unit <= 0x9fff) || (unit >= 0xac00 && unit <= 0xd7af) || (unit >= 0xf900 && unit <= 0xfaff)) return false;
  return /[\p{L}\p{M}\p{N}]/u.test(String.fromCharCode(unit)) || (unit >= 0xd800 && unit <= 0xdfff);
}

function lineStarts(text: string): Int32Array {
  let count = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) count++;
  const starts = new Int32Array(count);
  let k = 1;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts[k++] = i + 1;
  return starts;
}

/** 1-based line holding offset `pos`. */
function lineOf(starts: Int32Array, pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo + 1;
}
