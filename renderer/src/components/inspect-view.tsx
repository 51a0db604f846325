/**
 * Inspect expansions: any text's document expansion and query expansion side by side, and with a second text
 * their dot product (query of the first · document of the second) and the terms that make it up.
 */
import { useEffect, useMemo, useState } from 'react';
import type { ExplainResponse } from '../../../app/api/api-types.js';
import { useEngine } from '../hooks/engine-context.js';
import { Debouncer } from '../lib/debounce.js';
import { LatestWins } from '../lib/latest-wins.js';
import { errorText } from '../lib/error-text.js';
import { formatWeight } from '../lib/format.js';
import { TermBars, TermLegend } from './term-bars.js';
import { StateMessage } from './state-message.js';

export function InspectView() {
  const { api } = useEngine();
  const [text, setText] = useState('');
  const [compare, setCompare] = useState('');
  const [result, setResult] = useState<ExplainResponse | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [showAll, setShowAll] = useState(false);
  const debouncer = useMemo(() => new Debouncer(250), []);
  const latest = useMemo(() => new LatestWins(), []);

  useEffect(() => {
    debouncer.call(async () => {
      if (text.trim() === '') {
        latest.cancel();
        setResult(null);
        setError(null);
        return;
      }
      const params: { text: string; topK: number; compareWith?: string } = { text, topK: 48 };
      if (compare.trim() !== '') params.compareWith = compare;
      try {
        const outcome = await latest.run(() => api.explain(params));
        if (outcome.stale) return;
        setResult(outcome.value);
        setError(null);
      } catch (e) {
        setError(errorText(e));
      }
    });
  }, [text, compare, api, debouncer, latest]);
  useEffect(() => () => debouncer.cancel(), [debouncer]);

  const top = result ? Math.max(1e-9, ...result.document.terms.map((t) => t.weight), ...result.query.terms.map((t) => t.weight)) : 1;
  const maxContribution = result?.comparison ? Math.max(1e-9, ...result.comparison.terms.map((t) => t.contribution)) : 1;

  return (
    <div className="inspect-view">
      <div className="inspect-inputs">
        <label className="field">
          Text to inspect
          <textarea value={text} onChange={(e) => setText(e.target.value)} rows={5} placeholder="Type or paste any text: a question, a sentence, a paragraph." />
        </label>
        <label className="field">
          Compare with (optional)
          <textarea value={compare} onChange={(e) => setCompare(e.target.value)} rows={5} placeholder="A second text: its document expansion is dotted with the first text's query expansion." />
        </label>
      </div>
      {error && <StateMessage kind="error" title="Could not inspect this text"><p>{error}</p></StateMessage>}
      {!result && !error && (
        <StateMessage kind="empty" title="See what the model makes of a text">
          <p>The document expansion is how a passage is indexed; the query expansion is how a search is encoded. Terms from the text are solid, terms the model added are striped.</p>
        </StateMessage>
      )}
      {result && (
        <>
          <TermLegend />
          <div className="inspect-columns">
            <section aria-labelledby="doc-exp">
              <h2 id="doc-exp">As a document <span className="muted small">({result.document.activeDims} terms)</span></h2>
              <TermBars terms={result.document.terms} label="Document expansion" max={top} limit={showAll ? undefined : 20} />
            </section>
            <section aria-labelledby="query-exp">
              <h2 id="query-exp">As a query <span className="muted small">({result.query.activeDims} terms)</span></h2>
              <TermBars terms={result.query.terms} label="Query expansion" max={top} limit={showAll ? undefined : 20} />
            </section>
          </div>
          {Math.max(result.document.terms.length, result.query.terms.length) > 20 && (
            <button type="button" className="link" aria-expanded={showAll} onClick={() => setShowAll(!showAll)}>
              {showAll ? 'Show the top 20 terms' : `Show all ${Math.max(result.document.terms.length, result.query.terms.length)} terms`}
            </button>
          )}
          {result.comparison && (
            <section aria-labelledby="comparison-title" className="comparison">
              <h2 id="comparison-title">Dot product: <output aria-label="Dot product">{formatWeight(result.comparison.score)}</output></h2>
              <p className="muted small">query(text) · document(compared text): the shared terms, largest first.</p>
              {result.comparison.terms.length === 0 ? (
                <p>The two expansions share no term: the score is 0.</p>
              ) : (
                <table className="contributions" aria-label="Shared terms">
                  <thead><tr><th scope="col">term</th><th scope="col">query</th><th scope="col">document</th><th scope="col">adds</th><th scope="col"><span className="visually-hidden">share</span></th></tr></thead>
                  <tbody>
                    {result.comparison.terms.map((t) => (
                      <tr key={t.id}>
                        <td className="term-name">{t.term}</td>
                        <td>{formatWeight(t.queryWeight)}</td>
                        <td>{formatWeight(t.passageWeight)}</td>
                        <td>{formatWeight(t.contribution)}</td>
                        <td className="bar-cell" aria-hidden="true"><span className="bar-track"><span className="bar" style={{ width: `${Math.max(1, (t.contribution / maxContribution) * 100)}%` }} /></span></td>
                      </tr>
                    ))}
                    {result.comparison.otherTerms.count > 0 && (
                      <tr className="more-terms">
                        <td className="term-name">and {result.comparison.otherTerms.count} more {result.comparison.otherTerms.count === 1 ? 'term' : 'terms'}</td>
                        <td />
                        <td />
                        <td>+{formatWeight(result.comparison.otherTerms.contribution)}</td>
                        <td />
                      </tr>
                    )}
                  </tbody>
                </table>
              )}
            </section>
          )}
        </>
      )}
    </div>
  );
}
