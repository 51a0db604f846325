import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { SparseEncoder } from '../../app/encoder/index.js';
import type { SparseVector } from '../../app/index/index.js';
import { cappedContributions, capTerms, contributions } from '../../app/engine/text-tokens.js';

// Only the tokenizer's idToToken is read by the functions under test.
const encoder = { tokenizer: { idToToken: (id: number) => (id % 7 === 0 ? undefined : `t${id}`) } } as unknown as SparseEncoder;

/** A seeded generator, so that a failure can be replayed. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

function vector(next: () => number, vocab: number, density: number, weights: number[]): SparseVector {
  const indices: number[] = [];
  const values: number[] = [];
  for (let id = 0; id < vocab; id++) {
    if (next() < density) {
      indices.push(id);
      values.push(weights[Math.floor(next() * weights.length)]!);
    }
  }
  return { indices: Uint32Array.from(indices), values: Float32Array.from(values) };
}

describe('cappedContributions', () => {
  it('equals the full contribution list capped by capTerms: same terms, order, ties by id and remainder, bit for bit', () => {
    for (let seed = 1; seed <= 60; seed++) {
      const next = random(seed);
      // Few distinct weights: many equal products, so ties at the cut are common.
      const weights = seed % 2 === 0 ? [0.5, 1, 1.5, 2] : Array.from({ length: 50 }, () => next() * 3);
      const query = vector(next, 400, 0.4, weights);
      const passage = vector(next, 400, 0.6, weights);
      const inText = new Set(Array.from({ length: 40 }, () => Math.floor(next() * 400)));
      for (const limit of [0, 1, 5, 64, 1000]) {
        const expected = capTerms(contributions(encoder, query, passage, inText), limit);
        const actual = cappedContributions(encoder, query, passage, inText, limit);
        assert.deepEqual(actual, expected, `seed ${seed}, limit ${limit}`);
      }
    }
  });

  it('handles vectors that share nothing', () => {
    const query: SparseVector = { indices: Uint32Array.of(1, 3), values: Float32Array.of(1, 2) };
    const passage: SparseVector = { indices: Uint32Array.of(2, 4), values: Float32Array.of(1, 2) };
    assert.deepEqual(cappedContributions(encoder, query, passage, new Set(), 10), { terms: [], otherTerms: { count: 0, contribution: 0 } });
  });
});
