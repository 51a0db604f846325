import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { filesMatching, spladeModelFiles } from '../../app/hub/index.js';

// the file lists of the real repositories, as the Hub lists them
const PEFT = [
  '.gitattributes',
  '1_SpladePooling/config.json',
  'README.md',
  'adapter_config.json',
  'adapter_model.safetensors',
  'config_sentence_transformers.json',
  'modules.json',
  'sentence_bert_config.json',
  'special_tokens_map.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.txt',
];
const BERT = [
  '.gitattributes',
  'LICENSE',
  'README.md',
  'config.json',
  'coreml/fill-mask/float32_model.mlpackage/Data/com.apple.CoreML/model.mlmodel',
  'coreml/fill-mask/float32_model.mlpackage/Manifest.json',
  'flax_model.msgpack',
  'model.onnx',
  'model.safetensors',
  'onnx/config.json',
  'onnx/model.onnx',
  'openvino/config.json',
  'pytorch_model.bin',
  'rust_model.ot',
  'tf_model.h5',
  'tokenizer.json',
  'tokenizer_config.json',
  'vocab.txt',
];

describe('spladeModelFiles', () => {
  it('takes what the SPLADE adapter needs', () => {
    assert.deepEqual(PEFT.filter(spladeModelFiles.includes), [
      '1_SpladePooling/config.json',
      'adapter_config.json',
      'adapter_model.safetensors',
      'config_sentence_transformers.json',
      'modules.json',
      'sentence_bert_config.json',
      'special_tokens_map.json',
      'tokenizer.json',
      'tokenizer_config.json',
      'vocab.txt',
    ]);
  });

  it('takes only config, safetensors and tokenizer from bert-base-uncased: no .bin, .h5, msgpack, .ot, onnx/, openvino/, coreml/', () => {
    assert.deepEqual(BERT.filter(spladeModelFiles.includes), ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt']);
  });

  it('takes sharded safetensors with their index', () => {
    const files = ['config.json', 'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors', 'pytorch_model-00001-of-00002.bin'];
    assert.deepEqual(files.filter(spladeModelFiles.includes), files.slice(0, 4));
    assert.deepEqual(spladeModelFiles.missing(files.slice(0, 4)), []);
  });

  it('names what a snapshot lacks', () => {
    assert.deepEqual(spladeModelFiles.missing(['config.json', 'pytorch_model.bin']), ['model.safetensors or adapter_model.safetensors (safetensors weights)']);
    assert.deepEqual(spladeModelFiles.missing(['model.safetensors']), ['config.json or adapter_config.json']);
    assert.deepEqual(spladeModelFiles.missing(PEFT), []);
  });
});

describe('filesMatching', () => {
  it('matches fnmatch patterns as huggingface_hub allow/ignore patterns do', () => {
    const selection = filesMatching({ allow: ['*.json', 'onnx/'], ignore: ['onnx/config.json'], required: ['model.onnx'] });
    assert.deepEqual(BERT.filter(selection.includes), [
      'config.json',
      'coreml/fill-mask/float32_model.mlpackage/Manifest.json', // `*` crosses folders, as in fnmatch
      'onnx/model.onnx',
      'openvino/config.json',
      'tokenizer.json',
      'tokenizer_config.json',
    ]);
    assert.deepEqual(selection.missing(['config.json']), ['model.onnx']);
    assert.equal(filesMatching({ allow: ['model-0000[12]-of-?????.safetensors'] }).includes('model-00002-of-00003.safetensors'), true);
  });
});
