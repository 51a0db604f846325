import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanFolder, type ScanEntry } from '../../app/ingest/folder-scanner.js';
import { FolderRules } from '../../app/ingest/ignore-rules.js';
import { isIngestError } from '../../app/ingest/ingest-error.js';

let root: string;
const put = async (rel: string, content = 'text') => {
  const path = join(root, rel);
  await mkdir(join(path, '..'), { recursive: true });
  await writeFile(path, content);
};
const summary = (entries: ScanEntry[]) =>
  Object.fromEntries(entries.map((e) => [e.rel, e.kind === 'file' ? 'file' : `${e.kind}:${e.code}`]));
const collect = async (rules: FolderRules, under?: string) => {
  const out: ScanEntry[] = [];
  for await (const e of scanFolder(rules, under ? { under } : {})) out.push(e);
  return out;
};

describe('scanFolder on real folders', () => {
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'ingest-scan-'));
    await put('notes/a.md', '# A');
    await put('notes/big.txt', 'x'.repeat(2000));
    await put('notes/photo.jpg');
    await put('notes/.hidden.md');
    await put('.gitignore', '*.log\nbuild-out/\n');
    await put('notes/.gitignore', '!keep.log\n');
    await put('notes/keep.log');
    await put('notes/drop.log');
    await put('build-out/x.md');
    await put('node_modules/pkg/readme.md');
    await put('env/pyvenv.cfg', 'home = /usr');
    await put('env/lib/site.py');
    await put(`names/it's "quoted" 📄 заметка 日本.md`, 'x');
    await symlink('..', join(root, 'notes', 'loop'));
    await symlink('../notes', join(root, 'names', 'notes-link'));
    await symlink('missing.md', join(root, 'names', 'broken.md'));
    await symlink('self.md', join(root, 'names', 'self.md'));
    execFileSync('mkfifo', [join(root, 'names', 'pipe.txt')]);
  });
  after(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('reports every entry as a file, a skip with its rule, or an error; follows links without looping', async () => {
    const entries = await collect(new FolderRules(root, { maxFileBytes: 1000, ignoreCase: false }));
    assert.deepEqual(summary(entries), {
      '.gitignore': 'skipped:hidden',
      'build-out': 'skipped:gitignore',
      env: 'skipped:default-skip',
      'names/broken.md': 'skipped:broken-link',
      [`names/it's "quoted" 📄 заметка 日本.md`]: 'file',
      'names/notes-link': 'skipped:symlink-loop',
      'names/pipe.txt': 'skipped:not-a-file',
      'names/self.md': 'skipped:symlink-loop',
      node_modules: 'skipped:default-skip',
      'notes/.gitignore': 'skipped:hidden',
      'notes/.hidden.md': 'skipped:hidden',
      'notes/a.md': 'file',
      'notes/big.txt': 'skipped:too-large',
      'notes/drop.log': 'skipped:gitignore',
      'notes/keep.log': 'file',
      'notes/loop': 'skipped:symlink-loop',
      'notes/photo.jpg': 'skipped:unsupported-type',
    });
    const loop = entries.find((e) => e.rel === 'notes/loop')!;
    assert.match((loop as { reason: string }).reason, /a link back to the folder itself \(a loop\)/);
    const dup = entries.find((e) => e.rel === 'names/notes-link')!;
    assert.match((dup as { reason: string }).reason, /a link to notes, which is already scanned/);
    const a = entries.find((e) => e.rel === 'notes/a.md')!;
    assert.ok(a.kind === 'file' && a.size === 3 && a.fileKind === 'markdown' && a.mtimeMs > 0);
  });

  it('rescans a subtree with the rules of the folders above it', async () => {
    const entries = await collect(new FolderRules(root, { ignoreCase: false }), 'notes');
    assert.equal(summary(entries)['notes/drop.log'], 'skipped:gitignore');
    assert.equal(summary(entries)['notes/keep.log'], 'file');
    assert.equal(entries.some((e) => e.rel.startsWith('names')), false);
  });

  it('a file deleted while the scan runs is left out, not thrown', async () => {
    await put('race/a.md');
    await put('race/b.md');
    const seen: string[] = [];
    for await (const e of scanFolder(new FolderRules(root), { under: 'race' })) {
      seen.push(e.rel);
      if (e.rel === 'race/a.md') await unlink(join(root, 'race', 'b.md'));
    }
    assert.deepEqual(seen, ['race/a.md']);
  });

  it('a missing folder throws vanished (the engine marks it unavailable)', async () => {
    await assert.rejects(collect(new FolderRules(join(root, 'nope'))), (e: unknown) => isIngestError(e, 'vanished'));
  });

  it('unreadable folders and files are reported, not thrown (run as uid 65534: root ignores permission bits)', async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'ingest-perm-'));
    try {
      await chmod(dir, 0o755);
      await mkdir(join(dir, 'locked'));
      await writeFile(join(dir, 'locked', 'a.md'), 'x');
      await writeFile(join(dir, 'secret.md'), 'x');
      await writeFile(join(dir, 'open.md'), 'x');
      await chmod(join(dir, 'locked'), 0o000);
      await chmod(join(dir, 'secret.md'), 0o000);
      const run = spawnSync(process.execPath, ['--import', 'tsx', 'test/helpers/ingest-as-nobody.ts', dir, join(dir, 'secret.md')], {
        uid: 65534, gid: 65534, encoding: 'utf8', env: { ...process.env, HOME: dir, TSX_DISABLE_CACHE: '1' },
      });
      if (run.error && (run.error as NodeJS.ErrnoException).code === 'EPERM') return t.skip('cannot drop privileges here');
      assert.equal(run.status, 0, run.stderr);
      const out = JSON.parse(run.stdout.trim().split('\n').at(-1)!);
      assert.equal(out.uid, 65534);
      assert.deepEqual(out.entries, [
        { kind: 'file', rel: 'open.md', code: null },
        { kind: 'file', rel: 'secret.md', code: null },
        { kind: 'error', rel: 'locked', code: 'unreadable' },
      ]);
      assert.equal(out.extract.code, 'unreadable');
      assert.match(out.extract.message, /Permission denied/);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
