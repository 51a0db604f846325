/** Tries a CUDA session on a tiny model in a child process, so a crashing driver cannot take the caller down, and reports ORT's own error lines. */
import { spawn } from 'node:child_process';
import { tinyAddModel } from './tiny-model.js';

export interface CudaProbeResult {
  ok: boolean;
  /** The JS error of session creation or run, when not ok. */
  error?: string;
  /** ORT's native log lines about it (e.g. "Failed to load library … libcublasLt.so.13: cannot open shared object file"). */
  details: string[];
  ms: number;
}

/**
 * Loads the onnxruntime-node in `moduleDir` in a new Node process (ELECTRON_RUN_AS_NODE set, so it also works from
 * Electron), creates a session with only the CUDA provider and CPU fallback disabled, runs y = x + x, and checks the result.
 */
export async function probeCudaSession(moduleDir: string, options: { env?: NodeJS.ProcessEnv; timeoutMs?: number; deviceId?: number } = {}): Promise<CudaProbeResult> {
  const started = performance.now();
  const provider = options.deviceId === undefined ? "'cuda'" : `{ name: 'cuda', deviceId: ${options.deviceId} }`;
  const code = `
const ort = require(${JSON.stringify(moduleDir)});
const model = Buffer.from(${JSON.stringify(Buffer.from(tinyAddModel()).toString('base64'))}, 'base64');
(async () => {
  try {
    const session = await ort.InferenceSession.create(model, { executionProviders: [${provider}], extra: { session: { disable_cpu_ep_fallback: '1' } } });
    const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
    const y = Array.from(out.y.data);
    process.stdout.write(JSON.stringify(y.join(',') === '2,4,6' ? { ok: true } : { ok: false, error: 'wrong result ' + y.join(',') }));
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, error: String((e && e.message) || e) }));
  }
})();`;
  return new Promise<CudaProbeResult>((resolve) => {
    const child = spawn(process.execPath, ['-e', code], {
      env: { ...(options.env ?? process.env), ELECTRON_RUN_AS_NODE: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), options.timeoutMs ?? 120_000);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const details = stderr
        .replace(/\x1b\[[0-9;]*m/g, '')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => /fail|error|cannot|not found|unable/i.test(l))
        .map((l) => l.replace(/^.*\[ONNXRuntimeError\] : \d+ : \w+ : /, '')); // keep ORT's message, drop timestamp and source location
      const ms = performance.now() - started;
      try {
        const result = JSON.parse(stdout) as { ok: boolean; error?: string };
        resolve(result.ok ? { ok: true, details, ms } : { ok: false, error: result.error ?? 'unknown error', details, ms });
      } catch {
        const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
        resolve({ ok: false, error: `the probe process ${how} without a result`, details, ms });
      }
    });
  });
}
