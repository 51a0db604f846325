// Tokenizer throughput: texts/s for ~256-token English texts, with and without offsets (BertTokenizer.encode vs
// encodeIds), and @huggingface/tokenizers' own encode (no offsets, no Rust parity fixes) for comparison.
// Run: node --import tsx test/bench/tokenizer.ts
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cpus } from 'node:os';
import { Tokenizer } from '@huggingface/tokenizers';
import { BertTokenizer } from '../../app/encoder/tokenizer/index.js';

const folder = fileURLToPath(new URL('../fixtures/splade-tiny/splade-peft', import.meta.url));
const fixtureTexts: string[] = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/splade-tiny/expected.json', import.meta.url)), 'utf8')).texts;
const readme = readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

// Deterministic text generator: English words from the fixtures and the README, with 1 word in 10 an invented
// one (two random vocabulary pieces glued together) so that the word cache also sees misses.
let seed = 12345;
const random = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x80000000);
const words = [...fixtureTexts.slice(0, 8).join(' ').split(/\s+/), ...readme.split(/\s+/).filter((w) => /^[A-Za-z,.()'-]+$/.test(w))];
const tokenizer = await BertTokenizer.fromFolder(folder);
const vocabWords: string[] = [];
for (let id = 2000; id < 30000 && vocabWords.length < 5000; id += 5) {
  const token = tokenizer.idToToken(id);
  if (token && /^[a-z]+$/.test(token)) vocabWords.push(token);
}
function makeText(): string {
  const parts: string[] = [];
  let approxTokens = 0;
  while (approxTokens < 256) {
    const word = random() < 0.1
      ? vocabWords[Math.floor(random() * vocabWords.length)]! + vocabWords[Math.floor(random() * vocabWords.length)]!
      : words[Math.floor(random() * words.length)]!;
    parts.push(random() < 0.05 ? word[0]!.toUpperCase() + word.slice(1) : word);
    approxTokens += 1.65;
  }
  return parts.join(' ') + '.';
}
const texts = Array.from({ length: 2000 }, makeText);
const tokenCounts = texts.map((t) => tokenizer.encodeIds(t).length);
const meanTokens = tokenCounts.reduce((a, b) => a + b, 0) / texts.length;
const meanChars = texts.reduce((a, t) => a + t.length, 0) / texts.length;

function measure(fn: (text: string) => unknown, rounds = 3): number {
  for (const t of texts.slice(0, 200)) fn(t); // warm up the JIT
  let best = 0;
  for (let r = 0; r < rounds; r++) {
    const start = process.hrtime.bigint();
    for (const t of texts) fn(t);
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    best = Math.max(best, texts.length / seconds);
  }
  return Math.round(best);
}

// Cold: a fresh tokenizer, each text seen once (the word cache starts empty).
const cold = await BertTokenizer.fromFolder(folder);
const coldStart = process.hrtime.bigint();
for (const t of texts) cold.encode(t);
const coldTextsPerSecond = Math.round(texts.length / (Number(process.hrtime.bigint() - coldStart) / 1e9));

const library = new Tokenizer(
  JSON.parse(readFileSync(`${folder}/tokenizer.json`, 'utf8')),
  JSON.parse(readFileSync(`${folder}/tokenizer_config.json`, 'utf8')),
);
// Non-English: the edge fixture's strings (accents, Greek, CJK, Hangul, emoji, RTL) concatenated, ~256 tokens.
const edgeTexts: string[] = JSON.parse(readFileSync(fileURLToPath(new URL('../fixtures/splade-tiny/tokenizer-edge-expected.json', import.meta.url)), 'utf8')).texts;
const mixed = Array.from({ length: 500 }, () => {
  const parts: string[] = [];
  while (tokenizer.encodeIds(parts.join(' ')).length < 256) parts.push(edgeTexts[Math.floor(random() * edgeTexts.length)]!);
  return parts.join(' ');
});
function measureMixed(fn: (text: string) => unknown): number {
  for (const t of mixed.slice(0, 50)) fn(t);
  const start = process.hrtime.bigint();
  for (let r = 0; r < 3; r++) for (const t of mixed) fn(t);
  return Math.round((3 * mixed.length) / (Number(process.hrtime.bigint() - start) / 1e9));
}

const result = {
  benchmark: 'tokenizer',
  texts: texts.length,
  meanTokens: Math.round(meanTokens),
  meanChars: Math.round(meanChars),
  encodeIdsTextsPerSecond: measure((t) => tokenizer.encodeIds(t)),
  encodeWithOffsetsTextsPerSecond: measure((t) => tokenizer.encode(t)),
  encodeColdCacheFirstPassTextsPerSecond: coldTextsPerSecond,
  multilingualEncodeWithOffsetsTextsPerSecond: measureMixed((t) => tokenizer.encode(t)),
  libraryEncodeTextsPerSecond: measure((t) => library.encode(t), 1),
  node: process.version,
  cpu: cpus()[0]?.model ?? 'unknown',
};
console.log(JSON.stringify(result));
console.log(
  `tokenizer: ${result.encodeIdsTextsPerSecond} texts/s ids only, ${result.encodeWithOffsetsTextsPerSecond} texts/s with offsets ` +
    `(~${result.meanTokens} tokens/text; multilingual with offsets ${result.multilingualEncodeWithOffsetsTextsPerSecond} texts/s; ` +
    `@huggingface/tokenizers encode: ${result.libraryEncodeTextsPerSecond} texts/s)`,
);
