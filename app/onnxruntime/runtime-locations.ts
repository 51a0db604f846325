/** Where the bundled onnxruntime-node lives and where the CUDA pack (a writable copy with the CUDA provider) is installed. */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { OnnxRuntimeError } from './onnxruntime-error.js';

export interface BundledOnnxRuntime {
  /** The `version` of the installed onnxruntime-node package, e.g. `1.30.0`. */
  version: string;
  /** The onnxruntime-node package folder. */
  packageDir: string;
  /** The onnxruntime-common package folder that onnxruntime-node resolves. */
  commonDir: string;
}

let bundled: BundledOnnxRuntime | undefined;

/** Locates the onnxruntime-node dependency of this app (and its onnxruntime-common) without loading it. */
export function bundledOnnxRuntime(): BundledOnnxRuntime {
  if (!bundled) {
    const require = createRequire(import.meta.url);
    const packageJson = require.resolve('onnxruntime-node/package.json');
    const packageDir = dirname(packageJson);
    const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version: string }).version;
    bundled = { version, packageDir, commonDir: packageRootOf(createRequire(packageJson).resolve('onnxruntime-common'), 'onnxruntime-common') };
  }
  return bundled;
}

/** The folder of the package `name` that contains `file` (onnxruntime-common's exports hide its package.json). */
function packageRootOf(file: string, name: string): string {
  for (let dir = dirname(file); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      if ((JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string }).name === name) return dir;
    } catch {
      // no package.json here: go up
    }
  }
  throw new OnnxRuntimeError('runtime-missing', `Cannot find the ${name} package folder above ${file}`);
}

/** The folder of one platform's native files inside an onnxruntime-node package folder. */
export function binaryDirOf(packageDir: string, platform: string = process.platform, arch: string = process.arch): string {
  return join(packageDir, 'bin', 'napi-v6', platform, arch);
}

export { appDataDir, type DataDirOptions } from '../util/app-data-dir.js';
import { appDataDir, type DataDirOptions } from '../util/app-data-dir.js';

/** The folder holding every installed CUDA pack, one subfolder per onnxruntime version. */
export function cudaPackRoot(options: DataDirOptions = {}): string {
  return join(appDataDir(options), 'onnxruntime-cuda');
}

/** The CUDA pack folder for one onnxruntime version (default: the bundled one). */
export function cudaPackDir(options: DataDirOptions & { version?: string } = {}): string {
  return join(cudaPackRoot(options), options.version ?? bundledOnnxRuntime().version);
}
