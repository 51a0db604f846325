import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { HubError } from '../../app/hub/hub-error.js';
import { IndexCorruptError, IndexError, IndexLockedError, InvalidVectorError, isIndexError } from '../../app/index/index.js';

function fsError(): unknown {
  try {
    readFileSync('/nonexistent/definitely/not/here');
  } catch (error) {
    return error;
  }
  throw new Error('read succeeded');
}

describe('isIndexError', () => {
  it('recognises each index error class, with and without a code', () => {
    assert.ok(isIndexError(new IndexError('invalid-argument', 'x')));
    assert.ok(isIndexError(new InvalidVectorError('x'), 'invalid-vector'));
    assert.ok(isIndexError(new IndexCorruptError('x', '/f'), 'corrupt-index'));
    assert.ok(isIndexError(new IndexLockedError('x'), 'index-locked'));
    assert.equal(isIndexError(new IndexLockedError('x'), 'corrupt-index'), false);
  });

  it('is false for a Node fs error, a HubError and other errors carrying a code', () => {
    const enoent = fsError();
    assert.equal((enoent as { code?: string }).code, 'ENOENT');
    assert.equal(isIndexError(enoent), false);
    assert.equal(isIndexError(new HubError('not-found', 'no such model')), false);
    assert.equal(isIndexError(Object.assign(new Error('x'), { code: 'corrupt-index' })), false);
    assert.equal(isIndexError({ name: 'IndexError', code: 'ENOSPC' }), false);
    assert.equal(isIndexError(null), false);
    assert.equal(isIndexError('IndexError'), false);
  });

  it('recognises an index error from another realm by its name and code (e.g. posted from a worker)', () => {
    const posted = structuredClone({ name: 'IndexCorruptError', code: 'corrupt-index', message: 'x' });
    assert.ok(isIndexError(posted, 'corrupt-index'));
  });

  it('IndexCorruptError says whether the file is missing or damaged, without parsing its message', () => {
    assert.equal(new IndexCorruptError('x', '/f').kind, 'damaged');
    assert.equal(new IndexCorruptError('x', '/f', 'seg-1-00000000', 'missing').kind, 'missing');
  });
});
