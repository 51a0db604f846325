/** The graph's inputs and BERT's embeddings: word + token type + position, then LayerNorm. */
import type { BertWeights } from '../../bert-weights.js';
import { intAttr } from '../graph-builder.js';
import { DataType } from '../onnx-proto.js';
import type { BertGraphContext } from './graph-context.js';

export interface EmbeddingsOutput {
  /** The `attention_mask` input. */
  mask: string;
  /** The word embedding table, which a tied decoder reuses. */
  wordTable: string;
  /** The normalised embeddings `[batch, sequence, hidden]`. */
  hidden: string;
}

/**
 * Adds the inputs — int64 `input_ids`, `attention_mask`, `token_type_ids` as exported models take them, or int32
 * `input_ids` and `attention_mask` only in the WebGPU form (see WebGpuGraphTuning.inputs) — and the embeddings.
 * Sets `ctx.idsShape`.
 */
export function buildEmbeddings(ctx: BertGraphContext, weights: BertWeights): EmbeddingsOutput {
  const { g, cfg, H, V } = ctx;
  const int32Inputs = ctx.target === 'webgpu' && ctx.tuning.inputs === 'int32';
  const ids = g.input('input_ids', int32Inputs ? DataType.INT32 : DataType.INT64, ['batch', 'sequence']);
  const mask = g.input('attention_mask', int32Inputs ? DataType.INT32 : DataType.INT64, ['batch', 'sequence']);
  const types = int32Inputs ? undefined : g.input('token_type_ids', DataType.INT64, ['batch', 'sequence']);

  const wordTable = ctx.weight('word_embeddings', [V, H], weights.wordEmbeddings);
  const word = g.op('Gather', [wordTable, ids], { name: 'word' });
  let embeddingSum: string;
  if (types) {
    // (word + token type) + position, the order of BertEmbeddings.
    const typeTable = ctx.weight('token_type_embeddings', [cfg.typeVocabSize, H], weights.tokenTypeEmbeddings);
    const tokenType = g.op('Gather', [typeTable, types], { name: 'token_type' });
    ctx.idsShape = g.op('Shape', [ids], { name: 'ids_shape' });
    const seqLen = g.op('Gather', [ctx.idsShape, g.int64('one', [], [1])], { name: 'seq_len', attributes: [intAttr('axis', 0)] });
    const positions = g.op('Range', [g.int64('zero', [], [0]), seqLen, g.int64('step', [], [1])], { name: 'positions' });
    const positionTable = ctx.weight('position_embeddings', [cfg.maxPositionEmbeddings, H], weights.positionEmbeddings);
    const position = g.op('Gather', [positionTable, positions], { name: 'position' });
    embeddingSum = g.op('Add', [g.op('Add', [word, tokenType]), position], { name: 'embedding_sum' });
  } else {
    // No token types (single texts are type 0 throughout): word + (position + type 0), the type-0 row added to the
    // position table here (summed in float32), its first `sequence` rows sliced off (shape arithmetic stays on the CPU,
    // nothing is uploaded but the ids and the mask).
    const P = cfg.maxPositionEmbeddings;
    const table = new Float32Array(P * H);
    for (let i = 0; i < P * H; i++) table[i] = weights.positionEmbeddings[i]! + weights.tokenTypeEmbeddings[i % H]!;
    ctx.idsShape = g.op('Shape', [ids], { name: 'ids_shape' });
    const seqEnd = g.op('Slice', [ctx.idsShape, g.int64('seq_dim.start', [1], [1]), g.int64('seq_dim.end', [1], [2])], { name: 'seq_dim' });
    const position = g.op('Slice', [ctx.weight('position_type0_embeddings', [P, H], table), g.int64('position.start', [1], [0]), seqEnd, g.int64('position.axis', [1], [0])], { name: 'position' });
    embeddingSum = g.op('Add', [word, position], { name: 'embedding_sum' });
  }
  const hidden = ctx.layerNorm(embeddingSum, weights.embeddingNorm.gamma, weights.embeddingNorm.beta, 'embeddings_norm');
  return { mask, wordTable, hidden };
}
