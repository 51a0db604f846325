import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseQuery, passageMatches, parseDateBound } from '../../app/api/query-syntax.js';

describe('query syntax', () => {
  it('takes phrases, excluded words and plain words apart', () => {
    const q = parseQuery('stars  "main   sequence" -dwarf form');
    assert.equal(q.text, 'stars main sequence form');
    assert.deepEqual(q.phrases, ['main sequence']);
    assert.deepEqual(q.excluded, ['dwarf']);
    assert.deepEqual(q.filters, {});
  });

  it('reads path: (quoted, with spaces), ext: lists and dates, and merges them with the request filters', () => {
    const q = parseQuery('notes path:"/home/me/My Notes/" ext:MD,.pdf ext:txt after:2024-01 before:2024-06-30 path:/srv', {
      fileTypes: ['html'],
      modifiedAfter: new Date(2023, 0, 1).getTime(),
    });
    assert.equal(q.text, 'notes');
    assert.deepEqual(q.filters.folders, ['/home/me/My Notes', '/srv']);
    assert.deepEqual(q.filters.fileTypes, ['html', 'md', 'pdf', 'txt']);
    assert.equal(q.filters.modifiedAfter, new Date(2024, 0, 1).getTime());
    assert.equal(q.filters.modifiedBefore, new Date(2024, 6, 1).getTime() - 1);
  });

  it('bounds whole years, months and days; rejects impossible dates', () => {
    assert.equal(parseDateBound('2024', false), new Date(2024, 0, 1).getTime());
    assert.equal(parseDateBound('2024', true), new Date(2025, 0, 1).getTime() - 1);
    assert.equal(parseDateBound('2024-02', true), new Date(2024, 2, 1).getTime() - 1);
    assert.equal(parseDateBound('2023-02-29', false), null);
    assert.equal(parseDateBound('2024-13', false), null);
    assert.equal(parseDateBound('soon', false), null);
  });

  it('keeps malformed operators as words and never throws', () => {
    assert.equal(parseQuery('after:soon path: ext:, stars').text, 'after:soon path: ext:, stars');
    assert.deepEqual(parseQuery('after:soon').filters, {});
    const unclosed = parseQuery('"unclosed phrase here');
    assert.equal(unclosed.text, 'unclosed phrase here');
    assert.deepEqual(unclosed.phrases, []);
    assert.equal(parseQuery('a - b -- c').text, 'a - b -- c');
    assert.equal(parseQuery('').text, '');
    assert.equal(parseQuery('   ').text, '');
    assert.deepEqual(parseQuery('""').phrases, []);
    for (const weird of ['"', '-', '-"', 'path:"', 'ext:"md', '"a" "b', '\u0000 \uD800 path:\uD83D']) assert.doesNotThrow(() => parseQuery(weird));
  });

  it('-"a phrase" excludes the phrase', () => {
    assert.deepEqual(parseQuery('x -"red  giant"').excluded, ['red giant']);
  });

  it('filters passage text: phrases case-insensitively across whitespace, excluded words as whole words', () => {
    const q = parseQuery('"Main Sequence" -dwarf');
    assert.equal(passageMatches('Stars on the main\nsequence burn hydrogen.', q), true);
    assert.equal(passageMatches('Stars burn hydrogen.', q), false);
    assert.equal(passageMatches('A white Dwarf on the main sequence.', q), false);
    assert.equal(passageMatches('Dwarfism and the main sequence.', q), true);
  });
});
