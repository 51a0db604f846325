import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FolderRules, normalizeRel } from '../../app/ingest/ignore-rules.js';

const file = (size = 10) => ({ isDirectory: false, size });
const dir = { isDirectory: true };

describe('ignore rules (pure decisions)', () => {
  it('indexes supported files and descends into ordinary folders', () => {
    const rules = new FolderRules('/root');
    assert.equal(rules.check('notes/a.md', file()), null);
    assert.equal(rules.check('notes', dir), null);
    assert.equal(rules.check('Makefile', file()), null);
  });

  it('skips the default list, hidden entries, unsupported types and files over the cap, naming the rule', () => {
    const rules = new FolderRules('/root', { maxFileBytes: 1000 });
    assert.equal(rules.check('a/node_modules', dir)?.code, 'default-skip');
    assert.equal(rules.check('.git', dir)?.code, 'default-skip');
    assert.equal(rules.check('x/__pycache__', dir)?.code, 'default-skip');
    assert.equal(rules.check('notes/.DS_Store', file())?.code, 'default-skip');
    assert.equal(rules.check('notes/draft.md~', file())?.code, 'default-skip');
    assert.equal(rules.check('.secret', dir)?.code, 'hidden');
    assert.equal(rules.check('a/.env.md', file())?.code, 'hidden');
    assert.equal(rules.check('photo.jpg', file())?.code, 'unsupported-type');
    assert.match(rules.check('photo.jpg', file())!.reason, /\.jpg files are not a supported type/);
    const big = rules.check('big.txt', file(5000));
    assert.equal(big?.code, 'too-large');
    assert.match(big!.reason, /4\.9 KiB is over the size cap of 1000 B/);
    assert.equal(new FolderRules('/r', { includeHidden: true }).check('.notes/a.md', file()), null);
  });

  it('applies nested .gitignore files deepest first, with re-includes, as git does', () => {
    const rules = new FolderRules('/root', { ignoreCase: false });
    rules.setRules('', '.gitignore', '*.log\n/only-root.txt\nlogs/\n');
    rules.setRules('sub', '.gitignore', '!keep.log\n*.txt\n');
    assert.deepEqual(rules.check('a.log', file()), { code: 'gitignore', reason: 'ignored by .gitignore (pattern "*.log")' });
    assert.equal(rules.check('sub/deeper/x.log', file())?.code, 'gitignore');
    assert.equal(rules.check('sub/keep.log', file()), null, 'the deeper file re-includes keep.log');
    assert.equal(rules.check('only-root.txt', file())?.code, 'gitignore');
    assert.equal(rules.check('other/only-root.txt', file()), null, 'a leading slash anchors to the rule file');
    assert.match(rules.check('sub/n.txt', file())!.reason, /sub\/\.gitignore/);
    assert.equal(rules.check('logs', dir)?.code, 'gitignore', 'a dir/ pattern matches the directory');
    assert.equal(rules.check('logs/important.log', file())?.code, 'gitignore');
    assert.equal(rules.check('A.LOG', file()), null, 'case-sensitive like git on Linux');
  });

  it('.ignore takes precedence over .gitignore in the same folder, and rules can be replaced or removed', () => {
    const rules = new FolderRules('/root');
    rules.setRules('', '.gitignore', 'draft.md\n');
    rules.setRules('', '.ignore', '!draft.md\nprivate/\n');
    assert.equal(rules.check('draft.md', file()), null);
    assert.equal(rules.check('private', dir)?.code, 'ignore-file');
    rules.setRules('', '.ignore', null);
    assert.equal(rules.check('draft.md', file())?.code, 'gitignore');
    rules.dropRulesUnder('');
    assert.equal(rules.check('draft.md', file()), null);
  });

  it('user globs use gitignore syntax relative to the folder', () => {
    const rules = new FolderRules('/root', { userPatterns: ['archive/**', '*.csv', ''] });
    assert.equal(rules.check('archive/old/x.md', file())?.code, 'user-pattern');
    assert.match(rules.check('data/x.csv', file())!.reason, /your ignore pattern "\*\.csv"/);
    assert.equal(rules.check('data/x.md', file()), null);
  });

  it('skips virtualenvs and .noindex folders by their contents, never the folder itself', () => {
    const rules = new FolderRules('/root');
    assert.equal(rules.checkDirectoryContents('env', ['bin', 'lib', 'pyvenv.cfg'])?.code, 'default-skip');
    assert.equal(rules.checkDirectoryContents('private', ['.noindex', 'a.md'])?.code, 'default-skip');
    assert.equal(rules.checkDirectoryContents('', ['pyvenv.cfg']), null);
    assert.equal(rules.checkDirectoryContents('docs', ['a.md']), null);
  });

  it('handles quotes, spaces, emoji and non-Latin names, and normalises separators', () => {
    const rules = new FolderRules('/root');
    rules.setRules('', '.gitignore', 'секрет*\n');
    assert.equal(rules.check(`it's "quoted" 📄 name.md`, file()), null);
    assert.equal(rules.check('секретный.md', file())?.code, 'gitignore');
    assert.equal(rules.check('日本語/メモ.txt', file()), null);
    assert.equal(normalizeRel('.\\a\\b\\'), 'a/b');
    assert.equal(FolderRules.isRuleFile('x/.gitignore'), true);
    assert.equal(FolderRules.isRuleFile('x/gitignore.md'), false);
  });
});
