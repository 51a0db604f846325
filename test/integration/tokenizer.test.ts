import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile, mkdir } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Tokenizer as LibraryTokenizer } from '@huggingface/tokenizers';
import { isEncoderError } from '../../app/encoder/index.js';
import { BertTokenizer, codePointToUtf16Offsets, padBatch, pythonStrip } from '../../app/encoder/tokenizer/index.js';

const fixtures = fileURLToPath(new URL('../fixtures/splade-tiny/', import.meta.url));
const modelFolder = join(fixtures, 'splade-peft');

interface Expected {
  texts: string[];
  enc: Array<{ ids: number[]; offsets: Array<[number, number]> }>;
}
const readExpected = (name: string): Expected => JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
const tokenizerJson = JSON.parse(readFileSync(join(modelFolder, 'tokenizer.json'), 'utf8'));
const tokenizerConfig = JSON.parse(readFileSync(join(modelFolder, 'tokenizer_config.json'), 'utf8'));
const vocabLines = readFileSync(join(fixtures, 'base', 'vocab.txt'), 'utf8').split('\n');

const tokenizer = await BertTokenizer.fromFolder(modelFolder);

describe('BertTokenizer parity with the Rust tokenizers library', () => {
  for (const file of ['tokenizer-expected.json', 'tokenizer-edge-expected.json']) {
    const expected = readExpected(file);
    for (const [i, text] of expected.texts.entries()) {
      it(`${file} #${i}: ${JSON.stringify(text).slice(0, 50)}`, () => {
        const encoding = tokenizer.encode(text);
        assert.deepEqual(encoding.ids, expected.enc[i]!.ids);
        assert.deepEqual(encoding.offsets, expected.enc[i]!.offsets);
        assert.deepEqual(tokenizer.encodeIds(text), expected.enc[i]!.ids);
        // Tokens are the vocabulary strings of the ids (vocab.txt line = id).
        assert.deepEqual(encoding.tokens, encoding.ids.map((id) => vocabLines[id]));
      });
    }
  }

  it('loads the base folder (BertProcessing post-processor) the same as the TemplateProcessing one', async () => {
    const base = await BertTokenizer.fromFolder(join(fixtures, 'base'));
    for (const text of readExpected('tokenizer-edge-expected.json').texts) assert.deepEqual(base.encode(text), tokenizer.encode(text));
  });
});

describe('agreement with @huggingface/tokenizers outside its known differences from Rust', () => {
  it('gives the same ids on 3000 random strings of mixed scripts, marks, controls and specials', () => {
    const library = new LibraryTokenizer(tokenizerJson, tokenizerConfig);
    const unlimited = BertTokenizer.fromJson(tokenizerJson, tokenizerConfig, { maxLength: 100_000 });
    // No Greek capital sigma (final-sigma rule) and no astral-plane ideographs: there the library differs.
    const alphabet = [
      ...'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789     .,;:!?\'"()[]{}<>-_+=*&^%$#@~`|\\/\t\n\r',
      ...['é', 'Å', 'ñ', 'İ', 'ı', 'ß', 'ẞ', '\u0301', '\u0316', '\u0300', '\u0345', 'ﬁ', 'Ω', 'Ж', 'ё', '中', '文', '。'],
      ...['，', '한', '국', 'の', 'カ', '😀', '👍🏽', '\u200b', '\u200d', '\ufeff', '\u00ad', '\u0000', '\u0007', '\u007f'],
      ...['\u0085', '\u00a0', '\u3000', '\u2028', '\ue000', '\u0378', '[MASK]', '[SEP]', '[mask]', 'ǅ', 'ﬀ', 'Ⅷ', '①'],
      ...['™', 'µ', 'ÿ', 'Ÿ', 'ǰ', 'ΐ', 'ᾷ', '\u0344', '\u0f73', '\u{1D15E}', 'ﬆ', '−', '–', '“', '€', '¿', '…', '\u0651'],
      ...['ب', 'ש', '\u05b4', 'क', '\u093f', '\u094d', 'ा', 'ก', '\u0e31'],
    ];
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000;
    for (let n = 0; n < 3000; n++) {
      let text = '';
      for (let i = 1 + Math.floor(random() * 30); i > 0; i--) text += alphabet[Math.floor(random() * alphabet.length)];
      assert.deepEqual(unlimited.encodeIds(text), library.encode(text).ids, JSON.stringify(text));
    }
  });
});

