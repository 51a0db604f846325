import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { highlightSegments, markTermsFor, type MarkTerm } from '../../renderer/src/lib/highlight-segments.js';

function terms(entries: [number, string, 'query' | 'expansion', number][]): Map<number, MarkTerm> {
  return new Map(entries.map(([id, term, kind, contribution]) => [id, { term, kind, contribution }]));
}

/** Renders segments as text with [q:...] / [e:...] marks, for readable assertions. */
function show(segments: ReturnType<typeof highlightSegments>): string {
  return segments.map((s) => (s.mark ? `[${s.mark.kind[0]}:${s.text}]` : s.text)).join('');
}

describe('highlight segmentation', () => {
  it('marks query words and expansion terms differently, and covers the text exactly once', () => {
    const text = 'Stars form in nebulae of gas.';
    const t = terms([[1, 'stars', 'query', 2], [2, 'gas', 'expansion', 0.5]]);
    const segs = highlightSegments(text, [{ start: 0, end: 5, id: 1 }, { start: 25, end: 28, id: 2 }], t);
    assert.equal(show(segs), '[q:Stars] form in nebulae of [e:gas].');
    assert.equal(segs.map((s) => s.text).join(''), text);
    for (let i = 1; i < segs.length; i++) assert.equal(segs[i]!.start, segs[i - 1]!.end);
  });

  it('splits overlapping spans at every boundary; a piece covered by a query word is a query mark', () => {
    const text = 'starlight';
    const t = terms([[1, 'star', 'query', 1], [2, 'starlight', 'expansion', 3], [3, 'light', 'expansion', 0.2]]);
    const segs = highlightSegments(text, [{ start: 0, end: 9, id: 2 }, { start: 0, end: 4, id: 1 }, { start: 4, end: 9, id: 3 }], t);
    assert.equal(segs.map((s) => s.text).join(''), text);
    assert.deepEqual(segs.map((s) => [s.text, s.mark?.kind, s.mark?.ids]), [
      ['star', 'query', [2, 1]],
      ['light', 'expansion', [2, 3]],
    ]);
    assert.equal(segs[0]!.mark!.contribution, 3, 'the strongest covering term sets the shade');
  });

  it('never splits a surrogate pair, and keeps UTF-16 offsets of multi-byte text', () => {
    const text = 'naïve 🌟 stars ☃ énergie';
    const star = text.indexOf('🌟');
    // A span that starts inside the emoji's surrogate pair and one that ends inside it.
    const t = terms([[1, 'stars', 'query', 1], [2, '[UNK]', 'expansion', 0.1], [3, 'energie', 'query', 1]]);
    const segs = highlightSegments(text, [
      { start: star + 1, end: star + 2, id: 2 },
      { start: text.indexOf('stars'), end: text.indexOf('stars') + 5, id: 1 },
      { start: text.indexOf('énergie'), end: text.length, id: 3 },
    ], t);
    assert.equal(segs.map((s) => s.text).join(''), text);
    const emoji = segs.find((s) => s.mark?.ids.includes(2))!;
    assert.equal(emoji.text, '🌟');
    assert.equal(show(segs), 'naïve [e:🌟] [q:stars] ☃ [q:énergie]');
    for (const s of segs) assert.ok(!/^[\udc00-\udfff]|[\ud800-\udbff]$/.test(s.text), `segment ${JSON.stringify(s.text)} splits a pair`);
  });

  it('joins word pieces of one word ("star" + "##s") into one mark, but not across a space', () => {
    const text = 'stars and star s';
    const t = terms([[10, 'star', 'query', 1.5], [11, '##s', 'query', 0.3]]);
    const segs = highlightSegments(text, [
      { start: 0, end: 4, id: 10 }, { start: 4, end: 5, id: 11 },
      { start: 10, end: 14, id: 10 }, { start: 15, end: 16, id: 11 },
    ], t);
    assert.equal(show(segs), '[q:stars] and [q:star] [q:s]');
    assert.deepEqual(segs[0]!.mark!.terms, ['star', '##s']);
  });

  it('ignores spans of unknown terms, empty spans and spans past the end; clamps the rest', () => {
    const text = 'short';
    const t = terms([[1, 'short', 'query', 1]]);
    const segs = highlightSegments(text, [{ start: 0, end: 0, id: 1 }, { start: 0, end: 5, id: 99 }, { start: 3, end: 50, id: 1 }, { start: 9, end: 12, id: 1 }], t);
    assert.equal(show(segs), 'sho[q:rt]');
  });

  it('derives mark kinds from the query expansion: own tokens are query words, the rest expansion', () => {
    const map = markTermsFor(
      [{ id: 1, term: 'stars', contribution: 2 }, { id: 2, term: 'astronomy', contribution: 1 }],
      [{ id: 1, inText: true }, { id: 2, inText: false }],
    );
    assert.equal(map.get(1)!.kind, 'query');
    assert.equal(map.get(2)!.kind, 'expansion');
  });
});
