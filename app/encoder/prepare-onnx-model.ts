/** Produces the ONNX file the runtime loads for a model folder: from the cache, or built and cached. */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { loadBertWeights } from './model-weights.js';
import type { SpladeModelFolder } from './model-folder.js';
import { BERT_GRAPH_VERSION, buildBertGraph, WEBGPU_GRAPH_VERSION, type AttentionKind, type GraphTarget, type WebGpuGraphTuning } from './onnx/bert-graph.js';
import type { Precision } from './precision.js';
import { addPoolingToExport } from './onnx/export-pooling.js';
import { encodeModel } from './onnx/onnx-proto.js';
import { CPU_INT8_VERSION, quantizeForCpu } from './onnx/quantize-weights.js';
import { POOLED_LOGITS_OUTPUT, SPARSE_WEIGHTS_OUTPUT } from './onnx/pooling-nodes.js';
import { defaultOnnxCacheDir, hashFile, OnnxCache } from './onnx-cache.js';
import { describeFile } from './read-json.js';
import { EncoderError } from './encoder-error.js';

/**
 * The precision of a prepared graph: the builder's compute type ('fp32', 'fp16'), or 'int8': the float32 graph with
 * its weight products rewritten to onnxruntime's int8 CPU kernels (app/encoder/onnx/quantize-weights.ts), for the
 * CPU provider only.
 */

export interface OnnxBuildOptions {
  /** Default 'fp32'. fp16 is meant for GPU providers, int8 for the CPU provider (target 'cpu'). */
  precision?: Precision;
  /** Default 'fused' (onnxruntime contrib operators). */
  attention?: AttentionKind;
  /** The provider the graph is shaped for; default 'cpu'. The encoder sets it from the provider it tries. */
  target?: GraphTarget;
  /** Measurement knobs of the WebGPU graph (benchmarks); the defaults are the best measured. */
  webgpu?: WebGpuGraphTuning;
  /** Where built graphs are kept; default `defaultOnnxCacheDir()`. */
  cacheDir?: string;
}

export interface PreparedOnnxModel {
  path: string;
  /** Whether the file came from the cache (true) or was built now (false). */
  fromCache: boolean;
  key: string;
  /** `pooled_logits` (apply the activation to each value) or `sparse_weights` (final weights). */
  outputName: typeof POOLED_LOGITS_OUTPUT | typeof SPARSE_WEIGHTS_OUTPUT;
  /** External data files of a ready-made export: `location` as written in the model, `file` the absolute path. */
  externalData: Array<{ location: string; file: string }>;
}

/** Version of everything besides the BERT builder that shapes the cached file (pooling appended to exports). */
const EXPORT_POOLING_VERSION = '1';

function outputFor(model: SpladeModelFolder): PreparedOnnxModel['outputName'] {
  return model.pooling.strategy === 'max' ? POOLED_LOGITS_OUTPUT : SPARSE_WEIGHTS_OUTPUT;
}

/** The cache key: a hash of every input of the build (file contents, configuration, builder version, options). */
async function cacheKey(model: SpladeModelFolder, options: OnnxBuildOptions): Promise<string> {
  const parts: Record<string, unknown> = { pooling: model.pooling };
  if (model.weights.format === 'safetensors') {
    parts.builder = BERT_GRAPH_VERSION;
    parts.precision = options.precision ?? 'fp32';
    if (options.precision === 'int8') parts.int8 = CPU_INT8_VERSION;
    parts.attention = options.attention ?? 'fused';
    // Absent for the CPU form, so that its cache keys stay what they were before WebGPU graphs existed.
    if ((options.target ?? 'cpu') !== 'cpu') parts.target = { target: options.target, version: WEBGPU_GRAPH_VERSION, tuning: options.webgpu ?? {} };
    parts.config = model.weights.bertConfig;
    parts.weights = await Promise.all(model.weights.files.map(hashFile));
    if (model.adapter) {
      const { config } = model.adapter;
      parts.adapter = {
        weights: await hashFile(model.adapter.weightsPath),
        r: config.r,
        alpha: config.loraAlpha,
        rslora: config.useRslora,
        targets: String(config.targetModules instanceof RegExp ? config.targetModules.source : JSON.stringify(config.targetModules)),
        exclude: String(config.excludeModules instanceof RegExp ? config.excludeModules.source : JSON.stringify(config.excludeModules ?? null)),
      };
    }
  } else {
    parts.exportPooling = EXPORT_POOLING_VERSION;
    parts.export = await hashFile(model.weights.path);
  }
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 40);
}

/** Returns a cached, verified ONNX file for `model`, building and caching it first when needed. */
export async function prepareOnnxModel(model: SpladeModelFolder, options: OnnxBuildOptions = {}): Promise<PreparedOnnxModel> {
  if (options.precision === 'int8') {
    if (model.weights.format !== 'safetensors') {
      throw new EncoderError('precision-unsupported', `precision int8 needs safetensors weights; ${describeFile(model.weights.path)} is a ready-made ONNX export, which runs in fp32 (use precision fp32 or auto)`);
    }
    if ((options.target ?? 'cpu') !== 'cpu') throw new EncoderError('precision-unsupported', `precision int8 is for the CPU provider's graph, not the ${options.target} graph`);
  }
  const cache = new OnnxCache(options.cacheDir ?? defaultOnnxCacheDir());
  const key = await cacheKey(model, options);
  const cached = await cache.get(key);
  if (cached) {
    const info = cached.meta.info as Pick<PreparedOnnxModel, 'outputName' | 'externalData'>;
    return { path: cached.path, fromCache: true, key, outputName: info.outputName, externalData: info.externalData ?? [] };
  }
  let chunks: Uint8Array[];
  let externalData: PreparedOnnxModel['externalData'] = [];
  if (model.weights.format === 'safetensors') {
    const { weights } = await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter);
    // int8: the float32 graph, then its weight products rewritten.
    const { precision } = options;
    const built = buildBertGraph(weights, { pooling: model.pooling, precision: precision === 'int8' ? 'fp32' : precision, attention: options.attention, target: options.target, webgpu: options.webgpu });
    const onnx = precision === 'int8' ? quantizeForCpu(built).model : built;
    onnx.metadata = { 'splade.source': model.folder, 'splade.pooling': JSON.stringify(model.pooling) };
    chunks = encodeModel(onnx).toChunks();
  } else {
    const path = model.weights.path;
    const pooled = addPoolingToExport(await readFile(path), model.pooling, describeFile(path));
    chunks = pooled.chunks;
    externalData = pooled.externalDataLocations.map((location) => ({ location, file: join(dirname(path), location) }));
  }
  const outputName = outputFor(model);
  const entry = await cache.put(key, chunks, { outputName, externalData, source: model.folder });
  return { path: entry.path, fromCache: false, key, outputName, externalData };
}
