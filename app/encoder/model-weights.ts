/** Loads a model folder's BERT weights, with its LoRA adapter (if any) merged in. */
import { basename, dirname } from 'node:path';
import { readBertWeights, TensorSource, type BertWeights } from './bert-weights.js';
import { mergeLoraAdapter } from './lora-adapter.js';
import type { BertConfig } from './bert-config.js';
import type { LoraAdapterSource } from './model-folder.js';
import { SafetensorsFile } from './safetensors.js';

function describeFiles(files: string[]): string {
  const names = files.map((f) => basename(f)).join(', ');
  return `${names} in ${dirname(files[0]!)}`;
}

/** Reads `files` (one checkpoint, possibly sharded) and merges `adapter` into it. */
export async function loadBertWeights(
  files: string[],
  config: BertConfig,
  adapter: LoraAdapterSource | undefined,
): Promise<{ weights: BertWeights; mergedModules: string[] }> {
  const checkpoint = new TensorSource(await Promise.all(files.map((f) => SafetensorsFile.read(f))), describeFiles(files));
  const weights = readBertWeights(checkpoint, config);
  if (!adapter) return { weights, mergedModules: [] };
  const adapterSource = new TensorSource([await SafetensorsFile.read(adapter.weightsPath)], describeFiles([adapter.weightsPath]));
  return { weights, mergedModules: mergeLoraAdapter(weights, adapter.config, adapterSource) };
}