describe('BertTokenizer behaviour', () => {
  it('reads maxLength from tokenizer_config and the vocabulary size', () => {
    assert.equal(tokenizer.maxLength, 512);
    assert.equal(tokenizer.vocabSize, 30522);
    assert.equal(tokenizer.tokenToId('[MASK]'), 103);
    assert.equal(tokenizer.idToToken(2088), 'world');
    assert.equal(tokenizer.idToToken(40000), undefined);
    assert.equal(BertTokenizer.fromJson(tokenizerJson, {}).maxLength, 512);
    assert.equal(BertTokenizer.fromJson(tokenizerJson, { model_max_length: 1e30 }).maxLength, 512);
    assert.equal(BertTokenizer.fromJson(tokenizerJson, { model_max_length: 128 }).maxLength, 128);
    assert.equal(BertTokenizer.fromJson(tokenizerJson, tokenizerConfig, { maxLength: 64 }).maxLength, 64);
    assert.throws(() => BertTokenizer.fromJson(tokenizerJson, tokenizerConfig, { maxLength: 1 }), /maxLength must be an integer >= 2/);
  });

  it('truncates the content from the right to maxLength - 2 and keeps [CLS]/[SEP]', () => {
    const texts: string[] = JSON.parse(readFileSync(join(fixtures, 'expected.json'), 'utf8')).texts;
    const long = texts.find((t) => t.length >= 3000)!;
    assert.ok(long, 'expected.json has a 3000-character text');
    const full = tokenizer.encode(long);
    assert.equal(full.ids.length, 512);
    assert.equal(full.ids[0], 101);
    assert.equal(full.ids[511], 102);
    assert.deepEqual(full.offsets[511], [0, 0]);
    const short = BertTokenizer.fromJson(tokenizerJson, tokenizerConfig, { maxLength: 10 });
    const cut = short.encode(long);
    assert.deepEqual(cut.ids, [...full.ids.slice(0, 9), 102]);
    assert.deepEqual(cut.offsets, [...full.offsets.slice(0, 9), [0, 0]]);
    assert.deepEqual(short.encodeIds(long), cut.ids);
    // A word split into several pieces is cut mid-word, as Rust truncates pieces, not words.
    const tiny = BertTokenizer.fromJson(tokenizerJson, tokenizerConfig, { maxLength: 4 });
    assert.deepEqual(tiny.encode('doxycycline works').tokens, ['[CLS]', 'do', '##xy', '[SEP]']);
    const two = BertTokenizer.fromJson(tokenizerJson, tokenizerConfig, { maxLength: 2 });
    assert.deepEqual(two.encode('hello [MASK]').ids, [101, 102]);
  });

  it('gives [CLS][SEP] for empty and whitespace-only text', () => {
    for (const text of ['', '   ', '\t\n\r ', '\u00a0\u3000', '\u200b\u0000']) {
      assert.deepEqual(tokenizer.encode(text), { ids: [101, 102], tokens: ['[CLS]', '[SEP]'], offsets: [[0, 0], [0, 0]] });
      assert.deepEqual(tokenizer.encodeIds(text, { strip: true }), [101, 102]);
    }
  });

  it('strip: same ids as without, offsets relative to the Python-stripped text', () => {
    const text = ' \u00a0\t  leading and trailing whitespace \u2003 ';
    const plain = tokenizer.encode(text);
    const stripped = tokenizer.encode(text, { strip: true });
    assert.deepEqual(stripped.ids, plain.ids);
    assert.deepEqual(stripped.offsets, plain.offsets.map(([s, e]) => (s === 0 && e === 0 ? [0, 0] : [s - 5, e - 5])));
    const strippedText = pythonStrip(text);
    assert.equal(strippedText, 'leading and trailing whitespace');
    assert.deepEqual(stripped, tokenizer.encode(strippedText));
    // Python's str.strip() also removes U+001C..U+001F and U+0085, but not U+200B or U+FEFF.
    assert.equal(pythonStrip('\u001c\u0085x\u200b'), 'x\u200b');
  });

  it('special tokens written in the text become their ids (case-sensitive, before normalization)', () => {
    const encoding = tokenizer.encode('Paris is the [MASK] of France.[SEP][mask]');
    assert.deepEqual(encoding.tokens, ['[CLS]', 'paris', 'is', 'the', '[MASK]', 'of', 'france', '.', '[SEP]', '[', 'mask', ']', '[SEP]']);
    assert.deepEqual(encoding.offsets[4], [13, 19]);
    assert.deepEqual(encoding.offsets[8], [30, 35]);
    assert.deepEqual(encoding.offsets.slice(9, 12), [[35, 36], [36, 40], [40, 41]]);
    // Offsets after an astral character and a special token stay in code points.
    assert.deepEqual(tokenizer.encode('😀[MASK]é').offsets, [[0, 0], [0, 1], [1, 7], [7, 8], [0, 0]]);
  });

  it('converts code-point offsets to UTF-16 offsets that slice the token text', () => {
    const text = 'emojis 😀😀 and 𠀀 CJK: 中文 — ok';
    const encoding = tokenizer.encode(text);
    const utf16 = codePointToUtf16Offsets(text, encoding.offsets);
    const pieces = utf16.map(([s, e]) => text.slice(s, e));
    assert.deepEqual(pieces, ['', 'em', 'oj', 'is', '😀😀', 'and', '𠀀', 'C', 'JK', ':', '中', '文', '—', 'ok', '']);
    assert.deepEqual(encoding.tokens.slice(1, 9), ['em', '##oj', '##is', '[UNK]', 'and', '[UNK]', 'c', '##jk']);
    assert.deepEqual(encoding.offsets[4], [7, 9]);
    assert.deepEqual(utf16[4], [7, 11]);
    assert.deepEqual(codePointToUtf16Offsets('a😀b', [[0, 0], [1, 2], [2, 3], [0, 3]]), [[0, 0], [1, 3], [3, 4], [0, 4]]);
  });

  it('lowercases per character without the final-sigma rule and strips accents before lowercasing', () => {
    assert.deepEqual(tokenizer.encode('ΣΣ a').tokens, ['[CLS]', 'σ', '##σ', 'a', '[SEP]']);
    // U+0130 decomposes to I + U+0307 (dropped) before lowercasing: "i", not "i̇".
    assert.deepEqual(tokenizer.encode('İ').tokens, ['[CLS]', 'i', '[SEP]']);
    // Kelvin and Ångström signs decompose canonically to K and Å -> a.
    assert.deepEqual(tokenizer.encode('\u212a\u212b').tokens, ['[CLS]', 'ka', '[SEP]']);
  });

  it('reorders combining marks canonically and aligns them positionally, as NormalizedString::transform', () => {
    // Marks are dropped; the word keeps the span of everything it came from.
    assert.deepEqual(tokenizer.encode('e\u0301\u0316\u0300x y').ids, tokenizer.encode('ex y').ids);
    assert.deepEqual(tokenizer.encode('e\u0301\u0316\u0300x y').offsets[1], [0, 5]);
    // U+1D165 (Mc, class 216) survives and moves before U+0301 (230); Rust hands out the old characters'
    // alignments in order, so it takes U+0301's position [1, 2] and the unknown word ends at 2, not 3.
    assert.deepEqual(tokenizer.encode('x\u0301\u{1D165}').offsets, [[0, 0], [0, 2], [0, 0]]);
  });

  it('keeps unassigned code points (the Rust library does) and removes format, control and private-use ones', () => {
    assert.deepEqual(tokenizer.encode('a\u0378b').tokens, ['[CLS]', '[UNK]', '[SEP]']);
    assert.deepEqual(tokenizer.encode('a\u00adb\u0085c\ue000d').tokens, tokenizer.encode('abcd').tokens);
    assert.deepEqual(tokenizer.encode('a\u00adb\u0085c\ue000d').offsets.at(-2)![1], 7);
  });

  it('gives a word over 100 characters one [UNK] spanning it', () => {
    const word = 'é'.repeat(101);
    assert.deepEqual(tokenizer.encode(`${word} x`).offsets, [[0, 0], [0, 101], [102, 103], [0, 0]]);
    assert.deepEqual(tokenizer.encode(`${word} x`).ids, [101, 100, 1060, 102]);
  });
});

