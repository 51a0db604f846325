import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from '../helpers/run-cli.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = join(root, 'test/fixtures/splade-tiny');
const model = join(fixtures, 'splade-peft');

const cli = (argv: string[], input: Buffer | string) => runCliCaptured(argv, { input });

describe('splade-search tokenize', () => {
  it('matches the Rust tokenizer on the edge fixture, run as a real process', async () => {
    const expected = JSON.parse(readFileSync(join(fixtures, 'tokenizer-edge-expected.json'), 'utf8'));
    const vocab = readFileSync(join(fixtures, 'base/vocab.txt'), 'utf8').split('\n');
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/bin.ts', 'tokenize', '--model', model], { cwd: root });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.stdin.end(expected.texts.map((t: string) => JSON.stringify(t)).join('\n') + '\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, Buffer.concat(err).toString());
    const lines = Buffer.concat(out).toString().trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, expected.texts.length);
    for (const [i, line] of lines.entries()) {
      assert.deepEqual(line.ids, expected.enc[i].ids, `text ${i}`);
      assert.deepEqual(line.offsets, expected.enc[i].offsets, `text ${i}`);
      assert.deepEqual(line.tokens, line.ids.map((id: number) => vocab[id]), `text ${i}`);
    }
  });

  it('applies --max-length and --strip', async () => {
    const { code, stdout } = await cli(['tokenize', '--model', model, '--max-length', '4', '--strip'], '"  hello big wide world  "\n');
    assert.equal(code, 0);
    assert.deepEqual(JSON.parse(stdout), { ids: [101, 7592, 2502, 102], tokens: ['[CLS]', 'hello', 'big', '[SEP]'], offsets: [[0, 0], [0, 5], [6, 9], [0, 0]] });
  });

  it('says Hub ids are not supported yet when the folder does not exist', async () => {
    const hub = await cli(['tokenize', '--model', 'tomaarsen/splade-bert-base-uncased-gooaq-peft'], '');
    assert.equal(hub.code, 1);
    assert.match(hub.stderr, /model folder "tomaarsen\/splade-bert-base-uncased-gooaq-peft" does not exist; Hugging Face Hub ids are not yet supported by this command/);
    const path = await cli(['tokenize', '--model', join(fixtures, 'missing')], '');
    assert.equal(path.code, 1);
    assert.match(path.stderr, /model folder ".*missing" does not exist\n$/);
  });

  it('reports bad input with its line number and bad flags as usage errors', async () => {
    const bad = await cli(['tokenize', '--model', model], Buffer.concat([Buffer.from('"ok"\n"'), Buffer.from([0xc3, 0x28]), Buffer.from('"\n')]));
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /input line 2: not valid UTF-8/);
    assert.equal(bad.stdout.split('\n')[0], JSON.stringify({ ids: [101, 7929, 102], tokens: ['[CLS]', 'ok', '[SEP]'], offsets: [[0, 0], [0, 2], [0, 0]] }));
    assert.equal((await cli(['tokenize'], '')).code, 2);
    assert.equal((await cli(['tokenize', '--model', model, '--max-length', 'ten'], '')).code, 2);
    const noTokenizer = await cli(['tokenize', '--model', join(root, 'test/unit')], '');
    assert.equal(noTokenizer.code, 1);
    assert.match(noTokenizer.stderr, /tokenizer\.json: no such file/);
  });
});
