/** BertNormalizer with an alignment map: each normalized code point knows the original code points it came from. */
import { Property, decompositionOf, isNonStarter, lowercaseOf, propertiesOf } from './unicode-properties.js';

/** The `normalizer` options of a `BertNormalizer` in tokenizer.json (strip_accents null already resolved). */
export interface BertNormalizerOptions {
  cleanText: boolean;
  handleChineseChars: boolean;
  stripAccents: boolean;
  lowercase: boolean;
}

/**
 * Normalized code points with their alignments: normalized code point `i` came from the original code points
 * `[start[i], end[i])` (indices in code points of the whole input text). A growable buffer, reused between calls.
 */
export class NormalizedBuffer {
  codePoints = new Int32Array(256);
  start = new Int32Array(256);
  end = new Int32Array(256);
  length = 0;

  push(cp: number, start: number, end: number): void {
    if (this.length === this.codePoints.length) this.grow();
    const i = this.length++;
    this.codePoints[i] = cp;
    this.start[i] = start;
    this.end[i] = end;
  }

  private grow(): void {
    const size = this.codePoints.length * 2;
    const grow = (a: Int32Array) => {
      const b = new Int32Array(size);
      b.set(a);
      return b;
    };
    this.codePoints = grow(this.codePoints);
    this.start = grow(this.start);
    this.end = grow(this.end);
  }
}

const SPACE = 0x20;

/**
 * Normalizes `text.slice(from, to)` (UTF-16 indices; `firstCodePoint` is the code-point index of `from` in the
 * whole text) into `out`, exactly as the Rust `tokenizers` BertNormalizer transforms a NormalizedString:
 *
 * 1. clean_text: drop U+0000, U+FFFD and Cc/Cf/Co/Cs except \t \n \r; map White_Space (and \t \n \r) to ' '.
 * 2. handle_chinese_chars: surround CJK ideographs (BMP and astral ranges) with spaces.
 * 3. strip_accents: NFD (canonical reordering included), then drop Mn.
 * 4. lowercase: per code point, no context (Σ → σ always), one code point may become several.
 *
 * Alignments follow Rust's NormalizedString::transform: a replacing character takes the alignment of the next
 * consumed character, an inserted one (NFD or lowercase expansion, CJK padding) that of the last consumed one, or
 * the empty range at the start of the text if none was consumed yet. Returns the number of code points read.
 */
export class BertNormalizer {
  // NFD state: the old characters (post clean/CJK) not yet consumed by an emitted replacing character, as
  // alignment pairs, and the run of pending non-starters waiting for canonical reordering.
  private queueStart = new Int32Array(64);
  private queueEnd = new Int32Array(64);
  private queueHead = 0;
  private queueTail = 0;
  private lastStart = 0;
  private lastEnd = 0;
  private pendingCps: number[] = [];
  private pendingInserted: boolean[] = [];
  private out!: NormalizedBuffer;

  constructor(readonly options: BertNormalizerOptions) {}