describe('added tokens options', () => {
  const withAdded = (extra: object[]) =>
    BertTokenizer.fromJson({ ...tokenizerJson, added_tokens: [...tokenizerJson.added_tokens, ...extra] }, tokenizerConfig);
  const token = (content: string, id: number, options: object) => ({
    id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: false, ...options,
  });

  it('lstrip / rstrip take the surrounding whitespace into the token', () => {
    const t = withAdded([token('<x>', 30522, { lstrip: true, rstrip: true })]);
    const encoding = t.encode('a  <x>  b<x>c');
    assert.deepEqual(encoding.ids, [101, 1037, 30522, 1038, 30522, 1039, 102]);
    assert.deepEqual(encoding.offsets, [[0, 0], [0, 1], [1, 8], [8, 9], [9, 12], [12, 13], [0, 0]]);
    assert.equal(t.vocabSize, 30523);
  });

  it('single_word only matches between non-word characters', () => {
    const t = withAdded([token('xyz', 30522, { single_word: true })]);
    assert.deepEqual(t.encodeIds('xyz axyz xyz.'), [101, 30522, t.tokenToId('ax')!, t.tokenToId('##y')!, t.tokenToId('##z')!, 30522, 1012, 102]);
  });

  it('normalized tokens match the normalized text, with offsets in the original', () => {
    const t = withAdded([token('New York', 30522, { normalized: true })]);
    // Accents are stripped before matching, as the token's content is normalized the same way.
    assert.deepEqual(t.encode('in NÉW YORK!').ids, [101, 1999, 30522, 999, 102]);
    assert.deepEqual(t.encode('in NEW YORK!').ids, [101, 1999, 30522, 999, 102]);
    assert.deepEqual(t.encode('in NEW YORK!').offsets, [[0, 0], [0, 2], [3, 11], [11, 12], [0, 0]]);
    assert.ok(!t.encodeIds('in new\u00adyork').includes(30522));
  });
});

