import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeProviderChoice } from '../../app/encoder/execution-providers.js';

describe('execution provider record', () => {
  it('says which provider runs and why the preferred ones do not', () => {
    const plan = {
      requested: 'auto' as const,
      steps: [
        { provider: 'cuda' as const, use: false, reason: 'the CUDA pack is not installed' },
        { provider: 'webgpu' as const, use: true, reason: 'Vulkan driver found' },
        { provider: 'cpu' as const, use: true, reason: 'fallback' },
        { provider: 'dml' as const, use: false, reason: 'Windows only' },
      ],
    };
    const attempts = [
      { provider: 'webgpu' as const, ok: false, error: 'Failed to get a WebGPU adapter', ms: 3 },
      { provider: 'cpu' as const, ok: true, ms: 20 },
    ];
    assert.deepEqual(describeProviderChoice(plan, attempts, 'cpu', 'bundled'), {
      requested: 'auto',
      provider: 'cpu',
      fallbackReason: 'cuda skipped: the CUDA pack is not installed; webgpu failed: Failed to get a WebGPU adapter',
      runtime: 'bundled',
    });
    const first = describeProviderChoice({ requested: 'cpu', steps: [{ provider: 'cpu', use: true, reason: 'requested' }] }, [{ provider: 'cpu', ok: true, ms: 1 }], 'cpu', 'bundled');
    assert.equal(first.fallbackReason, undefined);
  });
});
