import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { toHalf } from '../../app/encoder/onnx/graph-builder.js';
import { summarizeExport } from '../../app/encoder/onnx/export-pooling.js';
import { DataType, encodeModel } from '../../app/encoder/onnx/onnx-proto.js';
import { ProtoWriter, readFields, readPackedVarints, signedNumber } from '../../app/encoder/onnx/protobuf.js';
import { halfToFloat } from '../../app/encoder/safetensors.js';
import { encoderError } from '../helpers/encoder-helpers.js';

describe('protobuf wire format', () => {
  it('round-trips varints (negative int64 as ten bytes), floats, strings, packed and nested fields', () => {
    const inner = new ProtoWriter().string(1, 'héllo');
    const big = new Uint8Array(5000).fill(7);
    const w = new ProtoWriter().varint(1, 300).varint(2, -1).float(3, 1.5).message(4, inner).packedVarints(5, [1, 128, 2 ** 40]).bytes(6, big);
    const bytes = w.toBytes();
    assert.equal(bytes.length, w.byteLength);
    const fields = readFields(bytes);
    assert.equal(fields[0]!.varint, 300n);
    assert.equal(fields[1]!.raw.length, 11); // tag + 10-byte varint
    assert.equal(signedNumber(fields[1]!.varint), -1);
    assert.equal(new DataView(fields[2]!.bytes.buffer, fields[2]!.bytes.byteOffset).getFloat32(0, true), 1.5);
    assert.equal(new TextDecoder().decode(readFields(fields[3]!.bytes)[0]!.bytes), 'héllo');
    assert.deepEqual(readPackedVarints(fields[4]!), [1n, 128n, 2n ** 40n]);
    assert.deepEqual(fields[5]!.bytes, big);
    // Large byte fields are kept by reference, not copied.
    assert.ok(w.toChunks().includes(big));
  });

  it('rejects truncated messages', () => {
    const bytes = new ProtoWriter().string(1, 'abcdef').toBytes();
    assert.throws(() => readFields(bytes.subarray(0, 4), 'model.onnx'), encoderError('model-invalid', /model\.onnx: field 1 claims 6 bytes, only 2 remain/));
    assert.throws(() => readFields(Uint8Array.from([0x08, 0x80])), encoderError('model-invalid', /truncated varint/));
  });

  it('encodes an ONNX model whose inputs, outputs and opset read back', () => {
    const model = encodeModel({
      irVersion: 8,
      opsetImports: [{ domain: '', version: 17 }],
      producerName: 'test',
      producerVersion: '1',
      graph: {
        name: 'g',
        nodes: [{ opType: 'Identity', inputs: ['x'], outputs: ['logits'] }],
        initializers: [],
        inputs: [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 'sequence', 4] }],
        outputs: [{ name: 'logits', elemType: DataType.FLOAT, shape: ['batch', 'sequence', 4] }],
      },
    }).toBytes();
    const summary = summarizeExport(model, 'm');
    assert.equal(summary.defaultOpset, 17);
    assert.deepEqual(summary.inputs, [{ name: 'x', elemType: DataType.FLOAT, shape: ['batch', 'sequence', 4] }]);
    assert.equal(summary.outputs[0]!.name, 'logits');
  });
});

describe('float16 conversion', () => {
  it('rounds to nearest even and handles the range ends', () => {
    const values = Float32Array.from([1, -2, 65504, 1e6, 2 ** -24, 1e-9, 1 + 2 ** -11, 1 + 3 * 2 ** -11, NaN, 0.1]);
    const half = toHalf(values);
    assert.deepEqual([...half.slice(0, 8)], [0x3c00, 0xc000, 0x7bff, 0x7c00, 0x0001, 0x0000, 0x3c00, 0x3c02]);
    assert.ok(Number.isNaN(halfToFloat(half[8]!)));
    assert.ok(Math.abs(halfToFloat(half[9]!) - 0.1) < 1e-4);
  });
});
