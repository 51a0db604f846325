/**
 * GPU benchmark of the encoder on onnxruntime's WebGPU provider, for one run on the GPU machine: graph variants at
 * fixed shapes (sequences/s), parity on the GPU, end-to-end `encodeDocument` through the SparseEncoder facade on
 * synthetic ~256-token texts, a per-kernel GPU time profile, and a CPU reference. Every step is capped in time and
 * `gpu.json` is rewritten after each one, so that a run cut short still leaves its data; progress goes to stderr.
 *
 * Bundled to one file for the GPU machine (the bundle is also the encoder's worker):
 *   npx esbuild test/bench/encoder-gpu.ts --bundle --platform=node --format=esm --external:onnxruntime-node --outfile=.gpu/bench.mjs
 *   source .gpu/setup.sh && node .gpu/bench.mjs --out $OUT --model-dir /tmp/m
 * then `python3 test/bench/st_reference.py /tmp/m $OUT` (sentence-transformers on the same model and texts).
 * Here: `node --import tsx test/bench/encoder-gpu.ts --small --out /tmp/gpu-out` (lavapipe: VK_DRIVER_FILES=...lvp_icd.json).
 *
 * Options: --out DIR (default gpu-out), --model-dir DIR (default: a temporary folder), --small (tiny model, fewer
 * texts; for software Vulkan), --texts N (default 2048), --budget SECONDS (whole run, default 220; 125 with
 * --round2), --steps a,b (only these steps: env, model, variants, parity, e2e, profile, cpu; with --round2: env,
 * model, reference, variants, profile, e2e, fixture). The main variants are measured at 32x256, 64x128 and 128x64;
 * the others (alternatives to decide on real hardware) at 32x256 only.
 *
 * --round2: the second GPU run (issue #3), one short pass (~90 s on an H200): the default graph and the round-1
 * default (same machine, for comparison), the speed variants (int64 inputs, decoder in chunks), the precision variants
 * (FFN in groups, float32 head, float32), each measured at 32x256 and checked in the same session against the CPU
 * provider's float32 graph on 8 of the texts; a profile of the default; one end-to-end pass; the fixture.
 */
import { isMainThread } from 'node:worker_threads';

if (!isMainThread) {
  // Started by the encoder facade as its worker (one-file bundle, see setEncoderWorkerEntry below).
  await import('../../app/encoder/encoder-worker.js');
} else {
  await main();
}

