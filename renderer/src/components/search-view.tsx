/**
 * The search screen: the search box (searches as you type, debounced, stale answers dropped), filter controls, the
 * query's own expansion, the ranked passages, and the selected passage's detail. Keyboard first: the box has focus
 * at start, arrows move through results while typing, Enter opens, Ctrl/Cmd+Enter reveals, Esc clears.
 */
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import type { SearchHit, SearchResponse } from '../../../app/api/api-types.js';
import { useEngine } from '../hooks/engine-context.js';
import { Debouncer } from '../lib/debounce.js';
import { Coalescer, LatestWins } from '../lib/latest-wins.js';
import { describeQuery, LIST_TERMS_PER_HIT, NO_FILTERS, SEARCH_DEBOUNCE_MS, searchRequestFor, filtersFrom, type FilterState } from '../lib/search-request.js';
import { markTermsFor } from '../lib/highlight-segments.js';
import { displayFolder, formatDate, formatLocation, formatWeight } from '../lib/format.js';
import { moveSelection, NAV_KEYS, type NavKey } from '../lib/list-navigation.js';
import { errorText } from '../lib/error-text.js';
import { HighlightedText } from './highlighted-text.js';
import { TermBars, TermLegend } from './term-bars.js';
import { StateMessage } from './state-message.js';
import { DetailView, type TermsSource } from './detail-view.js';
import { useFileActions } from '../hooks/file-actions.js';
import { useAfterPaint } from '../hooks/after-paint.js';
import { afterNextPaint } from '../lib/after-paint.js';

const MemoDetailView = memo(DetailView);

const FILE_TYPES = ['pdf', 'docx', 'md', 'txt', 'html'];

/** What the result list shows: a typed query, or passages like one passage ("more like this"). */
export type SearchMode = { kind: 'query' } | { kind: 'similar'; passageId: number; label: string };

declare global {
  interface Window {
    /** Set after each result list is painted: which query and when (performance.now()), for the speed measurement. */
    __spladeResultsPainted?: { query: string; at: number; receivedAt: number; hits: number; timings: SearchResponse['timings'] };
  }
}

