/** Writes small BEIR-format folders for the eval tests: corpus.jsonl, queries.jsonl, qrels/<split>.tsv. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface BeirFixture {
  corpus: { _id: string | number; title?: string; text: string }[];
  queries: { _id: string | number; text: string }[];
  /** [query-id, corpus-id, score] rows. */
  qrels: [string, string, number][];
  split?: string;
}

export async function writeBeirFolder(dir: string, data: BeirFixture): Promise<string> {
  await mkdir(join(dir, 'qrels'), { recursive: true });
  await writeFile(join(dir, 'corpus.jsonl'), data.corpus.map((d) => JSON.stringify(d)).join('\n') + '\n');
  await writeFile(join(dir, 'queries.jsonl'), data.queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  const rows = ['query-id\tcorpus-id\tscore', ...data.qrels.map((r) => r.join('\t'))];
  await writeFile(join(dir, 'qrels', `${data.split ?? 'test'}.tsv`), rows.join('\n') + '\n');
  return dir;
}
