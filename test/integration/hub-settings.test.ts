import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { hfHome, hubCacheDir, readHubSettings } from '../../app/hub/index.js';
import { isTrueEnvValue } from '../../app/hub/hub-settings.js';

describe('readHubSettings', () => {
  it('defaults like huggingface_hub: huggingface.co, ~/.cache/huggingface/hub, online, no token', () => {
    const home = mkdtempSync(join(tmpdir(), 'hf-home-'));
    const settings = readHubSettings({ HF_HOME: home });
    assert.equal(settings.endpoint, 'https://huggingface.co');
    assert.equal(settings.cacheDir, join(home, 'hub'));
    assert.equal(settings.offline, false);
    assert.equal(settings.token, undefined);
    assert.equal(hfHome({}), join(homedir(), '.cache', 'huggingface'));
    assert.equal(hubCacheDir({}), join(homedir(), '.cache', 'huggingface', 'hub'));
    assert.equal(hfHome({ XDG_CACHE_HOME: '/xdg' }), join('/xdg', 'huggingface'));
  });

  it('honours HF_ENDPOINT (trailing slash dropped), HF_HUB_CACHE over HF_HOME, and ~', () => {
    const settings = readHubSettings({ HF_ENDPOINT: 'https://mirror.example/', HF_HOME: '/h', HF_HUB_CACHE: '~/models' });
    assert.equal(settings.endpoint, 'https://mirror.example');
    assert.equal(settings.cacheDir, join(homedir(), 'models'));
    assert.equal(readHubSettings({ HUGGINGFACE_HUB_CACHE: '/legacy' }).cacheDir, '/legacy');
  });

  it('reads HF_HUB_OFFLINE as Python does (1, ON, YES, TRUE in any case)', () => {
    for (const value of ['1', 'on', 'YES', 'True']) assert.equal(isTrueEnvValue(value), true, value);
    for (const value of [undefined, '', '0', 'false', 'no']) assert.equal(isTrueEnvValue(value), false, String(value));
    assert.equal(readHubSettings({ HF_HUB_OFFLINE: '1', HF_HOME: '/h' }).offline, true);
  });

  it('takes the token from HF_TOKEN, then the token file in HF_HOME; an override wins', () => {
    const home = mkdtempSync(join(tmpdir(), 'hf-home-'));
    writeFileSync(join(home, 'token'), '  hf_file_token\n');
    assert.deepEqual(pick(readHubSettings({ HF_HOME: home })), { token: 'hf_file_token', tokenSource: 'token file' });
    assert.deepEqual(pick(readHubSettings({ HF_HOME: home, HF_TOKEN: 'hf_env' })), { token: 'hf_env', tokenSource: 'HF_TOKEN' });
    assert.deepEqual(pick(readHubSettings({ HF_HOME: home, HF_TOKEN: 'hf_env' }, { token: null })), { token: undefined, tokenSource: undefined });
    assert.deepEqual(pick(readHubSettings({ HF_HOME: home, HF_TOKEN_PATH: join(home, 'none') })), { token: undefined, tokenSource: undefined });
  });
});

function pick(settings: { token: string | undefined; tokenSource: string | undefined }) {
  return { token: settings.token, tokenSource: settings.tokenSource };
}
