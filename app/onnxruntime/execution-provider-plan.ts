/** Decides which execution providers to try, in which order, for a device request on this machine, with a reason for each. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { OnnxRuntimeError } from './onnxruntime-error.js';
import { checkCudaLibraries, findNvidiaDriver, type CudaLibraryCheck } from './cuda-libraries.js';
import { cudaProviderLibraries, inspectCudaPack, type CudaPackStatus } from './cuda-pack.js';
import { createLibraryLookup, type LibraryLookup } from './library-lookup.js';
import { binaryDirOf, bundledOnnxRuntime, type DataDirOptions } from './runtime-locations.js';
import { checkVulkan, findGpuDeviceNodes, type GpuDeviceNodes, type VulkanStatus } from './vulkan-check.js';

export const executionProviderNames = ['cpu', 'cuda', 'dml', 'coreml', 'webgpu'] as const;
export type ExecutionProviderName = (typeof executionProviderNames)[number];
export type DeviceRequest = 'auto' | ExecutionProviderName;
export const deviceRequests: readonly DeviceRequest[] = ['auto', ...executionProviderNames];

/** Parses a `--device` value; throws the OnnxRuntimeError `unknown-device` listing the accepted values. */
export function parseDeviceRequest(value: string): DeviceRequest {
  if ((deviceRequests as readonly string[]).includes(value)) return value as DeviceRequest;
  throw new OnnxRuntimeError('unknown-device', `unknown device "${value}": expected one of ${deviceRequests.join(', ')}`);
}

/** The execution providers compiled into onnxruntime-node 1.30's prebuilt binding per platform (listSupportedBackends). */
export const compiledProviders: Readonly<Record<string, readonly string[]>> = {
  'linux/x64': ['cpu', 'webgpu', 'cuda', 'tensorrt'],
  'linux/arm64': ['cpu'],
  'win32/x64': ['cpu', 'dml', 'webgpu'],
  'win32/arm64': ['cpu', 'dml', 'webgpu'],
  'darwin/arm64': ['cpu', 'coreml', 'webgpu'],
};

export interface ProviderEnvironment {
  platform: string;
  arch: string;
  /** Providers compiled into the onnxruntime-node binding for this platform. */
  compiled: readonly string[];
  cudaPack: CudaPackStatus;
  /**
   * linux/x64: where the CUDA provider libraries are: the CUDA pack, or the bundled package's own folder when
   * onnxruntime-node's postinstall download was allowed to run. Undefined when neither has them.
   */
  cudaProvider?: { source: 'cuda-pack' | 'bundled'; binaryDir: string; description: string };
  /** linux/x64: the NVIDIA driver library (libcuda.so.1) if found. */
  nvidiaDriver?: string;
  /** linux/x64 with the pack installed: the provider's needed libraries, looked up (or why they could not be read). */
  cudaLibraries?: CudaLibraryCheck | { error: string };
  /** Linux: the Vulkan loader and drivers, for WebGPU. */
  vulkan?: VulkanStatus;
}

export interface DetectOptions extends DataDirOptions {
  platform?: string;
  arch?: string;
  lookup?: LibraryLookup;
  /** GPU device nodes (tests); default: what /dev holds. */
  gpuDeviceNodes?: GpuDeviceNodes;
}