export function SearchView({ mode, setMode, active }: { mode: SearchMode; setMode: (m: SearchMode) => void; active: boolean }) {
  const { api, folders, status } = useEngine();
  const actions = useFileActions();
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<FilterState>(NO_FILTERS);
  const [response, setResponse] = useState<SearchResponse | null>(null);
  const [answeredQuery, setAnsweredQuery] = useState('');
  /** What the shown answer was ranked against (the detail view asks for a hit's terms with it). */
  const [answeredSource, setAnsweredSource] = useState<TermsSource>({ query: '' });
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState(-1);
  const inputRef = useRef<HTMLInputElement>(null);
  const listRef = useRef<HTMLDivElement>(null);
  const debouncer = useMemo(() => new Debouncer(SEARCH_DEBOUNCE_MS), []);
  const latest = useMemo(() => new LatestWins(), []);
  const receivedAt = useRef(0);

  const run = useCallback(async (q: string, f: FilterState, m: SearchMode) => {
    if (m.kind === 'similar') {
      setLoading(true);
      const outcome = await latest.run(() => api.moreLikeThis({ passageId: m.passageId, k: 50, filters: filtersFrom(f), termsPerHit: LIST_TERMS_PER_HIT }));
      if (outcome.stale) return;
      receivedAt.current = performance.now();
      setLoading(false);
      setError(null);
      setResponse(outcome.value);
      setAnsweredQuery(`similar:${m.passageId}`);
      setAnsweredSource({ likePassageId: m.passageId });
      setSelected(outcome.value.hits.length > 0 ? 0 : -1);
      return;
    }
    const request = searchRequestFor(q, f);
    if (!request) {
      latest.cancel();
      setLoading(false);
      setResponse(null);
      setError(null);
      setSelected(-1);
      setAnsweredQuery(q);
      return;
    }
    setLoading(true);
    try {
      const outcome = await latest.run(() => api.search(request));
      if (outcome.stale) return;
      receivedAt.current = performance.now();
      setResponse(outcome.value);
      setAnsweredQuery(q);
      setAnsweredSource({ query: q });
      setError(null);
      setSelected(outcome.value.hits.length > 0 ? 0 : -1);
    } catch (e) {
      setError(errorText(e));
      setResponse(null);
      setAnsweredQuery(q);
    }
    setLoading(false);
  }, [api, latest]);

  // One search in flight at a time; calls made meanwhile make its answer stale and only the newest runs next.
  const runRef = useRef(run);
  runRef.current = run;
  const coalescer = useMemo(
    () => new Coalescer<[string, FilterState, SearchMode]>(([q, f, m]) => runRef.current(q, f, m), () => latest.cancel()),
    [latest],
  );

  // Search as you type; a filter change or a mode change searches at once.
  useEffect(() => {
    debouncer.call(() => coalescer.push([query, filters, mode]));
  }, [query]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => {
    debouncer.cancel();
    coalescer.push([query, filters, mode]);
  }, [filters, mode]); // eslint-disable-line react-hooks/exhaustive-deps
  useEffect(() => () => debouncer.cancel(), [debouncer]);

  // Focus the search box at start and whenever this screen is shown again.
  useEffect(() => {
    if (active) inputRef.current?.focus();
  }, [active]);

  const hits = response?.hits ?? [];
  const marks = useMemo(() => new Map<SearchHit, ReturnType<typeof markTermsFor>>(), [response]);
  const marksFor = (hit: SearchHit) => {
    let m = marks.get(hit);
    if (!m) {
      m = markTermsFor(hit.terms, response?.queryTerms ?? []);
      marks.set(hit, m);
    }
    return m;
  };

  const virtualizer = useVirtualizer({
    count: hits.length,
    getScrollElement: () => listRef.current,
    estimateSize: () => 132,
    // A few rows past the visible ones: every row rendered is laid out before new results can be painted.
    overscan: 3,
  });

  // The paint marker for the speed measurement: set once the new results are on screen. Registered as a layout
  // effect (right after React writes the DOM, before the browser paints it), so the next painted frame shows them.
  const rowsRendered = virtualizer.getVirtualItems().length > 0;
  useLayoutEffect(() => {
    if (!response) return;
    // Not before the rows are in the DOM: results count as painted when the frame shows them.
    if (response.hits.length > 0 && !rowsRendered) return;
    const hits = response.hits.length;
    const timings = response.timings;
    const q = answeredQuery;
    return afterNextPaint(() => {
      window.__spladeResultsPainted = { query: q, at: performance.now(), receivedAt: receivedAt.current, hits, timings };
      document.documentElement.dataset.resultsFor = q;
    });
  }, [response, answeredQuery, rowsRendered]);

  // Keep the selection in view when the user moves it. New results start at the top instead: scrollToIndex measures
  // the list (a forced layout in the middle of painting them), and a list that was never scrolled needs nothing.
  const moved = useRef(false);
  useEffect(() => {
    if (moved.current) {
      moved.current = false;
      if (selected >= 0) virtualizer.scrollToIndex(selected, { align: 'auto' });
    } else if ((virtualizer.scrollOffset ?? 0) > 0) virtualizer.scrollToOffset(0);
  }, [selected, response, virtualizer]);

  const current = selected >= 0 ? hits[selected] : undefined;
  // The detail panel follows a frame later: new results (and a moved selection) are painted without waiting for the
  // detail's table to be laid out. Memoized so that the value followed changes only with the selection or answer.
  const detailInput = useMemo(
    () => (current ? { hit: current, queryTerms: response?.queryTerms ?? [], marks: marksFor(current), source: answeredSource } : null),
    [current, response, answeredSource], // eslint-disable-line react-hooks/exhaustive-deps
  );
  const detail = useAfterPaint(detailInput);
  const panelResponse = useAfterPaint(response);
  const moreLikeThis = useCallback(
    (hit: SearchHit) => setMode({ kind: 'similar', passageId: hit.passage.id, label: `${hit.file.name}, ${formatLocation(hit.passage)}` }),
    [setMode],
  );

  const onKeyDown = (event: KeyboardEvent<HTMLElement>) => {
    if (NAV_KEYS.includes(event.key) && !(event.key === 'Home' || event.key === 'End')) {
      event.preventDefault();
      moved.current = true;
      setSelected((s) => moveSelection(s, event.key as NavKey, hits.length));
    } else if (event.key === 'Enter') {
      event.preventDefault();
      if (debouncer.waiting) {
        debouncer.flush();
        return;
      }
      if (!current) return;
      if (event.ctrlKey || event.metaKey) void actions.reveal(current.file.path);
      else void actions.open(current.file.path, current.passage.page, current.passage.line);
    } else if (event.key === 'Escape') {
      event.preventDefault();
      if (mode.kind === 'similar') setMode({ kind: 'query' });
      setQuery('');
      inputRef.current?.focus();
    }
  };

  const chips = describeQuery(query);
  const modelReady = status?.model.state === 'ready';
  const indexed = status ? status.index.passages : null;

  return (
    <div className="search-view">
      <div className="search-bar" role="search">
        <input
          ref={inputRef}
          type="search"
          className="search-input"
          aria-label="Search"
          placeholder='Search your documents — "exact phrase", -word, path:, ext:, after:, before:'
          value={query}
          onChange={(e) => {
            if (mode.kind === 'similar') setMode({ kind: 'query' });
            setQuery(e.target.value);
          }}
          onKeyDown={onKeyDown}
          aria-controls={hits.length > 0 ? 'results' : undefined}
          aria-activedescendant={current ? `result-${selected}` : undefined}
          autoComplete="off"
          spellCheck={false}
        />
        {loading && <span className="spinner small" role="status" aria-label="Searching" />}
      </div>
      {chips.length > 0 && (
        <ul className="chips" aria-label="Query understood as">
          {chips.map((c, i) => <li key={i} className={`chip chip-${c.kind}`}>{c.label}</li>)}
        </ul>
      )}
      <FilterBar filters={filters} setFilters={setFilters} folders={folders?.map((f) => f.path) ?? []} />
      {mode.kind === 'similar' && (
        <p className="mode-note">
          Passages like <strong>{mode.label}</strong>{' '}
          <button type="button" className="link" onClick={() => setMode({ kind: 'query' })}>back to the query</button>
        </p>
      )}
      <div className="search-body">
        <MemoQueryTermsPanel response={panelResponse} />
        <section className="results-panel" aria-label="Search results">
          {response?.stale && <p className="notice">The index is being rebuilt for new settings; results come from the previous index.</p>}
          {error ? (
            <StateMessage kind="error" title="The search failed">
              <p>{error}</p>
              <button type="button" onClick={() => coalescer.push([query, filters, mode])}>Try again</button>
            </StateMessage>
          ) : !response ? (
            query.trim() === '' && mode.kind === 'query' ? (
              indexed === 0 ? (
                <StateMessage kind="empty" title="Nothing is indexed yet">
                  <p>Add a folder in <strong>Folders</strong> to index its documents (text, Markdown, PDF, Word).</p>
                </StateMessage>
              ) : (
                <StateMessage kind="empty" title={modelReady ? 'Type to search' : 'Type to search when the model is ready'}>
                  <p>Ask a question or type words; results follow as you type. ↑↓ move, Enter opens, Ctrl+Enter shows the file in its folder, Esc clears.</p>
                </StateMessage>
              )
            ) : loading ? (
              <StateMessage kind="loading" title="Searching…" />
            ) : (
              <StateMessage kind="empty" title="Add words to search">
                <p>Filters alone do not search: add at least one word beside the operators.</p>
              </StateMessage>
            )
          ) : hits.length === 0 ? (
            <StateMessage kind="empty" title="No passages match">
              <p>Try other words, remove a "phrase" or -word, or widen the filters.</p>
            </StateMessage>
          ) : null}
          {/* Always displayed (empty without hits), so the virtualizer knows its size when results come and renders their
              rows in the same frame, instead of measuring a hidden box first and adding the rows a frame later. */}
          <div ref={listRef} className="results-scroll">
            {hits.length > 0 && (
              <div
                id="results"
                role="listbox"
                aria-label="Results"
                tabIndex={0}
                onKeyDown={onKeyDown}
                aria-activedescendant={current ? `result-${selected}` : undefined}
                className="results"
                style={{ height: virtualizer.getTotalSize() }}
              >
                {virtualizer.getVirtualItems().map((item) => {
                  const hit = hits[item.index]!;
                  const isSelected = item.index === selected;
                  return (
                    <div
                      key={item.key}
                      id={`result-${item.index}`}
                      role="option"
                      aria-selected={isSelected}
                      aria-setsize={hits.length}
                      aria-posinset={item.index + 1}
                      data-index={item.index}
                      ref={virtualizer.measureElement}
                      className={isSelected ? 'result selected' : 'result'}
                      style={{ transform: `translateY(${item.start}px)` }}
                      onClick={() => {
                        moved.current = true;
                        setSelected(item.index);
                      }}
                      onDoubleClick={() => void actions.open(hit.file.path, hit.passage.page, hit.passage.line)}
                    >
                      <div className="result-head">
                        <span className="file-name">{hit.file.name}</span>
                        <span className="score" title="score: the dot product of the query and passage vectors">{formatWeight(hit.score)}</span>
                      </div>
                      <div className="result-meta">
                        <span className="result-folder">{displayFolder(hit.file.path, hit.file.folder)}</span>
                        <span>{formatDate(hit.file.mtimeMs)}</span>
                        <span>{formatLocation(hit.passage)}</span>
                      </div>
                      <HighlightedText className="passage-text clamp" text={hit.passage.text} highlights={hit.highlights} terms={marksFor(hit)} />
                    </div>
                  );
                })}
              </div>
            )}
          </div>
        </section>
        <section className="detail-panel" aria-label="Result detail">
          {detail ? (
            <MemoDetailView hit={detail.hit} queryTerms={detail.queryTerms} marks={detail.marks} source={detail.source} onMoreLikeThis={moreLikeThis} />
          ) : (
            <p className="muted small detail-empty">Select a result to see why it matched.</p>
          )}
        </section>
      </div>
    </div>
  );
}

