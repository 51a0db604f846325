/** The encoder facade: text in, SPLADE sparse vectors out, with inference in a worker thread. */
import { EncoderSession, type WorkerStats } from './encoder-session.js';
import type { Device, ExecutionChoice } from './execution-providers.js';
import { readModelFolder, type ModelFolderOptions, type SpladeModelFolder } from './model-folder.js';
import { PRECISIONS, type PrecisionSetting } from './precision.js';
import type { OnnxBuildOptions, PreparedOnnxModel } from './prepare-onnx-model.js';
import { dot, type SparseVector } from '../sparse/sparse-vector.js';
import { selectMaxActiveDims, topEntries } from './sparse-vector.js';
import { BertTokenizer, padBatch } from './tokenizer/index.js';
import { EncoderError } from './encoder-error.js';

/** The precision option: 'auto' (the default) is float16 on WebGPU and float32 on every other provider. */

export interface SparseEncoderOptions extends ModelFolderOptions, Omit<OnnxBuildOptions, 'precision'> {
  /**
   * Compute precision of the graph: 'auto' (default) float16 on WebGPU (about twice as fast; weights within ~2-3% of the
   * largest weight of a vector, see test/bench/RESULTS.md) and float32 elsewhere; 'fp32' exact on every provider
   * (within 1e-5 of sentence-transformers); 'fp16' float16 on every provider (the CPU provider runs it too, slower
   * than float32); 'int8' on the CPU provider only (device 'auto' then means 'cpu'): weight products in int8 with
   * onnxruntime's VNNI / AMX kernels, 2.7x the float32 speed on a 16-core Xeon with AMX, weights within ~3% of the
   * largest weight of a vector and similarities within ~0.2% (test/bench/RESULTS.md). What is in use:
   * `executionProvider.precision`.
   */
  precision?: PrecisionSetting;
  /** Execution provider; 'auto' (default) tries the platform's GPU providers first (see app/onnxruntime). */
  device?: Device;
  /** onnxruntime intra-op threads; default: available cores. */
  threads?: number;
  /** Let onnxruntime's threads spin between operators (faster, but uses idle CPU). Default false. */
  allowSpinning?: boolean;
  /** Texts per onnxruntime run. Default 32, as sentence-transformers. */
  batchSize?: number;
  /**
   * Most tokens (texts × padded length) per run; a batch of long texts holds fewer texts. Default: unlimited on the
   * CPU and CUDA, `WEBGPU_MAX_BATCH_TOKENS` on WebGPU.
   */
  maxBatchTokens?: number;
  /** Keep only the k largest weights of each vector (sentence-transformers' max_active_dims). */
  maxActiveDims?: number;
}

/** Texts tokenized at a time, in batches: a window is sorted by token count before it is cut into batches. */
export const TOKENIZE_WINDOW_BATCHES = 4;
/** Batches sent to the worker and not yet returned, at most: one running, the others queued behind it. */
export const BATCHES_IN_FLIGHT = 4;
/**
 * Tokens per batch on WebGPU: the decoder's [tokens, 30528] float16 logits then take at most 500 MB. WebGPU devices
 * bound each storage-buffer binding (128 MiB by default, the limit Mesa's lavapipe keeps), onnxruntime splits a larger
 * tensor into several bindings, and one kernel may use at most 16: 32 texts of 512 tokens (1 GB of logits) fail there.
 */
export const WEBGPU_MAX_BATCH_TOKENS = 8192;

export interface EncodeOptions {
  /** Overrides the encoder's `maxActiveDims` for this call. */
  maxActiveDims?: number;
}

export class SparseEncoder {
  private constructor(
    /** What was read from the model folder (layout, pooling, prompts, max length...). */
    readonly model: SpladeModelFolder,
    readonly tokenizer: BertTokenizer,
    private readonly session: EncoderSession,
    private readonly batchSize: number,
    private readonly maxActiveDims: number | undefined,
    private readonly maxBatchTokens: number,
  ) {}

