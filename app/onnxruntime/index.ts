/** onnxruntime-node for the app: which copy to load (bundled or the CUDA pack), which execution providers to try, session creation with fallback, and the CUDA pack installer. */
export { loadOnnxRuntime, loadedOrtLibraries, type LoadedOnnxRuntime, type LoadOnnxRuntimeOptions, type OnnxRuntimeModule } from './load-onnxruntime.js';
export {
  compiledProviders,
  detectProviderEnvironment,
  deviceRequests,
  executionProviderNames,
  parseDeviceRequest,
  planExecutionProviders,
  planFromEnvironment,
  type DetectOptions,
  type DeviceRequest,
  type ExecutionProviderName,
  type ExecutionProviderPlan,
  type PlanStep,
  type ProviderEnvironment,
} from './execution-provider-plan.js';
export {
  createSessionWithFallback,
  describeAttempt,
  NoUsableProviderError,
  type FallbackOptions,
  type ProviderAttempt,
  type ProviderLogger,
  type SessionWithProvider,
} from './session-with-fallback.js';
export { cudaPackLayout, cudaProviderLibraries, inspectCudaPack, type CudaPackManifest, type CudaPackStatus } from './cuda-pack.js';
export { CudaPackInstallError, installCudaPack, removeCudaPack, type InstallCudaPackOptions, type InstallCudaPackResult } from './cuda-pack-install.js';
export { checkCudaLibraries, describeCudaNeeds, findNvidiaDriver, type CudaLibraryCheck, type NeededLibrary } from './cuda-libraries.js';
export { probeCudaSession, type CudaProbeResult } from './cuda-session-probe.js';
export { appDataDir, bundledOnnxRuntime, cudaPackDir, cudaPackRoot, type BundledOnnxRuntime, type DataDirOptions } from './runtime-locations.js';
export { createLibraryLookup, type LibraryLookup } from './library-lookup.js';
export { checkVulkan, type VulkanStatus } from './vulkan-check.js';
export { readElfDynamicInfo, ElfReadError, type ElfDynamicInfo } from './elf-dynamic-section.js';
export { tinyAddModel, tinyModelIo } from './tiny-model.js';
