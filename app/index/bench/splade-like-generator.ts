/**
 * Seeded generator of SPLADE-like sparse vectors for benchmarks and tests.
 *
 * Documents have 100-700 active terms (uniform), queries 20-300 (log-uniform). Term document frequencies follow
 * Zipf's law over the 30522-term vocabulary (ranks mapped onto ids by a seeded permutation; the ~1000 [unused]
 * and special tokens at the start of the BERT vocabulary are never drawn, as in real SPLADE output). Documents are
 * mixtures of a background Zipf distribution and one or two "topics" (sets of related mid-frequency terms), so
 * passages about the same subject share terms, as real ones do. Weights are log-normal: topic terms weigh more,
 * and rarer terms weigh more (an IDF-like effect the SPLADE training produces). A query takes most of its mass
 * from one document's highest-weighted terms (with multiplicative noise) plus expansion noise from that
 * document's topic and the background, so relevant passages exist.
 *
 * Generation is deterministic per (seed, document number): `document(i)` can be regenerated at any time, so large
 * corpora stream without being stored.
 */
import { AliasTable, Random, mix32, zipfWeights } from '../random.js';
import type { SparseVector } from '../sparse-vector.js';

export interface SpladeLikeOptions {
  seed?: number;
  vocabSize?: number;
  /** First term id that may be drawn (BERT: 999 is the first non-special token after [unused*]). */
  firstTerm?: number;
  docTerms?: [min: number, max: number];
  queryTerms?: [min: number, max: number];
  /** Zipf exponent of the background term distribution. */
  zipfExponent?: number;
  topics?: number;
  termsPerTopic?: number;
  /** Share of a document's terms drawn from its topics. */
  topicShare?: number;
  /** Background term weights are logNormal(mu + rise × log(rank)/log(ranks), sigma): lighter for common terms. */
  backgroundMu?: number;
  backgroundRise?: number;
  backgroundSigma?: number;
}

export interface GeneratedQuery {
  vector: SparseVector;
  /** The document whose terms the query was built from. */
  sourceDoc: number;
}

const DOC_STREAM = 1;
const QUERY_STREAM = 2;

export class SpladeLikeGenerator {
  readonly seed: number;
  readonly vocabSize: number;
  private readonly firstTerm: number;
  private readonly docTerms: [number, number];
  private readonly queryTerms: [number, number];
  private readonly topicShare: number;
  private readonly backgroundMu: number;
  private readonly backgroundRise: number;
  private readonly backgroundSigma: number;
  /** rank → term id */
  private readonly rankToTerm: Uint32Array;
  /** term id → rank (or -1 when never drawn) */
  private readonly termRank: Int32Array;
  private readonly background: AliasTable;
  private readonly topicPick: AliasTable;
  private readonly topicTerms: Uint32Array[];
  private readonly topicTermPick: AliasTable;
  private readonly stamp: Uint32Array;
  private stampValue = 0;
  private readonly scratchTerms: Uint32Array;
  private readonly scratchWeights: Float64Array;

