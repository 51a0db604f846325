/**
 * The speed figure, measured in the e2e run and reported (not asserted: a timed test on a shared machine
 * would fail for reasons of its own): keystroke to results painted on a 10,000-passage index with the fixture model,
 * in Debian's Chromium against serve mode. The bench (test/bench/renderer-latency.ts) measures the same with more
 * queries and adds the query encoding time of a bert-base-shaped model; results are kept in test/bench/RESULTS.md.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { browserMissing, tempDir } from './e2e-harness.js';
import { latencySummary, measureKeystrokeToPaint } from './latency-measure.js';

const missing = browserMissing();

describe('search latency on a 10,000-passage index (reported)', { skip: missing ?? false }, () => {
  it('types queries in bursts and reports the time from the last keystroke to the results painted', async (t) => {
    const work = await tempDir('splade-e2e-latency-');
    try {
      const result = await measureKeystrokeToPaint({ workDir: work.path, passages: 10_000, queries: 24 });
      t.diagnostic(`speed: ${latencySummary(result)}`);
      console.log(`# speed: ${latencySummary(result)}`);
      assert.equal(result.samples.length, 24);
      for (const sample of result.samples) {
        assert.equal(sample.hits, 50, `${sample.query}: a full page of results`);
        assert.ok(sample.keystrokeToPaintMs > sample.answerToPaintMs && sample.answerToPaintMs >= 0, JSON.stringify(sample));
      }
    } finally {
      await work.dispose();
    }
  });
});
