/**
 * Search over one snapshot: block-max pruning in each segment (block-max-search.ts) into one top-k heap, then the
 * hits' catalog rows and per-term contributions. Runs inside the caller's read transaction, so the snapshot and the
 * catalog rows come from the same commit.
 */
import type { CatalogQueries, FileFilter, FileInfo, PassageInfo } from '../catalog/catalog.js';
import { IndexCorruptError } from '../index-errors.js';
import type { SegmentReader } from '../segment/segment-reader.js';
import type { Snapshot } from '../snapshot.js';
import type { SparseVector } from '../sparse-vector.js';
import { catalogPath } from '../storage/index-files.js';
import { SearchScratch, docTermImpacts, searchSegment, type BlockSearchStats, type SegmentView } from './block-max-search.js';
import { prepareQuery, pruneQuery, type PreparedQuery } from './prepared-query.js';
import { TopKHeap } from './top-k-heap.js';

export interface SearchFilter extends FileFilter {}

/** The filter, or undefined when it constrains nothing (`{}`): every file passes, and no bitmap need be built. */
export function effectiveFilter(filter: SearchFilter | undefined): SearchFilter | undefined {
  if (!filter) return undefined;
  return filter.folders !== undefined || filter.fileTypes !== undefined || filter.modifiedAfter !== undefined || filter.modifiedBefore !== undefined ? filter : undefined;
}

export interface ApproximationOptions {
  /**
   * Query-term pruning for the block bounds: the bounds use only the heaviest query terms covering this fraction of
   * the query's total weight (1 = all terms). Blocks are still scored with the whole query, so returned scores are
   * exact; what can be missed is a passage whose light terms lift it into the top k.
   */
  queryMass?: number;
  /** At least this many terms are kept for the bounds. */
  minQueryTerms?: number;
  /** At most this many terms are kept for the bounds. */
  maxQueryTerms?: number;
  /** Stop once the k-th score reaches alpha × the best remaining block bound (1 = stop at the bound). */
  alpha?: number;
}

/** Defaults chosen on the SPLADE-like benchmark data: recall@10 about 0.98 against exact at 1M passages. */
export const DEFAULT_APPROXIMATION: Required<ApproximationOptions> = {
  queryMass: 0.8,
  minQueryTerms: 8,
  maxQueryTerms: 80,
  alpha: 1,
};

export interface SearchOptions {
  /** Number of hits (default 10). */
  k?: number;
  /** 'exact' (default): the true top k by dot product. 'approximate': faster, tuned by `approximation`. */
  mode?: 'exact' | 'approximate';
  approximation?: ApproximationOptions;
  filter?: SearchFilter;
  /** Per-term contributions of each hit (default true). */
  contributions?: boolean;
}

/** One matched term of a hit: query weight × passage weight = contribution. */
export interface TermContribution {
  term: number;
  queryWeight: number;
  passageWeight: number;
  contribution: number;
}

export interface SearchHit {
  passageId: number;
  /** Dot product of the query with the passage's stored (quantized) vector. */
  score: number;
  passage: PassageInfo;
  file: FileInfo;
  /** Matched terms, largest contribution first (empty when `contributions: false`). */
  terms: TermContribution[];
}

export interface SearchStats extends BlockSearchStats {
  segments: number;
  /** Terms of the query (non-zero weights). */
  queryTerms: number;
  /** Terms used for the block bounds (all of them in exact mode). */
  queryTermsUsed: number;
  /** The commit the search read. */
  generation: number;
}

export interface SearchResult {
  hits: SearchHit[];
  stats: SearchStats;
}

/** One index's searcher: reusable buffers and the filter masks of the last filter. Single-threaded. */
export class Searcher {
  private readonly scratch = new SearchScratch();
  private filterCache: { key: string; dataVersion: number; allowed: Uint8Array } | undefined;
  private readonly filterViews = new WeakMap<SegmentReader, { allowedFiles: Uint8Array; view: Partial<SegmentView> }>();

  constructor(
    private readonly dir: string,
    /** Weight of one impact unit. */
    private readonly scale: number,
  ) {}

