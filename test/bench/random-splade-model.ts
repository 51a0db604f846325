/**
 * A SPLADE model with random weights written as a model folder, for benchmarks: bert-base-uncased-shaped by default,
 * with the real bert-base-uncased vocabulary (the fixture's tokenizer files), either as a LoRA adapter over a base
 * checkpoint (the real model's layout) or as one sentence-transformers folder with full weights.
 */
import { cp, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Int64Batch } from '../../app/encoder/onnx-runner.js';
import { writeSafetensors, type SafetensorsTensor } from '../../app/encoder/safetensors-writer.js';

export interface BertDims {
  vocab: number;
  hidden: number;
  layers: number;
  heads: number;
  intermediate: number;
  positions: number;
  types: number;
}

/** bert-base-uncased */
export const BERT_BASE: BertDims = { vocab: 30522, hidden: 768, layers: 12, heads: 12, intermediate: 3072, positions: 512, types: 2 };
/** A small model with the same vocabulary (software GPUs, quick checks): head size 32. */
export const BERT_SMALL: BertDims = { vocab: 30522, hidden: 64, layers: 2, heads: 2, intermediate: 128, positions: 512, types: 2 };

/** Deterministic normal samples (xorshift32 + Box-Muller). */
export function randomNormal(count: number, std: number, mean = 0, seed = 1): Float32Array {
  let state = seed >>> 0 || 1;
  const uniform = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return ((state >>> 0) + 0.5) / 4294967296;
  };
  const out = new Float32Array(count);
  for (let i = 0; i < count; i += 2) {
    const r = Math.sqrt(-2 * Math.log(uniform()));
    const t = 2 * Math.PI * uniform();
    out[i] = mean + std * r * Math.cos(t);
    if (i + 1 < count) out[i + 1] = mean + std * r * Math.sin(t);
  }
  return out;
}

/** The fixture's bert-base-uncased tokenizer files: next to this file in the repository, or under the working directory. */
export function fixtureTokenizerFolder(): string {
  const candidates = [fileURLToPath(new URL('../fixtures/splade-tiny/base', import.meta.url)), join(process.cwd(), 'test/fixtures/splade-tiny/base')];
  const found = candidates.find((c) => existsSync(join(c, 'tokenizer.json')));
  if (!found) throw new Error(`cannot find the fixture tokenizer files (looked in ${candidates.join(', ')}); run from the repository root`);
  return found;
}

export interface RandomSpladeModelOptions {
  dims?: BertDims;
  /**
   * A LoRA rank: write `base/` (BertForMaskedLM) and `splade/` (sentence-transformers 5 layout, LoRA on query/value,
   * `base_model_name_or_path` '../base') and return `splade/`. 0 (default): one folder at the root with full weights
   * in the layout sentence-transformers 6 saves, which `SparseEncoder(folder)` in Python loads as it is.
   */
  loraRank?: number;
}

/** The BertForMaskedLM tensors (tied decoder). A small head LayerNorm scale and a negative decoder bias keep the output sparse, as in a trained SPLADE model (~2400 of 30522 dimensions active at bert-base size). */
function bertTensors(dims: BertDims, next: (shape: number[], std: number, mean?: number) => SafetensorsTensor): Record<string, SafetensorsTensor> {
  const { vocab: V, hidden: H, layers: L, intermediate: I } = dims;
  const tensors: Record<string, SafetensorsTensor> = {
    'bert.embeddings.word_embeddings.weight': next([V, H], 0.02),
    'bert.embeddings.position_embeddings.weight': next([dims.positions, H], 0.02),
    'bert.embeddings.token_type_embeddings.weight': next([dims.types, H], 0.02),
    'bert.embeddings.LayerNorm.weight': next([H], 0.05, 1),
    'bert.embeddings.LayerNorm.bias': next([H], 0.05),
  };
  for (let l = 0; l < L; l++) {
    const p = `bert.encoder.layer.${l}`;
    for (const m of ['attention.self.query', 'attention.self.key', 'attention.self.value', 'attention.output.dense']) {
      tensors[`${p}.${m}.weight`] = next([H, H], 0.02);
      tensors[`${p}.${m}.bias`] = next([H], 0.02);
    }
    tensors[`${p}.attention.output.LayerNorm.weight`] = next([H], 0.05, 1);
    tensors[`${p}.attention.output.LayerNorm.bias`] = next([H], 0.05);
    tensors[`${p}.intermediate.dense.weight`] = next([I, H], 0.02);
    tensors[`${p}.intermediate.dense.bias`] = next([I], 0.02);
    tensors[`${p}.output.dense.weight`] = next([H, I], 0.02);
    tensors[`${p}.output.dense.bias`] = next([H], 0.02);
    tensors[`${p}.output.LayerNorm.weight`] = next([H], 0.05, 1);
    tensors[`${p}.output.LayerNorm.bias`] = next([H], 0.05);
  }
  tensors['cls.predictions.transform.dense.weight'] = next([H, H], 0.02);
  tensors['cls.predictions.transform.dense.bias'] = next([H], 0.02);
  tensors['cls.predictions.transform.LayerNorm.weight'] = next([H], 0.02, 0.2);
  tensors['cls.predictions.transform.LayerNorm.bias'] = next([H], 0.02);
  tensors['cls.predictions.bias'] = next([V], 0.08, -0.35);
  return tensors;
}

