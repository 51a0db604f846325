import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EncoderError } from '../../app/encoder/encoder-error.js';
import { EngineError, toWireError } from '../../app/engine/engine-error.js';
import { HubError } from '../../app/hub/hub-error.js';
import { IndexCorruptError, IndexError, InvalidVectorError } from '../../app/index/index-errors.js';
import { OnnxRuntimeError } from '../../app/onnxruntime/onnxruntime-error.js';

describe('toWireError', () => {
  it('keeps the code of each family: engine, hub, encoder, onnxruntime, index (subclasses too)', () => {
    assert.deepEqual(toWireError(new EngineError('not-found', 'no such passage', { path: '/a' })), { code: 'not-found', message: 'no such passage', details: { path: '/a' } });
    assert.deepEqual(toWireError(new HubError('unauthorized', 'gated')), { code: 'unauthorized', message: 'gated' });
    assert.deepEqual(toWireError(new EncoderError('model-unsupported', 'not BERT')), { code: 'model-unsupported', message: 'not BERT' });
    assert.deepEqual(toWireError(new IndexError('index-locked', 'locked')), { code: 'index-locked', message: 'locked' });
    assert.deepEqual(toWireError(new InvalidVectorError('bad vector')), { code: 'invalid-vector', message: 'bad vector' });
    assert.deepEqual(toWireError(new IndexCorruptError('crc mismatch', '/x.seg')).code, 'corrupt-index');
  });

  it('sends the provider attempts and the URL/status of onnxruntime errors as plain JSON details', () => {
    const attempts = [{ provider: 'cuda' as const, ok: false, error: 'no libcudart', ms: 3 }];
    const wire = toWireError(new OnnxRuntimeError('no-usable-provider', 'nothing runs', { attempts }));
    assert.deepEqual(wire, { code: 'no-usable-provider', message: 'nothing runs', details: { attempts } });
    assert.deepEqual(JSON.parse(JSON.stringify(wire)), wire);
    assert.deepEqual(toWireError(new OnnxRuntimeError('download-failed', 'HTTP 500', { url: 'https://x', status: 500 })).details, { url: 'https://x', status: 500 });
  });

  it('recognises coded errors from another realm by name and code (as they arrive from a worker)', () => {
    const fromWorker = (name: string, code: string) => Object.assign(new Error('m'), { name, code });
    assert.equal(toWireError(fromWorker('EncoderError', 'encode-failed')).code, 'encode-failed');
    assert.equal(toWireError(fromWorker('OnnxRuntimeError', 'runtime-missing')).code, 'runtime-missing');
    assert.equal(toWireError(fromWorker('IndexCorruptError', 'corrupt-index')).code, 'corrupt-index');
  });

  it('maps anything else to internal, also errors that merely carry a code (fs errors, foreign modules)', () => {
    const enoent = Object.assign(new Error("ENOENT: no such file or directory, open '/x'"), { code: 'ENOENT' });
    assert.deepEqual(toWireError(enoent), { code: 'internal', message: enoent.message });
    assert.equal(toWireError(Object.assign(new Error('x'), { name: 'SomeLibError', code: 'corrupt-index' })).code, 'internal');
    assert.equal(toWireError(Object.assign(new Error('x'), { name: 'IndexError', code: 'ENOENT' })).code, 'internal');
    assert.deepEqual(toWireError('a string'), { code: 'internal', message: 'a string' });
    assert.deepEqual(toWireError(new TypeError('undefined is not a function')), { code: 'internal', message: 'undefined is not a function' });
  });
});
