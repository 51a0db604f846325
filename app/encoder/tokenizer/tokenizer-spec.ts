/** Reads and checks a parsed tokenizer.json / tokenizer_config.json pair: what a BERT WordPiece tokenizer needs. */
import { EncoderError } from '../encoder-error.js';
import type { BertNormalizerOptions } from './bert-normalizer.js';


/** An entry of tokenizer.json `added_tokens`. */
export interface AddedTokenSpec {
  id: number;
  content: string;
  singleWord: boolean;
  lstrip: boolean;
  rstrip: boolean;
  normalized: boolean;
  special: boolean;
}

export interface TokenizerSpec {
  /** null: tokenizer.json has no normalizer. */
  normalizer: BertNormalizerOptions | null;
  vocab: Map<string, number>;
  unkToken: string;
  continuingSubwordPrefix: string;
  maxInputCharsPerWord: number;
  addedTokens: AddedTokenSpec[];
  clsId: number;
  sepId: number;
  /** tokenizer_config.json `model_max_length` when it is a usable length, else undefined. */
  modelMaxLength: number | undefined;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

const SUPPORTED = 'only BERT WordPiece tokenizers (BertNormalizer, BertPreTokenizer, WordPiece) are supported';

/**
 * Checks `tokenizerJson` and `tokenizerConfig` (already parsed) and extracts the tokenizer's settings. `source`
 * names where they came from in error messages.
 */
export function readTokenizerSpec(tokenizerJson: unknown, tokenizerConfig: unknown, source: string): TokenizerSpec {
  const fail = (problem: string): never => {
    throw new EncoderError('tokenizer-invalid', `${source}: ${problem}`);
  };
  if (!isObject(tokenizerJson)) fail(`tokenizer.json must be a JSON object, got ${typeName(tokenizerJson)}`);
  const json = tokenizerJson as Record<string, unknown>;
  if (tokenizerConfig !== undefined && tokenizerConfig !== null && !isObject(tokenizerConfig)) {
    fail(`tokenizer_config.json must be a JSON object, got ${typeName(tokenizerConfig)}`);
  }
  const config = (tokenizerConfig ?? {}) as Record<string, unknown>;

  const model = json.model;
  if (!isObject(model)) fail('tokenizer.json has no "model" object');
  const m = model as Record<string, unknown>;
  if (m.type !== 'WordPiece') fail(`unsupported tokenizer model type ${JSON.stringify(m.type ?? null)}: ${SUPPORTED}`);
  if (!isObject(m.vocab)) fail('tokenizer.json model.vocab must be an object of token -> id');
  const vocab = new Map<string, number>();
  for (const [token, id] of Object.entries(m.vocab as Record<string, unknown>)) {
    if (!Number.isInteger(id) || (id as number) < 0) fail(`tokenizer.json model.vocab[${JSON.stringify(token)}] is not a token id: ${typeName(id)}`);
    vocab.set(token, id as number);
  }
  const unkToken = m.unk_token ?? '[UNK]';
  if (typeof unkToken !== 'string' || !vocab.has(unkToken)) fail(`tokenizer.json model.unk_token ${JSON.stringify(unkToken)} is not in the vocabulary`);
  const prefix = m.continuing_subword_prefix ?? '##';
  if (typeof prefix !== 'string') fail(`tokenizer.json model.continuing_subword_prefix must be a string, got ${typeName(prefix)}`);
  const maxChars = m.max_input_chars_per_word ?? 100;
  if (!Number.isInteger(maxChars) || (maxChars as number) < 1) fail(`tokenizer.json model.max_input_chars_per_word must be a positive integer, got ${typeName(maxChars)}`);

  let normalizer: BertNormalizerOptions | null = null;
  if (json.normalizer !== null && json.normalizer !== undefined) {
    const n = json.normalizer;
    if (!isObject(n) || n.type !== 'BertNormalizer') {
      fail(`unsupported normalizer ${JSON.stringify(isObject(n) ? (n.type ?? null) : n)}: ${SUPPORTED}`);
    }
    const nn = n as Record<string, unknown>;
    const flag = (key: string, fallback: boolean): boolean => {
      const value = nn[key];
      if (value === undefined || value === null) return fallback;
      if (typeof value !== 'boolean') fail(`tokenizer.json normalizer.${key} must be a boolean or null, got ${typeName(value)}`);
      return value as boolean;
    };
    const lowercase = flag('lowercase', true);
    // Rust: strip_accents.unwrap_or(lowercase).
    normalizer = {
      cleanText: flag('clean_text', true),
      handleChineseChars: flag('handle_chinese_chars', true),
      stripAccents: flag('strip_accents', lowercase),
      lowercase,
    };
  }

  const pre = json.pre_tokenizer;
  if (!isObject(pre) || pre.type !== 'BertPreTokenizer') {
    fail(`unsupported pre_tokenizer ${JSON.stringify(isObject(pre) ? (pre.type ?? null) : (pre ?? null))}: ${SUPPORTED}`);
  }

  const addedTokens: AddedTokenSpec[] = [];
  const added = json.added_tokens ?? [];
  if (!Array.isArray(added)) fail(`tokenizer.json added_tokens must be an array, got ${typeName(added)}`);
  for (const [i, t] of (added as unknown[]).entries()) {
    if (!isObject(t) || typeof t.content !== 'string' || !Number.isInteger(t.id)) {
      fail(`tokenizer.json added_tokens[${i}] needs a string "content" and an integer "id"`);
    }
    const token = t as Record<string, unknown>;
    const special = token.special === true;
    addedTokens.push({
      id: token.id as number,
      content: token.content as string,
      singleWord: token.single_word === true,
      lstrip: token.lstrip === true,
      rstrip: token.rstrip === true,
      normalized: typeof token.normalized === 'boolean' ? token.normalized : !special,
      special,
    });
  }
  const idOf = (content: string): number | undefined =>
    addedTokens.find((t) => t.content === content)?.id ?? vocab.get(content);

  const { clsId, sepId } = readPostProcessor(json.post_processor, idOf, fail);

  const rawMax = config.model_max_length;
  // transformers writes a huge placeholder (1e30) when a model declares no limit.
  const modelMaxLength = Number.isInteger(rawMax) && (rawMax as number) >= 2 && (rawMax as number) <= 1_000_000 ? (rawMax as number) : undefined;

  return {
    normalizer,
    vocab,
    unkToken: unkToken as string,
    continuingSubwordPrefix: prefix as string,
    maxInputCharsPerWord: maxChars as number,
    addedTokens,
    clsId,
    sepId,
    modelMaxLength,
  };
}

/** The [CLS]/[SEP] ids of a BertProcessing, or of a TemplateProcessing whose single template is `CLS $A SEP`. */
function readPostProcessor(
  value: unknown,
  idOf: (content: string) => number | undefined,
  fail: (problem: string) => never,
): { clsId: number; sepId: number } {
  if (!isObject(value)) fail(`tokenizer.json has no post_processor: ${SUPPORTED} with [CLS] ... [SEP]`);
  const p = value as Record<string, unknown>;
  if (p.type === 'BertProcessing') {
    const pair = (key: string): number => {
      const v = p[key];
      if (!Array.isArray(v) || typeof v[0] !== 'string' || !Number.isInteger(v[1])) fail(`tokenizer.json post_processor.${key} must be [token, id]`);
      return (v as [string, number])[1];
    };
    return { clsId: pair('cls'), sepId: pair('sep') };
  }
  if (p.type === 'TemplateProcessing') {
    const single = p.single;
    const shape = Array.isArray(single)
      ? single.map((piece) => (isObject(piece) && isObject(piece.SpecialToken) ? `S:${piece.SpecialToken.id}` : isObject(piece) && isObject(piece.Sequence) ? `A:${piece.Sequence.id}` : '?'))
      : [];
    if (shape.length !== 3 || !shape[0]!.startsWith('S:') || shape[1] !== 'A:A' || !shape[2]!.startsWith('S:')) {
      fail(`unsupported post_processor template ${JSON.stringify(single)}: expected [CLS] $A [SEP]`);
    }
    const idFor = (name: string): number => {
      const specials = p.special_tokens;
      const entry = isObject(specials) ? specials[name] : undefined;
      const ids = isObject(entry) ? entry.ids : undefined;
      if (Array.isArray(ids) && ids.length === 1 && Number.isInteger(ids[0])) return ids[0] as number;
      const id = idOf(name);
      if (id === undefined) fail(`tokenizer.json post_processor names the special token ${JSON.stringify(name)}, which has no id`);
      return id as number;
    };
    return { clsId: idFor(shape[0]!.slice(2)), sepId: idFor(shape[2]!.slice(2)) };
  }
  return fail(`unsupported post_processor ${JSON.stringify(p.type ?? null)}: ${SUPPORTED} with [CLS] ... [SEP]`);
}
