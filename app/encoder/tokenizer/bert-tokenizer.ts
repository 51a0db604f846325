/** The BERT WordPiece tokenizer of the encoder: Rust `tokenizers` parity, code-point offsets, truncation. */
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { AddedTokenMatcher, codePointSequence, stringSequence } from './added-tokens.js';
import { BertNormalizer, NormalizedBuffer } from './bert-normalizer.js';
import { pythonStripRange } from './offsets.js';
import { EncoderError } from '../encoder-error.js';
import { readTokenizerSpec, type TokenizerSpec } from './tokenizer-spec.js';
import { Property, propertiesOf } from './unicode-properties.js';
import { WordPiece } from './word-piece.js';

/** One tokenized text: `[CLS] ... [SEP]`, offsets `[start, end)` in code points of the text, `[0, 0]` for specials. */
export interface Encoding {
  ids: number[];
  tokens: string[];
  offsets: Array<[number, number]>;
}

export interface EncodeOptions {
  /**
   * Strip leading and trailing whitespace first, as Python `str.strip()` (what sentence-transformers <= 5.3 does
   * before tokenizing). Ids are the same either way; offsets are then relative to the stripped text.
   */
  strip?: boolean;
}

export interface TokenizerOptions {
  /** Maximum sequence length including [CLS] and [SEP]; default tokenizer_config `model_max_length`, else 512. */
  maxLength?: number;
}

const DEFAULT_MAX_LENGTH = 512;

/** Content ids with their offsets (flat `[start, end, ...]`, or null when offsets were not asked for). */
interface ContentTokens {
  ids: number[];
  offsets: number[] | null;
}

/**
 * A BERT WordPiece tokenizer read from a model folder's tokenizer.json. `@huggingface/tokenizers` loads and
 * validates the files and serves the id <-> token vocabulary; normalization, pre-tokenization and WordPiece run
 * here, per code point as the Rust library does (the JS library differs from Rust on final sigma and astral-plane
 * CJK and has no offsets), carrying an alignment map so each token knows its span in the original text.
 */
export class BertTokenizer {
  readonly maxLength: number;
  readonly vocabSize: number;
  readonly clsId: number;
  readonly sepId: number;
  private readonly library: HfTokenizer;
  private readonly normalizer: BertNormalizer | null;
  private readonly wordPiece: WordPiece;
  private readonly rawMatcher: AddedTokenMatcher;
  private readonly normalizedMatcher: AddedTokenMatcher;
  private readonly buffer = new NormalizedBuffer();

  private constructor(spec: TokenizerSpec, library: HfTokenizer, maxLength: number) {
    this.library = library;
    this.maxLength = maxLength;
    this.clsId = spec.clsId;
    this.sepId = spec.sepId;
    this.normalizer = spec.normalizer ? new BertNormalizer(spec.normalizer) : null;
    this.wordPiece = new WordPiece(spec);
    let maxId = -1;
    for (const id of spec.vocab.values()) maxId = Math.max(maxId, id);
    for (const token of spec.addedTokens) maxId = Math.max(maxId, token.id);
    this.vocabSize = maxId + 1;
    this.rawMatcher = new AddedTokenMatcher(
      spec.addedTokens.filter((t) => !t.normalized),
      (content) => {
        const units = new Int32Array(content.length);
        for (let i = 0; i < content.length; i++) units[i] = content.charCodeAt(i);
        return units;
      },
    );
    // Normalized added tokens match the normalized text, so their content is normalized the same way.
    this.normalizedMatcher = new AddedTokenMatcher(
      spec.addedTokens.filter((t) => t.normalized),
      (content) => {
        const out = new NormalizedBuffer();
        if (this.normalizer) this.normalizer.normalize(content, 0, content.length, 0, out);
        else for (const ch of content) out.push(ch.codePointAt(0)!, 0, 0);
        return out.codePoints.slice(0, out.length);
      },
    );
  }