describe('padBatch', () => {
  it('right-pads to the longest sequence with id 0, mask 0, type 0', () => {
    const batch = padBatch([[101, 7, 102], [101, 102], [101, 5, 6, 102]]);
    assert.equal(batch.batchSize, 3);
    assert.equal(batch.sequenceLength, 4);
    assert.deepEqual([...batch.inputIds], [101n, 7n, 102n, 0n, 101n, 102n, 0n, 0n, 101n, 5n, 6n, 102n]);
    assert.deepEqual([...batch.attentionMask], [1n, 1n, 1n, 0n, 1n, 1n, 0n, 0n, 1n, 1n, 1n, 1n]);
    assert.deepEqual([...batch.tokenTypeIds], new Array(12).fill(0n));
    assert.ok(batch.inputIds instanceof BigInt64Array);
    const empty = padBatch([]);
    assert.equal(empty.batchSize, 0);
    assert.equal(empty.sequenceLength, 0);
    assert.equal(empty.inputIds.length, 0);
  });
});

const scratch = await mkdtemp(join(tmpdir(), 'tokenizer-test-'));
const rawJson = await readFile(join(modelFolder, 'tokenizer.json'), 'utf8');

describe('loading errors', () => {
  const folderWith = async (name: string, files: Record<string, string>) => {
    const folder = join(scratch, name);
    await mkdir(folder, { recursive: true });
    for (const [file, content] of Object.entries(files)) await writeFile(join(folder, file), content);
    return folder;
  };
  it('names a missing folder or tokenizer.json', async () => {
    const missing = join(scratch, 'nope');
    await assert.rejects(BertTokenizer.fromFolder(missing), (e: unknown) => isEncoderError(e, 'tokenizer-invalid') && e.message === `Cannot load a tokenizer from ${missing}: the folder does not exist`);
    const empty = await folderWith('empty', { 'tokenizer_config.json': '{}' });
    await assert.rejects(BertTokenizer.fromFolder(empty), /tokenizer\.json: no such file/);
  });

  it('names corrupt JSON', async () => {
    const folder = await folderWith('corrupt', { 'tokenizer.json': rawJson.slice(0, 500) });
    await assert.rejects(BertTokenizer.fromFolder(folder), (e: unknown) => isEncoderError(e, 'tokenizer-invalid') && /tokenizer\.json: not valid JSON/.test(e.message));
    const badConfig = await folderWith('bad-config', { 'tokenizer.json': rawJson, 'tokenizer_config.json': '{"model_max_length": ' });
    await assert.rejects(BertTokenizer.fromFolder(badConfig), /tokenizer_config\.json: not valid JSON/);
  });

  it('loads without tokenizer_config.json (max length 512)', async () => {
    const folder = await folderWith('no-config', { 'tokenizer.json': rawJson });
    assert.equal((await BertTokenizer.fromFolder(folder)).maxLength, 512);
  });

  it('names what is unsupported', async () => {
    const bpe = { ...tokenizerJson, model: { type: 'BPE', vocab: {}, merges: [] } };
    const folder = await folderWith('bpe', { 'tokenizer.json': JSON.stringify(bpe) });
    await assert.rejects(BertTokenizer.fromFolder(folder), /unsupported tokenizer model type "BPE": only BERT WordPiece tokenizers/);
    assert.throws(() => BertTokenizer.fromJson({ ...tokenizerJson, normalizer: { type: 'NFKC' } }, {}), /unsupported normalizer "NFKC"/);
    assert.throws(() => BertTokenizer.fromJson({ ...tokenizerJson, pre_tokenizer: { type: 'Metaspace' } }, {}), /unsupported pre_tokenizer "Metaspace"/);
    assert.throws(() => BertTokenizer.fromJson({ ...tokenizerJson, post_processor: { type: 'RobertaProcessing' } }, {}), /unsupported post_processor "RobertaProcessing"/);
    assert.throws(() => BertTokenizer.fromJson([], {}), /tokenizer\.json must be a JSON object, got an array/);
    assert.throws(() => BertTokenizer.fromJson(tokenizerJson, 'x'), /tokenizer_config\.json must be a JSON object/);
  });
});
