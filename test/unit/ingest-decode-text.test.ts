import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import iconv from 'iconv-lite';
import { decodeText } from '../../app/ingest/decode-text.js';
import { fileKindOf, extensionOf, looksBinary, utf16WithoutBom } from '../../app/ingest/file-types.js';

describe('decodeText', () => {
  it('UTF-8, with and without BOM', () => {
    assert.deepEqual(decodeText(Buffer.from('naïve café ✓')), { text: 'naïve café ✓', encoding: 'utf-8', warnings: [] });
    const bom = decodeText(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('hello')]));
    assert.equal(bom.text, 'hello');
    assert.equal(bom.encoding, 'utf-8');
  });

  it('UTF-16 LE/BE with BOM, and LE without BOM', () => {
    const text = 'Grüße aus Köln – 東京';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]);
    assert.deepEqual(decodeText(le), { text, encoding: 'utf-16le', warnings: [] });
    const be = Buffer.from(le).swap16();
    be[0] = 0xfe; be[1] = 0xff;
    assert.equal(decodeText(be).text, text);
    assert.equal(decodeText(be).encoding, 'utf-16be');
    const bare = Buffer.from('plain English text in UTF-16', 'utf16le');
    assert.equal(utf16WithoutBom(bare), 'utf-16le');
    assert.equal(decodeText(bare).text, 'plain English text in UTF-16');
  });

  it('Latin-1 / windows-1252, even when short', () => {
    assert.deepEqual(decodeText(Buffer.from([0x63, 0x61, 0x66, 0xe9])), { text: 'café', encoding: 'windows-1252', warnings: [] });
    const cp = iconv.encode('“Smart quotes” cost 5 € — naïve résumé, déjà vu, façade.', 'windows-1252');
    const out = decodeText(cp);
    assert.equal(out.text, '“Smart quotes” cost 5 € — naïve résumé, déjà vu, façade.');
  });

  it('Shift-JIS and GB18030 through the detector', () => {
    const ja = 'これは日本語のテキストです。東京で会議があります。ファイルの文字コードを判定します。';
    const sj = decodeText(iconv.encode(ja, 'shift_jis'));
    assert.equal(sj.encoding, 'shift_jis');
    assert.equal(sj.text, ja);
    const zh = '这是一个中文文本文件。我们需要检测它的编码并正确解码。搜索引擎应该能够找到它。';
    const gb = decodeText(iconv.encode(zh, 'gb18030'));
    assert.equal(gb.encoding, 'gb18030');
    assert.equal(gb.text, zh);
  });

  it('mostly-valid UTF-8 with a bad byte is decoded as UTF-8 with a warning', () => {
    const bytes = Buffer.concat([Buffer.from('Ünïcödé text ✓ '), Buffer.from([0xff]), Buffer.from(' more ✓ text é')]);
    const out = decodeText(bytes);
    assert.equal(out.encoding, 'utf-8');
    assert.equal(out.text, 'Ünïcödé text ✓ \ufffd more ✓ text é');
    assert.deepEqual(out.warnings, ['1 invalid UTF-8 byte sequence replaced by U+FFFD']);
  });
});

describe('file types and binary sniffing', () => {
  it('kinds by extension and name', () => {
    assert.equal(fileKindOf('/a/b/Notes.MD'), 'markdown');
    assert.equal(fileKindOf('x.ts'), 'code');
    assert.equal(fileKindOf('Dockerfile'), 'code');
    assert.equal(fileKindOf('report.pdf'), 'pdf');
    assert.equal(fileKindOf('a.docx'), 'docx');
    assert.equal(fileKindOf('a.exe'), null);
    assert.equal(fileKindOf('.bashrc'), null);
    assert.equal(extensionOf('/x/.hidden'), '');
    assert.equal(extensionOf('C:\\x\\A.Txt'), 'txt');
  });

  it('NULs and control bytes are binary; UTF-16 and legacy 8-bit text are not', () => {
    assert.equal(looksBinary(Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00])), true);
    assert.equal(looksBinary(Buffer.from(Array.from({ length: 100 }, (_, i) => (i % 3 === 0 ? 0x01 : 0x41)))), true);
    assert.equal(looksBinary(Buffer.from('hello\tworld\r\n\f')), false);
    assert.equal(looksBinary(Buffer.from('café crème brûlée', 'latin1')), false);
    assert.equal(looksBinary(Buffer.from('text in utf-16', 'utf16le')), false);
    assert.equal(looksBinary(Buffer.alloc(0)), false);
  });
});
