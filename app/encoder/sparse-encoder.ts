/** The encoder facade: text in, SPLADE sparse vectors out, with inference in a worker thread. */
import { EncoderSession } from './encoder-session.js';
import type { Device, ProviderChoice } from './execution-providers.js';
import { readModelFolder, type ModelFolderOptions, type SpladeModelFolder } from './model-folder.js';
import type { OnnxBuildOptions, PreparedOnnxModel } from './prepare-onnx-model.js';
import { dot, selectMaxActiveDims, topEntries, type SparseVector } from './sparse-vector.js';
import { BertTokenizer, padBatch } from './tokenizer/index.js';

export interface SparseEncoderOptions extends ModelFolderOptions, OnnxBuildOptions {
  /** Execution provider; 'auto' (default) tries the platform's GPU providers first (see app/onnxruntime). */
  device?: Device;
  /** onnxruntime intra-op threads; default: available cores. */
  threads?: number;
  /** Let onnxruntime's threads spin between operators (faster, but uses idle CPU). Default false. */
  allowSpinning?: boolean;
  /** Texts per onnxruntime run. Default 32, as sentence-transformers. */
  batchSize?: number;
  /** Keep only the k largest weights of each vector (sentence-transformers' max_active_dims). */
  maxActiveDims?: number;
}

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
  ) {}

  /** Loads a model folder (or Hub id, with `resolveModelSource`), building or reusing its cached ONNX graph. */
  static async load(modelPathOrId: string, options: SparseEncoderOptions = {}): Promise<SparseEncoder> {
    const batchSize = options.batchSize ?? 32;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1) throw new Error(`batch size ${batchSize} is not a positive integer`);
    if (options.maxActiveDims !== undefined && (!Number.isSafeInteger(options.maxActiveDims) || options.maxActiveDims < 1)) {
      throw new Error(`maxActiveDims ${options.maxActiveDims} is not a positive integer`);
    }
    const model = await readModelFolder(modelPathOrId, options);
    const tokenizer = await BertTokenizer.fromFolder(model.tokenizerFolder, { maxLength: model.maxSeqLength });
    if (tokenizer.vocabSize > model.vocabSize) {
      throw new Error(`the tokenizer in ${model.tokenizerFolder} has ${tokenizer.vocabSize} tokens, more than the model's vocabulary of ${model.vocabSize}`);
    }
    const build: OnnxBuildOptions = {};
    if (options.precision) build.precision = options.precision;
    if (options.attention) build.attention = options.attention;
    if (options.cacheDir) build.cacheDir = options.cacheDir;
    const session = await EncoderSession.start(model, build, {
      device: options.device ?? 'auto',
      ...(options.threads !== undefined ? { threads: options.threads } : {}),
      ...(options.allowSpinning !== undefined ? { allowSpinning: options.allowSpinning } : {}),
    });
    return new SparseEncoder(model, tokenizer, session, batchSize, options.maxActiveDims);
  }

  /** Which execution provider runs the model, what was requested, and why any fallback happened. */
  get executionProvider(): ProviderChoice {
    return this.session.choice;
  }

  /** The ONNX file in use and whether it came from the cache. */
  get onnxModel(): PreparedOnnxModel {
    return this.session.prepared;
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
   */
  async encode(texts: readonly string[], options: EncodeOptions & { prompt?: string } = {}): Promise<SparseVector[]> {
    const prompt = options.prompt ?? this.model.defaultPrompt;
    const maxActiveDims = options.maxActiveDims ?? this.maxActiveDims;
    const sequences = texts.map((text) => {
      let input = prompt + text;
      if (this.model.doLowerCase) input = input.toLowerCase();
      return this.tokenizer.encodeIds(input);
    });
    // Longest first, stable, so that each batch holds texts of similar length (little padding).
    const order = sequences.map((_, i) => i).sort((a, b) => sequences[b]!.length - sequences[a]!.length || a - b);
    const results = new Array<SparseVector>(texts.length);
    const runs: Promise<void>[] = [];
    for (let start = 0; start < order.length; start += this.batchSize) {
      const positions = order.slice(start, start + this.batchSize);
      const batch = padBatch(positions.map((p) => sequences[p]!));
      runs.push(
        this.session.run(batch).then((rows) => {
          rows.forEach((row, i) => (results[positions[i]!] = maxActiveDims ? selectMaxActiveDims(row, maxActiveDims) : row));
        }),
      );
    }
    await Promise.all(runs);
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