  constructor(options: SpladeLikeOptions = {}) {
    this.seed = options.seed ?? 1;
    this.vocabSize = options.vocabSize ?? 30522;
    this.firstTerm = options.firstTerm ?? Math.min(999, Math.floor(this.vocabSize / 30));
    this.docTerms = options.docTerms ?? [100, 700];
    this.queryTerms = options.queryTerms ?? [20, 300];
    this.topicShare = options.topicShare ?? 0.4;
    this.backgroundMu = options.backgroundMu ?? -2.4;
    this.backgroundRise = options.backgroundRise ?? 1.6;
    this.backgroundSigma = options.backgroundSigma ?? 0.5;
    const drawable = this.vocabSize - this.firstTerm;
    if (drawable < this.docTerms[1] * 2) throw new RangeError(`vocabulary of ${this.vocabSize} is too small for ${this.docTerms[1]}-term documents`);
    const setup = new Random(this.seed, 0);
    this.rankToTerm = new Uint32Array(drawable);
    for (let i = 0; i < drawable; i++) this.rankToTerm[i] = this.firstTerm + i;
    setup.shuffle(this.rankToTerm);
    this.termRank = new Int32Array(this.vocabSize).fill(-1);
    for (let r = 0; r < drawable; r++) this.termRank[this.rankToTerm[r]!] = r;
    this.background = new AliasTable(zipfWeights(drawable, options.zipfExponent ?? 1.0));
    const topics = options.topics ?? 2000;
    const termsPerTopic = Math.min(options.termsPerTopic ?? 200, Math.floor(drawable / 4));
    this.topicPick = new AliasTable(zipfWeights(topics, 0.6));
    // Topic vocabularies: mid-frequency terms (ranks from ~100 on), the more common ones more likely.
    const skip = Math.min(100, Math.floor(drawable / 10));
    const topicVocabulary = new AliasTable(zipfWeights(drawable - skip, 0.5));
    this.topicTerms = [];
    const seen = new Uint32Array(this.vocabSize);
    for (let t = 0; t < topics; t++) {
      const terms = new Uint32Array(termsPerTopic);
      let n = 0;
      while (n < termsPerTopic) {
        const term = this.rankToTerm[skip + topicVocabulary.sample(setup)]!;
        if (seen[term] === t + 1) continue;
        seen[term] = t + 1;
        terms[n++] = term;
      }
      this.topicTerms.push(terms);
    }
    // Within a topic, earlier terms are more central (more likely, and heavier).
    this.topicTermPick = new AliasTable(zipfWeights(termsPerTopic, 0.7));
    this.stamp = new Uint32Array(this.vocabSize);
    const scratch = Math.max(this.docTerms[1], this.queryTerms[1]) + 1;
    this.scratchTerms = new Uint32Array(scratch);
    this.scratchWeights = new Float64Array(scratch);
  }

  /** Document `i` (any non-negative integer); the same (seed, i) always gives the same vector. */
  document(i: number): SparseVector {
    return this.documentAndTopic(i).vector;
  }

  /** The primary topic of document `i` (for diagnostics: an oracle clustering to compare docid orders with). */
  documentTopic(i: number): number {
    return this.documentAndTopic(i).topic;
  }

  private documentAndTopic(i: number): { vector: SparseVector; topic: number } {
    const random = new Random(mix32(this.seed) ^ mix32(i), DOC_STREAM);
    const count = random.intBetween(this.docTerms[0], this.docTerms[1]);
    const stamp = this.nextStamp();
    const terms = this.scratchTerms;
    const weights = this.scratchWeights;
    let n = 0;
    const primary = this.topicPick.sample(random);
    const secondary = random.next() < 0.5 ? this.topicPick.sample(random) : -1;
    const topicCount = Math.round(count * this.topicShare * (0.6 + 0.8 * random.next()));
    const primaryCount = secondary < 0 ? topicCount : Math.round(topicCount * 0.7);
    n = this.drawTopicTerms(random, primary, primaryCount, stamp, n, 0.0);
    if (secondary >= 0) n = this.drawTopicTerms(random, secondary, topicCount - primaryCount, stamp, n, -0.3);
    const drawable = this.rankToTerm.length;
    const logDrawable = Math.log(drawable);
    while (n < count) {
      const rank = this.background.sample(random);
      const term = this.rankToTerm[rank]!;
      if (this.stamp[term] === stamp) continue;
      this.stamp[term] = stamp;
      terms[n] = term;
      // Background terms: light, and lighter the more common they are.
      weights[n] = random.logNormal(this.backgroundMu + this.backgroundRise * (Math.log(rank + 1) / logDrawable), this.backgroundSigma);
      n++;
    }
    return { vector: this.pack(n), topic: primary };
  }

