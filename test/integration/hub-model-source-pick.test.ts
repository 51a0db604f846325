import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_MODEL_ID, isHubError, isHubRepoId, pickModelSource } from '../../app/hub/index.js';

describe('pickModelSource', () => {
  const cwd = mkdtempSync(join(tmpdir(), 'model-source-'));
  mkdirSync(join(cwd, 'my-model'));
  mkdirSync(join(cwd, 'org', 'name'), { recursive: true });

  it('takes --model, then SPLADE_MODEL, then the app setting, then the default', () => {
    const env = { SPLADE_MODEL: 'env-org/env-model' };
    assert.deepEqual(pickModelSource({ option: 'opt-org/opt-model', env, settings: 'set-org/set', cwd }), { kind: 'hub', id: 'opt-org/opt-model', origin: 'option' });
    assert.deepEqual(pickModelSource({ env, settings: 'set-org/set', cwd }), { kind: 'hub', id: 'env-org/env-model', origin: 'env' });
    assert.deepEqual(pickModelSource({ env: {}, settings: 'set-org/set', cwd }), { kind: 'hub', id: 'set-org/set', origin: 'settings' });
    assert.deepEqual(pickModelSource({ env: { SPLADE_MODEL: '  ' }, option: '', cwd }), { kind: 'hub', id: DEFAULT_MODEL_ID, origin: 'default' });
    assert.equal(DEFAULT_MODEL_ID, 'tomaarsen/splade-bert-base-uncased-gooaq-peft');
  });

  it('uses an existing folder as is (relative to cwd), even when it also looks like an id', () => {
    assert.deepEqual(pickModelSource({ option: 'my-model', env: {}, cwd }), { kind: 'folder', path: join(cwd, 'my-model'), origin: 'option' });
    assert.deepEqual(pickModelSource({ option: 'org/name', env: {}, cwd }), { kind: 'folder', path: join(cwd, 'org', 'name'), origin: 'option' });
    assert.deepEqual(pickModelSource({ env: { SPLADE_MODEL: join(cwd, 'my-model') }, cwd }), { kind: 'folder', path: join(cwd, 'my-model'), origin: 'env' });
  });

  it('rejects a missing path and a malformed id, naming the setting', () => {
    assert.throws(
      () => pickModelSource({ option: './missing-folder', env: {}, cwd }),
      (error: unknown) => isHubError(error, 'not-found') && /--model is "\.\/missing-folder", which is neither an existing folder \(.*missing-folder does not exist\)/.test(error.message),
    );
    assert.throws(
      () => pickModelSource({ env: { SPLADE_MODEL: 'a/b/c' }, cwd }),
      (error: unknown) => isHubError(error) && /SPLADE_MODEL is "a\/b\/c", which is neither an existing folder nor a Hugging Face model id/.test(error.message),
    );
  });
});

describe('isHubRepoId', () => {
  it('accepts what huggingface_hub accepts', () => {
    for (const id of ['bert-base-uncased', 'google-bert/bert-base-uncased', 'tomaarsen/splade-bert-base-uncased-gooaq-peft', 'org/name_v1.5']) {
      assert.equal(isHubRepoId(id), true, id);
    }
    for (const id of ['', 'a/b/c', 'org--x/name', 'org/na..me', '-org/name', 'org/name.', 'org/', '/name', 'org/na me', 'x'.repeat(97)]) {
      assert.equal(isHubRepoId(id), false, id);
    }
  });
});
