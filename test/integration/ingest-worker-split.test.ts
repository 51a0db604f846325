import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BertTokenizer } from '../../app/encoder/tokenizer/index.js';
import { ExtractorPool } from '../../app/ingest/extractor-pool.js';
import { extractFile } from '../../app/ingest/extract/extract-file.js';
import { writeIngestCorpus } from '../../app/ingest/bench/ingest-corpus.js';
import { writeSimplePdf } from '../../app/ingest/bench/pdf-writer.js';
import { isIngestError, type IngestErrorCode } from '../../app/ingest/ingest-error.js';
import { splitPassages, type SplitOptions } from '../../app/ingest/passage-splitter.js';
import { tokenSpansFromTokenizer, type TokenizeFn } from '../../app/ingest/token-spans.js';
import type { SplitExtraction } from '../../app/ingest/worker-split.js';
import { makeZip } from '../helpers/make-zip.js';

const FIXTURE = new URL('../fixtures/splade-tiny/base/', import.meta.url).pathname;
let dir: string;
let tokenize: TokenizeFn;
const at = (name: string) => join(dir, name);

async function rejectsWith(promise: Promise<unknown>, code: IngestErrorCode): Promise<Error> {
  const error = await promise.then(() => null, (e: unknown) => e);
  assert.ok(isIngestError(error, code), `expected ${code}, got ${String(error)}`);
  return error as Error;
}

/** The worker's result must be what this thread computes from the same file: the extraction, and splitPassages on it. */
async function assertSameAsMainThread(result: SplitExtraction, path: string, options: SplitOptions): Promise<void> {
  const { passages, ...extraction } = result;
  assert.deepEqual(extraction, await extractFile(path));
  assert.deepEqual(passages, splitPassages(extraction.text, extraction.sections, tokenize, options), path);
}

