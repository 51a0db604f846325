/**
 * From what the user typed and picked to a search request, and back to words: the filter controls (folder, file
 * type, modified date) become `SearchFilters`; the query string is sent as typed (the engine parses its syntax);
 * `describeQuery` runs the same parser here to show, under the search box, how the query was understood.
 */
import type { SearchFilters, SearchRequest } from '../../../app/api/api-types.js';
import { parseQuery } from '../../../app/api/query-syntax.js';
import { toDateInput } from './format.js';

/** The filter controls' state: '' means "any". Dates are `<input type="date">` values (YYYY-MM-DD, local time). */
export interface FilterState {
  folder: string;
  fileType: string;
  modifiedAfter: string;
  modifiedBefore: string;
}

export const NO_FILTERS: FilterState = { folder: '', fileType: '', modifiedAfter: '', modifiedBefore: '' };

function localDay(value: string, end: boolean): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return undefined;
  const start = new Date(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(start.getTime())) return undefined;
  return end ? new Date(start.getFullYear(), start.getMonth(), start.getDate() + 1).getTime() - 1 : start.getTime();
}

export function filtersFrom(state: FilterState): SearchFilters {
  const filters: SearchFilters = {};
  if (state.folder) filters.folders = [state.folder];
  if (state.fileType) filters.fileTypes = [state.fileType.replace(/^\./, '').toLowerCase()];
  const after = localDay(state.modifiedAfter, false);
  const before = localDay(state.modifiedBefore, true);
  if (after !== undefined) filters.modifiedAfter = after;
  if (before !== undefined) filters.modifiedBefore = before;
  return filters;
}

/**
 * Quiet time after a keystroke before it searches. Keys closer together than this (a burst, key repeat, a fast
 * typist's rollover: 15-25 ms apart) make one search; at a human pace (100-200 ms between keys) every key searches
 * anyway. One search runs at a time and only the newest text waits (see `Coalescer`), so a shorter quiet time costs
 * the engine no queue. Every millisecond of it is latency: it is part of the keystroke-to-results time measured by
 * test/bench/renderer-latency.ts.
 */
export const SEARCH_DEBOUNCE_MS = 25;

/**
 * Contributing terms asked per hit for the result list: enough for its highlights and the detail table's first rows,
 * and a small answer (a dense model shares hundreds of terms with a query: 64 a hit made a 0.5 MB answer for 50 hits).
 * The detail view asks for all of one hit's terms.
 */
export const LIST_TERMS_PER_HIT = 16;

/** The request for a query, or null when there is nothing to search (blank, or operators only with no words). */
export function searchRequestFor(query: string, state: FilterState, k = 50): SearchRequest | null {
  const parsed = parseQuery(query);
  if (parsed.text.trim() === '') return null;
  const filters = filtersFrom(state);
  return Object.keys(filters).length > 0 ? { query, k, filters, termsPerHit: LIST_TERMS_PER_HIT } : { query, k, termsPerHit: LIST_TERMS_PER_HIT };
}

export interface QueryChip {
  kind: 'phrase' | 'excluded' | 'path' | 'ext' | 'after' | 'before';
  label: string;
}

/** How the parser reads the query: one chip per operator it understood (words stay in the box). */
export function describeQuery(query: string): QueryChip[] {
  const parsed = parseQuery(query);
  const chips: QueryChip[] = [];
  for (const p of parsed.phrases) chips.push({ kind: 'phrase', label: `must contain "${p}"` });
  for (const w of parsed.excluded) chips.push({ kind: 'excluded', label: `must not contain ${w}` });
  for (const f of parsed.filters.folders ?? []) chips.push({ kind: 'path', label: `in ${f}` });
  if (parsed.filters.fileTypes) chips.push({ kind: 'ext', label: `type ${parsed.filters.fileTypes.join(', ')}` });
  if (parsed.filters.modifiedAfter !== undefined) chips.push({ kind: 'after', label: `modified from ${toDateInput(parsed.filters.modifiedAfter)}` });
  if (parsed.filters.modifiedBefore !== undefined) chips.push({ kind: 'before', label: `modified until ${toDateInput(parsed.filters.modifiedBefore)}` });
  return chips;
}
