import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import type { InferenceSession } from 'onnxruntime-node';
import { planFromEnvironment, type ExecutionProviderName, type PlanStep } from '../../app/onnxruntime/execution-provider-plan.js';
import { loadOnnxRuntime, loadedOrtLibraries } from '../../app/onnxruntime/load-onnxruntime.js';
import { isOnnxRuntimeError } from '../../app/onnxruntime/onnxruntime-error.js';
import { createSessionWithFallback } from '../../app/onnxruntime/session-with-fallback.js';
import { tinyAddModel } from '../../app/onnxruntime/tiny-model.js';
import { startWorker } from '../../app/util/start-worker.js';

const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const emptyData = mkdtempSync(join(tmpdir(), 'ort-session-'));
after(() => rmSync(emptyData, { recursive: true, force: true }));
const { ort, source } = await loadOnnxRuntime({ dataDir: emptyData });
const model = tinyAddModel();

function logger() {
  const lines: string[] = [];
  return { lines, info: (m: string) => lines.push(`info ${m}`), warn: (m: string) => lines.push(`warn ${m}`) };
}

function steps(...providers: ExecutionProviderName[]): { steps: PlanStep[] } {
  return { steps: providers.map((provider) => ({ provider, use: true, reason: `test ${provider}` })) };
}

async function runAdd(session: InferenceSession): Promise<number[]> {
  const out = await session.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2, 3]), [3]) });
  return Array.from(out.y!.data as Float32Array);
}

