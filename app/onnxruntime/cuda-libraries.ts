/** Which CUDA, cuDNN and driver libraries the CUDA provider needs (its DT_NEEDED entries) and whether this machine has them. */
import { dirname } from 'node:path';
import { readElfDynamicInfo } from './elf-dynamic-section.js';
import type { LibraryLookup } from './library-lookup.js';

export interface NeededLibrary {
  name: string;
  /** Where the dynamic loader would find it; undefined when missing. */
  path?: string;
}

export interface CudaLibraryCheck {
  /** The provider library that was read. */
  provider: string;
  /** Its DT_NEEDED entries, each looked up. */
  needed: NeededLibrary[];
  /** Names of needed libraries the loader would not find. */
  missing: string[];
  /** CUDA major version the provider was built for (from libcudart.so.N / libcublas.so.N). */
  cudaMajor?: number;
  /** cuDNN major version (from libcudnn.so.N). */
  cudnnMajor?: number;
  /** The NVIDIA driver library (libcuda.so.1), opened by the CUDA runtime at run time; undefined when absent. */
  driver?: string;
  /** One line: what is needed and what is missing. */
  summary: string;
}

/** Finds the NVIDIA driver's user-space library (libcuda.so.1); its absence means no usable NVIDIA GPU. */
export function findNvidiaDriver(lookup: LibraryLookup): string | undefined {
  return lookup.find('libcuda.so.1');
}

/**
 * Reads the DT_NEEDED entries of `providerPath` (libonnxruntime_providers_cuda.so) and looks each up with `lookup`,
 * its own folder serving as `$ORIGIN` for its RUNPATH. Rejects with an ElfReadError when the file is not ELF.
 */
export async function checkCudaLibraries(providerPath: string, lookup: LibraryLookup): Promise<CudaLibraryCheck> {
  const info = await readElfDynamicInfo(providerPath);
  const origin = dirname(providerPath);
  const runpath = info.runpath.map((dir) => dir.replace(/\$\{?ORIGIN\}?/g, origin));
  const needed = info.needed.map((name): NeededLibrary => {
    const path = lookup.find(name, runpath);
    return path === undefined ? { name } : { name, path };
  });
  const missing = needed.filter((n) => n.path === undefined).map((n) => n.name);
  const cudaMajor = majorOf(info.needed, /^libcudart\.so\.(\d+)/) ?? majorOf(info.needed, /^libcublas\.so\.(\d+)/);
  const cudnnMajor = majorOf(info.needed, /^libcudnn\.so\.(\d+)/);
  const driver = findNvidiaDriver(lookup);
  const check: CudaLibraryCheck = { provider: providerPath, needed, missing, summary: '' };
  if (cudaMajor !== undefined) check.cudaMajor = cudaMajor;
  if (cudnnMajor !== undefined) check.cudnnMajor = cudnnMajor;
  if (driver !== undefined) check.driver = driver;
  check.summary = summarize(check);
  return check;
}

/** "needs CUDA 13.x and cuDNN 9.x"; the exact libraries are in `needed`. */
export function describeCudaNeeds(check: Pick<CudaLibraryCheck, 'cudaMajor' | 'cudnnMajor'>): string {
  const parts = [];
  if (check.cudaMajor !== undefined) parts.push(`CUDA ${check.cudaMajor}.x`);
  if (check.cudnnMajor !== undefined) parts.push(`cuDNN ${check.cudnnMajor}.x`);
  return parts.length > 0 ? `needs ${parts.join(' and ')}` : 'needs no versioned CUDA runtime library (none in DT_NEEDED)';
}

function summarize(check: CudaLibraryCheck): string {
  const gpuLibraries = check.needed.filter((n) => /^lib(cu|nv|cudnn)/.test(n.name)).map((n) => n.name);
  const base = `the CUDA provider ${describeCudaNeeds(check)} (${gpuLibraries.join(', ') || 'no CUDA libraries listed'})`;
  const problems = [];
  if (check.missing.length > 0) problems.push(`not found by the dynamic loader: ${check.missing.join(', ')}`);
  if (check.driver === undefined) problems.push('no NVIDIA driver: libcuda.so.1 not found');
  return problems.length > 0 ? `${base}; ${problems.join('; ')}` : `${base}; all found`;
}

function majorOf(names: string[], pattern: RegExp): number | undefined {
  for (const name of names) {
    const match = pattern.exec(name);
    if (match) return Number(match[1]);
  }
  return undefined;
}
