/**
 * One result in detail: the query x passage contributions that sum to its score, the passage's full expansion, the
 * text around it, and the actions (open at page/line, reveal in folder, more like this).
 *
 * The search lists a few terms per hit (what the list's highlights need, a small answer); once the selection has
 * settled, this view asks the engine for all of the hit's terms (`hitTerms`), its expansion and its file's passages.
 */
import { useEffect, useMemo, useState } from 'react';
import type { Expansion, FilePassagesResponse, HitTermsResponse, SearchHit, TermWeight } from '../../../app/api/api-types.js';
import { markTermsFor, type MarkTerm } from '../lib/highlight-segments.js';
import { useEngine } from '../hooks/engine-context.js';
import { useFileActions } from '../hooks/file-actions.js';
import { useSettled } from '../hooks/settled.js';
import { formatDate, formatLocation, formatWeight } from '../lib/format.js';
import { errorText } from '../lib/error-text.js';
import { HighlightedText } from './highlighted-text.js';
import { TermBars, TermLegend } from './term-bars.js';

/** Rows of the contributions table shown at first (a hit can share hundreds of terms with the query). */
const TOP_TERMS = 30;
/** Quiet time on one selection before its extras are fetched. */
const SETTLE_MS = 120;

/** What the hit's score was computed against: the typed query, or a passage (more like this). */
export type TermsSource = { query: string } | { likePassageId: number };

