import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { BertTokenizer } from '../../app/encoder/tokenizer/index.js';
import { splitPassages, passageLimits, type Passage } from '../../app/ingest/passage-splitter.js';
import { tokenSpansFromTokenizer, approximateTokenSpans, type TokenizeFn } from '../../app/ingest/token-spans.js';
import type { Section } from '../../app/ingest/extract/extraction.js';

let tokenize: TokenizeFn;
let bert: BertTokenizer;
const FIXTURE = new URL('../fixtures/splade-tiny/base/', import.meta.url).pathname;

/** Checks every invariant the splitter promises, against the real tokenizer. */
function checkInvariants(text: string, sections: Section[], passages: Passage[], maxTokens: number): void {
  for (const p of passages) {
    const inside = sections.find((s) => p.start >= s.start && p.end <= s.end);
    assert.ok(inside, `passage [${p.start}, ${p.end}) crosses a section`);
    assert.ok(p.tokenCount <= maxTokens, `${p.tokenCount} tokens > ${maxTokens}`);
    const again = tokenize(text.slice(p.start, p.end)).length;
    assert.ok(again <= maxTokens, `re-tokenized passage has ${again} tokens > ${maxTokens}`);
    assert.equal(p.line, text.slice(0, p.start).split('\n').length);
  }
  // Every token of every section is inside some passage.
  for (const s of sections) {
    for (const t of tokenize(text.slice(s.start, s.end))) {
      const a = t.start + s.start;
      assert.ok(passages.some((p) => p.start <= a && a + (t.end - t.start) <= p.end), `token at ${a} not covered`);
    }
  }
}

describe('token spans adapter', () => {
  before(async () => {
    bert = await BertTokenizer.fromFolder(FIXTURE);
    tokenize = tokenSpansFromTokenizer(bert);
  });

  it('converts code points to UTF-16 so spans slice the right characters (emoji, astral CJK)', () => {
    const text = 'a 😀 Café 𠀀x naïve';
    const spans = tokenize(text);
    assert.deepEqual(spans.map((s) => text.slice(s.start, s.end)), ['a', '😀', 'Café', '𠀀', 'x', 'naïve']);
  });

  it('is not truncated by the tokenizer on long input, and equals one whole encode where that is not truncated', () => {
    const words = Array.from({ length: 3000 }, (_, i) => `word${i % 50}`).join(' ');
    const spans = tokenize(words);
    assert.ok(spans.length > 3000);
    assert.equal(spans[spans.length - 1]!.end, words.length);
    const short = 'Short text, with punctuation! And more... ok?';
    const whole = bert.encode(short).offsets.filter(([s, e]) => e > s);
    assert.deepEqual(tokenize(short).map((s) => [s.start, s.end]), whole);
    const cjk = '東京'.repeat(800);
    assert.equal(tokenize(cjk).length, 1600);
  });
});

describe('splitPassages', () => {
  before(async () => {
    bert ??= await BertTokenizer.fromFolder(FIXTURE);
    tokenize ??= tokenSpansFromTokenizer(bert);
  });

  it('a short section is one passage; empty sections give none', () => {
    const text = '# Title\n\nSome text here.\n\n   \n';
    const passages = splitPassages(text, [{ start: 0, end: 25, heading: 'Title' }, { start: 25, end: text.length }], tokenize);
    assert.deepEqual(passages, [{ start: 0, end: 24, page: null, line: 1, heading: 'Title', tokenCount: 6 }]);
    assert.equal(text.slice(0, 24), '# Title\n\nSome text here.');
  });

  it('cuts at paragraphs before sentences before words, keeps every invariant, never crosses pages', () => {
    const sentence = (i: number) => `Sentence number ${i} talks about stars and galaxies forming in clouds.`;
    const para = (k: number) => Array.from({ length: 6 }, (_, i) => sentence(k * 10 + i)).join(' ');
    const page1 = Array.from({ length: 8 }, (_, k) => para(k)).join('\n\n');
    const page2 = Array.from({ length: 40 }, (_, i) => sentence(i)).join(' ');
    const text = `${page1}\n\n${page2}`;
    const sections: Section[] = [
      { start: 0, end: page1.length, page: 1 },
      { start: page1.length + 2, end: text.length, page: 2 },
    ];
    const max = 64;
    const passages = splitPassages(text, sections, tokenize, { maxTokens: max, overlapTokens: 16 });
    checkInvariants(text, sections, passages, max);
    const onPage1 = passages.filter((p) => p.page === 1);
    // Paragraphs of ~90 tokens: each splits once at a sentence, and no passage spans a blank line.
    for (const p of onPage1) assert.ok(!text.slice(p.start, p.end).includes('\n\n'), 'crossed a paragraph');
    for (const p of passages) assert.match(text.slice(p.start, p.end), /^Sentence number \d+/, 'starts at a sentence');
    // Inside page 2 (one paragraph) consecutive windows overlap by at most 16 tokens.
    const onPage2 = passages.filter((p) => p.page === 2);
    assert.ok(onPage2.length >= 6);
    for (let i = 1; i < onPage2.length; i++) {
      const prev = onPage2[i - 1]!;
      const cur = onPage2[i]!;
      assert.ok(cur.start < prev.end, 'windows in one paragraph overlap');
      assert.ok(tokenize(text.slice(cur.start, prev.end)).length <= 16);
    }
  });

  it('lines are 1-based; a word longer than a window is cut inside', () => {
    const long = 'abcdefghij'.repeat(9);
    const text = `line one\nline two\n${long}\nend`;
    const passages = splitPassages(text, [{ start: 0, end: text.length }], tokenize, { maxTokens: 8, overlapTokens: 0 });
    assert.ok(passages.every((p) => p.tokenCount <= 8));
    assert.deepEqual(passages.map((p) => p.line), [...passages.map((p) => text.slice(0, p.start).split('\n').length)]);
    assert.equal(passages[0]!.line, 1);
    assert.ok(passages.filter((p) => p.line === 3).length >= 2, 'the long word spans several passages');
    assert.equal(text.slice(passages.at(-1)!.start, passages.at(-1)!.end).endsWith('end'), true);
  });

  it('CJK without spaces, emoji and RTL scripts split with exact offsets', () => {
    const text = '東京は日本の首都です。'.repeat(40) + '\n\nمرحبا بالعالم 😀 '.repeat(30);
    const sections = [{ start: 0, end: text.length }];
    const passages = splitPassages(text, sections, tokenize, { maxTokens: 40, overlapTokens: 8 });
    checkInvariants(text, sections, passages, 40);
    assert.ok(passages.every((p) => !/^[\uDC00-\uDFFF]/.test(text.slice(p.start, p.end))), 'no passage starts inside a surrogate pair');
  });

  it('never exceeds the model limit minus reserved tokens', () => {
    assert.deepEqual(passageLimits({ maxTokens: 1000 }), { maxTokens: 510, overlapTokens: 32 });
    assert.deepEqual(passageLimits({ maxTokens: 300, modelMaxTokens: 128, reservedTokens: 10, overlapTokens: 100 }), { maxTokens: 118, overlapTokens: 58 });
    assert.deepEqual(passageLimits(), { maxTokens: 256, overlapTokens: 32 });
  });

  it('works with the tokenizer-free approximation too', () => {
    const text = 'Hello world. '.repeat(200);
    const passages = splitPassages(text, [{ start: 0, end: text.length }], approximateTokenSpans, { maxTokens: 64 });
    assert.ok(passages.length > 5);
    assert.ok(passages.every((p) => p.tokenCount <= 64));
  });
});
