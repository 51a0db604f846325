/**
 * A text's own word-piece tokens with UTF-16 spans (the tokenizer gives code-point offsets; JavaScript strings and
 * the engine's contract count UTF-16 units), and the term lists built from them: expansions (`TermWeight`) and a
 * query/passage overlap (`TermContribution`), each term marked `inText` when it is one of the text's own tokens.
 */
import type { SparseEncoder } from '../encoder/index.js';
import type { SparseVector } from '../index/index.js';
import type { Highlight, OtherTerms, TermContribution, TermWeight } from './engine-types.js';

export interface TextToken {
  text: string;
  id: number;
  start: number;
  end: number;
}

export interface TextTokens {
  tokens: TextToken[];
  ids: Set<number>;
  /** True when the text was cut at the model's maximum length. */
  truncated: boolean;
}

/** UTF-16 index of every code-point index of `text` (one entry past the end too). */
export function codePointToUtf16(text: string): Uint32Array {
  const map = new Uint32Array(text.length + 1);
  let cp = 0;
  for (let i = 0; i < text.length; ) {
    map[cp++] = i;
    const code = text.codePointAt(i)!;
    i += code > 0xffff ? 2 : 1;
  }
  map[cp] = text.length;
  return map.subarray(0, cp + 1);
}

/**
 * Tokenizes `text` as the encoder sees it (lower-cased when the model is), without [CLS]/[SEP], spans in UTF-16 of
 * `text`. When lower-casing would change the text's length (a few scripts), the original text is tokenized: the
 * tokenizer's own normalizer lower-cases BERT-uncased input anyway.
 */
export function textTokens(encoder: SparseEncoder, text: string): TextTokens {
  const lowered = encoder.model.doLowerCase ? text.toLowerCase() : text;
  const input = lowered.length === text.length ? lowered : text;
  const encoding = encoder.tokenizer.encode(input);
  const map = codePointToUtf16(text);
  const tokens: TextToken[] = [];
  const ids = new Set<number>();
  // First and last are [CLS] and [SEP].
  for (let i = 1; i < encoding.ids.length - 1; i++) {
    const [from, to] = encoding.offsets[i]!;
    const start = map[Math.min(from, map.length - 1)]!;
    const end = map[Math.min(to, map.length - 1)]!;
    tokens.push({ text: encoding.tokens[i]!, id: encoding.ids[i]!, start, end });
    ids.add(encoding.ids[i]!);
  }
  // At the maximum the tokenizer may have cut the text (or it fitted exactly; telling them apart costs a second pass).
  const truncated = encoding.ids.length >= encoder.tokenizer.maxLength;
  return { tokens, ids, truncated };
}

/** The heaviest `topK` terms of `vector`, marked inText against `ids`. */
export function expansionTerms(encoder: SparseEncoder, vector: SparseVector, ids: ReadonlySet<number>, topK: number): TermWeight[] {
  const order = Array.from({ length: vector.indices.length }, (_, i) => i);
  order.sort((a, b) => vector.values[b]! - vector.values[a]! || vector.indices[a]! - vector.indices[b]!);
  return order.slice(0, Math.max(0, topK)).map((i) => {
    const id = vector.indices[i]!;
    return { term: encoder.tokenizer.idToToken(id) ?? `[${id}]`, id, weight: vector.values[i]!, inText: ids.has(id) };
  });
}

/** Terms both vectors hold, largest contribution first (ties: lower id), with the exact products. */
export function contributions(encoder: SparseEncoder, query: SparseVector, passage: SparseVector, passageIds: ReadonlySet<number>): TermContribution[] {
  const out: TermContribution[] = [];
  let i = 0;
  let j = 0;
  while (i < query.indices.length && j < passage.indices.length) {
    const a = query.indices[i]!;
    const b = passage.indices[j]!;
    if (a === b) {
      const queryWeight = query.values[i]!;
      const passageWeight = passage.values[j]!;
      out.push({ term: encoder.tokenizer.idToToken(a) ?? `[${a}]`, id: a, queryWeight, passageWeight, contribution: queryWeight * passageWeight, inText: passageIds.has(a) });
      i++;
      j++;
    } else if (a < b) i++;
    else j++;
  }
  return out.sort((x, y) => y.contribution - x.contribution || x.id - y.id);
}

