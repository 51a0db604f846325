/**
 * TEMPORARY stand-in for `app/encoder/tokenizer/` (delivered on another branch): the same interface, built directly
 * on @huggingface/tokenizers without offsets or the Rust-parity fixes. Remove once the real tokenizer is merged.
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';

export interface Encoding {
  ids: number[];
  tokens: string[];
  offsets: Array<[number, number]>;
}

export class BertTokenizer {
  private constructor(
    private readonly tokenizer: Tokenizer,
    readonly maxLength: number,
    readonly vocabSize: number,
    private readonly vocab: string[],
  ) {}

  static async fromFolder(folder: string, options: { maxLength?: number } = {}): Promise<BertTokenizer> {
    const json = JSON.parse(await readFile(join(folder, 'tokenizer.json'), 'utf8'));
    let config: Record<string, unknown> = {};
    try {
      config = JSON.parse(await readFile(join(folder, 'tokenizer_config.json'), 'utf8'));
    } catch {
      // optional
    }
    const vocabMap = json.model.vocab as Record<string, number>;
    const vocab: string[] = [];
    for (const [token, id] of Object.entries(vocabMap)) vocab[id] = token;
    return new BertTokenizer(new Tokenizer(json, config), options.maxLength ?? 512, vocab.length, vocab);
  }

  encode(text: string, options: { strip?: boolean } = {}): Encoding {
    const ids = this.encodeIds(text, options);
    return { ids, tokens: ids.map((id) => this.vocab[id] ?? '[UNK]'), offsets: ids.map(() => [0, 0]) };
  }

  encodeIds(text: string, options: { strip?: boolean } = {}): number[] {
    const input = options.strip ? text.trim() : text;
    const content = this.tokenizer.encode(input, { add_special_tokens: false }).ids.slice(0, this.maxLength - 2);
    return [101, ...content, 102];
  }

  idToToken(id: number): string | undefined {
    return this.vocab[id];
  }
}

export interface TokenBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  batchSize: number;
  sequenceLength: number;
}

export function padBatch(sequences: number[][]): TokenBatch {
  const batchSize = sequences.length;
  const sequenceLength = Math.max(0, ...sequences.map((s) => s.length));
  const inputIds = new BigInt64Array(batchSize * sequenceLength);
  const attentionMask = new BigInt64Array(batchSize * sequenceLength);
  sequences.forEach((sequence, b) => {
    sequence.forEach((id, s) => {
      inputIds[b * sequenceLength + s] = BigInt(id);
      attentionMask[b * sequenceLength + s] = 1n;
    });
  });
  return { inputIds, attentionMask, tokenTypeIds: new BigInt64Array(batchSize * sequenceLength), batchSize, sequenceLength };
}
