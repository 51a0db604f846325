/**
 * A synthetic BEIR folder for timing `splade-search eval`: documents drawn from topics over a Zipf-distributed
 * vocabulary of made-up English-like words (so WordPiece splits them as it splits real text), queries made of words
 * of one document, which is judged relevant (with a few other documents of its topic, graded 1 and 2). Seeded:
 * the same options write the same files. The numbers it yields measure speed, not quality.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface SyntheticBeirOptions {
  documents: number;
  queries: number;
  /** Words per document text (default 30..90: about 60..250 tokens, mean ~150). */
  minWords?: number;
  maxWords?: number;
  topics?: number;
  seed?: number;
}

function random(seed: number) {
  let state = seed >>> 0 || 1;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0) / 4294967296;
  };
}

const ONSETS = ['b', 'c', 'd', 'f', 'g', 'h', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'w', 'st', 'tr', 'pl', 'gr', 'ch', 'sh', 'th'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ea', 'ou', 'ai'];
const CODAS = ['', '', 'n', 'r', 's', 't', 'l', 'nd', 'st', 'ng'];

/** Writes corpus.jsonl, queries.jsonl and qrels/test.tsv under `dir`; returns `dir`. */
export async function writeSyntheticBeir(dir: string, options: SyntheticBeirOptions): Promise<string> {
  const next = random(options.seed ?? 12345);
  const pick = <T>(items: readonly T[]) => items[Math.floor(next() * items.length)]!;
  const vocabulary = new Set<string>();
  while (vocabulary.size < 8000) {
    const syllables = 1 + Math.floor(next() * 3);
    let word = '';
    for (let s = 0; s < syllables; s++) word += pick(ONSETS) + pick(VOWELS) + pick(CODAS);
    vocabulary.add(word);
  }
  const words = [...vocabulary];
  // Zipf: rank r drawn with probability ∝ 1 / (r + 1).
  const harmonic = words.map((_, r) => 1 / (r + 1));
  const total = harmonic.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  harmonic.reduce((sum, h, r) => (cumulative[r] = sum + h / total), 0);
  const zipf = () => {
    const u = next();
    let lo = 0;
    let hi = cumulative.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (cumulative[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const topicCount = options.topics ?? 50;
  const topics = Array.from({ length: topicCount }, () => Array.from({ length: 40 }, () => words[200 + Math.floor(next() * (words.length - 200))]!));
  const minWords = options.minWords ?? 30;
  const maxWords = options.maxWords ?? 90;
  const docs: { _id: string; title: string; text: string; topic: number }[] = [];
  for (let d = 0; d < options.documents; d++) {
    const topic = Math.floor(next() * topicCount);
    const length = minWords + Math.floor(next() * (maxWords - minWords + 1));
    const body: string[] = [];
    for (let w = 0; w < length; w++) body.push(next() < 0.3 ? pick(topics[topic]!) : words[zipf()]!);
    const sentence = body.map((w, i) => (i % 12 === 0 ? w[0]!.toUpperCase() + w.slice(1) : w) + (i % 12 === 11 ? '.' : '')).join(' ');
    docs.push({ _id: `doc${d}`, title: `${pick(topics[topic]!)} ${words[zipf()]}`, text: sentence, topic });
  }
  const byTopic = new Map<number, number[]>();
  docs.forEach((doc, d) => byTopic.set(doc.topic, [...(byTopic.get(doc.topic) ?? []), d]));
  const queries: { _id: string; text: string }[] = [];
  const qrels: string[] = ['query-id\tcorpus-id\tscore'];
  for (let q = 0; q < options.queries; q++) {
    const target = Math.floor(next() * docs.length);
    const doc = docs[target]!;
    const terms = doc.text.replace(/\./g, '').toLowerCase().split(' ');
    const length = 4 + Math.floor(next() * 6);
    queries.push({ _id: `q${q}`, text: Array.from({ length }, () => pick(terms)).join(' ') + '?' });
    qrels.push(`q${q}\tdoc${target}\t2`);
    for (const other of (byTopic.get(doc.topic) ?? []).filter((d) => d !== target).slice(0, Math.floor(next() * 3))) qrels.push(`q${q}\tdoc${other}\t1`);
  }
  await mkdir(join(dir, 'qrels'), { recursive: true });
  await writeFile(join(dir, 'corpus.jsonl'), docs.map(({ topic: _topic, ...doc }) => JSON.stringify(doc)).join('\n') + '\n');
  await writeFile(join(dir, 'queries.jsonl'), queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  await writeFile(join(dir, 'qrels', 'test.tsv'), qrels.join('\n') + '\n');
  return dir;
}