describe('createSessionWithFallback with the real onnxruntime-node (CPU machine)', () => {
  test('loadOnnxRuntime without a pack gives the bundled module and says why', async () => {
    const loaded = await loadOnnxRuntime({ dataDir: emptyData });
    assert.equal(source, 'bundled');
    assert.equal(loaded.version, ort.env.versions.node);
    assert.match(loaded.description, /bundled with the app .*: the CUDA provider is not installed; run `splade-search install-cuda`/);
    if (linuxX64) assert.ok(loadedOrtLibraries().some((p) => p.startsWith(loaded.binaryDir)), loadedOrtLibraries().join(' '));
  });

  test('the tiny model runs on cpu: y = x + x', async () => {
    const { session, provider, attempts } = await createSessionWithFallback(ort, model, steps('cpu'));
    assert.equal(provider, 'cpu');
    assert.deepEqual(await runAdd(session), [2, 4, 6]);
    assert.equal(attempts.length, 1);
    assert.equal(attempts[0]!.ok, true);
    await session.release();
  });

  test('cuda without the provider libraries fails with ORT\'s real error and falls back to cpu, keeping the hint', { skip: !linuxX64 }, async () => {
    const log = logger();
    const plan = planFromEnvironment('cuda', { platform: 'linux', arch: 'x64', compiled: ['cpu', 'webgpu', 'cuda', 'tensorrt'], cudaPack: { state: 'not-installed', dir: '/d', reason: 'the CUDA provider is not installed; run `splade-search install-cuda`', otherVersions: [] } });
    const { session, provider, attempts } = await createSessionWithFallback(ort, model, plan, {}, { logger: log, smokeTest: async (s) => void (await runAdd(s)) });
    assert.equal(provider, 'cpu');
    assert.equal(attempts.length, 2);
    assert.equal(attempts[0]!.provider, 'cuda');
    assert.equal(attempts[0]!.ok, false);
    assert.match(attempts[0]!.error!, /OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library/);
    assert.match(attempts[0]!.hint!, /install-cuda/);
    assert.ok(attempts[0]!.ms >= 0 && attempts[1]!.ok);
    assert.match(log.lines[0]!, /^warn onnxruntime: cuda failed: OrtSessionOptionsAppendExecutionProvider_Cuda.*; trying cpu$/);
    assert.equal(log.lines[1], 'info onnxruntime: using cpu (fallback if cuda fails)');
    assert.deepEqual(await runAdd(session), [2, 4, 6]);
    await session.release();
  });

  test('webgpu without Vulkan fails ("Failed to get a WebGPU adapter") and falls back to cpu', { skip: !linuxX64 }, async (t) => {
    const { session, provider, attempts } = await createSessionWithFallback(ort, model, steps('webgpu', 'cpu'));
    if (attempts[0]!.ok) {
      await session.release();
      return t.skip('this machine has a WebGPU adapter');
    }
    assert.equal(provider, 'cpu');
    assert.match(attempts[0]!.error!, /WebGPU adapter/);
    await session.release();
  });

  test('dml and coreml on Linux are recorded as not available instead of silently running on cpu', { skip: process.platform !== 'linux' }, async () => {
    // What the check prevents: onnxruntime-common drops an unknown name from a list and creates a CPU session.
    const silent = await ort.InferenceSession.create(model, { executionProviders: ['dml', 'cpu'] });
    await silent.release();
    const log = logger();
    const { provider, attempts, session } = await createSessionWithFallback(ort, model, steps('dml', 'coreml', 'cpu'), {}, { logger: log });
    assert.equal(provider, 'cpu');
    assert.deepEqual(
      attempts.map((a) => [a.provider, a.ok, a.error?.replace(/\(.*\)/, '()')]),
      [
        ['dml', false, 'not available on this platform ()'],
        ['coreml', false, 'not available on this platform ()'],
        ['cpu', true, undefined],
      ],
    );
    assert.match(attempts[0]!.error!, /this onnxruntime-node has cpu, /);
    assert.equal(log.lines[0], 'warn onnxruntime: dml is not available on this platform; trying coreml');
    await session.release();
  });

  test('a failing smoke test counts as the provider failing, and the session is released', async () => {
    let calls = 0;
    const { provider, attempts, session } = await createSessionWithFallback(ort, model, steps('cpu', 'cpu'), {}, {
      smokeTest: () => {
        calls++;
        if (calls === 1) throw new Error('NaN in the output\nsecond line');
      },
    });
    assert.equal(provider, 'cpu');
    assert.equal(attempts[0]!.error, 'the session was created but the smoke test failed: NaN in the output');
    assert.equal(attempts[1]!.ok, true);
    await session.release();
  });

  test('when every provider fails, one error lists every attempt', async () => {
    const failing = await createSessionWithFallback(ort, model, steps('dml', 'cpu'), {}, {
      smokeTest: () => {
        throw new Error('always broken');
      },
    }).catch((e: unknown) => e);
    assert.ok(isOnnxRuntimeError(failing, 'no-usable-provider'), String(failing));
    assert.equal(failing.attempts.length, 2);
    assert.match(failing.message, /^No execution provider could run the model \(\d+ bytes\): dml failed: not available on this platform .*; cpu failed: the session was created but the smoke test failed: always broken$/);
  });

  test('a bad model path fails every provider with ORT\'s error naming the file', async () => {
    const missing = join(emptyData, 'missing.onnx');
    const failing = await createSessionWithFallback(ort, missing, steps('cpu')).catch((e: unknown) => e);
    assert.ok(isOnnxRuntimeError(failing, 'no-usable-provider'), String(failing));
    assert.ok(failing.message.startsWith(`No execution provider could run ${missing}: cpu failed:`), failing.message);
  });

  test('requireAllNodesOnDevice passes disable_cpu_ep_fallback to GPU providers and keeps the caller\'s extra options', async () => {
    const seen: unknown[] = [];
    const fakeOrt = {
      ...ort,
      listSupportedBackends: () => [{ name: 'cpu', bundled: true }, { name: 'cuda', bundled: false }],
      InferenceSession: {
        create: async (_model: unknown, options: unknown) => {
          seen.push(options);
          return ort.InferenceSession.create(model, { executionProviders: ['cpu'] });
        },
      },
    } as unknown as typeof ort;
    const { session } = await createSessionWithFallback(fakeOrt, model, steps('cuda'), { extra: { session: { intra_op: { allow_spinning: '0' } } } }, { requireAllNodesOnDevice: true, deviceId: 1 });
    assert.deepEqual(seen[0], {
      extra: { session: { intra_op: { allow_spinning: '0' }, disable_cpu_ep_fallback: '1' } },
      executionProviders: [{ name: 'cuda', deviceId: 1 }],
    });
    await session.release();
  });
});

describe('loadOnnxRuntime in a worker thread', () => {
  test('loads the module and runs a CPU session there', async () => {
    const worker = startWorker(new URL('../helpers/onnxruntime-load-worker.js', import.meta.url), { workerData: { dataDir: emptyData } });
    const message = await new Promise<unknown>((resolve, reject) => {
      worker.once('message', resolve);
      worker.once('error', reject);
    });
    await worker.terminate();
    assert.deepEqual(message, { source: 'bundled', y: [2, 4, 6] });
  });
});
