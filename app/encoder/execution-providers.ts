/**
 * Execution-provider choice for onnxruntime-node: which providers to try for a device option, and session
 * creation that falls back to CPU when a provider cannot load, recording which one is in use and why.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { InferenceSession } from 'onnxruntime-node';

export type Device = 'cpu' | 'auto' | 'cuda' | 'dml' | 'coreml' | 'webgpu';
export const DEVICES: readonly Device[] = ['cpu', 'auto', 'cuda', 'dml', 'coreml', 'webgpu'];
export type Provider = Exclude<Device, 'auto'>;

export interface ProviderChoice {
  /** What was asked for. */
  requested: Device;
  /** The provider the session runs on. */
  provider: Provider;
  /** Why a provider tried (or skipped) before this one is not in use; undefined when the first choice worked. */
  fallbackReason: string | undefined;
}

/** Providers to try, best first, for `device` on `platform` (CPU always last). */
export function providerPreference(device: Device, platform: NodeJS.Platform = process.platform): Provider[] {
  if (device === 'cpu') return ['cpu'];
  if (device !== 'auto') return [device, 'cpu'];
  if (platform === 'linux') return ['cuda', 'cpu'];
  if (platform === 'win32') return ['dml', 'cpu'];
  if (platform === 'darwin') return ['coreml', 'cpu'];
  return ['cpu'];
}

/** Backends compiled into this platform's onnxruntime-node binary, and whether the CUDA libraries are present. */
export interface BackendInfo {
  compiledIn: Set<string>;
  cudaLibrariesPresent: boolean;
}

export function probeBackends(list: () => Array<{ name: string }>): BackendInfo {
  let cudaLibrariesPresent = false;
  try {
    const require = createRequire(import.meta.url);
    const root = dirname(require.resolve('onnxruntime-node/package.json'));
    const folder = join(root, 'bin', 'napi-v6', process.platform, process.arch);
    cudaLibrariesPresent = existsSync(join(folder, 'libonnxruntime_providers_cuda.so')) || existsSync(join(folder, 'onnxruntime_providers_cuda.dll'));
  } catch {
    // leave false
  }
  return { compiledIn: new Set(list().map((b) => b.name)), cudaLibrariesPresent };
}

/**
 * Creates a session on the first provider of `providerPreference(device)` that works. Providers not compiled into
 * this platform's binary are skipped (onnxruntime would silently drop them); with 'auto', CUDA is skipped when its
 * libraries are not installed. A provider whose session creation fails is recorded and the next one tried.
 */
export async function createSessionWithFallback(
  device: Device,
  backends: BackendInfo,
  create: (providers: string[]) => Promise<InferenceSession>,
): Promise<{ session: InferenceSession; choice: ProviderChoice }> {
  const problems: string[] = [];
  for (const provider of providerPreference(device)) {
    if (provider !== 'cpu' && !backends.compiledIn.has(provider)) {
      problems.push(`${provider}: not available in onnxruntime-node for ${process.platform}/${process.arch}`);
      continue;
    }
    if (provider === 'cuda' && device === 'auto' && !backends.cudaLibrariesPresent) {
      problems.push('cuda: the CUDA provider libraries of onnxruntime-node are not installed');
      continue;
    }
    try {
      const session = await create(provider === 'cpu' ? ['cpu'] : [provider, 'cpu']);
      return { session, choice: { requested: device, provider, fallbackReason: problems.length ? problems.join('; ') : undefined } };
    } catch (error) {
      const message = String((error as Error)?.message ?? error).split('\n')[0]!;
      if (provider === 'cpu') throw new Error(`Cannot create an onnxruntime session on the CPU: ${message}${problems.length ? ` (before: ${problems.join('; ')})` : ''}`);
      problems.push(`${provider}: ${message}`);
    }
  }
  throw new Error(`no usable execution provider: ${problems.join('; ')}`);
}
