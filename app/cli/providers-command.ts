/** `splade-search providers`: the onnxruntime version, its backends, the CUDA pack, and which execution provider a device request gets here, with reasons. */
import {
  createSessionWithFallback,
  describeAttempt,
  detectProviderEnvironment,
  isOnnxRuntimeError,
  loadOnnxRuntime,
  parseDeviceRequest,
  planFromEnvironment,
  tinyAddModel,
  tinyModelIo,
  type DeviceRequest,
  type PlanStep,
  type ProviderAttempt,
} from '../onnxruntime/index.js';
import { UsageError } from './cli-error.js';
import { parseFlags } from './parse-flags.js';
import type { CliCommand } from './commands.js';

const usage = `usage: splade-search providers [--device auto|cpu|cuda|dml|coreml|webgpu] [--probe] [--json] [--data-dir <dir>]

Prints the bundled onnxruntime-node version, the execution providers compiled into it, whether the CUDA pack
is installed (and which CUDA/cuDNN libraries it needs), Vulkan for WebGPU, and the providers the encoder tries
for --device (default auto), in order, each with the reason it is used or skipped.

  --device D         the request to plan for (default auto)
  --probe            also create a session on a tiny model with each planned provider and report the result
  --json             one JSON object instead of text
  --data-dir <dir>   the app's data folder (default $SPLADE_DATA_DIR, else ~/.local/share/splade-search)`;

export const providersCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, {
          device: { type: 'string', default: 'auto' },
          probe: { type: 'boolean', default: false },
          json: { type: 'boolean', default: false },
          'data-dir': { type: 'string' },
        }, usage);
    let requested: DeviceRequest;
    try {
      requested = parseDeviceRequest(values.device);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
    const dataOptions = { env: io.env, ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) };
    const runtime = await loadOnnxRuntime(dataOptions);
    const backends = runtime.ort.listSupportedBackends();
    const environment = await detectProviderEnvironment(dataOptions);
    const plan = planFromEnvironment(requested, environment);
    let probe: ProviderAttempt[] | undefined;
    if (values.probe) {
      probe = [];
      const model = tinyAddModel();
      for (const step of plan.steps.filter((s) => s.use)) {
        try {
          const { session, attempts } = await createSessionWithFallback(runtime.ort, model, { steps: [step] }, {}, {
            smokeTest: async (session) => {
              const out = await session.run({ [tinyModelIo.input]: new runtime.ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
              const y = Array.from(out[tinyModelIo.output]!.data as Float32Array);
              if (y.join(',') !== '2,4,6') throw new Error(`wrong result ${y.join(',')}`);
            },
          });
          probe.push(...attempts);
          await session.release();
        } catch (error) {
          if (isOnnxRuntimeError(error, 'no-usable-provider')) probe.push(...error.attempts);
          else throw error;
        }
      }
    }
    const { cudaPack } = environment;
    if (values.json) {
      const pack = cudaPack.state === 'installed' ? { ...cudaPack, manifest: { ...cudaPack.manifest, files: undefined } } : cudaPack;
      const report = {
        onnxruntime: { version: runtime.version, source: runtime.source, moduleDir: runtime.moduleDir, description: runtime.description },
        platform: plan.platform,
        backends,
        cudaPack: pack,
        cudaProvider: environment.cudaProvider,
        nvidiaDriver: environment.nvidiaDriver ?? null,
        cudaLibraries: environment.cudaLibraries,
        vulkan: environment.vulkan,
        plan,
        ...(probe ? { probe } : {}),
      };
      io.stdout.write(JSON.stringify(report, null, 2) + '\n');
      return;
    }
    const lines: string[] = [];
    lines.push(`onnxruntime-node ${runtime.version} on ${plan.platform}, loaded from ${runtime.source === 'cuda-pack' ? 'the CUDA pack' : 'the app'}: ${runtime.moduleDir}`);
    lines.push(`compiled-in providers: ${backends.map((b) => `${b.name}${b.bundled ? '' : ' (libraries not bundled)'}`).join(', ')}`);
    if (environment.platform === 'linux' && environment.arch === 'x64') {
      lines.push(`CUDA pack: ${cudaPack.reason}`);
      if (environment.cudaProvider?.source === 'bundled') lines.push(`CUDA provider: ${environment.cudaProvider.description}`);
      lines.push(`NVIDIA driver: ${environment.nvidiaDriver ?? 'not found (libcuda.so.1)'}`);
      const libraries = environment.cudaLibraries;
      if (libraries) lines.push(`CUDA libraries: ${'error' in libraries ? libraries.error : libraries.summary}`);
    }
    if (environment.vulkan) lines.push(`Vulkan (for WebGPU): ${environment.vulkan.reason}`);
    lines.push(`providers for --device ${requested}, in order:`);
    for (const step of plan.steps) lines.push(`  ${formatStep(step)}`);
    if (probe) {
      lines.push('probe (a session on a tiny model per provider):');
      for (const attempt of probe) lines.push(`  ${describeAttempt(attempt)}`);
    }
    io.stdout.write(lines.join('\n') + '\n');
  },
};

/** "cuda: skipped — the CUDA provider is not installed; run `splade-search install-cuda`" */
export function formatStep(step: PlanStep): string {
  if (!step.use) return `${step.provider}: skipped — ${step.reason}`;
  return `${step.provider}: try — ${step.reason}${step.problem ? ` (expected to fail: ${step.problem})` : ''}`;
}
