/** Worker for onnxruntime-session.test.ts: loadOnnxRuntime and one CPU session inside a worker thread. */
import { parentPort, workerData } from 'node:worker_threads';
import { loadOnnxRuntime } from '../../app/onnxruntime/load-onnxruntime.js';
import { tinyAddModel } from '../../app/onnxruntime/tiny-model.js';

const { ort, source } = await loadOnnxRuntime({ dataDir: (workerData as { dataDir: string }).dataDir });
const session = await ort.InferenceSession.create(tinyAddModel(), { executionProviders: ['cpu'] });
const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
parentPort!.postMessage({ source, y: Array.from(out.y!.data as Float32Array) });
