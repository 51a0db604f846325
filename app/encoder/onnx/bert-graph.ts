/**
 * Builds the ONNX graph of a BERT masked-LM with SPLADE pooling from its weights: embeddings, encoder layers, MLM
 * head, then pooling over tokens inside the graph so that only `[batch, vocab]` leaves the runtime.
 */
import type { BertWeights } from '../bert-weights.js';
import type { FloatPrecision } from '../precision.js';
import type { SpladePoolingConfig } from '../splade-pooling.js';
import { buildAttentionBlock, buildAttentionMask } from './bert/attention.js';
import { buildDecoder } from './bert/decoder.js';
import { buildEmbeddings } from './bert/embeddings.js';
import { FeedForwardBuilder } from './bert/feed-forward.js';
import { BertGraphContext, MS } from './bert/graph-context.js';
import type { OnnxModel } from './onnx-proto.js';

/** 'fused': onnxruntime contrib operators (Attention, SkipLayerNormalization, BiasGelu); 'plain': standard ONNX only. */
export type AttentionKind = 'fused' | 'plain';
/**
 * The execution provider the graph is shaped for. 'cpu' (also right for CUDA): the CPU provider's Attention with a
 * `mask_index`. 'webgpu': what onnxruntime's WebGPU provider runs on the GPU (see `WebGpuGraphTuning`).
 */
export type GraphTarget = 'cpu' | 'webgpu';

/** Choices in the WebGPU graph that only measurements on real GPUs decide; the defaults are the measured best. */
export interface WebGpuGraphTuning {
  /**
   * Fused attention operator, both fed an additive `attention_bias` [batch, 1, seq, seq] for padding (the WebGPU
   * provider implements neither `mask_index` nor `key_padding_mask`), both running onnxruntime's flash attention:
   * 'attention': com.microsoft Attention (the QKV projection inside the operator); 'mha': one QKV MatMul + Add + Split,
   * then com.microsoft MultiHeadAttention. Default 'attention'.
   */
  attentionOp?: 'attention' | 'mha';
  /**
   * The vocabulary decoder (max pooling): 'matmul-t' computes the transposed logits [batch, Vp, seq] (so that the max
   * runs over the last axis, which the provider reduces without first transposing; vectorized when the sequence
   * length is a multiple of 4), Vp being the vocabulary padded with zero rows to a multiple of `vocabMultiple`;
   * 'matmul' multiplies by a transposed copy [H, Vp] of the table (30522 is not a multiple of 4, which rules out the
   * provider's vectorized MatMul) and reduces [batch, seq, Vp] over axis 1; 'gemm' uses Gemm with transB on the
   * shared table, as the CPU graph does. Default 'matmul-t' (H200: 392 sequences/s at 32 x 256, 'matmul' 332).
   */
  decoder?: 'matmul' | 'matmul-t' | 'gemm';
  /** Default 64. */
  vocabMultiple?: number;
  /**
   * 'matmul-t' only: the vocabulary in this many pieces, each its own MatMul and max (then concatenated), so that no
   * logits tensor exceeds what onnxruntime's buffer cache keeps between runs (its largest bucket is 160 MB; a
   * [8192 tokens, 30528] float16 logits tensor is 500 MB, allocated and freed on every run). Default
   * `defaultDecoderChunks`: 4 in float16 (H200, 32 x 256: 452 sequences/s, one chunk 384), 8 with float32 logits
   * (fp32: 335, one chunk 268); same numbers either way.
   */
  decoderChunks?: number;
  /**
   * 'int32': `input_ids` and `attention_mask` int32 and no `token_type_ids` (the type-0 embedding is folded into the
   * position table): every int64 operation of the int64 form (casts of the mask, the position range) runs on the CPU
   * provider and is uploaded on each run, since the WebGPU provider has no int64 by default; here only the two inputs
   * are uploaded and all else runs on the GPU. 'int64': the inputs of exported models. Default 'int32'.
   */
  inputs?: 'int32' | 'int64';
  /**
   * Float16 graphs only: run the MLM head and the decoder in float32 (the encoder layers stay float16), for
   * precision at the cost of a float32 decoder: the decoder's float16 sums hold about half of the float16 error (see
   * test/bench/RESULTS.md). Float32 logits are 1 GB at 8192 tokens, hence 8 vocabulary chunks by default. Default false.
   */
  float32Head?: boolean;
  /**
   * The feed-forward block as this many groups of intermediate columns, summed (exactly the FFN, see the builder):
   * float16 precision for a little more GPU work (each down-projection sum runs over 3072/n terms instead of 3072;
   * the intermediate bias and GELU become two operators instead of BiasGelu, plus a ReduceSum). Default 1.
   */
  ffnSplit?: number;
}