describe('ExtractorPool.extractPassages (split in the worker)', () => {
  let files: string[];
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-worker-split-'));
    tokenize = tokenSpansFromTokenizer(await BertTokenizer.fromFolder(FIXTURE));
    const corpus = await writeIngestCorpus(at('corpus'), { markdownFiles: 3, pdfFiles: 1, pagesPerPdf: 3 });
    const sentence = (i: number) => `Sentence ${i} talks about stars and galaxies forming in clouds.`;
    const para = (k: number) => Array.from({ length: 7 }, (_, i) => sentence(k * 10 + i)).join(' ');
    await writeFile(at('long.md'), `# Long\n\n${Array.from({ length: 6 }, (_, k) => para(k)).join('\n\n')}\n\n## Next\n\n${para(9)}\n`);
    // Emoji (astral), CJK without spaces, RTL, accents, a very long word: UTF-16 offsets must match exactly.
    await writeFile(
      at('mixed.txt'),
      `Emoji 😀 and 𠀀 astral CJK. ${'東京は日本の首都です。'.repeat(30)}\n\nשלום עולם ${'naïve café '.repeat(40)}\n${'x'.repeat(700)} end 🎉🎉\n`,
    );
    await writeFile(at('pages.pdf'), writeSimplePdf(Array.from({ length: 3 }, (_, p) => Array.from({ length: 30 }, (_, i) => sentence(p * 100 + i)))));
    await writeFile(at('bomb.docx'), makeZip([{ name: 'word/document.xml', data: Buffer.alloc(32 * 1024 * 1024, 0x20) }]));
    await writeFile(at('binary.txt'), Buffer.from([0x00, 0x01, 0x02, 0x00, 0xff, 0x00, 0x10, 0x00]));
    files = [`${corpus.markdownDir}/000/note-0.md`, `${corpus.markdownDir}/000/note-1.md`, `${corpus.pdfDir}/000/doc-0.pdf`, at('long.md'), at('mixed.txt'), at('pages.pdf')];
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the passages the main-thread splitter gives (Markdown, PDF, emoji/CJK text), with per-request options', async () => {
    const split = { tokenizerFolder: FIXTURE, maxTokens: 48, overlapTokens: 12 };
    const pool = new ExtractorPool({ size: 1, split });
    try {
      const results = await Promise.all(files.map((f) => pool.extractPassages(f)));
      for (const [k, result] of results.entries()) await assertSameAsMainThread(result, files[k]!, { maxTokens: 48, overlapTokens: 12 });
      assert.ok(results.every((r) => r.passages.length >= 2), 'every file gives several passages');
      assert.deepEqual(results[5]!.passages.map((p) => p.page).filter((p, i, a) => a.indexOf(p) === i), [1, 2, 3]);
      // A request's own split wins over the pool's; modelMaxTokens defaults to the tokenizer's limit (512) - reserved.
      const wide = await pool.extractPassages(at('long.md'), { split: { tokenizerFolder: FIXTURE, maxTokens: 10_000, overlapTokens: 0, reservedTokens: 12 } });
      await assertSameAsMainThread(wide, at('long.md'), { maxTokens: 10_000, overlapTokens: 0, modelMaxTokens: 512, reservedTokens: 12 });
      assert.ok(wide.passages.length < results[3]!.passages.length && wide.passages.every((p) => p.tokenCount <= 500));
      // extract() never splits, even on a pool with a split.
      assert.equal('passages' in (await pool.extract(at('long.md'))), false);
    } finally {
      await pool.close();
    }
  });

  it('errors still come back as IngestError codes; a tokenizer that cannot be loaded fails the job, naming its folder', async () => {
    const pool = new ExtractorPool({ size: 1, split: { tokenizerFolder: FIXTURE } });
    try {
      await rejectsWith(pool.extractPassages(at('missing.md')), 'vanished');
      await rejectsWith(pool.extractPassages(at('bomb.docx')), 'archive-bomb');
      await rejectsWith(pool.extractPassages(at('binary.txt')), 'binary');
      const missing = join(dir, 'no-model');
      const error = await rejectsWith(pool.extractPassages(at('long.md'), { split: { tokenizerFolder: missing } }), 'extract-failed');
      assert.match(error.message, /tokenizer in .*no-model could not be loaded/);
      assert.equal((await pool.extractPassages(at('long.md'))).passages.length, 3);
      const bare = new ExtractorPool({ size: 1 });
      await rejectsWith(bare.extractPassages(at('long.md')), 'extract-failed');
      await bare.close();
      assert.deepEqual({ ...pool.stats, workers: 1 }, { workers: 1, busy: 0, queued: 0, completed: 1, failed: 4, killed: 0, recycled: 0 });
    } finally {
      await pool.close();
    }
  });

  it('tokenizing is inside the time budget, which grows with the text to split', async () => {
    // 1 M punctuation marks: extracted in milliseconds, 1 M tokens to split (seconds under load, ~0.5 s idle).
    await writeFile(at('marks.txt'), '!'.repeat(1_000_000));
    const budget = { baseMs: 400, perMiBMs: 0, perPageMs: 0 };
    const tight = new ExtractorPool({ size: 1, budget: { ...budget, perMillionSplitCharsMs: 0 }, split: { tokenizerFolder: FIXTURE, overlapTokens: 0 } });
    try {
      assert.equal((await tight.extractPassages(at('long.md'))).passages.length, 3); // tokenizer loaded (outside the budget)
      await rejectsWith(tight.extractPassages(at('marks.txt')), 'timeout');
      assert.equal(tight.stats.killed, 1);
    } finally {
      await tight.close();
    }
    const grown = new ExtractorPool({ size: 1, budget: { ...budget, perMillionSplitCharsMs: 60_000 }, split: { tokenizerFolder: FIXTURE, overlapTokens: 0 } });
    try {
      const result = await grown.extractPassages(at('marks.txt'));
      assert.equal(result.passages.reduce((n, p) => n + p.tokenCount, 0), 1_000_000);
    } finally {
      await grown.close();
    }
  });
});