  normalize(text: string, from: number, to: number, firstCodePoint: number, out: NormalizedBuffer): number {
    const { cleanText, handleChineseChars, stripAccents } = this.options;
    this.out = out;
    this.queueHead = this.queueTail = 0;
    this.lastStart = this.lastEnd = firstCodePoint;
    let index = firstCodePoint;
    for (let i = from; i < to; index++) {
      let cp = text.charCodeAt(i);
      if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < to) {
        const low = text.charCodeAt(i + 1);
        if (low >= 0xdc00 && low <= 0xdfff) {
          cp = ((cp - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
          i++;
        }
      }
      i++;
      // ASCII fast path: no CJK, no decomposition, a starter; only cleaning and lowercasing apply.
      if (cp < 0x80 && this.pendingCps.length === 0) {
        if (cleanText) {
          if (cp < 0x20 || cp === 0x7f) {
            if (cp !== 0x09 && cp !== 0x0a && cp !== 0x0d) continue;
            cp = SPACE;
          }
        }
        if (stripAccents) this.consumeAll(index);
        this.out.push(cp >= 0x41 && cp <= 0x5a && this.options.lowercase ? cp + 32 : cp, index, index + 1);
        continue;
      }
      const props = propertiesOf(cp);
      if (cleanText) {
        if (cp === 0 || cp === 0xfffd || (props & Property.OTHER) !== 0) continue;
        if ((props & Property.WHITESPACE) !== 0) cp = SPACE;
      }
      if (handleChineseChars && (props & Property.CJK) !== 0) {
        // Rust inserts the padding spaces with the previous character's alignment; here they take the
        // ideograph's. Spaces never reach a token (the pre-tokenizer drops them), so offsets are the same.
        this.stage2(SPACE, index);
        this.stage2(cp, index);
        this.stage2(SPACE, index);
      } else {
        this.stage2(cp, index);
      }
    }
    if (stripAccents) this.flushPending();
    return index - firstCodePoint;
  }

  /** Stage 2 input: a character of the cleaned/CJK-padded string (an "old" character of the NFD transform). */
  private stage2(cp: number, index: number): void {
    if (!this.options.stripAccents) {
      this.emit(cp, index, index + 1);
      return;
    }
    this.enqueue(index, index + 1);
    this.decompose(cp);
  }

  private enqueue(start: number, end: number): void {
    if (this.queueHead === this.queueTail) this.queueHead = this.queueTail = 0;
    if (this.queueTail === this.queueStart.length) {
      const grow = (a: Int32Array) => {
        const b = new Int32Array(a.length * 2);
        b.set(a);
        return b;
      };
      this.queueStart = grow(this.queueStart);
      this.queueEnd = grow(this.queueEnd);
    }
    this.queueStart[this.queueTail] = start;
    this.queueEnd[this.queueTail] = end;
    this.queueTail++;
  }

  /** ASCII fast path with accents stripped: the previous old characters are all consumed, this one too. */
  private consumeAll(index: number): void {
    this.queueHead = this.queueTail = 0;
    this.lastStart = index;
    this.lastEnd = index + 1;
  }

  private decompose(cp: number): void {
    const props = propertiesOf(cp);
    if ((props & Property.DECOMPOSES) === 0) {
      this.nfdItem(cp, false);
      return;
    }
    const parts = decompositionOf(cp);
    for (let k = 0; k < parts.length; k++) this.nfdItem(parts[k]!, k > 0);
  }

  /** One character of the NFD output in decomposition order, before canonical reordering. */
  private nfdItem(cp: number, inserted: boolean): void {
    if (cp < 0x300 || !isNonStarter(cp)) {
      this.flushPending();
      this.nfdEmit(cp, inserted);
    } else {
      this.pendingCps.push(cp);
      this.pendingInserted.push(inserted);
    }
  }

  /** Emits the pending non-starters in canonical order (stable by combining class, as NFD sorts them). */
  private flushPending(): void {
    const cps = this.pendingCps;
    if (cps.length === 0) return;
    const inserted = this.pendingInserted;
    if (cps.length === 1) {
      this.nfdEmit(cps[0]!, inserted[0]!);
    } else {
      // JS has no combining-class API; NFD of the run itself yields the canonical order. Equal code points keep
      // their relative order (a stable sort), so matching each output to the first unused equal input recovers
      // the permutation, and with it which items replace and which insert.
      const sorted = String.fromCodePoint(...cps).normalize('NFD');
      const used = new Array<boolean>(cps.length).fill(false);
      for (const ch of sorted) {
        const cp = ch.codePointAt(0)!;
        let k = 0;
        while (used[k] || cps[k] !== cp) k++;
        used[k] = true;
        this.nfdEmit(cp, inserted[k]!);
      }
    }
    cps.length = 0;
    inserted.length = 0;
  }

  /** NFD output in final order: a replacing item consumes the next old character's alignment. */
  private nfdEmit(cp: number, inserted: boolean): void {
    if (!inserted) {
      this.lastStart = this.queueStart[this.queueHead]!;
      this.lastEnd = this.queueEnd[this.queueHead]!;
      this.queueHead++;
    }
    if ((propertiesOf(cp) & Property.NONSPACING_MARK) !== 0) return;
    this.emit(cp, this.lastStart, this.lastEnd);
  }

  /** Final stage: lowercase (per code point; expansions share the alignment) and append. */
  private emit(cp: number, start: number, end: number): void {
    if (!this.options.lowercase) {
      this.out.push(cp, start, end);
    } else if (cp < 0x80) {
      this.out.push(cp >= 0x41 && cp <= 0x5a ? cp + 32 : cp, start, end);
    } else if ((propertiesOf(cp) & Property.LOWERCASE_CHANGES) !== 0) {
      const lower = lowercaseOf(cp);
      for (let k = 0; k < lower.length; k++) this.out.push(lower[k]!, start, end);
    } else {
      this.out.push(cp, start, end);
    }
  }
}
