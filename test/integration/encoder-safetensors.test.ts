import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SafetensorsFile, halfToFloat } from '../../app/encoder/safetensors.js';
import { encodeSafetensors, writeSafetensors } from '../../app/encoder/safetensors-writer.js';
import { FIXTURE_BASE, FIXTURE_V6, tempFolder, encoderError } from '../helpers/encoder-helpers.js';

function header(json: unknown, data = Buffer.alloc(0)): Buffer {
  const text = Buffer.from(JSON.stringify(json));
  const length = Buffer.alloc(8);
  length.writeBigUInt64LE(BigInt(text.length));
  return Buffer.concat([length, text, data]);
}

describe('SafetensorsFile', () => {
  it('reads the fixture checkpoint: names, shapes and float32 values', async () => {
    const path = join(FIXTURE_BASE, 'model.safetensors');
    const file = await SafetensorsFile.read(path);
    assert.equal(file.tensors.size, 42);
    assert.deepEqual(file.info('bert.embeddings.word_embeddings.weight').shape, [30522, 32]);
    assert.equal(file.metadata.format, 'pt');
    const bytes = await readFile(path);
    const headerLength = Number(bytes.readBigUInt64LE(0));
    const info = file.info('cls.predictions.bias');
    const values = file.float32('cls.predictions.bias');
    assert.equal(values.length, 30522);
    assert.equal(values[7], bytes.readFloatLE(8 + headerLength + info.begin + 7 * 4));
  });

  it('round-trips F32, F16 and BF16 through the writer, converting to float32', async () => {
    const dir = await tempFolder();
    try {
      const path = join(dir.path, 'x.safetensors');
      const f16 = new Uint16Array([0x3c00, 0xc000, 0x3555, 0x0001, 0x7c00]); // 1, -2, ~0.333, tiny, inf
      const bf16 = new Uint16Array([0x3f80, 0xc040]); // 1, -3
      await writeSafetensors(path, {
        a: { dtype: 'F32', shape: [2, 2], data: new Float32Array([1, 2, 3, 4.5]) },
        h: { dtype: 'F16', shape: [5], data: new Uint8Array(f16.buffer) },
        b: { dtype: 'BF16', shape: [2], data: new Uint8Array(bf16.buffer) },
      });
      const file = await SafetensorsFile.read(path);
      assert.deepEqual([...file.float32('a')], [1, 2, 3, 4.5]);
      assert.deepEqual([...file.float32('h')], [1, -2, Math.fround(halfToFloat(0x3555)), 2 ** -24, Infinity]);
      assert.ok(Math.abs(file.float32('h')[2]! - 1 / 3) < 1e-3);
      assert.deepEqual([...file.float32('b')], [1, -3]);
      // The header is padded so that the data section starts at a multiple of 8.
      const chunks = encodeSafetensors({ a: { dtype: 'F32', shape: [1], data: new Float32Array([1]) } });
      assert.equal((8 + chunks[1]!.length) % 8, 0);
    } finally {
      await dir.dispose();
    }
  });

  it('rejects a missing file, naming it', async () => {
    await assert.rejects(SafetensorsFile.read('/nonexistent/model.safetensors'), encoderError('model-not-found', /Cannot read model\.safetensors in \/nonexistent: the file does not exist/));
  });

  it('rejects corrupt and truncated files with messages naming the file and tensor', async () => {
    const dir = await tempFolder();
    const path = join(dir.path, 'adapter_model.safetensors');
    const check = async (bytes: Buffer, pattern: RegExp) => {
      await writeFile(path, bytes);
      await assert.rejects(SafetensorsFile.read(path), encoderError('model-invalid', pattern));
    };
    try {
      const good = await readFile(join(FIXTURE_V6, 'adapter_model.safetensors'));
      await check(good.subarray(0, 5), /adapter_model\.safetensors in .*: file is 5 bytes, too short/);
      const huge = Buffer.from(good);
      huge.writeBigUInt64LE(99999999n, 0);
      await check(huge, /Cannot read adapter_model\.safetensors in .*: header length 99999999 exceeds file size 34192/);
      const badJson = Buffer.from(good);
      badJson[8] = 0x78; // 'x' instead of the opening brace
      await check(badJson, /header is not valid JSON/);
      await check(good.subarray(0, good.length - 100), /tensor base_model\.model\.cls\.predictions\.transform\.dense\.lora_B\.weight: data offsets \[29696, 30720\] lie beyond the end of the file/);
      await check(header({ t: { dtype: 'F32', shape: [3], data_offsets: [0, 8] } }, Buffer.alloc(8)), /tensor t: shape \[3\] of F32 needs 12 bytes, but its data offsets span 8/);
      await check(header({ t: { dtype: 'Q4', shape: [1], data_offsets: [0, 1] } }, Buffer.alloc(1)), /tensor t: unsupported dtype "Q4"/);
      await check(header({ t: { dtype: 'F32', shape: [1], data_offsets: [4, 0] } }, Buffer.alloc(4)), /tensor t: data_offsets \[4,0\]/);
      await check(header([1, 2]), /header is not a JSON object/);
      await writeFile(path, header({ t: { dtype: 'F32', shape: [1], data_offsets: [0, 4] } }, Buffer.alloc(4)));
      const file = await SafetensorsFile.read(path);
      assert.throws(() => file.float32('missing'), encoderError('model-invalid', /Cannot find tensor missing in adapter_model\.safetensors in /));
    } finally {
      await dir.dispose();
    }
  });
});
