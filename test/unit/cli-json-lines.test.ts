import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { readJsonStringLines } from '../../app/cli/json-lines.js';

async function collect(chunks: Buffer[]): Promise<string[]> {
  const out: string[] = [];
  for await (const value of readJsonStringLines(Readable.from(chunks))) out.push(value);
  return out;
}

describe('readJsonStringLines', () => {
  it('reads one JSON string per line, across chunk boundaries, skipping blank lines', async () => {
    const bytes = Buffer.from('"a b"\n\n"caf\u00e9 \\u00e9"\r\n"last"');
    const chunks = [bytes.subarray(0, 3), bytes.subarray(3, 9), bytes.subarray(9)];
    assert.deepEqual(await collect(chunks), ['a b', 'caf\u00e9 \u00e9', 'last']);
  });

  it('rejects invalid UTF-8 naming the line', async () => {
    await assert.rejects(collect([Buffer.from('"ok"\n"'), Buffer.from([0xff, 0xfe]), Buffer.from('"\n')]), /input line 2: not valid UTF-8/);
  });

  it('rejects non-strings, bad JSON and unpaired surrogates', async () => {
    await assert.rejects(collect([Buffer.from('{"a":1}\n')]), /input line 1: expected a JSON string, got object/);
    await assert.rejects(collect([Buffer.from('"a"\n"b\n')]), /input line 2: not valid JSON/);
    await assert.rejects(collect([Buffer.from('"\\ud800x"\n')]), /input line 1: .*unpaired surrogate/);
  });
});
