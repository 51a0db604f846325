import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { describeQuery, filtersFrom, LIST_TERMS_PER_HIT, NO_FILTERS, searchRequestFor } from '../../renderer/src/lib/search-request.js';

describe('search requests from the search box and filter controls', () => {
  it('sends the query as typed, with the filter controls as structured filters', () => {
    const req = searchRequestFor('stars -dwarf ext:md', { folder: '/docs', fileType: '.PDF', modifiedAfter: '2024-01-01', modifiedBefore: '2024-01-31' });
    assert.equal(req!.query, 'stars -dwarf ext:md');
    assert.deepEqual(req!.filters!.folders, ['/docs']);
    assert.deepEqual(req!.filters!.fileTypes, ['pdf']);
    assert.equal(req!.filters!.modifiedAfter, new Date(2024, 0, 1).getTime());
    assert.equal(req!.filters!.modifiedBefore, new Date(2024, 1, 1).getTime() - 1);
  });

  it('does not search blank queries or queries of operators only', () => {
    assert.equal(searchRequestFor('   ', NO_FILTERS), null);
    assert.equal(searchRequestFor('ext:md after:2024', NO_FILTERS), null);
    assert.deepEqual(searchRequestFor('x', NO_FILTERS), { query: 'x', k: 50, termsPerHit: LIST_TERMS_PER_HIT });
    assert.deepEqual(filtersFrom({ ...NO_FILTERS, modifiedAfter: 'garbage' }), {});
  });

  it('describes how the parser understood each operator of the syntax', () => {
    const chips = describeQuery('"main sequence" stars -dwarf path:"/home/me/My Notes" ext:md,pdf after:2024-01 before:2024-06-30');
    assert.deepEqual(chips, [
      { kind: 'phrase', label: 'must contain "main sequence"' },
      { kind: 'excluded', label: 'must not contain dwarf' },
      { kind: 'path', label: 'in /home/me/My Notes' },
      { kind: 'ext', label: 'type md, pdf' },
      { kind: 'after', label: 'modified from 2024-01-01' },
      { kind: 'before', label: 'modified until 2024-06-30' },
    ]);
    assert.deepEqual(describeQuery('after:soon stars'), [], 'a malformed operator stays a word');
  });
});
