/** `splade-search encode`: JSON Lines of strings on stdin → one sparse vector (or its top terms) per line on stdout. */
import { DEVICES, PRECISIONS, type Device, type PrecisionSetting, type SparseEncoder } from '../encoder/index.js';
import { DEFAULT_MODEL_ID, pickModelSource } from '../hub/index.js';
import { CliError } from './cli-error.js';
import { loadCliEncoder } from './load-encoder.js';
import { choiceFlag, integerFlag, parseFlags } from './parse-flags.js';
import type { CliCommand } from './commands.js';
import { readJsonStringLines, writeJsonLine } from './json-lines.js';

const usage = `usage: splade-search encode [--model <folder-or-hub-id>] [options] < texts.jsonl

Reads one JSON string per line on stdin and writes one JSON object per line, in input order:
  {"indices":[...],"values":[...]}    the sparse vector, token ids ascending
  {"terms":[[token, weight], ...]}    with --top-k N: the N heaviest terms, weight descending

options:
  --model <path|id>       sentence-transformers SPLADE folder (v5 or v6 layout), BERT masked-LM folder, or a
                          Hugging Face Hub id (downloaded into the Hugging Face cache, with its base model);
                          default: $SPLADE_MODEL, else ${DEFAULT_MODEL_ID}
  --query                 encode as queries (the model's query prompt) instead of documents
  --top-k <n>             print the n heaviest terms instead of the vector
  --max-active-dims <n>   keep only the n largest weights of each vector
  --device <d>            ${DEVICES.join('|')} (default auto); falls back to cpu when a provider cannot load
  --precision <p>         ${PRECISIONS.join('|')} (default auto: fp16 on webgpu, fp32 elsewhere); fp32 is exact,
                          fp16 on webgpu is faster (weights move by up to ~3% of the largest); int8 runs on
                          the cpu only, ~2.7x fp32 on CPUs with VNNI/AMX (weights within ~3%, similarity ~0.2%)
  --batch-size <n>        texts per onnxruntime run (default 32)
  --threads <n>           onnxruntime threads (default: all cores)

Built ONNX graphs are cached in $SPLADE_CACHE_DIR/onnx (default ~/.cache/splade-search/onnx).`;

export const encodeCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, {
          model: { type: 'string' },
          query: { type: 'boolean', default: false },
          'top-k': { type: 'string' },
          'max-active-dims': { type: 'string' },
          device: { type: 'string', default: 'auto' },
          precision: { type: 'string', default: 'auto' },
          'batch-size': { type: 'string' },
          threads: { type: 'string' },
        }, usage);
    const device = choiceFlag<Device>(values.device, '--device', DEVICES);
    const precision = choiceFlag<PrecisionSetting>(values.precision, '--precision', PRECISIONS);
    const topK = integerFlag(values['top-k'], '--top-k');
    const batchSize = integerFlag(values['batch-size'], '--batch-size') ?? 32;
    const threads = integerFlag(values.threads, '--threads');
    const maxActiveDims = integerFlag(values['max-active-dims'], '--max-active-dims');

    const encoder = await loadCliEncoder(modelReference(values.model, io.env), io, {
      device,
      precision,
      batchSize,
      ...(threads !== undefined ? { threads } : {}),
      ...(maxActiveDims !== undefined ? { maxActiveDims } : {}),
    });
    try {
      // A provider asked for by name that could not be used is worth a line; auto's choices are not.
      if (encoder.executionProvider.fallbackReason && device !== 'auto' && device !== 'cpu') {
        io.stderr.write(`splade-search: using ${encoder.executionProvider.provider} (${encoder.executionProvider.fallbackReason})\n`);
      }
      await streamEncode(encoder, io.stdin, io.stdout, { batchSize, query: values.query === true, topK });
    } finally {
      await encoder.dispose();
    }
  },
};

/**
 * Encodes lines as they arrive: a reader fills a queue while the encoder works on what it took before, so the first
 * results are written long before the end of a large input. Each step takes what is queued, up to four batches, and
 * the encoder sorts those by length. Memory stays bounded (the reader waits when eight batches are queued). Lines
 * read before an input error are still encoded and written; then the error is thrown.
 */
async function streamEncode(
  encoder: SparseEncoder,
  input: NodeJS.ReadableStream & import('node:stream').Readable,
  output: NodeJS.WritableStream & import('node:stream').Writable,
  options: { batchSize: number; query: boolean; topK: number | undefined },
): Promise<void> {
  const queue: string[] = [];
  let ended = false;
  let readError: unknown;
  let wakeConsumer: (() => void) | undefined;
  let wakeReader: (() => void) | undefined;
  // Up to `window` queued lines go to the encoder at once, which sorts them by length into batches (less padding).
  const window = options.batchSize * 4;
  const highWater = window * 2;
  const reader = (async () => {
    try {
      for await (const text of readJsonStringLines(input)) {
        queue.push(text);
        wakeConsumer?.();
        if (queue.length >= highWater) await new Promise<void>((resolve) => (wakeReader = resolve));
      }
    } catch (error) {
      readError = error;
    } finally {
      ended = true;
      wakeConsumer?.();
    }
  })();
  for (;;) {
    if (queue.length === 0 && !ended) await new Promise<void>((resolve) => (wakeConsumer = resolve));
    wakeConsumer = undefined;
    // Give lines already buffered by the stream a chance to join this batch.
    if (queue.length < options.batchSize && !ended) await new Promise((resolve) => setImmediate(resolve));
    if (queue.length === 0) {
      if (ended) break;
      continue;
    }
    const texts = queue.splice(0, window);
    wakeReader?.();
    wakeReader = undefined;
    const vectors = options.query ? await encoder.encodeQuery(texts) : await encoder.encodeDocument(texts);
    for (const vector of vectors) {
      const line =
        options.topK !== undefined
          ? { terms: encoder.decode(vector, options.topK) }
          : { indices: Array.from(vector.indices), values: Array.from(vector.values) };
      await writeJsonLine(output, line);
    }
  }
  await reader;
  if (readError) throw readError;
}

/** `--model` as given, else `SPLADE_MODEL`, else the default Hub model (a bad `SPLADE_MODEL` is a clear error). */
function modelReference(option: string | undefined, env: NodeJS.ProcessEnv): string {
  if (option !== undefined) return option;
  try {
    const source = pickModelSource({ env });
    return source.kind === 'folder' ? source.path : source.id;
  } catch (error) {
    throw new CliError((error as Error).message);
  }
}
