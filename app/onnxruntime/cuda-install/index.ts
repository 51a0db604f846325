/**
 * The CUDA pack installer (`splade-search install-cuda`): resolves onnxruntime's CUDA provider on a NuGet v3 feed,
 * downloads it resumably (through a proxy if set), extracts the provider libraries from the .nupkg (yauzl), checks
 * they are x86-64 ELF libraries and assembles the pack next to a copy of the bundled onnxruntime-node. It depends
 * on the runtime folder above (pack layout, ELF reader, errors); the runtime never imports it.
 */
export { installCudaPack, removeCudaPack, type InstallCudaPackOptions, type InstallCudaPackResult } from './cuda-pack-install.js';
export { cudaProviderPackageId, nugetOrgServiceIndex } from './nuget-feed.js';
export type { DownloadOptions, HttpOptions } from './http-download.js';
