import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { datasetName, EvalError, findDatasetFolders, loadBeirDataset } from '../../app/eval/index.js';
import { writeBeirFolder, type BeirFixture } from '../helpers/beir-fixture.js';
import { tempFolder } from '../helpers/encoder-helpers.js';

const base: BeirFixture = {
  corpus: [
    { _id: 'd1', title: 'Title', text: 'first text' },
    { _id: 2, text: 'numeric id' },
    { _id: 'd3', title: '', text: '' },
    { _id: 'd4', text: 'fourth' },
    { _id: 'd5', text: 'fifth' },
  ],
  queries: [
    { _id: 'q1', text: 'first query' },
    { _id: 'q2', text: 'no qrels' },
    { _id: 'q3', text: '' },
    { _id: 'q4', text: 'graded' },
  ],
  qrels: [
    ['q1', 'd1', 1],
    ['q4', '2', 2],
    ['q4', 'd5', 0],
    ['q4', 'missing', 1],
    ['q-unknown', 'd1', 1],
    ['q3', 'd4', 1],
  ],
};

async function rejects(promise: Promise<unknown>, code: string, message: RegExp) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof EvalError, String(error));
    assert.equal(error.code, code);
    assert.match(error.message, message);
    return true;
  });
}

describe('eval BEIR datasets', () => {
  let tmp: Awaited<ReturnType<typeof tempFolder>>;
  before(async () => (tmp = await tempFolder('splade-beir-')));
  after(() => tmp.dispose());

  it('keeps what the reference keeps: title + text, string ids, every qrels row (any grade) relevant, judged queries only', async () => {
    const folder = await writeBeirFolder(join(tmp.path, 'plain'), base);
    const d = await loadBeirDataset(folder);
    assert.equal(d.name, 'plain');
    assert.equal(d.split, 'test');
    assert.deepEqual(d.corpusIds, ['d1', '2', 'd4', 'd5']);
    assert.deepEqual(d.corpusTexts, ['Title first text', 'numeric id', 'fourth', 'fifth']);
    // q2 has no qrels, q3 an empty text: both left out; q4's grades 2, 0 and an id outside the corpus all count.
    assert.deepEqual(d.queryIds, ['q1', 'q4']);
    assert.deepEqual(d.relevant.map((s) => [...s].sort()), [['d1'], ['2', 'd5', 'missing']]);
    assert.deepEqual(d.skipped, { emptyDocuments: 1, emptyQueries: 1, queriesWithoutRelevant: 1, documentsOverLimit: 0, queriesOverLimit: 0 });
  });

  it('--max-docs keeps the relevant documents of the kept queries first; --max-queries the first queries', async () => {
    const folder = join(tmp.path, 'plain');
    const d = await loadBeirDataset(folder, { maxDocs: 2, maxQueries: 1 });
    assert.deepEqual(d.queryIds, ['q1']);
    assert.deepEqual(d.corpusIds, ['d1', '2']);
    const only = await loadBeirDataset(folder, { maxDocs: 1, maxQueries: 2 });
    // The relevant documents d1, 2, d5 exceed the limit: all kept, nothing else.
    assert.deepEqual(only.corpusIds, ['d1', '2', 'd5']);
  });

  it('finds the split: test, else the only qrels file; NanoBEIR folder names; a folder of datasets', async () => {
    const parent = join(tmp.path, 'many');
    await writeBeirFolder(join(parent, 'NanoMSMARCO'), { ...base, split: 'train' });
    await writeBeirFolder(join(parent, 'nano_scifact'), base);
    await mkdir(join(parent, 'not-a-dataset'));
    const folders = await findDatasetFolders(parent);
    assert.deepEqual(folders.map((f) => f.slice(parent.length + 1)), ['NanoMSMARCO', 'nano_scifact']);
    const [msmarco, scifact] = await Promise.all(folders.map((f) => loadBeirDataset(f)));
    assert.deepEqual([msmarco!.name, msmarco!.split, msmarco!.nanoBeir], ['NanoMSMARCO', 'train', true]);
    assert.deepEqual([scifact!.name, scifact!.nanoBeir], ['NanoSciFact', true]);
    assert.deepEqual(datasetName('msmarco'), { name: 'msmarco', nanoBeir: false });
    assert.deepEqual(datasetName('NanoBEIR-Touche2020'), { name: 'NanoTouche2020', nanoBeir: true });
    assert.deepEqual(await findDatasetFolders(join(parent, 'NanoMSMARCO')), [join(parent, 'NanoMSMARCO')]);
    await writeFile(join(parent, 'NanoMSMARCO', 'qrels', 'dev.tsv'), 'q1\td1\n');
    await rejects(loadBeirDataset(join(parent, 'NanoMSMARCO')), 'missing-file', /qrels\/test\.tsv is missing; qrels\/ has dev\.tsv, train\.tsv \(choose one with --split\)/);
    assert.equal((await loadBeirDataset(join(parent, 'NanoMSMARCO'), { split: 'dev' })).queryIds.length, 1);
  });

  it('bad input: a clear error naming the file and line', async () => {
    const bad = async (name: string, edit: (dir: string) => Promise<void>) => {
      const dir = await writeBeirFolder(join(tmp.path, name), base);
      await edit(dir);
      return loadBeirDataset(dir);
    };
    await rejects(findDatasetFolders(join(tmp.path, 'absent')), 'not-a-dataset', /is not a folder/);
    await rejects(findDatasetFolders(join(tmp.path, 'many', 'not-a-dataset')), 'not-a-dataset', /has no corpus\.jsonl, and no sub-folder has one/);
    await rejects(bad('json', (d) => writeFile(join(d, 'corpus.jsonl'), '{"_id": "a", "text": "x"}\n{oops\n')), 'bad-line', /corpus\.jsonl line 2: not JSON/);
    await rejects(bad('text', (d) => writeFile(join(d, 'queries.jsonl'), '{"_id": "a"}\n')), 'bad-line', /queries\.jsonl line 1: "text" must be a string/);
    await rejects(bad('id', (d) => writeFile(join(d, 'corpus.jsonl'), '{"_id": null, "text": "x"}\n')), 'bad-line', /"_id" must be a string or a number/);
    await rejects(bad('dup', (d) => writeFile(join(d, 'corpus.jsonl'), '{"_id": "a", "text": "x"}\n{"_id": "a", "text": "y"}\n')), 'duplicate-id', /document id "a" appears twice/);
    await rejects(bad('tsv', (d) => writeFile(join(d, 'qrels', 'test.tsv'), 'query-id\tcorpus-id\tscore\nq1 d1 1\n')), 'bad-line', /test\.tsv line 2: expected "query-id<TAB>corpus-id\[<TAB>score\]"/);
    await rejects(bad('score', (d) => writeFile(join(d, 'qrels', 'test.tsv'), 'q1\td1\t1\nq1\td2\thigh\n')), 'bad-line', /line 2: score "high" is not a number/);
    await rejects(bad('none', (d) => writeFile(join(d, 'qrels', 'test.tsv'), 'q2x\td1\t1\n')), 'empty', /no query of queries\.jsonl has a relevant document/);
    await rejects(bad('nocorpus', (d) => writeFile(join(d, 'corpus.jsonl'), '{"_id": "a", "text": ""}\n')), 'empty', /the corpus has no non-empty document/);
    // Without a header, the first row is data.
    const headless = await bad('headless', (d) => writeFile(join(d, 'qrels', 'test.tsv'), 'q1\td1\nq4\td4\t1\n'));
    assert.deepEqual(headless.queryIds, ['q1', 'q4']);
  });
});
