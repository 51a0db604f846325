/** Finds added tokens ([CLS], [MASK], ...) written in a text, as Rust `tokenizers`' AddedVocabulary does. */
import type { AddedTokenSpec } from './tokenizer-spec.js';
import { isWhitespace } from './unicode-properties.js';

/** A sequence of units to search: UTF-16 code units of the original text, or normalized code points. */
export interface UnitSequence {
  readonly length: number;
  unitAt(index: number): number;
  /** The code point ending just before `index` (undefined at 0). */
  codePointBefore(index: number): number | undefined;
  /** The code point starting at `index` (undefined at the end). */
  codePointAt(index: number): number | undefined;
  /** Index of the unit after the code point starting at `index`. */
  nextIndex(index: number): number;
  /** Index of the code point ending just before `index`. */
  previousIndex(index: number): number;
}

interface Candidate {
  units: Int32Array;
  token: AddedTokenSpec;
}

// Rust regex `\w` (Unicode): Alphabetic, M, Nd, Pc, Join_Control.
const wordCharRe = /^[\p{Alphabetic}\p{M}\p{Nd}\p{Pc}\p{Join_Control}]$/u;
const isWordChar = (cp: number | undefined) => cp !== undefined && wordCharRe.test(String.fromCodePoint(cp));

/**
 * Leftmost-longest matching of a set of added tokens (Aho-Corasick `LeftmostLongest` in Rust), with the
 * `single_word`, `lstrip` and `rstrip` options applied as `AddedVocabulary::find_matches` does.
 */
export class AddedTokenMatcher {
  private readonly byFirstUnit = new Map<number, Candidate[]>();
  readonly size: number;

  /** `unitsOf` turns a token's content into the units of the sequences it will search. */
  constructor(tokens: readonly AddedTokenSpec[], unitsOf: (content: string) => Int32Array) {
    let size = 0;
    for (const token of tokens) {
      const units = unitsOf(token.content);
      if (units.length === 0) continue;
      const list = this.byFirstUnit.get(units[0]!) ?? [];
      // One content may be listed twice; the later entry wins in Rust's content -> id map.
      const same = list.findIndex((c) => c.units.length === units.length && c.units.every((u, i) => u === units[i]));
      if (same >= 0) list[same] = { units, token };
      else list.push({ units, token });
      list.sort((a, b) => b.units.length - a.units.length);
      this.byFirstUnit.set(units[0]!, list);
      size++;
    }
    this.size = size;
  }

  /**
   * Matches in `seq` between `from` and `to`, as a flat list `[start, end, id, ...]` (unit indices; `end`
   * includes whitespace taken by `rstrip`, `start` whitespace taken by `lstrip`). Empty when nothing matches.
   */
  find(seq: UnitSequence, from: number, to: number): number[] {
    const matches: number[] = [];
    if (this.size === 0) return matches;
    let previousEnd = from;
    let i = from;
    while (i < to) {
      const list = this.byFirstUnit.get(seq.unitAt(i));
      let found: Candidate | undefined;
      if (list) {
        for (const candidate of list) {
          const n = candidate.units.length;
          if (i + n > to) continue;
          let k = 0;
          while (k < n && seq.unitAt(i + k) === candidate.units[k]) k++;
          if (k === n) {
            found = candidate;
            break;
          }
        }
      }
      if (!found) {
        i++;
        continue;
      }
      let start = i;
      let stop = i + found.units.length;
      i = stop;
      const token = found.token;
      if (token.singleWord) {
        const startSpace = start === 0 || !isWordChar(seq.codePointBefore(start));
        const stopSpace = stop === seq.length || !isWordChar(seq.codePointAt(stop));
        if (!startSpace || !stopSpace) continue;
      }
      if (token.lstrip) {
        let s = start;
        while (s > 0 && isWhitespace(seq.codePointBefore(s)!)) s = seq.previousIndex(s);
        start = Math.max(s, previousEnd);
      }
      if (token.rstrip) {
        while (stop < to && isWhitespace(seq.codePointAt(stop)!)) stop = seq.nextIndex(stop);
        i = stop;
      }
      matches.push(start, stop, token.id);
      previousEnd = stop;
    }
    return matches;
  }
}

/** A JS string seen as UTF-16 code units. */
export function stringSequence(text: string): UnitSequence {
  return {
    length: text.length,
    unitAt: (index) => text.charCodeAt(index),
    codePointBefore: (index) => {
      if (index <= 0) return undefined;
      const low = text.charCodeAt(index - 1);
      if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
        const high = text.charCodeAt(index - 2);
        if (high >= 0xd800 && high <= 0xdbff) return text.codePointAt(index - 2);
      }
      return low;
    },
    codePointAt: (index) => text.codePointAt(index),
    nextIndex: (index) => index + ((text.codePointAt(index) ?? 0) > 0xffff ? 2 : 1),
    previousIndex: (index) => {
      const low = text.charCodeAt(index - 1);
      if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
        const high = text.charCodeAt(index - 2);
        if (high >= 0xd800 && high <= 0xdbff) return index - 2;
      }
      return index - 1;
    },
  };
}

/** An array of code points seen as units (one code point per unit). */
export function codePointSequence(codePoints: Int32Array, length: number): UnitSequence {
  return {
    length,
    unitAt: (index) => codePoints[index]!,
    codePointBefore: (index) => (index > 0 ? codePoints[index - 1] : undefined),
    codePointAt: (index) => (index < length ? codePoints[index] : undefined),
    nextIndex: (index) => index + 1,
    previousIndex: (index) => index - 1,
  };
}
