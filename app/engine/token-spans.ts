/** Token spans of whole texts (no truncation) with the model's tokenizer, for the passage splitter. */
import type { SparseEncoder } from '../encoder/index.js';
import { BertTokenizer } from '../encoder/tokenizer/index.js';
import { codePointToUtf16 } from './text-tokens.js';

/** UTF-16 `[start, end)` of every word piece of a text, as the encoder tokenizes it but without its length limit. */
export async function tokenSpansOf(encoder: SparseEncoder): Promise<(text: string) => Array<[number, number]>> {
  const tokenizer = await BertTokenizer.fromFolder(encoder.model.tokenizerFolder, { maxLength: Number.MAX_SAFE_INTEGER });
  const lower = encoder.model.doLowerCase;
  return (text: string) => {
    const lowered = lower ? text.toLowerCase() : text;
    const encoding = tokenizer.encode(lowered.length === text.length ? lowered : text);
    const map = codePointToUtf16(text);
    const spans: Array<[number, number]> = [];
    for (let i = 1; i < encoding.offsets.length - 1; i++) {
      const [from, to] = encoding.offsets[i]!;
      spans.push([map[Math.min(from, map.length - 1)]!, map[Math.min(to, map.length - 1)]!]);
    }
    return spans;
  };
}
