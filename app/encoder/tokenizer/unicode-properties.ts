/** Per-code-point Unicode facts the BERT normalizer and pre-tokenizer need, computed lazily and cached in a table. */
// The facts come from the JS engine's ICU (\p{...}, String.prototype.normalize/toLowerCase). Rust `tokenizers`
// takes categories from the `unicode_categories` crate and NFD from `unicode-normalization-alignments`, whose
// tables are older: for characters assigned in recent Unicode versions (a new mark, punctuation or format
// character) the two may differ. Unassigned code points (Cn) are NOT removed: the Rust library keeps them (edge
// fixture: U+0378 becomes [UNK]), although its comment says is_other includes Cn.

// Bits of the per-code-point table. COMPUTED marks an entry as filled.
const COMPUTED = 1 << 0;
/** Cc, Cf, Co or Cs, except \t \n \r: what clean_text removes (Rust `is_control`; Cn is kept, see above). */
const OTHER = 1 << 1;
/** Rust `char::is_whitespace` (Unicode White_Space), plus \t \n \r. */
const WHITESPACE = 1 << 2;
/** In one of the CJK ideograph blocks BertNormalizer isolates. */
const CJK = 1 << 3;
/** General category Mn (non-spacing mark): removed when stripping accents. */
const NONSPACING_MARK = 1 << 4;
/** ASCII punctuation or any Unicode P* character (BertPreTokenizer isolates these). */
const PUNCTUATION = 1 << 5;
/** NFD changes the code point (its canonical decomposition is not itself). */
const DECOMPOSES = 1 << 6;
/** Lowercasing changes the code point. */
const LOWERCASE_CHANGES = 1 << 7;
/** Canonical combining class is not 0 (a non-starter, reordered by NFD). */
const NON_STARTER = 1 << 8;

const table = new Uint16Array(0x110000);
const decompositions = new Map<number, Int32Array>();
const lowercasings = new Map<number, Int32Array>();

const otherRe = /^[\p{Cc}\p{Cf}\p{Co}\p{Cs}]$/u;
const whiteSpaceRe = /^\p{White_Space}$/u;
const nonspacingMarkRe = /^\p{Mn}$/u;
const punctuationRe = /^[\p{P}\u0021-\u002F\u003A-\u0040\u005B-\u0060\u007B-\u007E]$/u;

function isCjk(cp: number): boolean {
  return (
    (cp >= 0x4e00 && cp <= 0x9fff) ||
    (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) ||
    (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) ||
    (cp >= 0x2b920 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) ||
    (cp >= 0x2f800 && cp <= 0x2fa1f)
  );
}

function codePointsOf(text: string): Int32Array {
  const out: number[] = [];
  for (const ch of text) out.push(ch.codePointAt(0)!);
  return Int32Array.from(out);
}

/**
 * Whether `cp` (itself fully decomposed) has a non-zero canonical combining class. JS exposes no combining class,
 * so it is probed with NFD's canonical reordering against U+0334 (class 1) and U+0301 (class 230): a non-starter
 * of class > 1 moves before U+0334, one of class < 230 moves before U+0301; a starter never moves.
 */
function probeNonStarter(cp: number): boolean {
  const ch = String.fromCodePoint(cp);
  const a = 'a' + ch + '\u0334';
  if (a.normalize('NFD') !== a) return true;
  const b = 'a\u0301' + ch;
  return b.normalize('NFD') !== b;
}

function compute(cp: number): number {
  let flags = COMPUTED;
  // Lone surrogates (only possible in a malformed JS string) count as Cs, like the rest of C*.
  const ch = String.fromCodePoint(cp);
  if (cp !== 0x09 && cp !== 0x0a && cp !== 0x0d && (otherRe.test(ch) || (cp >= 0xd800 && cp <= 0xdfff))) flags |= OTHER;
  if (cp === 0x09 || cp === 0x0a || cp === 0x0d || whiteSpaceRe.test(ch)) flags |= WHITESPACE;
  if (isCjk(cp)) flags |= CJK;
  if (nonspacingMarkRe.test(ch)) flags |= NONSPACING_MARK;
  if (punctuationRe.test(ch)) flags |= PUNCTUATION;
  if (cp < 0xd800 || cp > 0xdfff) {
    const nfd = ch.normalize('NFD');
    if (nfd !== ch) {
      flags |= DECOMPOSES;
      decompositions.set(cp, codePointsOf(nfd));
    } else if (cp >= 0x300 && probeNonStarter(cp)) {
      flags |= NON_STARTER;
    }
    // Per character, as Rust's char::to_lowercase: no context, so no final-sigma rule.
    const lower = ch.toLowerCase();
    if (lower !== ch) {
      flags |= LOWERCASE_CHANGES;
      lowercasings.set(cp, codePointsOf(lower));
    }
  }
  table[cp] = flags;
  return flags;
}

/** The property bits of `cp` (see the exported masks). */
export function propertiesOf(cp: number): number {
  const flags = table[cp]!;
  return flags !== 0 ? flags : compute(cp);
}

export const Property = {
  OTHER,
  WHITESPACE,
  CJK,
  NONSPACING_MARK,
  PUNCTUATION,
  DECOMPOSES,
  LOWERCASE_CHANGES,
  NON_STARTER,
} as const;

/** The full canonical decomposition (NFD) of `cp`; only for code points whose properties include DECOMPOSES. */
export function decompositionOf(cp: number): Int32Array {
  propertiesOf(cp);
  return decompositions.get(cp)!;
}

/** The per-character lowercase mapping of `cp`; only for code points whose properties include LOWERCASE_CHANGES. */
export function lowercaseOf(cp: number): Int32Array {
  propertiesOf(cp);
  return lowercasings.get(cp)!;
}

/** Whether `cp` is a non-starter (canonical combining class ≠ 0). */
export function isNonStarter(cp: number): boolean {
  return (propertiesOf(cp) & NON_STARTER) !== 0;
}

/** Rust `char::is_whitespace` (White_Space property), used by the pre-tokenizer and by added-token stripping. */
export function isWhitespace(cp: number): boolean {
  return (propertiesOf(cp) & WHITESPACE) !== 0;
}

// Fill the ASCII range eagerly: the hot loops read it for almost every character of English text.
for (let cp = 0; cp < 0x80; cp++) compute(cp);
