/** Installs the CUDA pack: the CUDA provider libraries from a NuGet package (downloaded or local) plus a copy of the bundled onnxruntime-node, in a writable folder. */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { copyFile, cp, mkdir, readdir, rename, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { formatBytes } from '../../util/format-bytes.js';
import { cudaPackLayout, cudaPackManifestName, cudaProviderLibraries, inspectCudaPack, type CudaPackManifest } from '../cuda-pack.js';
import { readElfDynamicInfo } from '../elf-dynamic-section.js';
import { isOnnxRuntimeError, OnnxRuntimeError } from '../onnxruntime-error.js';
import { binaryDirOf, bundledOnnxRuntime, cudaPackDir, cudaPackRoot, type DataDirOptions } from '../runtime-locations.js';
import { downloadFile, type DownloadOptions } from './http-download.js';
import { cudaProviderPackageId, nugetOrgServiceIndex, resolveNugetPackage } from './nuget-feed.js';
import { NupkgArchive } from './nupkg-archive.js';

/** Where the provider libraries sit in the Gpu.Linux .nupkg (the paths onnxruntime-node's install-metadata.js uses). */
export const nupkgNativeDir = 'runtimes/linux-x64/native';

export interface InstallCudaPackOptions extends DataDirOptions {
  /** A local `.nupkg` file, or a folder holding the provider libraries (an extracted nupkg, the GitHub gpu tarball, an onnxruntime-gpu wheel). */
  from?: string;
  /** The NuGet v3 service index URL (default $SPLADE_NUGET_FEED, else nuget.org). */
  feed?: string;
  http?: DownloadOptions;
  /** Reinstall even when a complete pack is there. */
  force?: boolean;
  /** Keep the downloaded .nupkg in `<root>/downloads` (default: delete it once installed). */
  keepDownload?: boolean;
  log?: (line: string) => void;
  platform?: string;
  arch?: string;
}

export interface InstallCudaPackResult {
  dir: string;
  manifest: CudaPackManifest;
  /** True when a complete pack was already there and nothing was done. */
  alreadyInstalled: boolean;
  download?: { url: string; bytes: number; resumed: boolean };
}

/**
 * Assembles `<root>/<version>/` = node_modules/onnxruntime-node (package.json, dist, lib, bin/napi-v6/linux/x64 with the
 * binding, libonnxruntime.so.1 and the provider libraries) + node_modules/onnxruntime-common + the manifest. Everything
 * is written to a staging folder next to it and renamed into place when complete, so a failure (network, corrupt
 * package, full disk) leaves any earlier pack as it was and no partial pack behind.
 */
export async function installCudaPack(options: InstallCudaPackOptions = {}): Promise<InstallCudaPackResult> {
  const log = options.log ?? (() => {});
  const platform = `${options.platform ?? process.platform}/${options.arch ?? process.arch}`;
  if (platform !== 'linux/x64') {
    const advice = platform.startsWith('win32') ? ' On Windows, use --device dml (DirectML, bundled).' : platform.startsWith('darwin') ? ' On macOS, use --device coreml (bundled).' : '';
    throw new OnnxRuntimeError('cuda-platform-unsupported', `The CUDA pack is for Linux x64 only; this is ${platform}: onnxruntime-node has no CUDA provider here.${advice}`);
  }
  const bundled = bundledOnnxRuntime();
  const version = bundled.version;
  const dir = cudaPackDir({ ...options, version });
  const existing = inspectCudaPack({ ...options, version, platform: 'linux', arch: 'x64' });
  if (existing.state === 'installed' && !options.force) {
    return { dir, manifest: existing.manifest, alreadyInstalled: true };
  }
  const root = cudaPackRoot(options);
  await mkdir(root, { recursive: true });
  const staging = join(root, `.staging-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
  const layout = cudaPackLayout(staging);
  let download: InstallCudaPackResult['download'];
  let downloadedFile: string | undefined;
  try {
    await mkdir(layout.binaryDir, { recursive: true });
    let source: CudaPackManifest['source'];
    if (options.from) {
      const info = await stat(options.from).catch(() => undefined);
      if (!info) throw new OnnxRuntimeError('cuda-source-missing', `--from ${options.from}: no such file or folder`);
      if (info.isDirectory()) {
        await copyProvidersFromFolder(options.from, layout.binaryDir, log);
        source = { kind: 'folder', path: options.from };
      } else {
        await extractProvidersFromNupkg(options.from, layout.binaryDir, log);
        source = { kind: 'file', path: options.from, sha512: await sha512Of(options.from) };
      }
    } else {
      const feed = options.feed ?? (options.env ?? process.env).SPLADE_NUGET_FEED ?? nugetOrgServiceIndex;
      log(`Resolving ${cudaProviderPackageId} ${version} on ${feed}`);
      const resolved = await resolveNugetPackage(feed, cudaProviderPackageId, version, options.http);
      const downloads = join(root, 'downloads');
      await mkdir(downloads, { recursive: true });
      downloadedFile = join(downloads, resolved.fileName);
      if (existsSync(downloadedFile)) {
        log(`Using the earlier download ${downloadedFile}`);
        download = { url: resolved.url, bytes: (await stat(downloadedFile)).size, resumed: false };
      } else {
        log(`Downloading ${resolved.url}`);
        const result = await downloadFile(resolved.url, downloadedFile, options.http);
        download = { url: resolved.url, bytes: result.bytes, resumed: result.resumed };
        log(`Downloaded ${formatBytes(result.bytes)}${result.resumed ? ' (resumed an earlier partial download)' : ''}`);
      }
      try {
        await extractProvidersFromNupkg(downloadedFile, layout.binaryDir, log);
      } catch (error) {
        if (isOnnxRuntimeError(error, 'cuda-package-invalid')) {
          await rm(downloadedFile, { force: true }); // do not reuse a bad download next time
          throw new OnnxRuntimeError('cuda-package-invalid', `${error.message} (the download was deleted; run the command again to fetch it anew)`, {}, { cause: error });
        }
        throw error;
      }
      source = { kind: 'nuget', url: resolved.url, sha512: await sha512Of(downloadedFile) };
    }
    const cudaProviderNeeds = await validateProviders(layout.binaryDir);
    await copyBundledModule(bundled.packageDir, bundled.commonDir, layout.moduleDir, layout.commonDir);
    const manifest: CudaPackManifest = {
      format: 1,
      onnxruntimeVersion: version,
      platform: 'linux/x64',
      installedAt: new Date().toISOString(),
      source,
      files: await fileSizes(staging),
      cudaProviderNeeds,
    };
    await writeFile(join(staging, cudaPackManifestName), JSON.stringify(manifest, null, 2) + '\n');
    await swapIntoPlace(staging, dir, root, version);
    if (downloadedFile && !options.keepDownload) await rm(downloadedFile, { force: true });
    return download ? { dir, manifest, alreadyInstalled: false, download } : { dir, manifest, alreadyInstalled: false };
  } catch (error) {
    await rm(staging, { recursive: true, force: true });
    throw error;
  } finally {
    await rmdir(join(root, 'downloads')).catch(() => undefined); // only when empty: a .part to resume stays
  }
}

/** Deletes the pack for the bundled version (and, with `all`, packs of other versions and downloads). Returns what was removed. */
export async function removeCudaPack(options: DataDirOptions & { all?: boolean } = {}): Promise<string[]> {
  const root = cudaPackRoot(options);
  const targets = options.all ? [root] : [cudaPackDir(options)];
  const removed: string[] = [];
  for (const target of targets) {
    if (existsSync(target)) {
      await rm(target, { recursive: true, force: true });
      removed.push(target);
    }
  }
  return removed;
}

async function extractProvidersFromNupkg(nupkg: string, binaryDir: string, log: (line: string) => void): Promise<void> {
  const zip = await NupkgArchive.open(nupkg);
  try {
    for (const [key, file] of Object.entries(cudaProviderLibraries)) {
      const name = `${nupkgNativeDir}/${file}`;
      const entry = zip.get(name);
      if (!entry) {
        if (key === 'tensorrt') {
          log(`Note: ${nupkg} has no ${name} (TensorRT provider); continuing without it`);
          continue;
        }
        throw new OnnxRuntimeError('cuda-package-invalid', `${nupkg} has no ${name}: not a ${cudaProviderPackageId} package`);
      }
      log(`Extracting ${name} (${formatBytes(entry.size)})`);
      await zip.extract(entry, join(binaryDir, file));
    }
  } finally {
    zip.close();
  }
}

/** Folder layouts that hold the provider libraries: a flat folder, an extracted nupkg, the GitHub gpu tarball, an onnxruntime-gpu wheel. */
const folderLayouts = ['.', nupkgNativeDir, 'lib', 'onnxruntime/capi'];

async function copyProvidersFromFolder(folder: string, binaryDir: string, log: (line: string) => void): Promise<void> {
  const required = [cudaProviderLibraries.shared, cudaProviderLibraries.cuda];
  const found = folderLayouts.map((sub) => join(folder, sub)).find((dir) => required.every((f) => existsSync(join(dir, f))));
  if (!found) {
    throw new OnnxRuntimeError(
      'cuda-package-invalid',
      `${folder} holds no ${required.join(' and ')} (looked in ${folderLayouts.map((s) => (s === '.' ? folder : join(folder, s))).join(', ')})`,
    );
  }
  for (const file of Object.values(cudaProviderLibraries)) {
    if (!existsSync(join(found, file))) {
      log(`Note: ${found} has no ${file}; continuing without it`);
      continue;
    }
    log(`Copying ${join(found, file)}`);
    await copyFile(join(found, file), join(binaryDir, file));
  }
}

/** Each provider must be an x86-64 ELF shared object; returns the CUDA provider's DT_NEEDED list. */
async function validateProviders(binaryDir: string): Promise<string[]> {
  let needs: string[] = [];
  for (const file of Object.values(cudaProviderLibraries)) {
    const path = join(binaryDir, file);
    if (!existsSync(path)) continue;
    try {
      const info = await readElfDynamicInfo(path);
      if (info.machine !== 62 || info.bits !== 64) {
        throw new OnnxRuntimeError('cuda-package-invalid', `${file} is not an x86-64 library (ELF machine ${info.machine}, ${info.bits}-bit)`);
      }
      if (file === cudaProviderLibraries.cuda) needs = info.needed;
    } catch (error) {
      if (isOnnxRuntimeError(error, 'elf-unreadable')) throw new OnnxRuntimeError('cuda-package-invalid', `${file} from the package is not a usable shared library: ${error.message}`, {}, { cause: error });
      throw error;
    }
  }
  return needs;
}

/** Copies the parts of onnxruntime-node that run on linux/x64 (not the other platforms' binaries), and onnxruntime-common. */
async function copyBundledModule(packageDir: string, commonDir: string, moduleDir: string, targetCommonDir: string): Promise<void> {
  for (const name of ['package.json', 'README.md', 'LICENSE']) {
    if (existsSync(join(packageDir, name))) await copyFile(join(packageDir, name), join(moduleDir, name));
  }
  for (const name of ['dist', 'lib']) {
    if (existsSync(join(packageDir, name))) await cp(join(packageDir, name), join(moduleDir, name), { recursive: true });
  }
  const from = binaryDirOf(packageDir, 'linux', 'x64');
  const to = binaryDirOf(moduleDir, 'linux', 'x64');
  const providerFiles = new Set<string>(Object.values(cudaProviderLibraries));
  const binaries = await readdir(from).catch(() => [] as string[]);
  if (!binaries.includes('onnxruntime_binding.node') || !binaries.includes('libonnxruntime.so.1')) {
    throw new OnnxRuntimeError('runtime-missing', `The bundled onnxruntime-node in ${packageDir} has no linux/x64 binding (${from}); reinstall it`);
  }
  for (const name of binaries) {
    if (!providerFiles.has(name)) await copyFile(join(from, name), join(to, name));
  }
  await cp(commonDir, targetCommonDir, { recursive: true, filter: (source) => !source.includes(`${commonDir}/node_modules`) });
}

async function swapIntoPlace(staging: string, dir: string, root: string, version: string): Promise<void> {
  let old: string | undefined;
  if (existsSync(dir)) {
    old = join(root, `.old-${version}-${process.pid}-${randomBytes(4).toString('hex')}`);
    await rename(dir, old);
  }
  try {
    await rename(staging, dir);
  } catch (error) {
    if (old) await rename(old, dir).catch(() => undefined);
    throw error;
  }
  if (old) await rm(old, { recursive: true, force: true });
}

async function fileSizes(dir: string): Promise<Record<string, number>> {
  const files: Record<string, number> = {};
  const walk = async (folder: string): Promise<void> => {
    for (const entry of await readdir(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) await walk(path);
      else if (entry.isFile()) files[relative(dir, path).split('\\').join('/')] = (await stat(path)).size;
    }
  };
  await walk(dir);
  return files;
}

async function sha512Of(path: string): Promise<string> {
  const hash = createHash('sha512');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('base64');
}