  /** Reads `tokenizer.json` and `tokenizer_config.json` (optional) from a model folder. */
  static async fromFolder(folder: string, options: TokenizerOptions = {}): Promise<BertTokenizer> {
    const info = await stat(folder).catch(() => undefined);
    if (!info) throw new EncoderError('tokenizer-invalid', `Cannot load a tokenizer from ${folder}: the folder does not exist`);
    if (!info.isDirectory()) throw new EncoderError('tokenizer-invalid', `Cannot load a tokenizer from ${folder}: not a folder`);
    const jsonPath = join(folder, 'tokenizer.json');
    const configPath = join(folder, 'tokenizer_config.json');
    const tokenizerJson = await readJsonFile(jsonPath, true);
    const tokenizerConfig = await readJsonFile(configPath, false);
    return BertTokenizer.create(tokenizerJson, tokenizerConfig ?? {}, options, jsonPath);
  }

  /** Builds a tokenizer from the parsed contents of tokenizer.json and tokenizer_config.json. */
  static fromJson(tokenizerJson: unknown, tokenizerConfig: unknown, options: TokenizerOptions = {}): BertTokenizer {
    return BertTokenizer.create(tokenizerJson, tokenizerConfig, options, 'tokenizer.json');
  }

  private static create(tokenizerJson: unknown, tokenizerConfig: unknown, options: TokenizerOptions, source: string): BertTokenizer {
    const spec = readTokenizerSpec(tokenizerJson, tokenizerConfig, source);
    let library: HfTokenizer;
    try {
      library = new HfTokenizer(tokenizerJson as object, (tokenizerConfig ?? {}) as object);
    } catch (error) {
      throw new EncoderError('tokenizer-invalid', `${source}: @huggingface/tokenizers cannot load it: ${(error as Error).message}`);
    }
    const maxLength = options.maxLength ?? spec.modelMaxLength ?? DEFAULT_MAX_LENGTH;
    if (!Number.isInteger(maxLength) || maxLength < 2) {
      throw new EncoderError('invalid-option', `maxLength must be an integer >= 2 (it counts [CLS] and [SEP]), got ${maxLength}`);
    }
    return new BertTokenizer(spec, library, maxLength);
  }

  /** Tokenizes `text` into `[CLS] ... [SEP]`, content truncated to `maxLength - 2` tokens, with offsets. */
  encode(text: string, options: EncodeOptions = {}): Encoding {
    const content = this.tokenize(text, options.strip === true, true);
    const ids = [this.clsId, ...content.ids, this.sepId];
    const offsets: Array<[number, number]> = [[0, 0]];
    const flat = content.offsets!;
    for (let i = 0; i < flat.length; i += 2) offsets.push([flat[i]!, flat[i + 1]!]);
    offsets.push([0, 0]);
    const tokens = ids.map((id) => this.library.id_to_token(id) ?? '');
    return { ids, tokens, offsets };
  }

  /** The ids of `encode(text, options)`, without tokens and offsets. */
  encodeIds(text: string, options: EncodeOptions = {}): number[] {
    const content = this.tokenize(text, options.strip === true, false);
    const ids = new Array<number>(content.ids.length + 2);
    ids[0] = this.clsId;
    for (let i = 0; i < content.ids.length; i++) ids[i + 1] = content.ids[i]!;
    ids[ids.length - 1] = this.sepId;
    return ids;
  }

  idToToken(id: number): string | undefined {
    return this.library.id_to_token(id);
  }

  tokenToId(token: string): number | undefined {
    return this.library.token_to_id(token);
  }

  private tokenize(text: string, strip: boolean, withOffsets: boolean): ContentTokens {
    if (strip) {
      const [from, to] = pythonStripRange(text);
      if (from !== 0 || to !== text.length) text = text.slice(from, to);
    }
    const out: ContentTokens = { ids: [], offsets: withOffsets ? [] : null };
    const limit = this.maxLength - 2;
    const matches = this.rawMatcher.find(stringSequence(text), 0, text.length);
    let position = 0;
    let codePoint = 0;
    for (let m = 0; m <= matches.length && out.ids.length < limit; m += 3) {
      const sectionEnd = m < matches.length ? matches[m]! : text.length;
      if (sectionEnd > position) codePoint += this.tokenizeSection(text, position, sectionEnd, codePoint, out, limit);
      if (m === matches.length || out.ids.length >= limit) break;
      const matchEnd = matches[m + 1]!;
      const length = countCodePoints(text, sectionEnd, matchEnd);
      out.ids.push(matches[m + 2]!);
      out.offsets?.push(codePoint, codePoint + length);
      codePoint += length;
      position = matchEnd;
    }
    return out;
  }

