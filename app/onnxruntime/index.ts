/**
 * onnxruntime-node for the app: which copy to load (bundled, or the CUDA pack in a writable folder), which execution
 * providers to try here and why, session creation with per-provider fallback, and the checks `providers` and
 * `install-cuda` report. The CUDA pack installer itself is `./cuda-install/`. Failures are OnnxRuntimeErrors.
 */
export { loadOnnxRuntime, type LoadedOnnxRuntime, type LoadOnnxRuntimeOptions, type OnnxRuntimeModule } from './load-onnxruntime.js';
export {
  detectProviderEnvironment,
  deviceRequests,
  parseDeviceRequest,
  planExecutionProviders,
  planFromEnvironment,
  type DeviceRequest,
  type ExecutionProviderName,
  type ExecutionProviderPlan,
  type PlanStep,
  type ProviderEnvironment,
} from './execution-provider-plan.js';
export { createSessionWithFallback, describeAttempt, noUsableProvider, type FallbackOptions, type ProviderAttempt, type SessionWithProvider } from './session-with-fallback.js';
export { cudaProviderLibraries, inspectCudaPack, type CudaPackManifest, type CudaPackStatus } from './cuda-pack.js';
export { checkCudaLibraries, describeCudaNeeds, type CudaLibraryCheck } from './cuda-libraries.js';
export { probeCudaSession, type CudaProbeResult } from './cuda-session-probe.js';
export { bundledOnnxRuntime, cudaPackRoot, type DataDirOptions } from './runtime-locations.js';
export { createLibraryLookup, type LibraryLookup } from './library-lookup.js';
export { tinyAddModel, tinyModelIo } from './tiny-model.js';
export { isOnnxRuntimeError, OnnxRuntimeError, type OnnxRuntimeErrorDetails, type RuntimeErrorCode } from './onnxruntime-error.js';