export interface BertGraphOptions {
  /** Weights and compute type; inputs and outputs stay int64 / float32 either way. Default 'fp32'. */
  precision?: FloatPrecision;
  /** Default 'fused'. */
  attention?: AttentionKind;
  /** Pooling inside the graph, or 'none' for a plain masked-LM graph with a `logits` output. */
  pooling: SpladePoolingConfig | 'none';
  /** Default 'cpu'. */
  target?: GraphTarget;
  /** Only read when `target` is 'webgpu'. */
  webgpu?: WebGpuGraphTuning;
}

/** Bumped whenever the graph this module builds changes, so that cached graphs are rebuilt. */
export const BERT_GRAPH_VERSION = '1';
/** Version of the WebGPU form of the graph (part of the cache key of WebGPU graphs only). */
export const WEBGPU_GRAPH_VERSION = '3';

/**
 * Vocabulary chunks of the WebGPU decoder when `decoderChunks` is not given: each chunk's logits at 8192 tokens stay
 * under onnxruntime's largest cached buffer (4 chunks of float16 logits, 8 of float32). Measured on an H200 at
 * 32 x 256 (test/bench/RESULTS.md): fp16 384 -> 452 sequences/s with 4 chunks, fp32 268 -> 335 with 8.
 */
export function defaultDecoderChunks(precision: FloatPrecision, float32Head = false): number {
  return precision === 'fp32' || float32Head ? 8 : 4;
}

const OPSET = 17;

/**
 * The whole graph: embeddings, then per layer an attention block and a feed-forward block, then the MLM head and
 * the pooled decoder (./bert/: one builder per part, sharing a BertGraphContext). The builders are called in the
 * order their nodes appear in the file; cached graphs depend on that order (see BERT_GRAPH_VERSION).
 */
export function buildBertGraph(weights: BertWeights, options: BertGraphOptions): OnnxModel {
  const precision = options.precision ?? 'fp32';
  const decoderChunks = defaultDecoderChunks(precision, options.webgpu?.float32Head === true);
  const tuning = { attentionOp: 'attention', decoder: 'matmul-t', vocabMultiple: 64, decoderChunks, inputs: 'int32', ffnSplit: 1, float32Head: false, ...options.webgpu } satisfies WebGpuGraphTuning;
  const ctx = new BertGraphContext(weights.config, precision, options.attention ?? 'fused', options.target ?? 'cpu', tuning);

  const embeddings = buildEmbeddings(ctx, weights);
  const feedForward = new FeedForwardBuilder(ctx);
  const mask = buildAttentionMask(ctx, embeddings.mask);
  let x = embeddings.hidden;
  weights.layers.forEach((w, l) => {
    const p = `layer${l}`;
    x = feedForward.build(buildAttentionBlock(ctx, x, w, p, mask), w, p);
  });
  buildDecoder(ctx, weights, x, embeddings, options.pooling);

  return {
    irVersion: 8,
    opsetImports: [
      { domain: '', version: OPSET },
      { domain: MS, version: 1 },
    ],
    producerName: 'splade-search',
    producerVersion: BERT_GRAPH_VERSION,
    graph: ctx.g.graph(),
  };
}
