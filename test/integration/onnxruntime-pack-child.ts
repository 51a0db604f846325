/** Child process for onnxruntime-install-cuda.test.ts: loadOnnxRuntime in a fresh process, one CPU and one CUDA attempt, as JSON on stdout. */
import { createRequire } from 'node:module';
import { loadOnnxRuntime, loadedOrtLibraries } from '../../app/onnxruntime/load-onnxruntime.js';
import { isOnnxRuntimeError } from '../../app/onnxruntime/onnxruntime-error.js';
import { createSessionWithFallback } from '../../app/onnxruntime/session-with-fallback.js';
import { tinyAddModel } from '../../app/onnxruntime/tiny-model.js';

const [dataDir, mode] = process.argv.slice(2);
if (mode === 'preload-bundled') createRequire(import.meta.url)('onnxruntime-node');
const loaded = await loadOnnxRuntime({ dataDir: dataDir! });
const { ort } = loaded;
const model = tinyAddModel();
const cpu = await ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
const out = await cpu.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
let cudaError: string | undefined;
try {
  await createSessionWithFallback(ort, model, { steps: [{ provider: 'cuda', use: true, reason: 'test' }] });
} catch (error) {
  cudaError = isOnnxRuntimeError(error, 'no-usable-provider') ? error.attempts[0]?.error : String(error);
}
process.stdout.write(
  JSON.stringify({
    source: loaded.source,
    description: loaded.description,
    moduleDir: loaded.moduleDir,
    libraries: loadedOrtLibraries(),
    y: Array.from(out.y!.data as Float32Array),
    cudaError,
  }),
);
