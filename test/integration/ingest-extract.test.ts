import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { extractFile, extractBytes } from '../../app/ingest/extract/extract-file.js';
import { writeSimplePdf } from '../../app/ingest/bench/pdf-writer.js';
import { isIngestError, type IngestErrorCode } from '../../app/ingest/ingest-error.js';
import { makeDocx, makeZip } from '../helpers/make-zip.js';

let dir: string;
const at = (name: string) => join(dir, name);

async function rejectsWith(promise: Promise<unknown>, code: IngestErrorCode, message?: RegExp): Promise<void> {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(isIngestError(error, code), `expected IngestError ${code}, got ${String(error)} ${(error as { code?: string }).code}`);
    if (message) assert.match((error as Error).message, message);
    return true;
  });
}

describe('extractFile on real files', () => {
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ingest-extract-'));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('PDF: text per page with page sections', async () => {
    await writeFile(at('doc.pdf'), writeSimplePdf([['Hello PDF world', 'second line (with parens)'], [], ['Page three text']]));
    let pages = 0;
    const e = await extractFile(at('doc.pdf'), { onPages: (n) => (pages = n) });
    assert.equal(pages, 3);
    assert.equal(e.type, 'pdf');
    assert.equal(e.pageCount, 3);
    assert.equal(e.text, 'Hello PDF world\nsecond line (with parens)\n\nPage three text');
    assert.deepEqual(e.sections.map((s) => [s.page, e.text.slice(s.start, s.end)]), [
      [1, 'Hello PDF world\nsecond line (with parens)'],
      [3, 'Page three text'],
    ]);
  });

  it('PDF: encrypted, corrupt, truncated and text-less files fail with their own reasons', async () => {
    const encrypted = writeSimplePdf([['secret']], {
      encryptDict: `<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> >>`,
    });
    await writeFile(at('locked.pdf'), encrypted);
    await rejectsWith(extractFile(at('locked.pdf')), 'pdf-encrypted', /password/);
    await writeFile(at('garbage.pdf'), Buffer.from('this is not a pdf at all'));
    await rejectsWith(extractFile(at('garbage.pdf')), 'pdf-corrupt', /no PDF header/);
    const good = writeSimplePdf([['a'.repeat(50)], ['b']]);
    await writeFile(at('truncated.pdf'), good.subarray(0, 60));
    await rejectsWith(extractFile(at('truncated.pdf')), 'pdf-corrupt');
    await writeFile(at('blank.pdf'), writeSimplePdf([[], []]));
    await rejectsWith(extractFile(at('blank.pdf')), 'no-text', /2 pages but no text layer/);
  });

  it('DOCX: headings and line breaks survive; a zip bomb and a lying archive are refused before mammoth inflates them', async () => {
    await writeFile(at('doc.docx'), makeDocx(['# Title here', 'First para', 'after\nline2']));
    const e = await extractFile(at('doc.docx'));
    assert.equal(e.text, 'Title here\n\nFirst para\n\nafter\nline2');
    assert.deepEqual(e.sections.map((s) => s.heading), ['Title here']);

    const bomb = makeZip([{ name: 'word/document.xml', data: Buffer.alloc(64 * 1024 * 1024, 0x20) }]);
    assert.ok(bomb.length < 200_000, `bomb is ${bomb.length} bytes`);
    await writeFile(at('bomb.docx'), bomb);
    await rejectsWith(extractFile(at('bomb.docx')), 'archive-bomb', /inflates \d+:1/);

    const lying = makeZip([
      { name: 'word/document.xml', data: Buffer.alloc(200_000, 0x41), declaredSize: 1000 },
    ]);
    await writeFile(at('lying.docx'), lying);
    await rejectsWith(extractFile(at('lying.docx')), 'archive-bomb', /declares/);

    await writeFile(at('notzip.docx'), 'plain text pretending');
    await rejectsWith(extractFile(at('notzip.docx')), 'archive-corrupt', /re-save/);
    await writeFile(at('other.docx'), makeZip([{ name: 'a.txt', data: 'x' }]));
    await rejectsWith(extractFile(at('other.docx')), 'extract-failed', /no word\/document\.xml/);
  });

  it('EPUB: spine order, chapters as sections', async () => {
    const epub = makeZip([
      { name: 'mimetype', data: 'application/epub+zip' },
      { name: 'META-INF/container.xml', data: '<?xml version="1.0"?><container xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf"/></rootfiles></container>' },
      { name: 'OEBPS/content.opf', data: '<package xmlns="http://www.idpf.org/2007/opf"><manifest><item id="c2" href="ch%202.xhtml"/><item id="c1" href="ch1.xhtml"/></manifest><spine><itemref idref="c1"/><itemref idref="c2"/></spine></package>' },
      { name: 'OEBPS/ch1.xhtml', data: '<html><body><h1>Chapter One</h1><p>It begins.</p></body></html>' },
      { name: 'OEBPS/ch 2.xhtml', data: '<html><body><h1>Chapter Two</h1><p>It ends.</p></body></html>' },
    ]);
    await writeFile(at('book.epub'), epub);
    const e = await extractFile(at('book.epub'));
    assert.equal(e.text, 'Chapter One\n\nIt begins.\n\nChapter Two\n\nIt ends.');
    assert.deepEqual(e.sections.map((s) => [s.heading, e.text.slice(s.start, s.end)]), [
      ['Chapter One', 'Chapter One\n\nIt begins.'],
      ['Chapter Two', 'Chapter Two\n\nIt ends.'],
    ]);
  });

  it('text: encodings recorded, binary content under a text name refused, size cap enforced', async () => {
    await writeFile(at('utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('UTF-16 text ✓', 'utf16le')]));
    const u = await extractFile(at('utf16.txt'));
    assert.deepEqual([u.text, u.encoding], ['UTF-16 text ✓', 'utf-16le']);
    assert.equal(u.source?.size, 2 + 'UTF-16 text ✓'.length * 2);
    assert.equal(u.source?.sha256, createHash('sha256').update(await readFile(at('utf16.txt'))).digest('hex'));
    assert.ok(u.source!.mtimeMs > 0);
    await writeFile(at('bad-utf8.md'), Buffer.concat([Buffer.from('# Tïtle ✓\n'), Buffer.from([0xc3, 0x28]), Buffer.from(' ok é ✓')]));
    const b = await extractFile(at('bad-utf8.md'));
    assert.equal(b.encoding, 'utf-8');
    assert.match(b.warnings[0]!, /invalid UTF-8/);
    await writeFile(at('program.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0, 0, 0, 0, 0, 0, 0]));
    await rejectsWith(extractFile(at('program.txt')), 'binary', /binary/);
    await writeFile(at('big.txt'), Buffer.alloc(5000, 0x61));
    await rejectsWith(extractFile(at('big.txt'), { maxFileBytes: 4096 }), 'too-large', /4\.9 KiB is over the size cap of 4\.0 KiB/);
    await rejectsWith(extractFile(at('big.txt'), { maxTextChars: 100 }), 'too-large', /longer than the cap/);
    // Blocking reads (what the workers use) give the same bytes, source and refusals.
    assert.deepEqual(await extractFile(at('utf16.txt'), { syncRead: true }), u);
    assert.deepEqual(await extractFile(at('bad-utf8.md'), { syncRead: true }), b);
    await rejectsWith(extractFile(at('big.txt'), { maxFileBytes: 4096, syncRead: true }), 'too-large', /4\.9 KiB is over the size cap of 4\.0 KiB/);
    await rejectsWith(extractFile(at('x.exe')), 'unsupported-type');
  });

  it('unreadable entries (works as root): a FIFO and a directory named like files, a deleted file, a symlink loop', async () => {
    execFileSync('mkfifo', [at('pipe.txt')]);
    await mkdir(at('folder.md'));
    execFileSync('ln', ['-s', 'loop-b.md', at('loop-a.md')]);
    execFileSync('ln', ['-s', 'loop-a.md', at('loop-b.md')]);
    for (const syncRead of [false, true]) {
      await rejectsWith(extractFile(at('pipe.txt'), { syncRead }), 'unreadable', /not a regular file/);
      await rejectsWith(extractFile(at('folder.md'), { syncRead }), 'not-a-file');
      await rejectsWith(extractFile(at('gone.md'), { syncRead }), 'vanished', /disappeared/);
      await rejectsWith(extractFile(at('loop-a.md'), { syncRead }), 'unreadable', /symbolic link loop/);
    }
  });

  it('paths with quotes, spaces, emoji and non-Latin scripts', async () => {
    const name = `it's "quoted" 📄 заметка 日本.md`;
    await writeFile(at(name), '# Überschrift\n\nText.');
    const e = await extractFile(at(name));
    assert.equal(e.sections[0]!.heading, 'Überschrift');
    assert.equal((await extractBytes(Buffer.from('<p>x</p>'), 'html')).text, 'x');
  });
});

describe('zip guard limits', () => {
  it('refuses too many entries and too much declared data, before inflating anything', async () => {
    const { inspectZip, DEFAULT_ZIP_LIMITS } = await import('../../app/ingest/extract/zip-guard.js');
    const many = makeZip(Array.from({ length: 30 }, (_, i) => ({ name: `f${i}.xml`, data: '<a/>' })));
    await rejectsWith(inspectZip(many, { limits: { ...DEFAULT_ZIP_LIMITS, maxEntries: 20 } }), 'archive-bomb', /more than 20 entries/);
    const wide = makeZip([{ name: 'a.bin', data: Buffer.alloc(1000) }, { name: 'b.bin', data: Buffer.alloc(1000) }]);
    await rejectsWith(inspectZip(wide, { limits: { ...DEFAULT_ZIP_LIMITS, maxTotalBytes: 1500 } }), 'archive-bomb', /declares more than/);
    const text = makeZip([{ name: 'a.xml', data: 'x'.repeat(1000) }, { name: 'b.xml', data: 'y'.repeat(1000) }]);
    await rejectsWith(inspectZip(text, { limits: { ...DEFAULT_ZIP_LIMITS, maxTextBytes: 1500 } }), 'archive-bomb', /text parts declare more than/);
    const ok = await inspectZip(text, { keep: (n) => n === 'b.xml' });
    assert.deepEqual([ok.names, [...ok.kept.keys()], ok.kept.get('b.xml')!.length], [['a.xml', 'b.xml'], ['b.xml'], 1000]);
  });
});