/** Looks at this machine: the CUDA pack, the libraries its provider needs, the NVIDIA driver, Vulkan. Reads files, runs `ldconfig -p`. */
export async function detectProviderEnvironment(options: DetectOptions = {}): Promise<ProviderEnvironment> {
  const platform = options.platform ?? process.platform;
  const arch = options.arch ?? process.arch;
  const env = options.env ?? process.env;
  const cudaPack = inspectCudaPack({ ...options, platform, arch });
  const environment: ProviderEnvironment = {
    platform,
    arch,
    compiled: compiledProviders[`${platform}/${arch}`] ?? [],
    cudaPack,
  };
  if (platform === 'linux') {
    const lookup = options.lookup ?? createLibraryLookup({ env, arch });
    environment.vulkan = checkVulkan(lookup, env, options.gpuDeviceNodes ?? findGpuDeviceNodes());
    if (arch === 'x64') {
      const driver = findNvidiaDriver(lookup);
      if (driver) environment.nvidiaDriver = driver;
      const bundledDir = binaryDirOf(bundledOnnxRuntime().packageDir, platform, arch);
      if (cudaPack.state === 'installed') {
        environment.cudaProvider = { source: 'cuda-pack', binaryDir: cudaPack.binaryDir, description: cudaPack.reason };
      } else if ([cudaProviderLibraries.shared, cudaProviderLibraries.cuda].every((f) => existsSync(join(bundledDir, f)))) {
        environment.cudaProvider = {
          source: 'bundled',
          binaryDir: bundledDir,
          description: `the CUDA provider is in the bundled onnxruntime-node (${bundledDir}, from its postinstall download)`,
        };
      }
      if (environment.cudaProvider) {
        try {
          environment.cudaLibraries = await checkCudaLibraries(join(environment.cudaProvider.binaryDir, cudaProviderLibraries.cuda), lookup);
        } catch (error) {
          environment.cudaLibraries = { error: (error as Error).message };
        }
      }
    }
  }
  return environment;
}

export interface PlanStep {
  provider: ExecutionProviderName;
  /** True: create a session with it (in order). False: skipped, `reason` says why. */
  use: boolean;
  reason: string;
  /** For an explicitly requested provider that is kept although it is expected to fail: the predicted cause. */
  problem?: string;
}

export interface ExecutionProviderPlan {
  requested: DeviceRequest;
  /** `linux/x64` etc. */
  platform: string;
  /** Every provider considered, in order: those to try (`use`) and those skipped, each with its reason. */
  steps: PlanStep[];
  /** The providers to try, in order (the `use` steps); always ends with `cpu`. */
  providers: ExecutionProviderName[];
}

/** Plans for `requested` on this machine (detects the environment when `env` is not given). */
export async function planExecutionProviders(requested: DeviceRequest, env?: ProviderEnvironment): Promise<ExecutionProviderPlan> {
  return planFromEnvironment(requested, env ?? (await detectProviderEnvironment()));
}

/**
 * The pure planning rule. `auto` tries, in order: linux/x64 cuda (pack installed, driver and CUDA/cuDNN libraries
 * found), webgpu (a Vulkan loader and hardware driver), cpu; win32 dml, webgpu, cpu; darwin/arm64 coreml, cpu
 * (WebGPU on macOS is left to explicit requests: ORT marks it experimental and CoreML already reaches the GPU and
 * Neural Engine); elsewhere cpu. An explicit provider is always tried first, even when it is expected to fail (the
 * user then sees the real error, with `problem` as the hint), then cpu.
 */
export function planFromEnvironment(requested: DeviceRequest, env: ProviderEnvironment): ExecutionProviderPlan {
  const platform = `${env.platform}/${env.arch}`;
  const steps: PlanStep[] = [];
  const cpuStep: PlanStep = { provider: 'cpu', use: true, reason: 'always available' };
  if (requested === 'cpu') {
    steps.push({ provider: 'cpu', use: true, reason: 'requested' });
  } else if (requested !== 'auto') {
    const problem = unavailability(requested, env);
    const step: PlanStep = { provider: requested, use: true, reason: 'requested' };
    if (problem) step.problem = problem;
    steps.push(step, { ...cpuStep, reason: `fallback if ${requested} fails` });
  } else {
    for (const provider of autoOrder(env)) {
      if (provider === 'cpu') {
        steps.push({ ...cpuStep, reason: steps.some((s) => s.use) ? 'fallback' : 'always available' });
        continue;
      }
      const problem = unavailability(provider, env) ?? autoExclusion(provider, env);
      steps.push(problem ? { provider, use: false, reason: problem } : { provider, use: true, reason: availability(provider, env) });
    }
  }
  return { requested, platform, steps, providers: steps.filter((s) => s.use).map((s) => s.provider) };
}

