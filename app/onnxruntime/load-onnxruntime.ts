/** Loads onnxruntime-node: the CUDA pack's copy when it is installed and complete, else the bundled package. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { inspectCudaPack, type CudaPackStatus } from './cuda-pack.js';
import { binaryDirOf, bundledOnnxRuntime, type DataDirOptions } from './runtime-locations.js';

/** The onnxruntime-node module: InferenceSession, Tensor, env, listSupportedBackends. */
export type OnnxRuntimeModule = typeof import('onnxruntime-node');

export interface LoadedOnnxRuntime {
  ort: OnnxRuntimeModule;
  source: 'cuda-pack' | 'bundled';
  version: string;
  /** The onnxruntime-node package folder the module was loaded from. */
  moduleDir: string;
  /** The folder of libonnxruntime.so.1 / onnxruntime.dll, where ORT also looks for provider libraries. */
  binaryDir: string;
  /** Where it came from and why, in one sentence, e.g. for the log. */
  description: string;
  cudaPack: CudaPackStatus;
}

export interface LoadOnnxRuntimeOptions extends DataDirOptions {
  /** Use the CUDA pack when it is installed (default true). False loads the bundled package. */
  useCudaPack?: boolean;
}

let loaded: LoadedOnnxRuntime | undefined;

/**
 * Returns the onnxruntime-node module this process (or worker thread) should use. The first call decides and later
 * calls return the same module: ORT's native library can be loaded only once per process, and a second copy would
 * share the first one's libonnxruntime.so.1 (same SONAME), so its provider folder would be the first one's.
 * For that reason the pack is not used when another libonnxruntime.so.1 is already loaded in this process (e.g. by
 * the main thread): the bundled module is returned instead and `description` says why.
 */
export async function loadOnnxRuntime(options: LoadOnnxRuntimeOptions = {}): Promise<LoadedOnnxRuntime> {
  if (loaded) return loaded;
  const bundled = bundledOnnxRuntime();
  const cudaPack = inspectCudaPack(options);
  const bundledResult = (why: string): LoadedOnnxRuntime => {
    const ort = createRequire(import.meta.url)('onnxruntime-node') as OnnxRuntimeModule;
    return {
      ort,
      source: 'bundled',
      version: bundled.version,
      moduleDir: bundled.packageDir,
      binaryDir: binaryDirOf(bundled.packageDir),
      description: `onnxruntime-node ${bundled.version} bundled with the app (${bundled.packageDir}): ${why}`,
      cudaPack,
    };
  };
  if (options.useCudaPack === false) {
    loaded = bundledResult('the CUDA pack was not asked for');
  } else if (cudaPack.state !== 'installed') {
    loaded = bundledResult(cudaPack.reason);
  } else {
    const already = loadedOrtLibraries().filter((path) => dirname(path) !== resolve(cudaPack.binaryDir));
    if (already.length > 0) {
      loaded = bundledResult(
        `the CUDA pack in ${cudaPack.dir} is installed but cannot be used in this process: ${already[0]} is already loaded`,
      );
    } else {
      const ort = createRequire(join(cudaPack.moduleDir, 'package.json'))(cudaPack.moduleDir) as OnnxRuntimeModule;
      loaded = {
        ort,
        source: 'cuda-pack',
        version: bundled.version,
        moduleDir: cudaPack.moduleDir,
        binaryDir: cudaPack.binaryDir,
        description: `onnxruntime-node ${bundled.version} from the CUDA pack (${cudaPack.dir})`,
        cudaPack,
      };
    }
  }
  return loaded;
}

/** The paths of libonnxruntime.so* mapped into this process (Linux; empty elsewhere or when /proc is unreadable). */
export function loadedOrtLibraries(): string[] {
  let maps: string;
  try {
    maps = readFileSync('/proc/self/maps', 'utf8');
  } catch {
    return [];
  }
  const paths = new Set<string>();
  for (const line of maps.split('\n')) {
    const slash = line.indexOf('/');
    if (slash === -1) continue;
    const path = line.slice(slash).replace(/ \(deleted\)$/, '');
    if (/\/libonnxruntime\.so(\.\d+)*$/.test(path)) paths.add(path);
  }
  return [...paths];
}
