/**
 * The encoder's public surface: load a SPLADE model folder, encode texts to sparse vectors, explain them.
 *
 * ```ts
 * const encoder = await SparseEncoder.load('path/to/model', { device: 'auto', resolveModelSource: createModelSourceResolver() });
 * const [query] = await encoder.encodeQuery(['how do stars form?']);
 * encoder.decode(query, 10); // [['stars', 2.1], ['formation', 1.7], ...]
 * await encoder.dispose();
 * ```
 *
 * Failures are EncoderErrors (codes in encoder-error.ts) or, when no execution provider can run the model,
 * OnnxRuntimeErrors (app/onnxruntime).
 */
export { SparseEncoder, type EncodeOptions, type SparseEncoderOptions } from './sparse-encoder.js';
export { PRECISIONS, type Precision, type PrecisionSetting } from './precision.js';
export { DEVICES, type Device, type ExecutionChoice } from './execution-providers.js';
export { defaultOnnxCacheDir } from './onnx-cache.js';
export { EncoderError, isEncoderError, type EncoderErrorCode } from './encoder-error.js';
export type { SparseVector } from '../sparse/sparse-vector.js';
