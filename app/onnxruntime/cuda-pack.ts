/** The CUDA pack's layout, its manifest, and the check that an installed pack is complete and matches the bundled onnxruntime. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { binaryDirOf, bundledOnnxRuntime, cudaPackDir, cudaPackRoot, type DataDirOptions } from './runtime-locations.js';

/** The provider libraries the CUDA pack adds next to libonnxruntime.so.1; shared and cuda are required, tensorrt optional. */
export const cudaProviderLibraries = {
  shared: 'libonnxruntime_providers_shared.so',
  cuda: 'libonnxruntime_providers_cuda.so',
  tensorrt: 'libonnxruntime_providers_tensorrt.so',
} as const;

export const cudaPackManifestName = 'splade-cuda-pack.json';

export interface CudaPackManifest {
  format: 1;
  /** Must equal the bundled onnxruntime-node version: provider libraries only load into the exact same ORT build. */
  onnxruntimeVersion: string;
  platform: 'linux/x64';
  installedAt: string;
  source: { kind: 'nuget'; url: string; sha512: string } | { kind: 'file'; path: string; sha512: string } | { kind: 'folder'; path: string };
  /** Every file of the pack, relative to the pack folder, with its size in bytes. */
  files: Record<string, number>;
  /** DT_NEEDED of libonnxruntime_providers_cuda.so, read at install time. */
  cudaProviderNeeds: string[];
}

/** Paths inside a pack folder. */
export function cudaPackLayout(dir: string) {
  const moduleDir = join(dir, 'node_modules', 'onnxruntime-node');
  return {
    dir,
    manifest: join(dir, cudaPackManifestName),
    moduleDir,
    commonDir: join(dir, 'node_modules', 'onnxruntime-common'),
    binaryDir: binaryDirOf(moduleDir, 'linux', 'x64'),
  };
}

export type CudaPackStatus =
  | { state: 'installed'; dir: string; manifest: CudaPackManifest; moduleDir: string; binaryDir: string; reason: string }
  | {
      state: 'not-installed' | 'incomplete' | 'unsupported-platform';
      dir: string;
      reason: string;
      /** Packs found for other onnxruntime versions (left from an older app version). */
      otherVersions: string[];
    };

export interface InspectCudaPackOptions extends DataDirOptions {
  platform?: string;
  arch?: string;
  /** The onnxruntime version the pack must match (default: the bundled onnxruntime-node). */
  version?: string;
}

/**
 * Checks the pack for the bundled onnxruntime version: the manifest must parse, name the same version, and every
 * file it lists must exist with the recorded size. Sizes, not hashes: this runs at every start.
 */
export function inspectCudaPack(options: InspectCudaPackOptions = {}): CudaPackStatus {
  const version = options.version ?? bundledOnnxRuntime().version;
  const dir = cudaPackDir({ ...options, version });
  const platform = `${options.platform ?? process.platform}/${options.arch ?? process.arch}`;
  const otherVersions = listOtherVersions(cudaPackRoot(options), version);
  const fail = (state: 'not-installed' | 'incomplete' | 'unsupported-platform', reason: string): CudaPackStatus => ({
    state,
    dir,
    reason,
    otherVersions,
  });
  if (platform !== 'linux/x64') {
    return fail('unsupported-platform', `the CUDA pack exists for linux/x64 only (onnxruntime-node has no CUDA provider for ${platform})`);
  }
  const layout = cudaPackLayout(dir);
  let text: string;
  try {
    text = readFileSync(layout.manifest, 'utf8');
  } catch {
    const older = otherVersions.length > 0 ? ` (found packs for onnxruntime ${otherVersions.join(', ')}, but the app uses ${version})` : '';
    return fail('not-installed', `the CUDA provider is not installed${older}; run \`splade-search install-cuda\``);
  }
  let manifest: CudaPackManifest;
  try {
    manifest = JSON.parse(text) as CudaPackManifest;
  } catch (error) {
    return fail('incomplete', `the CUDA pack manifest ${layout.manifest} is not valid JSON (${(error as Error).message}); run \`splade-search install-cuda --force\``);
  }
  if (manifest.format !== 1 || typeof manifest.files !== 'object' || manifest.files === null) {
    return fail('incomplete', `the CUDA pack manifest ${layout.manifest} has an unknown format; run \`splade-search install-cuda --force\``);
  }
  if (manifest.onnxruntimeVersion !== version) {
    return fail(
      'incomplete',
      `the CUDA pack in ${dir} is for onnxruntime ${manifest.onnxruntimeVersion}, the app uses ${version}; run \`splade-search install-cuda --force\``,
    );
  }
  const required = ['node_modules/onnxruntime-node/package.json', ...Object.values(cudaProviderLibraries).slice(0, 2).map((f) => `node_modules/onnxruntime-node/bin/napi-v6/linux/x64/${f}`)];
  for (const file of required) {
    if (!(file in manifest.files)) return fail('incomplete', `the CUDA pack in ${dir} lacks ${file}; run \`splade-search install-cuda --force\``);
  }
  for (const [file, size] of Object.entries(manifest.files)) {
    let actual: number;
    try {
      actual = statSync(join(dir, file)).size;
    } catch {
      return fail('incomplete', `the CUDA pack in ${dir} is missing ${file}; run \`splade-search install-cuda --force\``);
    }
    if (actual !== size) {
      return fail('incomplete', `the CUDA pack file ${join(dir, file)} has ${actual} bytes, the manifest says ${size}; run \`splade-search install-cuda --force\``);
    }
  }
  return {
    state: 'installed',
    dir,
    manifest,
    moduleDir: layout.moduleDir,
    binaryDir: layout.binaryDir,
    reason: `the CUDA pack for onnxruntime ${version} is installed in ${dir}`,
  };
}

function listOtherVersions(root: string, version: string): string[] {
  try {
    return readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^\d+\.\d+\.\d+/.test(e.name) && e.name !== version)
      .map((e) => e.name)
      .sort();
  } catch {
    return [];
  }
}