function bertConfig(dims: BertDims) {
  return {
    architectures: ['BertForMaskedLM'],
    model_type: 'bert',
    vocab_size: dims.vocab,
    hidden_size: dims.hidden,
    num_hidden_layers: dims.layers,
    num_attention_heads: dims.heads,
    intermediate_size: dims.intermediate,
    max_position_embeddings: dims.positions,
    type_vocab_size: dims.types,
    hidden_act: 'gelu',
    layer_norm_eps: 1e-12,
    tie_word_embeddings: true,
  };
}

/** Writes the model under `root` (see `loraRank`) and returns the folder to load. */
export async function writeRandomSpladeModel(root: string, options: RandomSpladeModelOptions = {}): Promise<string> {
  const dims = options.dims ?? BERT_BASE;
  const rank = options.loraRank ?? 0;
  let seed = 1;
  const next = (shape: number[], std: number, mean = 0): SafetensorsTensor => ({
    dtype: 'F32',
    shape,
    data: randomNormal(shape.reduce((a, b) => a * b, 1), std, mean, seed++ * 2654435761),
  });
  const base = rank > 0 ? join(root, 'base') : root;
  const splade = rank > 0 ? join(root, 'splade') : root;
  await mkdir(join(splade, '1_SpladePooling'), { recursive: true });
  await mkdir(base, { recursive: true });
  await writeSafetensors(join(base, 'model.safetensors'), bertTensors(dims, next));
  await writeFile(join(base, 'config.json'), JSON.stringify(bertConfig(dims), null, 2));
  const json = (path: string, value: unknown) => writeFile(join(splade, path), JSON.stringify(value, null, 2));
  if (rank > 0) {
    const adapter: Record<string, SafetensorsTensor> = {};
    for (let l = 0; l < dims.layers; l++) {
      for (const m of ['query', 'value']) {
        const p = `base_model.model.bert.encoder.layer.${l}.attention.self.${m}`;
        adapter[`${p}.lora_A.weight`] = next([rank, dims.hidden], 0.02);
        adapter[`${p}.lora_B.weight`] = next([dims.hidden, rank], 0.005);
      }
    }
    await writeSafetensors(join(splade, 'adapter_model.safetensors'), adapter);
    await json('adapter_config.json', { peft_type: 'LORA', r: rank, lora_alpha: 2 * rank, target_modules: ['query', 'value'], base_model_name_or_path: '../base', bias: 'none' });
  }
  if (rank > 0) {
    // sentence-transformers 5 layout, as the real model on the Hub.
    await json('modules.json', [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.sparse_encoder.models.MLMTransformer' },
      { idx: 1, name: '1', path: '1_SpladePooling', type: 'sentence_transformers.sparse_encoder.models.SpladePooling' },
    ]);
    await json('sentence_bert_config.json', { max_seq_length: 512, do_lower_case: false });
    await json('1_SpladePooling/config.json', { pooling_strategy: 'max', activation_function: 'relu', word_embedding_dimension: dims.vocab });
  } else {
    // What sentence-transformers 6.0.1 itself saves (test/fixtures/splade-tiny/splade-peft), so that it loads as is.
    await json('modules.json', [
      { idx: 0, name: '0', path: '', type: 'sentence_transformers.base.modules.transformer.Transformer' },
      { idx: 1, name: '1', path: '1_SpladePooling', type: 'sentence_transformers.sparse_encoder.modules.splade_pooling.SpladePooling' },
    ]);
    await json('sentence_bert_config.json', { transformer_task: 'fill-mask', modality_config: { text: { method: 'forward', method_output_name: 'logits' } }, module_output_name: 'token_embeddings' });
    await json('1_SpladePooling/config.json', { pooling_strategy: 'max', activation_function: 'relu', embedding_dimension: null });
  }
  await json('config_sentence_transformers.json', { model_type: 'SparseEncoder', prompts: { query: '', document: '' }, default_prompt_name: null, similarity_fn_name: null });
  const tokenizer = fixtureTokenizerFolder();
  for (const file of ['tokenizer.json', 'tokenizer_config.json', 'vocab.txt']) await cp(join(tokenizer, file), join(splade, file));
  return splade;
}

/** A full-mask batch of seeded random token ids ([CLS] ... [SEP]), for timing fixed shapes. */
export function randomTokenBatch(batch: number, seq: number, seed: number): Int64Batch {
  let state = seed;
  const inputIds = new BigInt64Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      state = (state * 1103515245 + 12345) >>> 0;
      inputIds[b * seq + s] = s === 0 ? 101n : s === seq - 1 ? 102n : BigInt(1000 + (state % 29000));
    }
  }
  return { inputIds, attentionMask: new BigInt64Array(batch * seq).fill(1n), tokenTypeIds: new BigInt64Array(batch * seq), batchSize: batch, sequenceLength: seq };
}
