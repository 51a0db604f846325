/** The encoder's public surface: load a SPLADE model folder, encode texts to sparse vectors, explain them. */
export { PRECISIONS, SparseEncoder, type EncodeOptions, type PrecisionSetting, type SparseEncoderOptions } from './sparse-encoder.js';
export { dot, type SparseVector } from '../sparse/sparse-vector.js';
export { selectMaxActiveDims, topEntries } from './sparse-vector.js';
export { DEVICES, type Device, type ExecutionChoice, type ProviderChoice } from './execution-providers.js';
export { readModelFolder, looksLikeHubId, type ModelFolderOptions, type ModelSourceResolver, type SpladeModelFolder } from './model-folder.js';
export { defaultOnnxCacheDir } from './onnx-cache.js';
export type { ModelPrecision, OnnxBuildOptions, PreparedOnnxModel } from './prepare-onnx-model.js';
export type { AttentionKind, Precision, WebGpuGraphTuning } from './onnx/bert-graph.js';