export function DetailView({ hit, queryTerms, marks, source, onMoreLikeThis }: {
  hit: SearchHit;
  queryTerms: readonly TermWeight[];
  marks: ReadonlyMap<number, MarkTerm>;
  source: TermsSource;
  onMoreLikeThis: (hit: SearchHit) => void;
}) {
  const { api, host } = useEngine();
  const actions = useFileActions();
  // Each answer is kept with what it is for, and shown only while that is still the selected hit.
  const [expansion, setExpansion] = useState<{ passageId: number; value: Expansion | null; error: string | null } | null>(null);
  const [file, setFile] = useState<FilePassagesResponse | null>(null);
  const [detail, setDetail] = useState<{ source: string; value: HitTermsResponse } | null>(null);
  const [allTerms, setAllTerms] = useState(false);
  const passageId = hit.passage.id;
  const sourceKey = JSON.stringify(source);
  // Keyed by passage and query, not by the hit object: a new answer that keeps this passage selected fetches nothing.
  const settleKey = `${passageId} ${sourceKey}`;
  const settled = useSettled(settleKey, SETTLE_MS) === settleKey;

  useEffect(() => {
    if (!settled) return;
    let live = true;
    api.explain({ text: hit.passage.text, topK: 64 }).then(
      (r) => live && setExpansion({ passageId, value: r.document, error: null }),
      (e) => live && setExpansion({ passageId, value: null, error: errorText(e) }),
    );
    return () => {
      live = false;
    };
  }, [api, settled, passageId]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!settled) return;
    let live = true;
    // The whole list of shared terms; until it comes (or if it fails) the table shows the hit's own few.
    api.hitTerms({ passageId, ...source }).then((r) => live && setDetail({ source: sourceKey, value: r }), () => {});
    return () => {
      live = false;
    };
  }, [api, settled, passageId, sourceKey]); // eslint-disable-line react-hooks/exhaustive-deps

  useEffect(() => {
    if (!settled) return;
    let live = true;
    api.filePassages({ path: hit.file.path }).then((r) => live && setFile(r), () => live && setFile(null));
    return () => {
      live = false;
    };
  }, [api, settled, hit.file.path]); // eslint-disable-line react-hooks/exhaustive-deps

  const full = detail && detail.source === sourceKey && detail.value.passageId === passageId ? detail.value : null;
  const terms = full ? full.terms : hit.terms;
  const otherTerms = full ? full.otherTerms : hit.otherTerms;
  const contextMarks = useMemo(() => (full ? markTermsFor(full.terms, queryTerms) : marks), [full, queryTerms, marks]);
  const shownExpansion = expansion?.passageId === passageId ? expansion : null;
  const shownFile = file?.file.path === hit.file.path ? file : null;

  const shown = allTerms ? terms : terms.slice(0, TOP_TERMS);
  const folded = terms.slice(shown.length);
  const more = { count: folded.length + otherTerms.count, contribution: folded.reduce((s, t) => s + t.contribution, 0) + otherTerms.contribution };
  const totalTerms = terms.length + otherTerms.count;
  const sum = shown.reduce((s, t) => s + t.contribution, 0) + more.contribution;
  const maxContribution = Math.max(1e-9, ...terms.map((t) => t.contribution));
  const own = new Set(queryTerms.filter((t) => t.inText).map((t) => t.id));
  const ordinal = hit.passage.ordinal;
  const before = shownFile?.passages.find((p) => p.ordinal === ordinal - 1);
  const after = shownFile?.passages.find((p) => p.ordinal === ordinal + 1);

  return (
    <article className="detail" aria-labelledby="detail-title">
      <header className="detail-head">
        <h2 id="detail-title">{hit.file.name}</h2>
        <p className="path" title={hit.file.path}>{hit.file.path}</p>
        <p className="result-meta">
          <span>{formatDate(hit.file.mtimeMs)}</span>
          <span>{formatLocation(hit.passage)}</span>
          <span>score <strong>{formatWeight(hit.score)}</strong></span>
        </p>
        <div className="actions">
          <button type="button" onClick={() => void actions.open(hit.file.path, hit.passage.page, hit.passage.line)} disabled={host?.canOpenFiles === false} title="Enter">
            Open{hit.passage.page !== null ? ` at page ${hit.passage.page}` : hit.passage.line !== null ? ` at line ${hit.passage.line}` : ''}
          </button>
          <button type="button" onClick={() => void actions.reveal(hit.file.path)} disabled={host?.canOpenFiles === false} title="Ctrl+Enter">Reveal in folder</button>
          <button type="button" onClick={() => onMoreLikeThis(hit)}>More like this</button>
        </div>
      </header>

      <section aria-labelledby="why-title">
        <h3 id="why-title">Why it matched</h3>
        <p className="muted small">Each shared term adds query weight × passage weight; together they make the score.</p>
        <table className="contributions" aria-label="Contributions">
          <thead>
            <tr><th scope="col">term</th><th scope="col">query</th><th scope="col">passage</th><th scope="col">adds</th><th scope="col"><span className="visually-hidden">share</span></th></tr>
          </thead>
          <tbody>
            {shown.map((t) => (
              <tr key={t.id} className={own.has(t.id) ? 'in-text' : 'expanded'}>
                <td className="term-name">{t.term}{!t.inText && <span className="tag" title="not in the passage's text: added by the model">exp</span>}</td>
                <td>{formatWeight(t.queryWeight)}</td>
                <td>{formatWeight(t.passageWeight)}</td>
                <td>{formatWeight(t.contribution)}</td>
                <td className="bar-cell" aria-hidden="true"><span className="bar-track"><span className="bar" style={{ width: `${Math.max(1, (t.contribution / maxContribution) * 100)}%` }} /></span></td>
              </tr>
            ))}
            {more.count > 0 && (
              <tr className="more-terms">
                <td className="term-name">and {more.count} more {more.count === 1 ? 'term' : 'terms'}</td>
                <td />
                <td />
                <td>+{formatWeight(more.contribution)}</td>
                <td />
              </tr>
            )}
          </tbody>
          <tfoot>
            <tr><th scope="row" colSpan={3}>sum of all {totalTerms} terms = score</th><td><strong>{formatWeight(sum)}</strong></td><td /></tr>
          </tfoot>
        </table>
        {terms.length > TOP_TERMS && (
          <button type="button" className="link" aria-expanded={allTerms} onClick={() => setAllTerms(!allTerms)}>
            {allTerms ? `Show the top ${TOP_TERMS} terms` : `Show the top ${terms.length} terms`}
          </button>
        )}
      </section>

      <section aria-labelledby="context-title">
        <h3 id="context-title">In context</h3>
        <div className="context">
          {before && <p className="passage-text faded">{before.text}</p>}
          <HighlightedText className="passage-text current" text={hit.passage.text} highlights={full ? full.highlights : hit.highlights} terms={contextMarks} />
          {after && <p className="passage-text faded">{after.text}</p>}
        </div>
      </section>

      <section aria-labelledby="expansion-title">
        <h3 id="expansion-title">The passage's expansion</h3>
        {shownExpansion?.value ? (
          <>
            <p className="muted small">{shownExpansion.value.activeDims} non-zero terms{shownExpansion.value.truncated ? ' (text truncated to the model maximum)' : ''}; the top {Math.min(64, shownExpansion.value.terms.length)}:</p>
            <TermBars terms={shownExpansion.value.terms} label="Passage expansion" />
            <TermLegend />
          </>
        ) : shownExpansion?.error ? (
          <p className="error-text">Could not compute the expansion: {shownExpansion.error}</p>
        ) : (
          <p className="muted small">Computing the expansion…</p>
        )}
      </section>
    </article>
  );
}
