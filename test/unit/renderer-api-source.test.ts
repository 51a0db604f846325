import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tokenFromUrl, withoutToken } from '../../renderer/src/api-source.js';

describe('renderer API source: the serve-mode token in the page URL', () => {
  it('reads the token from the query, else from the fragment', () => {
    assert.equal(tokenFromUrl('http://127.0.0.1:8321/?token=abc_-1'), 'abc_-1');
    assert.equal(tokenFromUrl('http://127.0.0.1:8321/#token=xyz'), 'xyz');
    assert.equal(tokenFromUrl('http://127.0.0.1:8321/?view=search#other=1'), null);
    assert.equal(tokenFromUrl('http://127.0.0.1:8321/?token='), null);
  });

  it('removes only the token from the address', () => {
    assert.equal(withoutToken('http://127.0.0.1:8321/?token=abc&view=inspect'), 'http://127.0.0.1:8321/?view=inspect');
    assert.equal(withoutToken('http://127.0.0.1:8321/#token=abc'), 'http://127.0.0.1:8321/');
    assert.equal(withoutToken('http://127.0.0.1:8321/#token=abc&x=1'), 'http://127.0.0.1:8321/#x=1');
  });
});
