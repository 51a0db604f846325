import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_SETTINGS, loadSettings, saveSettings } from '../../app/engine/settings-store.js';
import { appDataDir } from '../../app/util/app-data-dir.js';

describe('settings file', () => {
  it('gives the defaults without a file, and saves a change atomically (no temp file left)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    try {
      const { settings, problems } = loadSettings(dir);
      assert.deepEqual(settings, DEFAULT_SETTINGS);
      assert.deepEqual(problems, []);
      const saved = saveSettings(dir, settings, { passageTokens: 128, ignorePatterns: ['*.log'] });
      assert.equal(saved.passageTokens, 128);
      assert.deepEqual(readdirSync(dir), ['settings.json']);
      assert.deepEqual(loadSettings(dir).settings, saved);
      assert.throws(() => saveSettings(dir, saved, { passageTokens: 4 }), /passageTokens/);
      assert.equal(JSON.parse(readFileSync(join(dir, 'settings.json'), 'utf8')).passageTokens, 128, 'a rejected change writes nothing');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reports invalid values field by field and keeps the valid ones', () => {
    const dir = mkdtempSync(join(tmpdir(), 'settings-'));
    try {
      writeFileSync(join(dir, 'settings.json'), JSON.stringify({ passageTokens: 'many', theme: 'dark', surprise: 1 }));
      const { settings, problems } = loadSettings(dir);
      assert.equal(settings.theme, 'dark');
      assert.equal(settings.passageTokens, DEFAULT_SETTINGS.passageTokens);
      assert.equal(problems.length, 2);
      assert.match(problems.join('\n'), /passageTokens "many" is not valid/);
      assert.match(problems.join('\n'), /unknown setting "surprise"/);
      writeFileSync(join(dir, 'settings.json'), '{ not json');
      assert.match(loadSettings(dir).problems[0]!, /not valid JSON/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('data folder', () => {
  it('is --data, else SPLADE_DATA_DIR, else the platform folder', () => {
    assert.equal(appDataDir({ dataDir: '/x/data', env: { SPLADE_DATA_DIR: '/y' } }), '/x/data');
    assert.equal(appDataDir({ env: { SPLADE_DATA_DIR: '/y' } }), '/y');
    assert.equal(appDataDir({ env: { HOME: '/home/me' } }, 'linux'), '/home/me/.local/share/splade-search');
    assert.equal(appDataDir({ env: { HOME: '/home/me', XDG_DATA_HOME: '/xdg' } }, 'linux'), '/xdg/splade-search');
    assert.equal(appDataDir({ env: { HOME: '/Users/me' } }, 'darwin'), '/Users/me/Library/Application Support/splade-search');
    assert.equal(appDataDir({ env: { APPDATA: 'C:\\Users\\me\\AppData\\Roaming' } }, 'win32'), 'C:\\Users\\me\\AppData\\Roaming\\splade-search');
  });
});
