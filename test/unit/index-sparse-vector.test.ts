import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { validateSparseVector, sparseDot, InvalidVectorError, quantize, dequantize } from '../../app/index/index.js';

const v = (indices: number[], values: number[]) => ({ indices: Uint32Array.from(indices), values: Float32Array.from(values) });

describe('validateSparseVector', () => {
  it('accepts ascending in-range indices with positive finite values (Uint32Array or Int32Array)', () => {
    validateSparseVector(v([0, 5, 30521], [0.1, 2, 9]), 30522, 'x');
    validateSparseVector({ indices: Int32Array.of(3, 4), values: Float32Array.of(1, 1) }, 30522, 'x');
    validateSparseVector(v([], []), 30522, 'empty');
  });

  const cases: [string, ReturnType<typeof v> | unknown, RegExp][] = [
    ['unsorted', v([5, 3], [1, 1]), /passage 7 of \/a\.txt: indices must be strictly ascending, found 3 after 5 at position 1 \(unsorted\)/],
    ['duplicate', v([5, 5], [1, 1]), /found 5 after 5 at position 1 \(duplicate\)/],
    ['negative', { indices: Int32Array.of(-1), values: Float32Array.of(1) }, /term id -1 at position 0 is outside the vocabulary \[0, 30522\)/],
    ['too large', v([30522], [1]), /term id 30522 .* outside the vocabulary/],
    ['NaN', v([1], [NaN]), /weight NaN of term 1 at position 0 must be finite and > 0/],
    ['infinite', v([1], [Infinity]), /weight Infinity/],
    ['zero', v([1], [0]), /weight 0 of term 1/],
    ['negative weight', v([1], [-2]), /weight -2/],
    ['length mismatch', { indices: Uint32Array.of(1, 2), values: Float32Array.of(1) }, /2 indices but 1 values/],
    ['plain arrays', { indices: [1], values: [1] }, /indices must be a Uint32Array or Int32Array/],
    ['not an object', null, /expected \{indices, values\}/],
  ];
  for (const [name, vector, message] of cases) {
    it(`rejects ${name} with a clear message`, () => {
      assert.throws(() => validateSparseVector(vector as never, 30522, 'passage 7 of /a.txt'), (error: unknown) => {
        assert.ok(error instanceof InvalidVectorError);
        assert.equal((error as InvalidVectorError).code, 'invalid-vector');
        assert.match((error as Error).message, message);
        return true;
      });
    });
  }

  it('allows zero weights in queries when asked', () => {
    validateSparseVector(v([1, 2], [0, 1]), 10, 'query', true);
  });
});

describe('sparseDot and quantization', () => {
  it('computes the dot product over shared terms', () => {
    assert.equal(sparseDot(v([1, 3, 5], [1, 2, 3]), v([3, 4, 5], [10, 100, 1])), 23);
  });

  it('quantizes linearly to 1..255 and keeps every weight > 0 visible', () => {
    const scale = 5 / 255;
    assert.equal(quantize(5, scale), 255);
    assert.equal(quantize(50, scale), 255);
    assert.equal(quantize(1e-9, scale), 1);
    assert.equal(quantize(1, scale), 51);
    for (let x = 0.05; x < 5; x += 0.0371) assert.ok(Math.abs(dequantize(quantize(x, scale), scale) - x) <= scale / 2 + 1e-12);
  });
});
