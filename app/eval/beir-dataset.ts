/**
 * BEIR-format datasets read from a folder, as sentence-transformers' evaluators receive them:
 *
 *   corpus.jsonl        {"_id": "d1", "title": "...", "text": "..."} per line (title optional)
 *   queries.jsonl       {"_id": "q1", "text": "..."} per line
 *   qrels/<split>.tsv   query-id <TAB> corpus-id [<TAB> score], an optional header line
 *
 * What the reference does, and so this does:
 * - a document is `title + " " + text` when it has a title, else `text` (the evaluator's BEIR examples); documents
 *   and queries with an empty text are dropped (the NanoBEIR loader's `len(text) > 0`);
 * - every qrels row makes its document relevant, whatever its score (grades are not used; a 0 row counts too, as the
 *   reference's loaders add every row) — relevance is binary;
 * - only queries with at least one relevant document are evaluated, in queries.jsonl order; qrels ids absent from
 *   the corpus stay in the relevant set (they count against recall and NDCG);
 * - ids are strings (`_id` numbers are turned into their decimal text).
 */
import { createReadStream } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { EvalError } from './eval-error.js';
import { datasetName } from './nanobeir-names.js';

export interface BeirDataset {
  /** The reference's name for it (`NanoMSMARCO` for a NanoBEIR folder, else the folder's name). */
  name: string;
  nanoBeir: boolean;
  folder: string;
  /** The qrels split used. */
  split: string;
  corpusIds: string[];
  corpusTexts: string[];
  /** The evaluated queries (those with a relevant document), in file order. */
  queryIds: string[];
  queryTexts: string[];
  /** `relevant[i]`: the relevant corpus ids of query i. */
  relevant: Set<string>[];
  /** What was left out, and why. */
  skipped: { emptyDocuments: number; emptyQueries: number; queriesWithoutRelevant: number; documentsOverLimit: number; queriesOverLimit: number };
}

export interface LoadOptions {
  /** The qrels split (`qrels/<split>.tsv`). Default: `test` when present, else the only file in qrels/. */
  split?: string | undefined;
  /** Keep at most this many documents: the relevant ones of the kept queries first, then others in file order. */
  maxDocs?: number | undefined;
  /** Keep at most the first this many evaluated queries. */
  maxQueries?: number | undefined;
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then((s) => s.isFile(), () => false);
}

/**
 * The dataset folders under `dir`: `dir` itself when it holds corpus.jsonl, else each sub-folder that does (sorted by
 * name), e.g. a folder of NanoBEIR sets.
 */
export async function findDatasetFolders(dir: string): Promise<string[]> {
  const folder = resolve(dir);
  const info = await stat(folder).catch(() => undefined);
  if (!info?.isDirectory()) throw new EvalError('not-a-dataset', `${folder} is not a folder`);
  if (await isFile(join(folder, 'corpus.jsonl'))) return [folder];
  const entries = await readdir(folder, { withFileTypes: true });
  const found: string[] = [];
  for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    if (await isFile(join(folder, entry.name, 'corpus.jsonl'))) found.push(join(folder, entry.name));
  }
  if (found.length === 0) {
    throw new EvalError('not-a-dataset', `${folder} is not a BEIR dataset: it has no corpus.jsonl, and no sub-folder has one (expected corpus.jsonl, queries.jsonl, qrels/<split>.tsv)`);
  }
  return found;
}

async function* lines(path: string): AsyncGenerator<{ line: string; number: number }> {
  const input = createReadStream(path, { encoding: 'utf8' });
  const reader = createInterface({ input, crlfDelay: Infinity });
  let number = 0;
  try {
    for await (const line of reader) {
      number++;
      yield { line, number };
    }
  } finally {
    reader.close();
    input.destroy();
  }
}

interface JsonRecord {
  id: string;
  title: string | undefined;
  text: string;
}

