/**
 * The search box's syntax, as a pure function (no Node imports: the renderer parses with it too, through app/api):
 *
 *   stars "main sequence" -dwarf path:"~/My Notes" ext:md,pdf after:2024-01 before:2024-06-30
 *
 * - `"exact phrase"`: a passage must contain it (case-insensitive, any whitespace between words); its words are
 *   also encoded, so they shape the ranking.
 * - `-word` / `-"a phrase"`: a passage must not contain it (case-insensitive; a word matches whole words only).
 * - `path:P`: files at or under folder P (quote P when it has spaces); several `path:` mean any of them.
 * - `ext:md` / `ext:md,pdf` / `ext:.md`: file types; several mean any of them.
 * - `after:D` / `before:D`: modified on or after the start of D / on or before the end of D, D being `YYYY`,
 *   `YYYY-MM` or `YYYY-MM-DD` in local time.
 * Everything else is the query text. Malformed operators (`after:soon`, `path:` with nothing, an unclosed quote) are
 * kept as plain words: parsing never throws.
 */
import type { ParsedQuery, SearchFilters } from './engine-types.js';

const OPERATORS = ['path', 'ext', 'after', 'before'] as const;
type Operator = (typeof OPERATORS)[number];

interface Token {
  /** The token as typed, for falling back to plain text. */
  raw: string;
  /** Unquoted value. */
  value: string;
  quoted: boolean;
  negated: boolean;
  operator: Operator | null;
}

/** Splits the query into tokens: runs of non-space, with double-quoted stretches (which may hold spaces) kept whole. */
function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  const n = query.length;
  while (i < n) {
    while (i < n && /\s/.test(query[i]!)) i++;
    if (i >= n) break;
    const start = i;
    let negated = false;
    let operator: Operator | null = null;
    if (query[i] === '-' && i + 1 < n && !/[\s-]/.test(query[i + 1]!)) {
      negated = true;
      i++;
    } else {
      const match = /^(path|ext|after|before):/i.exec(query.slice(i, i + 7));
      if (match) {
        operator = match[1]!.toLowerCase() as Operator;
        i += match[0].length;
      }
    }
    if (query[i] === '"') {
      const close = query.indexOf('"', i + 1);
      if (close >= 0) {
        const value = query.slice(i + 1, close);
        i = close + 1;
        tokens.push({ raw: query.slice(start, i), value, quoted: true, negated, operator });
        continue;
      }
      // An unclosed quote: the rest is plain text, without the quote mark.
      i++;
    }
    while (i < n && !/\s/.test(query[i]!)) i++;
    const raw = query.slice(start, i);
    const value = query.slice(start + (negated ? 1 : 0) + (operator ? operator.length + 1 : 0), i).replace(/"/g, '');
    tokens.push({ raw, value, quoted: false, negated, operator });
  }
  return tokens;
}

/** Start (or with `end`, the last millisecond) of a `YYYY`, `YYYY-MM` or `YYYY-MM-DD` date in local time; null when malformed. */
export function parseDateBound(text: string, end: boolean): number | null {
  const match = /^(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?$/.exec(text.trim());
  if (!match) return null;
  const year = Number(match[1]);
  const month = match[2] !== undefined ? Number(match[2]) : null;
  const day = match[3] !== undefined ? Number(match[3]) : null;
  // Years below 100 would be read as 19xx by the Date constructor; no file is that old anyway.
  if (year < 1000) return null;
  if (month !== null && (month < 1 || month > 12)) return null;
  if (day !== null) {
    const probe = new Date(year, month! - 1, day);
    if (probe.getMonth() !== month! - 1 || probe.getDate() !== day) return null;
  }
  let start: Date;
  let next: Date;
  if (month === null) {
    start = new Date(year, 0, 1);
    next = new Date(year + 1, 0, 1);
  } else if (day === null) {
    start = new Date(year, month - 1, 1);
    next = new Date(year, month, 1);
  } else {
    start = new Date(year, month - 1, day);
    next = new Date(year, month - 1, day + 1);
  }
  return end ? next.getTime() - 1 : start.getTime();
}

/** Parses `query` and merges its filters with `filters` (the request's own): types and folders add up, dates narrow. */
export function parseQuery(query: string, filters: SearchFilters = {}): ParsedQuery {
  const words: string[] = [];
  const phrases: string[] = [];
  const excluded: string[] = [];
  const folders: string[] = [...(filters.folders ?? [])];
  const fileTypes: string[] = [...(filters.fileTypes ?? [])];
  let after = filters.modifiedAfter;
  let before = filters.modifiedBefore;
  for (const token of tokenize(typeof query === 'string' ? query : '')) {
    const value = token.value.trim();
    if (token.operator) {
      let used = false;
      if (value !== '') {
        if (token.operator === 'path') {
          folders.push(value.length > 1 ? value.replace(/[\\/]+$/, '') : value);
          used = true;
        } else if (token.operator === 'ext') {
          const types = value.split(',').map((type) => type.trim().replace(/^\./, '').toLowerCase()).filter((type) => type !== '');
          if (types.length > 0) {
            fileTypes.push(...types);
            used = true;
          }
        } else {
          const bound = parseDateBound(value, token.operator === 'before');
          if (bound !== null) {
            if (token.operator === 'after') after = after === undefined ? bound : Math.max(after, bound);
            else before = before === undefined ? bound : Math.min(before, bound);
            used = true;
          }
        }
      }
      if (!used && token.raw.replace(/"/g, '').trim() !== '') words.push(token.raw.replace(/"/g, ''));
      continue;
    }
    if (value === '') continue;
    if (token.negated) excluded.push(normalizeSpaces(value).toLowerCase());
    else if (token.quoted) {
      phrases.push(normalizeSpaces(value));
      words.push(normalizeSpaces(value));
    } else words.push(value);
  }
  const merged: SearchFilters = {};
  if (folders.length > 0) merged.folders = unique(folders);
  if (fileTypes.length > 0) merged.fileTypes = unique(fileTypes.map((type) => type.replace(/^\./, '').toLowerCase()));
  if (after !== undefined) merged.modifiedAfter = after;
  if (before !== undefined) merged.modifiedBefore = before;
  return { text: words.join(' '), phrases: unique(phrases), excluded: unique(excluded), filters: merged };
}

/** True when `text` contains every phrase of `query` and none of its excluded words (both case-insensitive). */
export function passageMatches(text: string, query: Pick<ParsedQuery, 'phrases' | 'excluded'>): boolean {
  if (query.phrases.length === 0 && query.excluded.length === 0) return true;
  const haystack = normalizeSpaces(text).toLowerCase();
  for (const phrase of query.phrases) if (!haystack.includes(phrase.toLowerCase())) return false;
  for (const word of query.excluded) if (containsWholeWord(haystack, word.toLowerCase())) return false;
  return true;
}

/** `word` occurs in `text` with no letter or digit right before or after it. */
function containsWholeWord(text: string, word: string): boolean {
  if (word === '') return false;
  for (let at = text.indexOf(word); at >= 0; at = text.indexOf(word, at + 1)) {
    const before = at > 0 ? text[at - 1]! : ' ';
    const after = at + word.length < text.length ? text[at + word.length]! : ' ';
    if (!isWordChar(before) && !isWordChar(after)) return true;
  }
  return false;
}

function isWordChar(char: string): boolean {
  return /[\p{L}\p{N}_]/u.test(char);
}

function normalizeSpaces(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}