/** The providers `auto` considers, in preference order, followed by the ones this platform lacks (listed as skipped). */
function autoOrder(env: ProviderEnvironment): ExecutionProviderName[] {
  const preferred: ExecutionProviderName[] =
    env.platform === 'linux' && env.arch === 'x64'
      ? ['cuda', 'webgpu', 'cpu']
      : env.platform === 'win32'
        ? ['dml', 'webgpu', 'cpu']
        : env.platform === 'darwin' && env.arch === 'arm64'
          ? ['coreml', 'webgpu', 'cpu']
          : ['cpu'];
  return [...preferred, ...executionProviderNames.filter((p) => !preferred.includes(p))];
}

/** Why `provider` cannot work here, or undefined when nothing known stands in its way. */
function unavailability(provider: ExecutionProviderName, env: ProviderEnvironment): string | undefined {
  const platform = `${env.platform}/${env.arch}`;
  if (provider === 'cpu') return undefined;
  if (!env.compiled.includes(provider)) {
    const only: Record<string, string> = { dml: 'Windows only', coreml: 'macOS on Apple silicon only', cuda: 'Linux x64 only', webgpu: 'Linux x64, Windows and macOS only' };
    return env.compiled.length === 0
      ? `onnxruntime-node has no binary for ${platform}`
      : `${only[provider] ?? 'not available'}: not in onnxruntime-node for ${platform} (it has ${env.compiled.join(', ')})`;
  }
  if (provider === 'cuda') {
    if (!env.cudaProvider) return env.cudaPack.reason;
    if (!env.nvidiaDriver) return 'no NVIDIA driver: libcuda.so.1 not found by the dynamic loader';
    const libraries = env.cudaLibraries;
    if (libraries && 'error' in libraries) return `cannot read the CUDA provider's library list: ${libraries.error}`;
    if (libraries && libraries.missing.length > 0) {
      const needs = [libraries.cudaMajor !== undefined ? `CUDA ${libraries.cudaMajor}.x` : '', libraries.cudnnMajor !== undefined ? `cuDNN ${libraries.cudnnMajor}.x` : '']
        .filter(Boolean)
        .join(' and ');
      return `${libraries.missing.join(', ')} not found by the dynamic loader (the CUDA provider needs ${needs || 'them'}; install them or add their folders to LD_LIBRARY_PATH)`;
    }
  }
  if (provider === 'webgpu' && env.platform === 'linux' && env.vulkan && !env.vulkan.usable) return env.vulkan.reason;
  return undefined;
}

/** Providers that work but that `auto` does not pick on this platform. */
function autoExclusion(provider: ExecutionProviderName, env: ProviderEnvironment): string | undefined {
  if (provider === 'webgpu' && env.platform === 'darwin') {
    return 'not chosen automatically on macOS: experimental in onnxruntime, and CoreML already uses the GPU and Neural Engine (ask for it with --device webgpu)';
  }
  return undefined;
}

function availability(provider: ExecutionProviderName, env: ProviderEnvironment): string {
  switch (provider) {
    case 'cuda': {
      const libraries = env.cudaLibraries && !('error' in env.cudaLibraries) ? env.cudaLibraries : undefined;
      const needs = libraries ? `; ${libraries.summary}` : '';
      return `${env.cudaProvider?.description}, NVIDIA driver ${env.nvidiaDriver}${needs}`;
    }
    case 'webgpu':
      return env.platform === 'linux' ? `WebGPU over Vulkan: ${env.vulkan?.reason ?? 'not checked'}` : 'WebGPU (Dawn over Direct3D 12 / Metal)';
    case 'dml':
      return 'DirectML: any DirectX 12 GPU on Windows 10 1903 or later';
    case 'coreml':
      return 'CoreML: Apple GPU and Neural Engine';
    default:
      return 'always available';
  }
}