  /** Normalizes, pre-tokenizes and WordPiece-splits one stretch of text between added tokens. */
  private tokenizeSection(text: string, from: number, to: number, firstCodePoint: number, out: ContentTokens, limit: number): number {
    const buffer = this.buffer;
    buffer.length = 0;
    let count: number;
    if (this.normalizer) {
      count = this.normalizer.normalize(text, from, to, firstCodePoint, buffer);
    } else {
      count = 0;
      for (let i = from; i < to; ) {
        const cp = text.codePointAt(i)!;
        buffer.push(cp, firstCodePoint + count, firstCodePoint + count + 1);
        count++;
        i += cp > 0xffff ? 2 : 1;
      }
    }
    if (this.normalizedMatcher.size === 0) {
      this.splitWords(0, buffer.length, out, limit);
      return count;
    }
    const matches = this.normalizedMatcher.find(codePointSequence(buffer.codePoints, buffer.length), 0, buffer.length);
    let position = 0;
    for (let m = 0; m <= matches.length && out.ids.length < limit; m += 3) {
      const end = m < matches.length ? matches[m]! : buffer.length;
      if (end > position) this.splitWords(position, end, out, limit);
      if (m === matches.length || out.ids.length >= limit) break;
      const matchEnd = matches[m + 1]!;
      out.ids.push(matches[m + 2]!);
      out.offsets?.push(buffer.start[end]!, buffer.end[matchEnd - 1]!);
      position = matchEnd;
    }
    return count;
  }

  /**
   * BertPreTokenizer on normalized code points `[from, to)` of the buffer: split on whitespace (dropped) and
   * isolate punctuation; then WordPiece on each word. Stops once `limit` content tokens are collected.
   */
  private splitWords(from: number, to: number, out: ContentTokens, limit: number): void {
    const cps = this.buffer.codePoints;
    let wordStart = -1;
    for (let i = from; i <= to; i++) {
      let boundary = i === to;
      let punctuation = false;
      if (!boundary) {
        const cp = cps[i]!;
        const props = propertiesOf(cp);
        if ((props & Property.WHITESPACE) !== 0) boundary = true;
        else if ((props & Property.PUNCTUATION) !== 0) boundary = punctuation = true;
      }
      if (!boundary) {
        if (wordStart < 0) wordStart = i;
        continue;
      }
      if (wordStart >= 0) {
        this.addWord(wordStart, i, out);
        wordStart = -1;
        if (out.ids.length >= limit) break;
      }
      if (punctuation) {
        this.addWord(i, i + 1, out);
        if (out.ids.length >= limit) break;
      }
    }
    if (out.ids.length > limit) {
      out.ids.length = limit;
      if (out.offsets) out.offsets.length = 2 * limit;
    }
  }

  private addWord(from: number, to: number, out: ContentTokens): void {
    const buffer = this.buffer;
    const cps = buffer.codePoints;
    if (to - from > this.wordPiece.maxChars) {
      out.ids.push(this.wordPiece.unkId);
      out.offsets?.push(buffer.start[from]!, buffer.end[to - 1]!);
      return;
    }
    let astral = false;
    for (let i = from; i < to; i++) {
      if (cps[i]! > 0xffff) {
        astral = true;
        break;
      }
    }
    const slice = cps.subarray(from, to);
    const word = astral ? String.fromCodePoint(...slice) : String.fromCharCode(...slice);
    const pieces = this.wordPiece.split(word, to - from);
    let pieceStart = from;
    for (let k = 0; k < pieces.length; k += 2) {
      out.ids.push(pieces[k]!);
      const pieceEnd = from + pieces[k + 1]!;
      out.offsets?.push(buffer.start[pieceStart]!, buffer.end[pieceEnd - 1]!);
      pieceStart = pieceEnd;
    }
  }
}

function countCodePoints(text: string, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    const unit = text.charCodeAt(i);
    if (unit >= 0xd800 && unit <= 0xdbff && i + 1 < to) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) i++;
    }
    count++;
  }
  return count;
}

async function readJsonFile(path: string, required: boolean): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' && !required) return undefined;
    if (code === 'ENOENT') throw new EncoderError('tokenizer-invalid', `Cannot read ${path}: no such file`);
    throw new EncoderError('tokenizer-invalid', `Cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new EncoderError('tokenizer-invalid', `Cannot read ${path}: not valid JSON (${(error as Error).message})`);
  }
}
