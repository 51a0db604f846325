import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { InferenceSession } from 'onnxruntime-node';
import { createSessionWithFallback, providerPreference, type BackendInfo } from '../../app/encoder/execution-providers.js';

const linuxBackends: BackendInfo = { compiledIn: new Set(['cpu', 'webgpu', 'cuda', 'tensorrt']), cudaLibrariesPresent: false };
const fakeSession = {} as InferenceSession;

describe('execution providers', () => {
  it('prefers the platform GPU provider for auto, CPU last', () => {
    assert.deepEqual(providerPreference('auto', 'linux'), ['cuda', 'cpu']);
    assert.deepEqual(providerPreference('auto', 'win32'), ['dml', 'cpu']);
    assert.deepEqual(providerPreference('auto', 'darwin'), ['coreml', 'cpu']);
    assert.deepEqual(providerPreference('cpu', 'linux'), ['cpu']);
    assert.deepEqual(providerPreference('webgpu', 'linux'), ['webgpu', 'cpu']);
  });

  it('falls back to CPU when creating the session fails, recording why', async () => {
    const tried: string[][] = [];
    const { session, choice } = await createSessionWithFallback('cuda', linuxBackends, async (providers) => {
      tried.push(providers);
      if (providers[0] === 'cuda') throw new Error('OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library\nmore');
      return fakeSession;
    });
    assert.equal(session, fakeSession);
    assert.deepEqual(tried, [['cuda', 'cpu'], ['cpu']]);
    assert.deepEqual(choice, { requested: 'cuda', provider: 'cpu', fallbackReason: 'cuda: OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library' });
  });

  it('skips providers missing from this platform build, and CUDA under auto without its libraries', async () => {
    const tried: string[][] = [];
    const create = async (providers: string[]) => (tried.push(providers), fakeSession);
    let { choice } = await createSessionWithFallback('dml', linuxBackends, create);
    assert.equal(choice.provider, 'cpu');
    assert.match(choice.fallbackReason!, /^dml: not available in onnxruntime-node for /);
    ({ choice } = await createSessionWithFallback('auto', linuxBackends, create));
    assert.equal(choice.fallbackReason, 'cuda: the CUDA provider libraries of onnxruntime-node are not installed');
    assert.deepEqual(tried, [['cpu'], ['cpu']]);
    ({ choice } = await createSessionWithFallback('auto', { ...linuxBackends, cudaLibrariesPresent: true }, create));
    assert.deepEqual(choice, { requested: 'auto', provider: 'cuda', fallbackReason: undefined });
  });

  it('reports a CPU failure as an error', async () => {
    await assert.rejects(
      createSessionWithFallback('cpu', linuxBackends, async () => {
        throw new Error('Load model failed: protobuf parsing failed');
      }),
      /Cannot create an onnxruntime session on the CPU: Load model failed: protobuf parsing failed/,
    );
  });
});