/**
 * `contributions` capped at `limit` terms (see `capTerms`), building term objects and token strings only for the
 * kept ones: a dense model's passage shares hundreds of terms with the query.
 */
export function cappedContributions(encoder: SparseEncoder, query: SparseVector, passage: SparseVector, passageIds: ReadonlySet<number>, limit: number): { terms: TermContribution[]; otherTerms: OtherTerms } {
  const room = Math.min(query.indices.length, passage.indices.length);
  const ids = new Uint32Array(room);
  const queryWeights = new Float32Array(room);
  const passageWeights = new Float32Array(room);
  const products = new Float64Array(room);
  let n = 0;
  let i = 0;
  let j = 0;
  while (i < query.indices.length && j < passage.indices.length) {
    const a = query.indices[i]!;
    const b = passage.indices[j]!;
    if (a === b) {
      ids[n] = a;
      queryWeights[n] = query.values[i]!;
      passageWeights[n] = passage.values[j]!;
      products[n] = query.values[i]! * passage.values[j]!;
      n++;
      i++;
      j++;
    } else if (a < b) i++;
    else j++;
  }
  const keep = Math.max(0, Math.min(limit, n));
  // The kept terms: every product above the keep-th largest, then those equal to it by ascending id (the merge
  // order), so that only `keep` entries are ever sorted with a comparator. A typed sort finds the threshold.
  const ascending = products.slice(0, n).sort();
  const threshold = keep > 0 ? ascending[n - keep]! : Infinity;
  const chosen: number[] = [];
  let above = 0;
  for (let m = 0; m < n; m++) if (products[m]! > threshold) above++;
  let ties = keep - above;
  for (let m = 0; m < n; m++) {
    if (products[m]! > threshold) chosen.push(m);
    else if (products[m] === threshold && ties > 0) {
      chosen.push(m);
      ties--;
    }
  }
  chosen.sort((x, y) => products[y]! - products[x]! || ids[x]! - ids[y]!);
  // The rest, added largest first as a full sort would (the left-out products are the n - keep smallest).
  let rest = 0;
  for (let m = n - keep - 1; m >= 0; m--) rest += ascending[m]!;
  const terms = chosen.map((m) => {
    const id = ids[m]!;
    return { term: encoder.tokenizer.idToToken(id) ?? `[${id}]`, id, queryWeight: queryWeights[m]!, passageWeight: passageWeights[m]!, contribution: products[m]!, inText: passageIds.has(id) };
  });
  return { terms, otherTerms: { count: n - keep, contribution: rest } };
}

/**
 * The first `limit` of `terms` (already largest first) and the remainder's count and summed contribution, so that the
 * kept contributions plus the remainder still sum to the score (a response stays small for dense vectors).
 */
export function capTerms(terms: TermContribution[], limit: number): { terms: TermContribution[]; otherTerms: OtherTerms } {
  let contribution = 0;
  for (let i = limit; i < terms.length; i++) contribution += terms[i]!.contribution;
  return { terms: terms.slice(0, limit), otherTerms: { count: Math.max(0, terms.length - limit), contribution } };
}

/** Spans of the tokens whose id is among `terms`, in text order. */
export function highlightsFor(tokens: readonly TextToken[], terms: readonly { id: number }[]): Highlight[] {
  const wanted = new Set(terms.map((term) => term.id));
  return tokens.filter((token) => wanted.has(token.id) && token.end > token.start).map((token) => ({ start: token.start, end: token.end, id: token.id }));
}
