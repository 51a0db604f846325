// Writes one file of every kind ingest reads, plus hostile ones, into a folder (argument) for ingest-dist-smoke.mjs.
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { writeSimplePdf } from '../../app/ingest/bench/pdf-writer.js';
import { makeDocx, makeZip } from '../helpers/make-zip.js';

const dir = process.argv[2]!;
await mkdir(dir, { recursive: true });
await writeFile(join(dir, 'note.md'), '# Title\n\nSome text.\n\n## Part\n\nMore text here.\n');
await writeFile(join(dir, 'page.html'), '<html><head><style>x{}</style></head><body><h1>Head</h1><p>Para &amp; more</p><script>x()</script></body></html>');
await writeFile(join(dir, 'latin1.txt'), iconv.encode('Déjà vu, naïve café — “quotes”', 'windows-1252'));
await writeFile(join(dir, 'sjis.txt'), iconv.encode('これは日本語のテキストです。東京で会議があります。', 'shift_jis'));
await writeFile(join(dir, 'utf16.txt'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('UTF-16 text', 'utf16le')]));
await writeFile(join(dir, 'doc.pdf'), writeSimplePdf([['Page one text'], ['Page two text']]));
await writeFile(join(dir, 'locked.pdf'), writeSimplePdf([['x']], { encryptDict: `<< /Filter /Standard /V 1 /R 2 /Length 40 /P -4 /O <${'ab'.repeat(32)}> /U <${'cd'.repeat(32)}> >>` }));
await writeFile(join(dir, 'broken.pdf'), writeSimplePdf([['x']]).subarray(0, 80));
await writeFile(join(dir, 'doc.docx'), makeDocx(['# Heading', 'Body\nline two']));
await writeFile(join(dir, 'bomb.docx'), makeZip([{ name: 'word/document.xml', data: Buffer.alloc(32 << 20, 0x20) }]));
await writeFile(join(dir, 'book.epub'), makeZip([
  { name: 'META-INF/container.xml', data: '<container><rootfiles><rootfile full-path="c.opf"/></rootfiles></container>' },
  { name: 'c.opf', data: '<package><manifest><item id="a" href="a.xhtml"/></manifest><spine><itemref idref="a"/></spine></package>' },
  { name: 'a.xhtml', data: '<html><body><h1>Ch</h1><p>Text.</p></body></html>' },
]));
await writeFile(join(dir, 'binary.txt'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 0, 0, 0]));