  /**
   * Query `j`, built from a document in [0, documentCount): its top-weighted terms with noise plus expansion terms.
   */
  query(j: number, documentCount: number): GeneratedQuery {
    const random = new Random(mix32(this.seed) ^ mix32(j), QUERY_STREAM);
    const sourceDoc = random.int(documentCount);
    const { vector: doc, topic } = this.documentAndTopic(sourceDoc);
    const [minTerms, maxTerms] = this.queryTerms;
    const length = Math.round(Math.exp(Math.log(minTerms) + random.next() * (Math.log(maxTerms) - Math.log(minTerms))));
    const fromDoc = Math.min(doc.indices.length, Math.max(1, Math.round(length * (0.4 + 0.3 * random.next()))));
    // The document's terms by weight, heaviest first.
    const order = Array.from({ length: doc.indices.length }, (_, i) => i).sort((a, b) => doc.values[b]! - doc.values[a]!);
    const stamp = this.nextStamp();
    const terms = this.scratchTerms;
    const weights = this.scratchWeights;
    let n = 0;
    for (let r = 0; r < fromDoc; r++) {
      const i = order[r]!;
      const term = doc.indices[i]!;
      this.stamp[term] = stamp;
      terms[n] = term;
      weights[n] = doc.values[i]! * random.logNormal(0.1, 0.35);
      n++;
    }
    // Expansion noise: related terms of the document's topic it does not contain, and background terms.
    let attempts = 0;
    while (n < length && attempts < length * 20) {
      attempts++;
      const useTopic = random.next() < 0.5;
      const term = useTopic
        ? this.topicTerms[topic]![this.topicTermPick.sample(random)]!
        : this.rankToTerm[this.background.sample(random)]!;
      if (this.stamp[term] === stamp) continue;
      this.stamp[term] = stamp;
      terms[n] = term;
      weights[n] = random.logNormal(useTopic ? -1.2 : -2.0, 0.6);
      n++;
    }
    return { vector: this.pack(n), sourceDoc };
  }

  private drawTopicTerms(random: Random, topic: number, count: number, stamp: number, n: number, shift: number): number {
    const list = this.topicTerms[topic]!;
    const limit = Math.min(count, list.length >> 1);
    let added = 0;
    let attempts = 0;
    while (added < limit && attempts < limit * 20) {
      attempts++;
      const position = this.topicTermPick.sample(random);
      const term = list[position]!;
      if (this.stamp[term] === stamp) continue;
      this.stamp[term] = stamp;
      this.scratchTerms[n] = term;
      // Topic terms carry the meaning: heavier, the central ones most.
      this.scratchWeights[n] = random.logNormal(-0.35 + shift - 0.25 * Math.log1p(position / 10), 0.45);
      n++;
      added++;
    }
    return n;
  }

  private nextStamp(): number {
    this.stampValue++;
    if (this.stampValue === 0xffffffff) {
      this.stamp.fill(0);
      this.stampValue = 1;
    }
    return this.stampValue;
  }

  private pack(n: number): SparseVector {
    const order = new Uint32Array(n);
    for (let i = 0; i < n; i++) order[i] = i;
    const terms = this.scratchTerms;
    // Sort positions by term id (term ids < 2^16 in practice; pack term and position into one number to sort fast).
    const keys = new Float64Array(n);
    for (let i = 0; i < n; i++) keys[i] = terms[i]! * 1024 + i;
    keys.sort();
    const indices = new Uint32Array(n);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      const k = keys[i]!;
      const position = k % 1024;
      indices[i] = terms[position]!;
      values[i] = Math.min(this.scratchWeights[position]!, 4.9);
    }
    return { indices, values };
  }
}

/** Uniformly random vectors (any term equally likely, uniform weights): the adversarial, unstructured case. */
export function randomSparseVector(random: Random, vocabSize: number, minTerms: number, maxTerms: number): SparseVector {
  const count = Math.min(vocabSize, random.intBetween(minTerms, maxTerms));
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(random.int(vocabSize));
  const indices = Uint32Array.from(chosen).sort();
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = 0.01 + random.next() * 3;
  return { indices, values };
}