async function main(): Promise<void> {
  const { execFileSync } = await import('node:child_process');
  const { mkdirSync, writeFileSync, readFileSync } = await import('node:fs');
  const { mkdtemp, readdir, readFile, rm } = await import('node:fs/promises');
  const { availableParallelism, cpus, tmpdir, totalmem } = await import('node:os');
  const { join, resolve } = await import('node:path');
  const { parseArgs } = await import('node:util');
  const { SparseEncoder } = await import('../../app/encoder/sparse-encoder.js');
  const { setEncoderWorkerEntry } = await import('../../app/encoder/encoder-session.js');
  const { readModelFolder } = await import('../../app/encoder/model-folder.js');
  const { loadBertWeights } = await import('../../app/encoder/model-weights.js');
  const { buildBertGraph } = await import('../../app/encoder/onnx/bert-graph.js');
  const { GraphBuilder, intAttr } = await import('../../app/encoder/onnx/graph-builder.js');
  const { DataType, encodeModel } = await import('../../app/encoder/onnx/onnx-proto.js');
  const { encoderSessionOptions, packOutput, runDenseBatch } = await import('../../app/encoder/onnx-runner.js');
  const { topEntries, unpackRows } = await import('../../app/encoder/sparse-vector.js');
  const { dot } = await import('../../app/sparse/sparse-vector.js');
  const { BertTokenizer, padBatch } = await import('../../app/encoder/tokenizer/index.js');
  const { loadOnnxRuntime, tinyAddModel } = await import('../../app/onnxruntime/index.js');
  const { BERT_BASE, BERT_SMALL, fixtureTokenizerFolder, writeRandomSpladeModel } = await import('./random-splade-model.js');
  const { recordStep } = await import('./bench-steps.js');
  type BuildOptions = Parameters<typeof buildBertGraph>[1];
  type Vector = import('../../app/sparse/sparse-vector.js').SparseVector;

  const { values: args } = parseArgs({
    options: {
      out: { type: 'string', default: 'gpu-out' },
      'model-dir': { type: 'string' },
      small: { type: 'boolean', default: false },
      texts: { type: 'string' },
      budget: { type: 'string' },
      steps: { type: 'string' },
      round2: { type: 'boolean', default: false },
    },
  });
  const started = performance.now();
  const round2 = args.round2!;
  const budgetSeconds = Number(args.budget ?? (round2 ? 125 : 220));
  const small = args.small!;
  const dims = small ? BERT_SMALL : BERT_BASE;
  const textCount = Number(args.texts ?? (small ? 256 : 2048));
  const only = args.steps ? new Set([...args.steps.split(','), 'model']) : undefined;
  const out = resolve(args.out!);
  mkdirSync(out, { recursive: true });
  if (!import.meta.url.endsWith('.ts')) setEncoderWorkerEntry(new URL(import.meta.url));

  const elapsed = () => (performance.now() - started) / 1000;
  const log = (message: string) => process.stderr.write(`[gpu-bench ${elapsed().toFixed(0).padStart(3)} s] ${message}\n`);
  const report: Record<string, unknown> = {
    benchmark: 'encoder-gpu',
    date: new Date().toISOString(),
    args: process.argv.slice(2),
    model: small ? 'small (hidden 64, 2 layers, vocab 30522)' : 'bert-base-uncased shape (random weights, vocab 30522)',
    timing: 'sequences/s = batch / median seconds per run after one warm-up run; fixed shapes use random token ids, full attention mask',
    steps: {} as Record<string, unknown>,
  };
  const steps = report.steps as Record<string, unknown>;
  const save = () => writeFileSync(join(out, 'gpu.json'), JSON.stringify(report, null, 1));

  /** Runs a step with a time cap (checked between runs: onnxruntime's run cannot be interrupted), recording its result or error. */
  async function step(name: string, capSeconds: number, body: (deadline: number, record: Record<string, unknown>) => Promise<Record<string, unknown>>): Promise<void> {
    if (only && !only.has(name.split(':')[0]!)) return;
    const remaining = budgetSeconds - elapsed();
    if (remaining < 5) {
      steps[name] = { status: 'skipped', reason: `run budget of ${budgetSeconds} s used up` };
      save();
      log(`${name}: skipped (budget)`);
      return;
    }
    const cap = Math.min(capSeconds, remaining);
    await recordStep({ steps, save, log }, name, `${name}: start (cap ${cap.toFixed(0)} s)`, (record) => body(performance.now() + cap * 1000, record));
  }

  const { ort } = await loadOnnxRuntime({ useCudaPack: false });
  const modelDir = resolve(args['model-dir'] ?? (await mkdtemp(join(tmpdir(), 'splade-gpu-model-'))));
  const scratch = await mkdtemp(join(tmpdir(), 'splade-gpu-bench-'));

  // ---- 1. environment
  await step('env', 15, async () => {
    const run = (command: string, commandArgs: string[]) => {
      try {
        return execFileSync(command, commandArgs, { encoding: 'utf8', timeout: 10_000 }).trim();
      } catch (error) {
        return `unavailable: ${String((error as Error).message).split('\n')[0]}`;
      }
    };
    let webgpu: Record<string, unknown>;
    const t0 = performance.now();
    try {
      const session = await ort.InferenceSession.create(tinyAddModel(), { executionProviders: ['webgpu'] });
      await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
      await session.release();
      webgpu = { available: true, firstSessionSeconds: (performance.now() - t0) / 1000 };
    } catch (error) {
      webgpu = { available: false, error: String((error as Error).message).split('\n')[0] };
    }
    return {
      node: process.version,
      onnxruntime: ort.env.versions,
      backends: (ort as unknown as { listSupportedBackends?: () => unknown }).listSupportedBackends?.(),
      cpu: { count: cpus().length, available: availableParallelism(), model: cpus()[0]?.model, memoryGiB: Math.round(totalmem() / 2 ** 30) },
      gpus: run('nvidia-smi', ['-L']),
      gpuQuery: run('nvidia-smi', ['--query-gpu=name,driver_version,memory.total,clocks.max.sm', '--format=csv,noheader']),
      vkDriverFiles: process.env.VK_DRIVER_FILES ?? null,
      webgpu,
      note: 'onnxruntime-node does not expose the WebGPU adapter; nvidia-smi names the GPU',
    };
  });

  // ---- 2. model folder (sentence-transformers layout, full weights), texts, weights for the graphs
  let weights: Awaited<ReturnType<typeof loadBertWeights>>['weights'] | undefined;
  let model: Awaited<ReturnType<typeof readModelFolder>> | undefined;
  let tokenizer: Awaited<ReturnType<typeof BertTokenizer.fromFolder>> | undefined;
  const texts = syntheticTexts(textCount, readFileSync(join(fixtureTokenizerFolder(), 'vocab.txt'), 'utf8'));
  writeFileSync(join(out, 'texts.json'), JSON.stringify(texts));
  await step('model', 40, async () => {
    let t0 = performance.now();
    await writeRandomSpladeModel(modelDir, { dims });
    const writeSeconds = (performance.now() - t0) / 1000;
    t0 = performance.now();
    model = await readModelFolder(modelDir);
    if (model.weights.format !== 'safetensors') throw new Error('expected safetensors weights');
    weights = (await loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter)).weights;
    tokenizer = await BertTokenizer.fromFolder(model.tokenizerFolder, { maxLength: model.maxSeqLength });
    const readSeconds = (performance.now() - t0) / 1000;
    const lengths = texts.map((t) => tokenizer!.encodeIds(t).length);
    t0 = performance.now();
    for (const text of texts) tokenizer.encodeIds(text);
    const tokenizeSeconds = (performance.now() - t0) / 1000;
    return {
      folder: modelDir,
      dims,
      writeSeconds,
      readSeconds,
      texts: { count: texts.length, file: join(out, 'texts.json'), tokens: { mean: mean(lengths), min: Math.min(...lengths), max: Math.max(...lengths) } },
      tokenizeTextsPerSecond: texts.length / tokenizeSeconds,
    };
  });
  if (!weights || !model || !tokenizer) {
    log('no model: stopping');
    return;
  }
  const theModel = model;
  const theWeights = weights;
  const theTokenizer = tokenizer;

  const shapes: Array<[number, number]> = small ? [[8, 64], [16, 32]] : [[32, 256], [64, 128], [128, 64]];
  const graphBytes = (options: Omit<BuildOptions, 'pooling'>) => encodeModel(buildBertGraph(theWeights, { pooling: theModel.pooling, ...options })).toBytes();
  /** Feeds for a session's inputs, int64 or int32 as the graph declares them (token types only when it takes them). */
  const feedsOf = (session: { inputMetadata: readonly unknown[] }, batch: ReturnType<typeof randomBatch>) => {
    const d = [batch.batchSize, batch.sequenceLength];
    const data: Record<string, BigInt64Array> = { input_ids: batch.inputIds, attention_mask: batch.attentionMask, token_type_ids: batch.tokenTypeIds };
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {};
    for (const input of session.inputMetadata as Array<{ name: string; type: string }>) {
      feeds[input.name] = input.type === 'int32' ? new ort.Tensor('int32', Int32Array.from(data[input.name]!, Number), d) : new ort.Tensor('int64', data[input.name]!, d);
    }
    return feeds;
  };

  /** Sequences/s of one graph on one provider at each shape: one warm-up run, then runs until 2 s (3 runs at least) or the deadline. */
  async function measureGraph(
    bytes: Uint8Array,
    provider: string,
    deadline: number,
    shapeList = shapes,
    check?: (session: Awaited<ReturnType<typeof ort.InferenceSession.create>>) => Promise<Record<string, unknown>>,
    providerOptions: Record<string, string> = {},
  ) {
    let t0 = performance.now();
    const session = await ort.InferenceSession.create(bytes, { ...encoderSessionOptions({}), executionProviders: [{ name: provider, ...providerOptions }] });
    const sessionSeconds = (performance.now() - t0) / 1000;
    const results: Array<Record<string, unknown>> = [];
    let accuracy: Record<string, unknown> | undefined;
    try {
      for (const [batchSize, length] of shapeList) {
        if (performance.now() > deadline) {
          results.push({ batch: batchSize, length, skipped: 'time cap' });
          continue;
        }
        const feeds = feedsOf(session, randomBatch(batchSize, length, batchSize * 1000 + length, dims.vocab));
        t0 = performance.now();
        await session.run(feeds);
        const warmupSeconds = (performance.now() - t0) / 1000;
        const seconds: number[] = [];
        while (performance.now() < deadline && (seconds.length < 3 || (sum(seconds) < 2 && seconds.length < 20))) {
          t0 = performance.now();
          await session.run(feeds);
          seconds.push((performance.now() - t0) / 1000);
        }
        const median = seconds.length ? quantile(seconds, 0.5) : warmupSeconds;
        results.push({ batch: batchSize, length, sequencesPerSecond: batchSize / median, medianSeconds: median, bestSeconds: seconds.length ? Math.min(...seconds) : null, runs: seconds.length, warmupSeconds });
        log(`  ${batchSize} x ${length}: ${(batchSize / median).toFixed(1)} seq/s (median of ${seconds.length}, warm-up ${warmupSeconds.toFixed(2)} s)`);
      }
      if (check) {
        accuracy = await check(session).catch((error: unknown) => ({ error: String((error as Error)?.message ?? error).split('\n')[0] }));
        log(`  accuracy: ${JSON.stringify(accuracy)}`);
      }
    } finally {
      await session.release();
    }
    return { sessionSeconds, results, ...(accuracy ? { accuracy } : {}) };
  }

  const variants: Record<string, { description: string; options: Omit<BuildOptions, 'pooling'> }> = {
    'fp16-attention': { description: 'the encoder\'s WebGPU graph: fp16, com.microsoft Attention + attention_bias (flash attention), SkipLayerNorm, BiasGelu, transposed-logits MatMul decoder on a vocab padded to 30528, fp16 max, int32 ids and mask', options: { precision: 'fp16', attention: 'fused', target: 'webgpu' } },
    'fp16-plain': { description: 'fp16, standard ONNX attention (MatMul, Softmax; what a torch export gives), same decoder: the unfused baseline', options: { precision: 'fp16', attention: 'plain', target: 'webgpu' } },
    'fp16-mha': { description: 'fp16, QKV MatMul + Add + Split then com.microsoft MultiHeadAttention (flash attention)', options: { precision: 'fp16', attention: 'fused', target: 'webgpu', webgpu: { attentionOp: 'mha' } } },
    'fp16-attention-matmul': { description: 'fp16-attention with the round-1 decoder: logits [B, S, V] from a transposed table copy, max over axis 1 (a transpose before ReduceMax)', options: { precision: 'fp16', attention: 'fused', target: 'webgpu', webgpu: { decoder: 'matmul' } } },
    'fp16-attention-gemm': { description: 'fp16-attention with the decoder as Gemm transB on the shared [30522, H] table (no padding: not a multiple of 4)', options: { precision: 'fp16', attention: 'fused', target: 'webgpu', webgpu: { decoder: 'gemm' } } },
    'fp16-attention-fp32-head': { description: 'fp16-attention with the MLM head and decoder in fp32 (precision at the cost of an fp32 decoder)', options: { precision: 'fp16', attention: 'fused', target: 'webgpu', webgpu: { float32Head: true } } },
    'fp32-attention': { description: 'fp32 version of fp16-attention', options: { precision: 'fp32', attention: 'fused', target: 'webgpu' } },
    'fp32-plain': { description: 'fp32, standard ONNX attention', options: { precision: 'fp32', attention: 'plain', target: 'webgpu' } },
  };
  const variantStep = (name: string, main: boolean) =>
    step(`variants:${name}`, small ? 60 : main ? 25 : 15, async (deadline) => {
      const t0 = performance.now();
      const bytes = graphBytes(variants[name]!.options);
      const buildSeconds = (performance.now() - t0) / 1000;
      return { description: variants[name]!.description, buildSeconds, graphMiB: bytes.byteLength / 2 ** 20, ...(await measureGraph(bytes, 'webgpu', deadline, main ? shapes : [shapes[0]!])) };
    });

  if (round2) {
    await roundTwo();
    return finish();
  }

  // ---- 3. the two main variants first (the default graph and the unfused baseline)
  await variantStep('fp16-attention', true);
  await variantStep('fp16-plain', true);

  // ---- 4. parity on the GPU
  await step('parity', small ? 240 : 45, async (deadline) => {
    const result: Record<string, unknown> = { prefillAttentionKernelError: await prefillAttentionError() };
    // a. the fixture through the facade, against sentence-transformers' vectors
    const expected = JSON.parse(await readFile(join(process.cwd(), 'test/fixtures/splade-tiny/expected.json'), 'utf8')) as { texts: string[]; document: Array<{ indices: number[]; values: number[] }>; decode: Array<Array<[string, number]>> };
    const fixture = join(process.cwd(), 'test/fixtures/splade-tiny/splade-peft');
    const fixtureResults: Record<string, unknown> = {};
    for (const [name, precision, attention] of [['fp32-attention', 'fp32', 'fused'], ['fp16-attention', 'fp16', 'fused'], ['fp32-plain', 'fp32', 'plain']] as const) {
      if (performance.now() > deadline) break;
      const encoder = await SparseEncoder.load(fixture, { device: 'webgpu', precision, attention, cacheDir: join(scratch, 'cache') });
      try {
        const vectors = await encoder.encodeDocument(expected.texts);
        const references = expected.document.map((r) => ({ indices: Int32Array.from(r.indices), values: Float32Array.from(r.values) }));
        fixtureResults[name] = {
          provider: encoder.executionProvider.provider,
          ...compare(vectors, references),
          top10Exact: expected.decode.filter((reference, d) => encoder.decode(vectors[d]!, 10).map(([t]) => t).join(' ') === reference.map(([t]) => t).join(' ')).length,
          top10Of: expected.decode.length,
        };
      } finally {
        await encoder.dispose();
      }
    }
    result.fixture = fixtureResults;
    // b. the benchmark model, 8 synthetic texts: WebGPU graphs against the CPU provider's float32 graph
    const sample = texts.slice(0, 8).map((t) => theTokenizer.encodeIds(t));
    const batch = padBatch(sample);
    const dense = async (options: Omit<BuildOptions, 'pooling'>, provider: string) => {
      const session = await ort.InferenceSession.create(graphBytes(options), { ...encoderSessionOptions({}), executionProviders: [provider] });
      try {
        return unpackRows(packOutput(await runDenseBatch(ort, session, 'pooled_logits', batch), 'pooled_logits', theModel.pooling.activation));
      } finally {
        await session.release();
      }
    };
    const cpuVectors = await dense({ precision: 'fp32', attention: 'fused', target: 'cpu' }, 'cpu');
    const vectorsOut: Record<string, unknown> = { texts: '0..7 of texts.json', cpuFp32: cpuVectors.map(plain) };
    const modelResults: Record<string, unknown> = {};
    for (const name of ['fp16-attention', 'fp32-attention', 'fp16-plain', 'fp16-attention-fp32-head']) {
      if (performance.now() > deadline) break;
      const vectors = await dense(variants[name]!.options, 'webgpu');
      modelResults[name] = compare(vectors, cpuVectors);
      vectorsOut[name] = vectors.map(plain);
    }
    writeFileSync(join(out, 'vectors.json'), JSON.stringify(vectorsOut));
    result.benchModelVsCpuFp32 = modelResults;
    return result;
  });

  // ---- 5. end to end: the facade on the synthetic texts (results recorded as they come, in case of a timeout)
  /** `encodeDocument` through the facade on the texts: a 256-text warm-up pass, then `passes` passes (while time allows). */
  async function endToEnd(result: Record<string, unknown>, deadline: number, label: string, options: { batchSize?: number; maxBatchTokens?: number }, passes: number): Promise<void> {
    const entry: Record<string, unknown> = { options };
    result[label] = entry;
    try {
      let t = performance.now();
      const encoder = await SparseEncoder.load(modelDir, { device: 'webgpu', cacheDir: join(scratch, 'cache'), ...options });
      Object.assign(entry, { loadSeconds: (performance.now() - t) / 1000, provider: encoder.executionProvider, graph: encoder.onnxModel });
      try {
        const pass = async (name: string, list: string[]) => {
          const before = encoder.workerStats;
          t = performance.now();
          const vectors = await encoder.encodeDocument(list);
          const seconds = (performance.now() - t) / 1000;
          const after = encoder.workerStats;
          // The worker's time: in onnxruntime's run, its own overhead between runs, waiting for batches (the first
          // batch's wait includes the time before this pass's first batch was sent).
          const worker = { batches: after.batches - before.batches, runSeconds: after.runSeconds - before.runSeconds, overheadSeconds: after.overheadSeconds - before.overheadSeconds, starvedSeconds: after.starvedSeconds - before.starvedSeconds };
          entry[name] = { texts: list.length, seconds, textsPerSecond: list.length / seconds, meanActiveDims: mean(vectors.map((v) => v.indices.length)), worker };
          log(`  ${label} ${name}: ${(list.length / seconds).toFixed(1)} texts/s (${list.length} texts in ${seconds.toFixed(2)} s; worker: ${worker.batches} runs ${worker.runSeconds.toFixed(2)} s, overhead ${worker.overheadSeconds.toFixed(3)} s, starved ${worker.starvedSeconds.toFixed(3)} s)`);
          save();
          return { vectors, seconds };
        };
        await pass('warmup', texts.slice(0, Math.min(256, texts.length)));
        for (let p = 1; p <= passes; p++) {
          const { vectors, seconds } = await pass(`pass${p}`, texts);
          if (p === 1 && label === 'batch32') writeFileSync(join(out, 'e2e-vectors.json'), JSON.stringify({ texts: '0..7 of texts.json', vectors: vectors.slice(0, 8).map(plain) }));
          if (performance.now() + seconds * 1000 > deadline) break;
        }
      } finally {
        await encoder.dispose();
      }
    } catch (error) {
      entry.error = String((error as Error)?.message ?? error).split('\n')[0];
      log(`  ${label}: ERROR ${entry.error}`);
    }
    save();
  }

  await step('e2e', small ? 240 : 80, async (deadline, result) => {
    const run = (label: string, options: { batchSize?: number; maxBatchTokens?: number }, passes: number) => endToEnd(result, deadline, label, options, passes);
    // The encoder's defaults on WebGPU (batch 32, at most 8192 tokens per batch), then bigger batches if time allows.
    await run('batch32', {}, 2);
    const first = (result.batch32 as { pass1?: { seconds: number } }).pass1;
    if (first && performance.now() + 1.5 * first.seconds * 1000 + 5000 < deadline) await run('batch64', { batchSize: 64, maxBatchTokens: 16384 }, 1);
    return {};
  });

  // ---- 6. where the GPU time goes (fp16-attention at the first shape), from onnxruntime's profiler
  await step('profile', 20, () => profileGraph(graphBytes(variants['fp16-attention']!.options)));

  /** Where the GPU time goes at the first shape, from onnxruntime's profiler (two runs, halved): per GPU program and host-side per operator. */
  async function profileGraph(bytes: Uint8Array): Promise<Record<string, unknown>> {
    const dir = join(scratch, `profile-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    const [batchSize, length] = shapes[0]!;
    const session = await ort.InferenceSession.create(bytes, {
      ...encoderSessionOptions({}),
      executionProviders: ['webgpu'],
      enableProfiling: true,
      profileFilePrefix: join(dir, 'p'),
    });
    const feeds = feedsOf(session, randomBatch(batchSize, length, 5, dims.vocab));
    await session.run(feeds);
    const t0 = performance.now();
    await session.run(feeds);
    const wallMs = performance.now() - t0;
    await session.release();
    const events = JSON.parse(await readFile(join(dir, (await readdir(dir))[0]!), 'utf8')) as Array<{ cat: string; name: string; dur: number; args: Record<string, string> }>;
    // Two runs were profiled: halve the totals.
    const byProgram = new Map<string, number>();
    for (const e of events.filter((e) => e.cat === 'Api')) {
      const parts = e.name.split('&');
      const key = `${parts[1]}/${parts[2]}`;
      byProgram.set(key, (byProgram.get(key) ?? 0) + e.dur / 2 / 1000);
    }
    const gpuMs = sum([...byProgram.values()]);
    const byNodeProvider = new Map<string, number>();
    for (const e of events.filter((e) => e.cat === 'Node' && e.name.endsWith('_kernel_time'))) {
      const key = `${e.args.provider}/${e.args.op_name}`;
      byNodeProvider.set(key, (byNodeProvider.get(key) ?? 0) + e.dur / 2 / 1000);
    }
    return {
      shape: [batchSize, length],
      wallMsPerRunProfiled: wallMs,
      gpuMsPerRun: gpuMs,
      hostMsPerRun: sum([...byNodeProvider.values()]),
      hostMsPerRunByProvider: Object.fromEntries(['WebGpuExecutionProvider', 'CPUExecutionProvider'].map((provider) => [provider, sum([...byNodeProvider.entries()].filter(([k]) => k.startsWith(`${provider}/`)).map(([, ms]) => ms))])),
      nodesOnCpu: [...new Set(events.filter((e) => e.cat === 'Node' && e.args.provider === 'CPUExecutionProvider').map((e) => e.args.op_name))],
      note: 'gpu: summed GPU timestamps per program (op/program); node: host-side kernel time per op (dispatch cost for GPU ops)',
      gpuPrograms: [...byProgram.entries()].sort((a, b) => b[1] - a[1]).slice(0, 25).map(([k, ms]) => ({ program: k, msPerRun: ms, share: ms / gpuMs })),
      hostOps: [...byNodeProvider.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([k, ms]) => ({ op: k, msPerRun: ms })),
    };
  }

  // ---- 7. the other variants
  for (const name of ['fp16-mha', 'fp16-attention-matmul', 'fp16-attention-fp32-head', 'fp16-attention-gemm', 'fp32-attention', 'fp32-plain']) await variantStep(name, false);

  // ---- 8. CPU reference: fp32 fused CPU graph, all cores, first shape
  await step('cpu', 20, async (deadline) => {
    const t0 = performance.now();
    const bytes = graphBytes({ precision: 'fp32', attention: 'fused', target: 'cpu' });
    return { threads: availableParallelism(), buildSeconds: (performance.now() - t0) / 1000, ...(await measureGraph(bytes, 'cpu', deadline, [shapes[0]!])) };
  });

  await finish();

  async function finish(): Promise<void> {
    await rm(scratch, { recursive: true, force: true });
    report.totalSeconds = elapsed();
    save();
    const summary = Object.entries(steps).map(([name, value]) => {
      const v = value as { status: string; results?: Array<{ sequencesPerSecond?: number; batch: number; length: number }>; accuracy?: { maxRelativeToLargestWeight?: number }; batch32?: { pass1?: { textsPerSecond: number }; pass2?: { textsPerSecond: number } } };
      const accuracy = v.accuracy?.maxRelativeToLargestWeight !== undefined ? ` (error ${v.accuracy.maxRelativeToLargestWeight.toExponential(1)})` : '';
      if (v.results) return `${name} ${v.results.map((r) => `${r.batch}x${r.length} ${r.sequencesPerSecond?.toFixed(1) ?? '-'}`).join(', ')}${accuracy}`;
      const e2e = v.batch32?.pass2 ?? v.batch32?.pass1;
      if (e2e) return `${name} ${e2e.textsPerSecond.toFixed(1)} texts/s`;
      return `${name} ${v.status}`;
    });
    console.log(JSON.stringify(report));
    console.log(`encoder-gpu: ${summary.join('; ')}`);
  }

  /**
   * The second GPU run: variants at 32x256 (the default also at the other shapes), each checked against the CPU
   * provider's float32 graph on 8 texts in the session it was timed in; a profile and one end-to-end pass of the
   * default; the fixture through the facade. Most important first, so that a cut-short run keeps what matters.
   */
  async function roundTwo(): Promise<void> {
    const fused = { attention: 'fused', target: 'webgpu' } as const;
    const r2: Record<string, { description: string; options: Omit<BuildOptions, 'pooling'>; main?: boolean; providerOptions?: Record<string, string> }> = {
      fp16: { description: 'the default: fp16, Attention (flash), decoder on transposed logits [B, V, S] in 4 vocabulary chunks, int32 ids and mask (no token types)', options: { precision: 'fp16', ...fused }, main: true },
      'fp16-r1': { description: 'the round-1 default, for comparison on this machine: int64 ids, mask and token types, decoder on [B, S, V] logits', options: { precision: 'fp16', ...fused, webgpu: { inputs: 'int64', decoder: 'matmul', decoderChunks: 1 } } },
      'fp16-int64': { description: 'the default with int64 inputs (+ token types): what the int32 inputs alone gain', options: { precision: 'fp16', ...fused, webgpu: { inputs: 'int64' } } },
      'fp16-novalidation': {
        description: 'the default with the WebGPU provider option validationMode "disabled" (no Dawn validation per dispatch; an upper bound of what validation costs on the host)',
        options: { precision: 'fp16', ...fused },
        providerOptions: { validationMode: 'disabled' },
      },
      'fp16-chunks1': { description: 'the default with the vocabulary in one piece (the round-2 default; its 500 MB logits are allocated on every run)', options: { precision: 'fp16', ...fused, webgpu: { decoderChunks: 1 } } },
      'fp16-f32head': { description: 'precision: the MLM head and decoder in fp32 (vocabulary in 8 chunks)', options: { precision: 'fp16', ...fused, webgpu: { float32Head: true } } },
      'fp16-ffn8': { description: 'precision: the FFN in 8 column groups (down-projection sums of 384 terms instead of 3072)', options: { precision: 'fp16', ...fused, webgpu: { ffnSplit: 8 } } },
      'fp16-ffn8-f32head': { description: 'precision: both of the above', options: { precision: 'fp16', ...fused, webgpu: { ffnSplit: 8, float32Head: true } } },
      fp32: { description: '--precision fp32 on WebGPU (defaults: vocabulary in 8 chunks)', options: { precision: 'fp32', ...fused } },
      'fp32-chunks1': { description: 'fp32 with the vocabulary in one piece (fp32 logits are 1 GB at 32x256)', options: { precision: 'fp32', ...fused, webgpu: { decoderChunks: 1 } } },
    };
    // The reference: the CPU provider's float32 graph on texts 0..7 (as the first run's parity step).
    const sample = padBatch(texts.slice(0, 8).map((t) => theTokenizer.encodeIds(t)));
    let reference: Vector[] | undefined;
    await step('reference', 30, async () => {
      const t0 = performance.now();
      const session = await ort.InferenceSession.create(graphBytes({ precision: 'fp32', attention: 'fused', target: 'cpu' }), { ...encoderSessionOptions({}), executionProviders: ['cpu'] });
      try {
        reference = unpackRows(packOutput(await runDenseBatch(ort, session, 'pooled_logits', sample), 'pooled_logits', theModel.pooling.activation));
      } finally {
        await session.release();
      }
      return { texts: '0..7 of texts.json', sequenceLength: sample.sequenceLength, seconds: (performance.now() - t0) / 1000 };
    });
    const vectorsOut: Record<string, unknown> = { texts: '0..7 of texts.json', cpuFp32: reference?.map(plain) };
    const check = (name: string) => async (session: Awaited<ReturnType<typeof ort.InferenceSession.create>>) => {
      if (!reference) return { skipped: 'no CPU reference' };
      const vectors = unpackRows(packOutput(await runDenseBatch(ort, session, 'pooled_logits', sample), 'pooled_logits', theModel.pooling.activation));
      vectorsOut[name] = vectors.map(plain);
      writeFileSync(join(out, 'vectors.json'), JSON.stringify(vectorsOut));
      return compare(vectors, reference);
    };
    // The last graph built, kept for a variant with the same graph (provider options only) and the profile.
    let last: { key: string; bytes: Uint8Array } | undefined;
    const bytesFor = (options: Omit<BuildOptions, 'pooling'>) => {
      const key = JSON.stringify(options);
      if (last?.key !== key) last = { key, bytes: graphBytes(options) };
      return last.bytes;
    };
    const variant = (name: string) =>
      step(`variants:${name}`, small ? 120 : r2[name]!.main ? 25 : 14, async (deadline) => {
        const t0 = performance.now();
        const bytes = bytesFor(r2[name]!.options);
        const buildSeconds = (performance.now() - t0) / 1000;
        const { description, options, providerOptions } = r2[name]!;
        const measured = await measureGraph(bytes, 'webgpu', deadline, r2[name]!.main ? shapes.slice(0, 2) : [shapes[0]!], check(name), providerOptions);
        return { description, options, ...(providerOptions ? { providerOptions } : {}), buildSeconds, graphMiB: bytes.byteLength / 2 ** 20, ...measured };
      });
    await variant('fp16');
    await step('profile', small ? 120 : 15, () => profileGraph(bytesFor(r2.fp16!.options)));
    await variant('fp16-r1');
    await step('e2e', small ? 240 : 30, async (deadline, result) => {
      await endToEnd(result, deadline, 'batch32', {}, 1);
      return {};
    });
    for (const name of ['fp16-chunks1', 'fp16-int64', 'fp16-f32head', 'fp16-ffn8', 'fp16-ffn8-f32head', 'fp32', 'fp32-chunks1']) await variant(name);
    await step('fixture', small ? 120 : 15, async () => {
      const expected = JSON.parse(await readFile(join(process.cwd(), 'test/fixtures/splade-tiny/expected.json'), 'utf8')) as { texts: string[]; document: Array<{ indices: number[]; values: number[] }>; decode: Array<Array<[string, number]>> };
      const encoder = await SparseEncoder.load(join(process.cwd(), 'test/fixtures/splade-tiny/splade-peft'), { device: 'webgpu', cacheDir: join(scratch, 'cache') });
      try {
        const vectors = await encoder.encodeDocument(expected.texts);
        const references = expected.document.map((r) => ({ indices: Int32Array.from(r.indices), values: Float32Array.from(r.values) }));
        return {
          executionProvider: encoder.executionProvider,
          ...compare(vectors, references),
          top10Exact: expected.decode.filter((reference, d) => encoder.decode(vectors[d]!, 10).map(([t]) => t).join(' ') === reference.map(([t]) => t).join(' ')).length,
          top10Of: expected.decode.length,
        };
      } finally {
        await encoder.dispose();
      }
    });
    // Last: without validation a WebGPU error may end the process.
    await variant('fp16-novalidation');
  }

  // ---- helpers
  function plain(v: Vector) {
    return { indices: Array.from(v.indices), values: Array.from(v.values) };
  }

  /**
   * Error of `ours` against `references`: max abs, max and root-mean-square relative to each vector's largest weight
   * (the RMS over the union of active entries is the steadier figure; the max over ~3000 entries x 8 vectors varies
   * between graphs of equal RMS), mean abs over active entries, active dims, top-10 agreement, pairwise dot products.
   */
  function compare(ours: Vector[], references: Vector[]) {
    let maxAbs = 0;
    let maxRelative = 0;
    let absSum = 0;
    let count = 0;
    let activeDifference = 0;
    let top10Exact = 0;
    let top10Overlap = 0;
    let top10SameSet = 0;
    let squaredRelative = 0;
    ours.forEach((vector, i) => {
      const reference = references[i]!;
      const a = new Map(Array.from(vector.indices, (x, k) => [x, vector.values[k]!]));
      const b = new Map(Array.from(reference.indices, (x, k) => [x, reference.values[k]!]));
      let worst = 0;
      const largest = Math.max(1e-30, ...reference.values);
      for (const index of new Set([...a.keys(), ...b.keys()])) {
        const e = Math.abs((a.get(index) ?? 0) - (b.get(index) ?? 0));
        worst = Math.max(worst, e);
        absSum += e;
        squaredRelative += (e / largest) ** 2;
        count++;
      }
      maxAbs = Math.max(maxAbs, worst);
      maxRelative = Math.max(maxRelative, worst / Math.max(1e-30, ...reference.values));
      activeDifference = Math.max(activeDifference, Math.abs(vector.indices.length - reference.indices.length));
      const topA = topEntries(vector, 10).map(([id]) => id);
      const topB = topEntries(reference, 10).map(([id]) => id);
      if (topA.join() === topB.join()) top10Exact++;
      const shared = topA.filter((id) => topB.includes(id)).length;
      top10Overlap += shared / 10;
      if (shared === 10) top10SameSet++;
    });
    let similarityRelative = 0;
    for (let i = 0; i < ours.length; i++) {
      for (let j = i; j < ours.length; j++) {
        const r = dot(references[i]!, references[j]!);
        similarityRelative = Math.max(similarityRelative, Math.abs(dot(ours[i]!, ours[j]!) - r) / Math.abs(r));
      }
    }
    return { vectors: ours.length, maxAbs, maxRelativeToLargestWeight: maxRelative, rmsRelativeToLargestWeight: Math.sqrt(squaredRelative / count), meanAbs: absSum / count, top10SameSet, maxActiveDimsDifference: activeDifference, top10Exact, top10MeanOverlap: top10Overlap / ours.length, maxSimilarityRelativeError: similarityRelative };
  }

  /** Max error of a bare MultiHeadAttention (fp32, 2 x 64 tokens, head size 64) on WebGPU against the CPU provider: the flash-attention prefill kernel. */
  async function prefillAttentionError(): Promise<number> {
    const [B, S, H, N] = [2, 64, 128, 2];
    const g = new GraphBuilder('mha');
    for (const name of ['q', 'k', 'v']) g.input(name, DataType.FLOAT, [B, S, H]);
    g.op('MultiHeadAttention', ['q', 'k', 'v'], { domain: 'com.microsoft', attributes: [intAttr('num_heads', N)], output: 'y' });
    g.output('y', DataType.FLOAT, [B, S, H]);
    const bytes = encodeModel({ irVersion: 8, opsetImports: [{ domain: '', version: 17 }, { domain: 'com.microsoft', version: 1 }], producerName: 'bench', producerVersion: '1', graph: g.graph() }).toBytes();
    let state = 11;
    const random = () => Float32Array.from({ length: B * S * H }, () => ((state = (state * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 2);
    const feeds = { q: new ort.Tensor('float32', random(), [B, S, H]), k: new ort.Tensor('float32', random(), [B, S, H]), v: new ort.Tensor('float32', random(), [B, S, H]) };
    const outputs: Float32Array[] = [];
    for (const provider of ['cpu', 'webgpu']) {
      const session = await ort.InferenceSession.create(bytes, { executionProviders: [provider] });
      outputs.push((await session.run(feeds)).y!.data as Float32Array);
      await session.release();
    }
    return outputs[0]!.reduce((worst, x, i) => Math.max(worst, Math.abs(x - outputs[1]![i]!)), 0);
  }
}

/** `count` English-like texts of about 256 tokens (218-282 whole-word vocabulary tokens, a period every ~15 words, plus [CLS]/[SEP]), from a seeded generator: the same texts on every run. */
function syntheticTexts(count: number, vocab: string): string[] {
  const words = vocab.split('\n').filter((w) => /^[a-z]{3,12}$/.test(w));
  let state = 12345;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
  const texts: string[] = [];
  for (let t = 0; t < count; t++) {
    const n = 204 + Math.floor(next() * 64);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      parts.push(words[Math.floor(next() * words.length)]!);
      if (next() < 1 / 15) parts[parts.length - 1] += '.';
    }
    texts.push(parts.join(' ') + '.');
  }
  return texts;
}

function randomBatch(batch: number, seq: number, seed: number, vocab: number) {
  let state = seed >>> 0;
  const inputIds = new BigInt64Array(batch * seq);
  for (let b = 0; b < batch; b++) {
    for (let s = 0; s < seq; s++) {
      state = (state * 1103515245 + 12345) >>> 0;
      inputIds[b * seq + s] = s === 0 ? 101n : s === seq - 1 ? 102n : BigInt(1000 + (state % (vocab - 1000)));
    }
  }
  return { inputIds, attentionMask: new BigInt64Array(batch * seq).fill(1n), tokenTypeIds: new BigInt64Array(batch * seq), batchSize: batch, sequenceLength: seq };
}

function sum(xs: number[]): number {
  return xs.reduce((a, b) => a + b, 0);
}

function mean(xs: number[]): number {
  return xs.length ? sum(xs) / xs.length : 0;
}

function quantile(xs: number[], q: number): number {
  const sorted = [...xs].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