  /** Loads a model folder (or Hub id, with `resolveModelSource`), building or reusing its cached ONNX graph. */
  static async load(modelPathOrId: string, options: SparseEncoderOptions = {}): Promise<SparseEncoder> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new EncoderError('invalid-option', `batch size ${batchSize} is not a positive integer`);
    if (options.maxActiveDims !== undefined && (!Number.isSafeInteger(options.maxActiveDims) || options.maxActiveDims < 1)) {
      throw new EncoderError('invalid-option', `maxActiveDims ${options.maxActiveDims} is not a positive integer`);
    }
    if (options.maxBatchTokens !== undefined && (!Number.isSafeInteger(options.maxBatchTokens) || options.maxBatchTokens < 1)) {
      throw new EncoderError('invalid-option', `maxBatchTokens ${options.maxBatchTokens} is not a positive integer`);
    }
    if (options.precision !== undefined && !PRECISIONS.includes(options.precision)) {
      throw new EncoderError('invalid-option', `precision "${String(options.precision)}" is not one of ${PRECISIONS.join(', ')}`);
    }
    let device = options.device ?? 'auto';
    if (options.precision === 'int8') {
      if (device !== 'auto' && device !== 'cpu') throw new EncoderError('precision-unsupported', `precision int8 runs on the CPU provider only; device "${device}" was asked for (use device cpu or auto, or precision fp16/fp32 on ${device})`);
      device = 'cpu';
    }
    const model = await readModelFolder(modelPathOrId, options);
    const tokenizer = await BertTokenizer.fromFolder(model.tokenizerFolder, { maxLength: model.maxSeqLength });
    if (tokenizer.vocabSize > model.vocabSize) {
      throw new EncoderError('model-invalid', `the tokenizer in ${model.tokenizerFolder} has ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${model.vocabSize}`);
    }
    const build: OnnxBuildOptions = {};
    if (options.precision && options.precision !== 'auto') build.precision = options.precision;
    if (options.webgpu) build.webgpu = options.webgpu;
    if (options.attention) build.attention = options.attention;
    if (options.cacheDir) build.cacheDir = options.cacheDir;
    const session = await EncoderSession.start(model, build, {
      device,
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.allowSpinning !== undefined ? { allowSpinning: options.allowSpinning } : {}),
    });
    const maxBatchTokens = options.maxBatchTokens ?? (session.choice.provider === 'webgpu' ? WEBGPU_MAX_BATCH_TOKENS : Infinity);
    return new SparseEncoder(model, tokenizer, session, batchSize, options.maxActiveDims, maxBatchTokens);
  }

  /** Which execution provider runs the model and in which precision, what was requested, and why any fallback happened. */
  get executionProvider(): ExecutionChoice {
    return this.session.choice;
  }

  /** The ONNX file in use and whether it came from the cache. */
  get onnxModel(): PreparedOnnxModel {
    return this.session.prepared;
  }

  /**
   * Totals since load: batches, seconds the worker spent in onnxruntime's run, and between runs (its own overhead, and
   * waiting for batches): `starvedSeconds` near 0 during an `encode` means this thread always kept a batch queued.
   */
  get workerStats(): Readonly<WorkerStats> {
    return { ...this.session.stats };
  }

  /** onnxruntime intra-op threads in use. */
  get threads(): number {
    return this.session.threads;
  }

  /** Output dimensionality (the vocabulary size). */
  get dimensions(): number {
    return this.model.vocabSize;
  }

  /**
   * Encodes texts with `prompt` prepended (no separator), in batches of similar length, results in input order.
   * Texts longer than the model's maximum are truncated; empty texts give the vector of `[CLS] [SEP]`.
   *
   * Texts are taken longest first (by characters) and tokenized a window of `TOKENIZE_WINDOW_BATCHES` batches at a
   * time; each window is sorted by token count and cut into batches. A batch is sent as soon as it exists, so the
   * worker starts on the first one while the next are being tokenized, and up to `BATCHES_IN_FLIGHT` batches are
   * queued in the worker at any time so that it runs them back to back (the device never waits for this thread).
   */
  async encode(texts: readonly string[], options: EncodeOptions & { prompt?: string } = {}): Promise<SparseVector[]> {
    const prompt = options.prompt ?? this.model.defaultPrompt;
    const maxActiveDims = options.maxActiveDims ?? this.maxActiveDims;
    const tokenize = (text: string) => this.tokenizer.encodeIds(this.model.doLowerCase ? (prompt + text).toLowerCase() : prompt + text);
    const byLength = texts.map((_, i) => i).sort((a, b) => texts[b]!.length - texts[a]!.length || a - b);
    const results = new Array<SparseVector>(texts.length);
    const runs: Promise<void>[] = [];
    const inFlight = new Set<Promise<void>>();
    let failure: unknown;
    const window = this.batchSize * TOKENIZE_WINDOW_BATCHES;
    for (let start = 0; start < byLength.length && failure === undefined; start += window) {
      const positions = byLength.slice(start, start + window);
      const sequences = new Map(positions.map((p) => [p, tokenize(texts[p]!)]));
      // Longest first, stable, so that each batch holds texts of similar length (little padding).
      positions.sort((a, b) => sequences.get(b)!.length - sequences.get(a)!.length || a - b);
      for (let offset = 0; offset < positions.length && failure === undefined; ) {
        while (inFlight.size >= BATCHES_IN_FLIGHT) await Promise.race(inFlight);
        if (failure !== undefined) break;
        // The first text is the longest of the batch (sorted), so it sets the padded length.
        const fit = Math.floor(this.maxBatchTokens / sequences.get(positions[offset]!)!.length);
        const batch = positions.slice(offset, offset + Math.max(1, Math.min(this.batchSize, fit)));
        offset += batch.length;
        const run = this.session.run(padBatch(batch.map((p) => sequences.get(p)!))).then((rows) => {
          rows.forEach((row, i) => (results[batch[i]!] = maxActiveDims ? selectMaxActiveDims(row, maxActiveDims) : row));
        });
        const settled: Promise<void> = run.then(
          () => void inFlight.delete(settled),
          (error: unknown) => {
            failure ??= error;
            inFlight.delete(settled);
          },
        );
        inFlight.add(settled);
        runs.push(run);
      }
    }
    await Promise.allSettled(runs);
    if (failure !== undefined) throw failure;
    return results;
  }

  /** Encodes queries with the model's query prompt (sentence-transformers' `encode_query`). */
  encodeQuery(texts: readonly string[], options?: EncodeOptions): Promise<SparseVector[]> {
    return this.encode(texts, { ...options, prompt: this.model.queryPrompt });
  }

  /** Encodes documents with the model's document prompt (sentence-transformers' `encode_document`). */
  encodeDocument(texts: readonly string[], options?: EncodeOptions): Promise<SparseVector[]> {
    return this.encode(texts, { ...options, prompt: this.model.documentPrompt });
  }

  /** `[token, weight]` by weight descending (ties: lower token id first), at most `topK`. */
  decode(vector: SparseVector, topK?: number): Array<[string, number]> {
    return topEntries(vector, topK).map(([id, weight]) => [this.tokenizer.idToToken(id) ?? `[${id}]`, weight]);
  }

  /** The model's similarity function: the dot product. */
  similarity(a: SparseVector, b: SparseVector): number {
    return dot(a, b);
  }

  /** Stops the worker thread; the encoder cannot be used afterwards. */
  dispose(): Promise<void> {
    return this.session.dispose();
  }
}