  /** The top `k` passages of `snapshot` by dot product with `query` (validated by the caller). */
  search(snapshot: Snapshot, catalog: CatalogQueries, query: SparseVector, k: number, mode: 'exact' | 'approximate', options: SearchOptions): SearchResult {
    const full = prepareQuery(query);
    const approx = { ...DEFAULT_APPROXIMATION, ...(options.approximation ?? {}) };
    const exact = mode === 'exact';
    // Approximate mode bounds blocks with the heaviest query terms only, and scores them with all of them.
    const bounds = exact ? full : pruneQuery(full, approx.queryMass, approx.minQueryTerms, approx.maxQueryTerms);
    const alpha = exact ? 1 : Math.min(1, Math.max(0.01, approx.alpha));
    const stats: SearchStats = {
      blocksScored: 0,
      blocksTotal: 0,
      postingsScored: 0,
      boundMs: 0,
      scoreMs: 0,
      segments: snapshot.segments.length,
      queryTerms: full.terms.length,
      queryTermsUsed: bounds.terms.length,
      generation: snapshot.generation,
    };
    const filter = effectiveFilter(options.filter);
    const allowedFiles = filter ? this.allowedFiles(catalog, filter) : undefined;
    const heap = new TopKHeap(k);
    snapshot.segments.forEach((segment, slot) => {
      const view: SegmentView = { reader: segment.reader, deleted: segment.deleted };
      if (allowedFiles) Object.assign(view, this.filterView(segment.reader, allowedFiles));
      searchSegment(view, slot, bounds, heap, alpha, this.scratch, stats, full);
    });
    const hits = this.materialize(snapshot, catalog, heap.sorted(), full, options.contributions ?? true);
    return { hits, stats };
  }

  private materialize(
    snapshot: Snapshot,
    catalog: CatalogQueries,
    ranked: { score: number; key: number }[],
    query: PreparedQuery,
    contributions: boolean,
  ): SearchHit[] {
    const located = ranked.map(({ score, key }) => {
      const segment = snapshot.segments[Math.floor(key / 4294967296)]!;
      const doc = key % 4294967296;
      return { score, segment, doc, pid: segment.reader.docs().pids[doc]! };
    });
    const rows = catalog.passagesWithFiles(located.map((hit) => hit.pid));
    const weightOf = new Map<number, number>();
    for (let i = 0; i < query.terms.length; i++) weightOf.set(query.terms[i]!, query.weights[i]!);
    const hits: SearchHit[] = [];
    for (const hit of located) {
      const row = rows.get(hit.pid);
      if (!row) {
        throw new IndexCorruptError(
          `Passage ${hit.pid} of segment ${hit.segment.reader.name} has postings but no catalog row`,
          catalogPath(this.dir),
          hit.segment.reader.name,
          'inconsistent',
        );
      }
      const terms: TermContribution[] = [];
      if (contributions) {
        const found = docTermImpacts(hit.segment.reader, hit.doc, query.terms);
        for (let i = 0; i < found.terms.length; i++) {
          const queryWeight = weightOf.get(found.terms[i]!)!;
          const passageWeight = found.impacts[i]! * this.scale;
          terms.push({ term: found.terms[i]!, queryWeight, passageWeight, contribution: queryWeight * passageWeight });
        }
        terms.sort((a, b) => b.contribution - a.contribution || a.term - b.term);
      }
      hits.push({ passageId: hit.pid, score: hit.score * this.scale, passage: row.passage, file: row.file, terms });
    }
    return hits;
  }

  /** Per-doc and per-block filter masks of a segment, cached for the last filter (same bitmap object). */
  private filterView(reader: SegmentReader, allowedFiles: Uint8Array): Partial<SegmentView> {
    const cached = this.filterViews.get(reader);
    if (cached && cached.allowedFiles === allowedFiles) return cached.view;
    const view = filterView(reader, allowedFiles);
    this.filterViews.set(reader, { allowedFiles, view });
    return view;
  }

  private allowedFiles(catalog: CatalogQueries, filter: SearchFilter): Uint8Array {
    const key = JSON.stringify(filter);
    const version = catalog.dataVersion();
    if (this.filterCache && this.filterCache.key === key && this.filterCache.dataVersion === version) return this.filterCache.allowed;
    const allowed = catalog.allowedFiles(filter);
    this.filterCache = { key, dataVersion: version, allowed };
    return allowed;
  }
}

function filterView(reader: SegmentReader, allowedFiles: Uint8Array): Partial<SegmentView> {
  const { fileIds } = reader.docs();
  const n = reader.docCount;
  const allowed = new Uint8Array(n);
  const blockAllowed = new Uint8Array(reader.blockCount);
  const bs = reader.blockSize;
  for (let doc = 0; doc < n; doc++) {
    const file = fileIds[doc]!;
    if (file < allowedFiles.length && allowedFiles[file] === 1) {
      allowed[doc] = 1;
      blockAllowed[Math.floor(doc / bs)] = 1;
    }
  }
  return { allowed, blockAllowed };
}
