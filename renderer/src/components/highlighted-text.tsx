/** Passage text with its matched terms highlighted: the user's own query words and expansion matches marked apart. */
import { useMemo } from 'react';
import type { Highlight } from '../../../app/api/api-types.js';
import { highlightSegments, type MarkTerm } from '../lib/highlight-segments.js';
import { formatWeight } from '../lib/format.js';

export function HighlightedText({ text, highlights, terms, className }: {
  text: string;
  highlights: readonly Highlight[];
  terms: ReadonlyMap<number, MarkTerm>;
  className?: string;
}) {
  const segments = useMemo(() => highlightSegments(text, highlights, terms), [text, highlights, terms]);
  return (
    <p className={className ?? 'passage-text'}>
      {segments.map((s) =>
        s.mark ? (
          <mark
            key={s.start}
            className={`hl hl-${s.mark.kind}`}
            title={`${s.mark.terms.join(' + ')} · ${s.mark.kind === 'query' ? 'query word' : 'matched by expansion'} · +${formatWeight(s.mark.contribution)}`}
          >
            {s.text}
          </mark>
        ) : (
          <span key={s.start}>{s.text}</span>
        ),
      )}
    </p>
  );
}