async function* jsonRecords(path: string): AsyncGenerator<JsonRecord> {
  for await (const { line, number } of lines(path)) {
    if (line.trim() === '') continue;
    const where = `${path} line ${number}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new EvalError('bad-line', `${where}: not JSON (${(error as Error).message})`);
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new EvalError('bad-line', `${where}: expected a JSON object`);
    const record = value as Record<string, unknown>;
    const id = record._id;
    if (typeof id !== 'string' && !(typeof id === 'number' && Number.isFinite(id))) throw new EvalError('bad-line', `${where}: "_id" must be a string or a number`);
    if (typeof record.text !== 'string') throw new EvalError('bad-line', `${where}: "text" must be a string`);
    if (record.title !== undefined && record.title !== null && typeof record.title !== 'string') throw new EvalError('bad-line', `${where}: "title" must be a string`);
    yield { id: String(id), title: typeof record.title === 'string' ? record.title : undefined, text: record.text };
  }
}

async function qrelsFile(folder: string, split: string | undefined): Promise<{ path: string; split: string }> {
  const dir = join(folder, 'qrels');
  const present = (await readdir(dir).catch(() => [] as string[])).filter((name) => name.endsWith('.tsv')).sort();
  const wanted = split ?? (present.includes('test.tsv') || present.length !== 1 ? 'test' : present[0]!.slice(0, -4));
  const path = join(dir, `${wanted}.tsv`);
  if (!(await isFile(path))) {
    const others = present.length > 0 ? `; qrels/ has ${present.join(', ')} (choose one with --split)` : '; qrels/ has no .tsv file';
    throw new EvalError('missing-file', `${path} is missing${others}`);
  }
  return { path, split: wanted };
}

async function readQrels(path: string): Promise<Map<string, Set<string>>> {
  const qrels = new Map<string, Set<string>>();
  for await (const { line, number } of lines(path)) {
    if (line.trim() === '') continue;
    const fields = line.split('\t').map((f) => f.trim());
    if (number === 1 && (fields[0] === 'query-id' || fields[0] === 'query_id' || (fields.length >= 3 && !/^-?\d+(\.\d+)?$/.test(fields[2]!)))) continue;
    if (fields.length < 2 || fields.length > 3 || fields[0] === '' || fields[1] === '') {
      throw new EvalError('bad-line', `${path} line ${number}: expected "query-id<TAB>corpus-id[<TAB>score]", got ${JSON.stringify(line)}`);
    }
    if (fields.length === 3 && !/^-?\d+(\.\d+)?$/.test(fields[2]!)) throw new EvalError('bad-line', `${path} line ${number}: score ${JSON.stringify(fields[2])} is not a number`);
    let set = qrels.get(fields[0]!);
    if (!set) qrels.set(fields[0]!, (set = new Set()));
    set.add(fields[1]!);
  }
  return qrels;
}

/** Reads a BEIR folder (see the module comment for what is kept and dropped). */
export async function loadBeirDataset(dir: string, options: LoadOptions = {}): Promise<BeirDataset> {
  const folder = resolve(dir);
  for (const file of ['corpus.jsonl', 'queries.jsonl']) {
    if (!(await isFile(join(folder, file)))) throw new EvalError('missing-file', `${join(folder, file)} is missing (a BEIR dataset has corpus.jsonl, queries.jsonl and qrels/<split>.tsv)`);
  }
  const { path: qrelsPath, split } = await qrelsFile(folder, options.split);
  const skipped = { emptyDocuments: 0, emptyQueries: 0, queriesWithoutRelevant: 0, documentsOverLimit: 0, queriesOverLimit: 0 };

  const corpus = new Map<string, string>();
  for await (const record of jsonRecords(join(folder, 'corpus.jsonl'))) {
    if (corpus.has(record.id)) throw new EvalError('duplicate-id', `${join(folder, 'corpus.jsonl')}: document id ${JSON.stringify(record.id)} appears twice`);
    const text = record.title ? `${record.title} ${record.text}` : record.text;
    if (text.length === 0) skipped.emptyDocuments++;
    else corpus.set(record.id, text);
  }
  const queries = new Map<string, string>();
  const seenQueries = new Set<string>();
  for await (const record of jsonRecords(join(folder, 'queries.jsonl'))) {
    if (seenQueries.has(record.id)) throw new EvalError('duplicate-id', `${join(folder, 'queries.jsonl')}: query id ${JSON.stringify(record.id)} appears twice`);
    seenQueries.add(record.id);
    if (record.text.length === 0) skipped.emptyQueries++;
    else queries.set(record.id, record.text);
  }
  const qrels = await readQrels(qrelsPath);

  let queryIds = [...queries.keys()].filter((id) => (qrels.get(id)?.size ?? 0) > 0);
  skipped.queriesWithoutRelevant = queries.size - queryIds.length;
  if (options.maxQueries !== undefined && queryIds.length > options.maxQueries) {
    skipped.queriesOverLimit = queryIds.length - options.maxQueries;
    queryIds = queryIds.slice(0, options.maxQueries);
  }
  let corpusIds = [...corpus.keys()];
  if (options.maxDocs !== undefined && corpusIds.length > options.maxDocs) {
    const needed = new Set<string>();
    for (const q of queryIds) for (const id of qrels.get(q)!) if (corpus.has(id)) needed.add(id);
    let room = Math.max(0, options.maxDocs - needed.size);
    corpusIds = corpusIds.filter((id) => needed.has(id) || (room > 0 && room-- > 0));
    skipped.documentsOverLimit = corpus.size - corpusIds.length;
  }
  const { name, nanoBeir } = datasetName(basename(folder));
  if (corpusIds.length === 0) throw new EvalError('empty', `${folder}: the corpus has no non-empty document`);
  if (queryIds.length === 0) {
    throw new EvalError('empty', `${folder}: no query of queries.jsonl has a relevant document in ${qrelsPath} (${queries.size} queries, ${qrels.size} queries in the qrels)`);
  }
  return {
    name,
    nanoBeir,
    folder,
    split,
    corpusIds,
    corpusTexts: corpusIds.map((id) => corpus.get(id)!),
    queryIds,
    queryTexts: queryIds.map((id) => queries.get(id)!),
    relevant: queryIds.map((id) => qrels.get(id)!),
    skipped,
  };
}
