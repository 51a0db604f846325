/** A list of weighted terms, one bar each; terms from the text and terms the model added are marked apart. */
import { formatWeight } from '../lib/format.js';

export interface BarTerm {
  term: string;
  id: number;
  weight: number;
  /** True: the term is one of the text's own tokens; false: added by the model's expansion. */
  inText: boolean;
}

export function TermBars({ terms, label, max, limit }: { terms: readonly BarTerm[]; label: string; max?: number; limit?: number }) {
  const shown = limit === undefined ? terms : terms.slice(0, limit);
  const top = max ?? Math.max(1e-9, ...shown.map((t) => t.weight));
  if (shown.length === 0) return <p className="muted">No terms.</p>;
  return (
    <ol className="term-bars" aria-label={label}>
      {shown.map((t) => (
        <li key={t.id} className={t.inText ? 'term in-text' : 'term expanded'}>
          <span className="term-name" title={t.inText ? 'in the text' : 'added by the model'}>
            {t.term}
            <span className="visually-hidden">{t.inText ? ' (in the text)' : ' (added by expansion)'}</span>
          </span>
          <span className="bar-track" aria-hidden="true">
            <span className="bar" style={{ width: `${Math.max(1, Math.min(100, (t.weight / top) * 100))}%` }} />
          </span>
          <span className="term-weight">{formatWeight(t.weight)}</span>
        </li>
      ))}
    </ol>
  );
}

/** The legend for the two kinds of terms. */
export function TermLegend({ textLabel = 'in the text', addedLabel = 'added by expansion' }: { textLabel?: string; addedLabel?: string }) {
  return (
    <p className="legend">
      <span className="swatch in-text" aria-hidden="true" /> {textLabel}
      <span className="swatch expanded" aria-hidden="true" /> {addedLabel}
    </p>
  );
}

/** Compact form for many lists on one screen (Browse): one chip per term with its weight. */
export function TermChips({ terms, label, limit }: { terms: readonly BarTerm[]; label: string; limit?: number }) {
  const shown = limit === undefined ? terms : terms.slice(0, limit);
  return (
    <ul className="term-chips" aria-label={label}>
      {shown.map((t) => (
        <li key={t.id} className={t.inText ? 'term-chip in-text' : 'term-chip expanded'} title={t.inText ? 'in the text' : 'added by the model'}>
          {t.term}
          <span className="visually-hidden">{t.inText ? ' (in the text)' : ' (added by expansion)'}</span>
          <span className="term-weight">{formatWeight(t.weight)}</span>
        </li>
      ))}
    </ul>
  );
}
