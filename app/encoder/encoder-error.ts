/** EncoderError: every failure the encoder raises on purpose, with a closed `code` and a message that names the file or option and what to do. */

/** What went wrong, for callers that react differently (the UI offers a folder picker on `model-not-found`, another model on `model-unsupported`). */
export type EncoderErrorCode =
  /** The model folder (or a file it needs: weights, config, tokenizer, adapter) does not exist, or a Hub id was given with no resolver to download it. Pick another folder, or download the model. */
  | 'model-not-found'
  /** A file of the model is damaged: not valid JSON, a truncated or malformed safetensors or ONNX file, a tensor of the wrong shape. Download the model again. */
  | 'model-invalid'
  /** The model is intact but not one this encoder runs: not a BERT masked-LM SPLADE model, an unsupported pooling, adapter or prompt setting. Choose another model. */
  | 'model-unsupported'
  /** tokenizer.json / tokenizer_config.json is missing, malformed or not a BERT WordPiece tokenizer. Download the model again or choose another. */
  | 'tokenizer-invalid'
  /** An option of load/encode is out of range (batch size, maxActiveDims, maxBatchTokens, precision name, graph tuning): a bug in the caller, or a bad setting to correct. */
  | 'invalid-option'
  /** The precision asked for cannot run as asked: int8 on a GPU device or with a ready-made ONNX export. Use precision auto, or device cpu. */
  | 'precision-unsupported'
  /** onnxruntime failed while encoding a batch, or the encoder's worker thread died. Retry; if it persists, report it with the message. */
  | 'encode-failed'
  /** The encoder was disposed; load it again. */
  | 'encoder-closed';

export class EncoderError extends Error {
  override name = 'EncoderError' as const;
  constructor(
    readonly code: EncoderErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for an EncoderError, also across realms and worker threads (compares `name`, not only `instanceof`), optionally of one code. */
export function isEncoderError(error: unknown, code?: EncoderErrorCode): error is EncoderError {
  const named = error instanceof EncoderError || (error as { name?: unknown } | null)?.name === 'EncoderError';
  return named && (code === undefined || (error as EncoderError).code === code);
}