/** The query's own expansion beside the results (rendered a frame after them, like the detail). */
function QueryTermsPanel({ response }: { response: SearchResponse | null }) {
  return (
    <aside className="query-terms-panel">
      <h2>Query terms</h2>
      {response && response.queryTerms.length > 0 ? (
        <>
          <TermBars terms={response.queryTerms} label="Query terms" limit={24} />
          <TermLegend textLabel="typed" addedLabel="added by the model" />
          <p className="muted small">encode {response.timings.encodeMs.toFixed(1)} ms · search {response.timings.searchMs.toFixed(1)} ms</p>
        </>
      ) : (
        <p className="muted small">The model's expansion of your query appears here: the words you typed and the related terms it adds.</p>
      )}
    </aside>
  );
}
const MemoQueryTermsPanel = memo(QueryTermsPanel);

function FilterBar({ filters, setFilters, folders }: { filters: FilterState; setFilters: (f: FilterState) => void; folders: string[] }) {
  const any = filters.folder || filters.fileType || filters.modifiedAfter || filters.modifiedBefore;
  return (
    <div className="filters" role="group" aria-label="Filters">
      <label>
        Folder
        <select value={filters.folder} onChange={(e) => setFilters({ ...filters, folder: e.target.value })}>
          <option value="">All folders</option>
          {folders.map((f) => <option key={f} value={f}>{f}</option>)}
        </select>
      </label>
      <label>
        File type
        <select value={filters.fileType} onChange={(e) => setFilters({ ...filters, fileType: e.target.value })}>
          <option value="">Any type</option>
          {FILE_TYPES.map((t) => <option key={t} value={t}>{t.toUpperCase()}</option>)}
        </select>
      </label>
      <label>
        Modified after
        <input type="date" value={filters.modifiedAfter} onChange={(e) => setFilters({ ...filters, modifiedAfter: e.target.value })} />
      </label>
      <label>
        Modified before
        <input type="date" value={filters.modifiedBefore} onChange={(e) => setFilters({ ...filters, modifiedBefore: e.target.value })} />
      </label>
      {any && <button type="button" className="link" onClick={() => setFilters(NO_FILTERS)}>Clear filters</button>}
    </div>
  );
}
