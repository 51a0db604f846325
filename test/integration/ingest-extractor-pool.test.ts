import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExtractorPool } from '../../app/ingest/extractor-pool.js';
import { extractFile } from '../../app/ingest/extract/extract-file.js';
import { writeSimplePdf } from '../../app/ingest/bench/pdf-writer.js';
import { isIngestError, type IngestErrorCode } from '../../app/ingest/ingest-error.js';
import { makeZip } from '../helpers/make-zip.js';

let dir: string;
const at = (name: string) => join(dir, name);

async function rejectsWith(promise: Promise<unknown>, code: IngestErrorCode): Promise<IngestErrorCode> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert.ok(isIngestError(error, code), `expected ${code}, got ${String(error)}`);
  return code;
}

describe('ExtractorPool (real worker threads)', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-pool-'));
    await writeFile(at('a.md'), '# A\n\ntext of a\n');
    await writeFile(at('p.pdf'), writeSimplePdf([['one'], ['two']]));
    await writeFile(at('headings.md'), '# h\n'.repeat(1_500_000));
    await writeFile(at('bomb.docx'), makeZip([{ name: 'word/document.xml', data: Buffer.alloc(32 * 1024 * 1024, 0x20) }]));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('extracts in workers what extractFile does (PDF included), and reports failures as IngestError', async () => {
    const pool = new ExtractorPool({ size: 1 });
    try {
      assert.deepEqual(await pool.extract(at('a.md')), await extractFile(at('a.md')));
      const pdf = await pool.extract(at('p.pdf'));
      assert.deepEqual([pdf.text, pdf.pageCount, pdf.sections.map((x) => x.page)], ['one\n\ntwo', 2, [1, 2]]);
      const results = await Promise.allSettled([pool.extract(at('bomb.docx')), pool.extract(at('missing.txt')), pool.extract(at('a.md'))]);
      assert.equal(results[0].status === 'rejected' && (results[0].reason as { code: string }).code, 'archive-bomb');
      assert.equal(results[1].status === 'rejected' && (results[1].reason as { code: string }).code, 'vanished');
      assert.equal(results[2].status, 'fulfilled');
      assert.deepEqual({ ...pool.stats, workers: 1 }, { workers: 1, busy: 0, queued: 0, completed: 3, failed: 2, killed: 0, recycled: 0 });
      // Abort: a running job's worker is terminated; a job not started yet is answered at once.
      const controller = new AbortController();
      const running = pool.extract(at('headings.md'), { signal: controller.signal });
      const waiting = pool.extract(at('a.md'), { signal: controller.signal });
      while (pool.stats.busy === 0) await new Promise((r) => setTimeout(r, 2));
      controller.abort();
      await rejectsWith(running, 'aborted');
      await rejectsWith(waiting, 'aborted');
      assert.equal(pool.stats.killed, 1);
      await rejectsWith(pool.extract(at('a.md'), { signal: controller.signal }), 'aborted');
      assert.equal((await pool.extract(at('a.md'))).type, 'markdown');
    } finally {
      await pool.close();
    }
  });

  it('a job over its time budget is stopped, its worker replaced, and the queue moves on; a closed pool refuses work', async () => {
    // 1.5 M Markdown headings take seconds to split (4 s here); a 500 ms budget stops them, and is ample for a.md.
    const pool = new ExtractorPool({ size: 1, budget: { baseMs: 500, perMiBMs: 0, perPageMs: 0 } });
    try {
      const slow = pool.extract(at('headings.md'));
      const next = pool.extract(at('a.md'));
      await rejectsWith(slow, 'timeout');
      assert.equal((await next).sections[0]!.heading, 'A');
      assert.equal(pool.stats.killed, 1);
    } finally {
      await pool.close();
    }
    await rejectsWith(pool.extract(at('a.md')), 'aborted');
  });

  it('a job past the heap limit fails with out-of-memory and the pool recovers', async () => {
    // 1.5 M headings: 6 MB of Markdown whose section list needs far more than a 48 MiB heap.
    const pool = new ExtractorPool({ size: 1, maxOldGenerationSizeMb: 48 });
    try {
      await rejectsWith(pool.extract(at('headings.md')), 'out-of-memory');
      assert.equal((await pool.extract(at('a.md'))).type, 'markdown');
    } finally {
      await pool.close();
    }
  });

  it('the RSS watchdog stops a job that makes the process grow past its allowance (Buffer memory the heap limit misses)', async () => {
    await writeFile(at('large.txt'), Buffer.alloc(48 * 1024 * 1024, 0x61));
    const pool = new ExtractorPool({ size: 1, maxRssGrowthBytes: 16 * 1024 * 1024, watchdogMs: 5 });
    try {
      await rejectsWith(pool.extract(at('large.txt')), 'out-of-memory');
      assert.equal((await pool.extract(at('a.md'))).type, 'markdown');
    } finally {
      await pool.close();
    }
  });
});
