/**
 * Highlight segmentation: a passage's text plus the engine's highlight spans become a flat list of non-overlapping
 * segments, each plain or marked, ready to render as text and `<mark>` elements.
 *
 * A span is marked by how its term reached the query: `query` when the term is one of the query's own tokens (the
 * user typed it), `expansion` when the model added it to the query (the passage matched through expansion). Spans
 * may overlap (the engine reports one span per token, and a caller may pass spans of several tokenizations); the
 * text is cut at every span boundary and each piece carries every term covering it. Offsets are UTF-16 code units
 * (what `slice` uses); a boundary that falls inside a surrogate pair is moved outward so that no character is ever
 * split. Touching marked pieces of one word (word pieces such as "star" + "##s") are joined into one mark.
 */
import type { Highlight } from '../../../app/api/api-types.js';

export type MarkKind = 'query' | 'expansion';

/** What a highlighted term means for marking: from the query's own words or added by expansion, and its weight. */
export interface MarkTerm {
  term: string;
  kind: MarkKind;
  /** The term's contribution to the score (query weight x passage weight); the strongest decides the shade. */
  contribution: number;
}

export interface Segment {
  text: string;
  start: number;
  end: number;
  /** Null for plain text. */
  mark: {
    kind: MarkKind;
    /** Vocabulary ids of the terms covering this piece, in the order they were first seen. */
    ids: number[];
    terms: string[];
    /** Largest contribution among them. */
    contribution: number;
  } | null;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** Moves a boundary that would split a surrogate pair: back (start) or forward (end) to the pair's edge. */
function snap(text: string, offset: number, direction: 'back' | 'forward'): number {
  if (offset <= 0 || offset >= text.length) return offset;
  if (isLowSurrogate(text.charCodeAt(offset)) && isHighSurrogate(text.charCodeAt(offset - 1))) {
    return direction === 'back' ? offset - 1 : offset + 1;
  }
  return offset;
}

/**
 * Cuts `text` into segments. Spans whose id is not in `terms`, that are empty, or that lie outside the text are
 * ignored (a stale highlight list never throws); spans are clamped to the text.
 */
export function highlightSegments(text: string, highlights: readonly Highlight[], terms: ReadonlyMap<number, MarkTerm>): Segment[] {
  const spans: { start: number; end: number; id: number }[] = [];
  for (const h of highlights) {
    if (!terms.has(h.id) || !Number.isFinite(h.start) || !Number.isFinite(h.end)) continue;
    const start = snap(text, Math.max(0, Math.min(text.length, Math.floor(h.start))), 'back');
    const end = snap(text, Math.max(0, Math.min(text.length, Math.ceil(h.end))), 'forward');
    if (end > start) spans.push({ start, end, id: h.id });
  }
  const cuts = new Set<number>([0, text.length]);
  for (const s of spans) {
    cuts.add(s.start);
    cuts.add(s.end);
  }
  const points = [...cuts].sort((a, b) => a - b);
  const pieces: Segment[] = [];
  for (let i = 0; i + 1 < points.length; i++) {
    const start = points[i]!;
    const end = points[i + 1]!;
    if (end <= start) continue;
    const ids: number[] = [];
    for (const s of spans) if (s.start <= start && s.end >= end && !ids.includes(s.id)) ids.push(s.id);
    pieces.push({ text: text.slice(start, end), start, end, mark: ids.length === 0 ? null : markOf(ids, terms) });
  }
  return joinWordPieces(pieces, terms);
}

function markOf(ids: number[], terms: ReadonlyMap<number, MarkTerm>): NonNullable<Segment['mark']> {
  let kind: MarkKind = 'expansion';
  let contribution = -Infinity;
  const names: string[] = [];
  for (const id of ids) {
    const t = terms.get(id)!;
    // A piece the user's own word reaches is a literal match, even when an expansion term covers it too.
    if (t.kind === 'query') kind = 'query';
    contribution = Math.max(contribution, t.contribution);
    names.push(t.term);
  }
  return { kind, ids, terms: names, contribution };
}

/** Joins touching marked pieces of the same kind when no word boundary separates them ("star" + "##s" = "stars"). */
function joinWordPieces(pieces: Segment[], terms: ReadonlyMap<number, MarkTerm>): Segment[] {
  const out: Segment[] = [];
  for (const piece of pieces) {
    const prev = out[out.length - 1];
    if (prev?.mark && piece.mark && prev.mark.kind === piece.mark.kind && prev.end === piece.start && !/[\s\p{P}]$/u.test(prev.text) && !/^[\s\p{P}]/u.test(piece.text)) {
      const ids = [...prev.mark.ids];
      for (const id of piece.mark.ids) if (!ids.includes(id)) ids.push(id);
      out[out.length - 1] = { text: prev.text + piece.text, start: prev.start, end: piece.end, mark: markOf(ids, terms) };
    } else {
      out.push(piece);
    }
  }
  return out;
}

/**
 * The term table for `highlightSegments` from a hit's contributions and the query's expansion: a term is `query`
 * when it is one of the query's own tokens (`inText` in the query expansion), else `expansion`.
 */
export function markTermsFor(
  contributions: readonly { id: number; term: string; contribution: number }[],
  queryTerms: readonly { id: number; inText: boolean }[],
): Map<number, MarkTerm> {
  const own = new Set(queryTerms.filter((t) => t.inText).map((t) => t.id));
  const map = new Map<number, MarkTerm>();
  for (const c of contributions) map.set(c.id, { term: c.term, kind: own.has(c.id) ? 'query' : 'expansion', contribution: c.contribution });
  return map;
}
