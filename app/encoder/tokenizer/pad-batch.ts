/** Right-padding of token id sequences into the int64 tensors the encoder graph takes. */

export interface TokenBatch {
  inputIds: BigInt64Array;
  attentionMask: BigInt64Array;
  tokenTypeIds: BigInt64Array;
  batchSize: number;
  sequenceLength: number;
}

/**
 * Packs `sequences` row-major into `[batchSize, sequenceLength]` tensors, `sequenceLength` being the longest
 * sequence: ids right-padded with 0 ([PAD]), attention mask 1 on tokens and 0 on padding, token types all 0.
 */
export function padBatch(sequences: number[][]): TokenBatch {
  const batchSize = sequences.length;
  let sequenceLength = 0;
  for (const sequence of sequences) sequenceLength = Math.max(sequenceLength, sequence.length);
  const size = batchSize * sequenceLength;
  const inputIds = new BigInt64Array(size);
  const attentionMask = new BigInt64Array(size);
  const tokenTypeIds = new BigInt64Array(size);
  for (let b = 0; b < batchSize; b++) {
    const sequence = sequences[b]!;
    const row = b * sequenceLength;
    for (let s = 0; s < sequence.length; s++) {
      inputIds[row + s] = BigInt(sequence[s]!);
      attentionMask[row + s] = 1n;
    }
  }
  return { inputIds, attentionMask, tokenTypeIds, batchSize, sequenceLength };
}
