/**
 * How closely one encoding of a set of texts follows a reference encoding of the same texts (int8 against float32,
 * or against sentence-transformers): weight errors, dot-product similarities and the ranking they give, top terms,
 * active dimensions.
 */
import { dot, type SparseVector } from '../../app/sparse/sparse-vector.js';
import { topEntries } from '../../app/encoder/sparse-vector.js';

export interface SparseAgreement {
  texts: number;
  /** Largest |candidate − reference| weight over all texts and dimensions (absent dimensions count as 0). */
  maxAbsError: number;
  /** Largest reference weight. */
  largestWeight: number;
  maxAbsErrorOverLargest: number;
  similarity: {
    /** Query × document pairs when queries are given, else every pair of texts. */
    pairs: number;
    /** |Δs| / s over the pairs with reference similarity s > 0. */
    meanRelativeError: number;
    maxRelativeError: number;
    /** Largest |Δs| over the largest reference similarity. */
    maxErrorOverLargest: number;
    /**
     * For each query (each text when no queries are given), the fraction of pairs of the other texts that the
     * candidate's similarities order as the reference's do (pairs tied in the reference are left out).
     */
    pairOrderAgreement: number;
    /** Queries (texts) whose most similar text is the same. */
    sameBest: number;
    /**
     * Mean over rows of the standard deviation of the reference similarities over their mean: how far apart the
     * similarities that the ranking separates are (errors well below it leave rankings alone).
     */
    referenceRelativeSpread: number;
  };
  top10: {
    /** Mean of |top-10 terms ∩ reference top-10 terms| / 10 (fewer than 10 active: over the reference's count). */
    meanOverlap: number;
    /** Texts whose top 10 terms are identical and in the same order. */
    identical: number;
  };
  activeDims: {
    referenceMean: number;
    candidateMean: number;
    /** Mean of |candidate − reference| / reference active-dimension counts. */
    meanRelativeDifference: number;
    /** Mean number of dimensions active in exactly one of the two. */
    meanSymmetricDifference: number;
  };
}

function maxAbsDifference(a: SparseVector, b: SparseVector): number {
  let i = 0;
  let j = 0;
  let max = 0;
  while (i < a.indices.length || j < b.indices.length) {
    const x = i < a.indices.length ? a.indices[i]! : Infinity;
    const y = j < b.indices.length ? b.indices[j]! : Infinity;
    const d = x === y ? Math.abs(a.values[i++]! - b.values[j++]!) : x < y ? Math.abs(a.values[i++]!) : Math.abs(b.values[j++]!);
    if (d > max) max = d;
  }
  return max;
}

function symmetricDifference(a: SparseVector, b: SparseVector): number {
  const set = new Set(a.indices);
  let common = 0;
  for (const index of b.indices) if (set.has(index)) common++;
  return a.indices.length + b.indices.length - 2 * common;
}

const mean = (xs: number[]) => (xs.length ? xs.reduce((s, x) => s + x, 0) / xs.length : 0);

/**
 * Compares `candidate[i]` with `reference[i]`. With `queries`, similarities are queries × texts; without, every pair
 * of texts.
 */
export function compareEncodings(reference: SparseVector[], candidate: SparseVector[], queries?: { reference: SparseVector[]; candidate: SparseVector[] }): SparseAgreement {
  if (reference.length !== candidate.length) throw new Error(`compareEncodings: ${reference.length} reference vectors but ${candidate.length} candidates`);
  if (queries && queries.reference.length !== queries.candidate.length) throw new Error('compareEncodings: query lists differ in length');
  let maxAbsError = 0;
  let largestWeight = 0;
  const overlaps: number[] = [];
  let identical = 0;
  const relativeActive: number[] = [];
  const symmetric: number[] = [];
  reference.forEach((ref, i) => {
    const cand = candidate[i]!;
    maxAbsError = Math.max(maxAbsError, maxAbsDifference(ref, cand));
    for (const v of ref.values) largestWeight = Math.max(largestWeight, v);
    const topRef = topEntries(ref, 10).map(([id]) => id);
    const topCand = topEntries(cand, 10).map(([id]) => id);
    if (topRef.length > 0) overlaps.push(topCand.filter((id) => topRef.includes(id)).length / topRef.length);
    if (topRef.join() === topCand.join()) identical++;
    if (ref.indices.length > 0) relativeActive.push(Math.abs(cand.indices.length - ref.indices.length) / ref.indices.length);
    symmetric.push(symmetricDifference(ref, cand));
  });

  // Similarity rows: one per query (or per text), over the texts (the text itself left out when no queries).
  const rows: Array<{ ref: number[]; cand: number[] }> = [];
  const rowCount = queries ? queries.reference.length : reference.length;
  for (let q = 0; q < rowCount; q++) {
    const ref: number[] = [];
    const cand: number[] = [];
    for (let d = 0; d < reference.length; d++) {
      if (!queries && d === q) continue;
      ref.push(dot(queries ? queries.reference[q]! : reference[q]!, reference[d]!));
      cand.push(dot(queries ? queries.candidate[q]! : candidate[q]!, candidate[d]!));
    }
    rows.push({ ref, cand });
  }
  const relative: number[] = [];
  let largestSimilarity = 0;
  let maxSimilarityError = 0;
  let agree = 0;
  let ordered = 0;
  let sameBest = 0;
  let pairs = 0;
  const spreads: number[] = [];
  for (const { ref, cand } of rows) {
    const m = mean(ref);
    if (m > 0) spreads.push(Math.sqrt(mean(ref.map((x) => (x - m) ** 2))) / m);
    // Without queries each pair of texts appears twice (once per row), which leaves means and maxima unchanged.
    for (let k = 0; k < ref.length; k++) {
      pairs++;
      largestSimilarity = Math.max(largestSimilarity, Math.abs(ref[k]!));
      maxSimilarityError = Math.max(maxSimilarityError, Math.abs(cand[k]! - ref[k]!));
      if (ref[k]! > 0) relative.push(Math.abs(cand[k]! - ref[k]!) / ref[k]!);
      for (let l = k + 1; l < ref.length; l++) {
        if (ref[k] === ref[l]) continue;
        ordered++;
        if (Math.sign(ref[k]! - ref[l]!) === Math.sign(cand[k]! - cand[l]!)) agree++;
      }
    }
    const best = (xs: number[]) => xs.reduce((b, x, i) => (x > xs[b]! ? i : b), 0);
    if (ref.length > 0 && best(ref) === best(cand)) sameBest++;
  }
  return {
    texts: reference.length,
    maxAbsError,
    largestWeight,
    maxAbsErrorOverLargest: largestWeight > 0 ? maxAbsError / largestWeight : 0,
    similarity: {
      pairs: queries ? pairs : pairs / 2,
      meanRelativeError: mean(relative),
      maxRelativeError: relative.length ? Math.max(...relative) : 0,
      maxErrorOverLargest: largestSimilarity > 0 ? maxSimilarityError / largestSimilarity : 0,
      pairOrderAgreement: ordered > 0 ? agree / ordered : 1,
      sameBest,
      referenceRelativeSpread: mean(spreads),
    },
    top10: { meanOverlap: mean(overlaps), identical },
    activeDims: {
      referenceMean: mean(reference.map((v) => v.indices.length)),
      candidateMean: mean(candidate.map((v) => v.indices.length)),
      meanRelativeDifference: mean(relativeActive),
      meanSymmetricDifference: mean(symmetric),
    },
  };
}
