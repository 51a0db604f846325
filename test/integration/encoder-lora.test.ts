import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { loraScale, moduleSelected, parseLoraConfig } from '../../app/encoder/lora-adapter.js';
import { loadBertWeights } from '../../app/encoder/model-weights.js';
import { readModelFolder } from '../../app/encoder/model-folder.js';
import { SafetensorsFile } from '../../app/encoder/safetensors.js';
import { writeSafetensors, type SafetensorsTensor } from '../../app/encoder/safetensors-writer.js';
import { copyFixture, editJson, FIXTURE_BASE, FIXTURE_V6, encoderError } from '../helpers/encoder-helpers.js';

async function loadFixture(folder: string) {
  const model = await readModelFolder(folder);
  assert.equal(model.weights.format, 'safetensors');
  if (model.weights.format !== 'safetensors') throw new Error('unreachable');
  return loadBertWeights(model.weights.files, model.weights.bertConfig, model.adapter);
}

/** Rewrites the adapter file, letting `edit` change its tensors. */
async function editAdapter(folder: string, edit: (tensors: Record<string, SafetensorsTensor>) => void): Promise<void> {
  const path = join(folder, 'adapter_model.safetensors');
  const file = await SafetensorsFile.read(path);
  const tensors: Record<string, SafetensorsTensor> = {};
  for (const [name, info] of file.tensors) tensors[name] = { dtype: 'F32', shape: info.shape, data: file.float32(name).slice() };
  edit(tensors);
  await writeSafetensors(path, tensors);
}

describe('LoRA adapter', () => {
  it('selects modules as PEFT does: list entries match whole names or "."-suffixes, a string must match fully', () => {
    assert.ok(moduleSelected('bert.encoder.layer.0.attention.self.query', ['query']));
    assert.ok(moduleSelected('cls.predictions.transform.dense', ['dense']));
    assert.ok(!moduleSelected('bert.encoder.layer.0.attention.self.query', ['uery']));
    assert.ok(moduleSelected('query', ['query']));
    const regex = parseLoraConfig({ peft_type: 'LORA', r: 4, base_model_name_or_path: 'x', target_modules: '.*\\.(query|value)' }, 'a').targetModules;
    assert.ok(moduleSelected('bert.encoder.layer.3.attention.self.value', regex));
    assert.ok(!moduleSelected('bert.encoder.layer.3.attention.self.value.extra', regex));
    assert.ok(!moduleSelected('bert.encoder.layer.3.attention.self.key', regex));
    const defaults = parseLoraConfig({ peft_type: 'LORA', r: 4, base_model_name_or_path: 'x' }, 'a');
    assert.deepEqual(defaults.targetModules, ['query', 'value']);
  });

  it('scales by alpha / r, or alpha / sqrt(r) with rsLoRA', () => {
    const base = { peft_type: 'LORA', r: 16, lora_alpha: 32, base_model_name_or_path: 'x' };
    assert.equal(loraScale(parseLoraConfig(base, 'a')), 2);
    assert.equal(loraScale(parseLoraConfig({ ...base, use_rslora: true }, 'a')), 8);
  });

  it('merges W += (alpha / r) · B @ A into every targeted Linear layer, including the MLM head transform', async () => {
    const { weights, mergedModules } = await loadFixture(FIXTURE_V6);
    assert.equal(mergedModules.length, 13); // 2 layers x (query, key, value, 3 dense) + cls.predictions.transform.dense
    assert.ok(mergedModules.includes('cls.predictions.transform.dense'));
    const base = await SafetensorsFile.read(join(FIXTURE_BASE, 'model.safetensors'));
    const adapter = await SafetensorsFile.read(join(FIXTURE_V6, 'adapter_model.safetensors'));
    const check = (module: string, merged: Float32Array, outFeatures: number, inFeatures: number) => {
      const w = base.float32(`${module}.weight`);
      const a = adapter.float32(`base_model.model.${module}.lora_A.weight`);
      const b = adapter.float32(`base_model.model.${module}.lora_B.weight`);
      let maxDelta = 0;
      for (const [o, i] of [[0, 0], [outFeatures - 1, inFeatures - 1], [3, 5]] as const) {
        let sum = 0;
        for (let k = 0; k < 8; k++) sum += b[o * 8 + k]! * a[k * inFeatures + i]!;
        const expected = w[o * inFeatures + i]! + 2 * sum;
        assert.ok(Math.abs(merged[o * inFeatures + i]! - expected) < 1e-6, `${module}[${o},${i}]`);
        maxDelta = Math.max(maxDelta, Math.abs(2 * sum));
      }
      assert.ok(maxDelta > 1e-4, `${module}: the adapter changes the weights`);
    };
    check('bert.encoder.layer.1.attention.self.query', weights.layers[1]!.query.weight, 32, 32);
    check('bert.encoder.layer.0.intermediate.dense', weights.layers[0]!.intermediate.weight, 64, 32);
    check('bert.encoder.layer.0.output.dense', weights.layers[0]!.output.weight, 32, 64);
    check('cls.predictions.transform.dense', weights.headTransform.weight, 32, 32);
    // The tied decoder is the word embedding matrix, unchanged by the adapter.
    assert.equal(weights.decoderWeight, weights.wordEmbeddings);
  });

  it('rejects adapter/base shape mismatches, stray tensors and unselected modules, naming the tensor', async () => {
    const f = await copyFixture();
    try {
      const name = 'base_model.model.bert.encoder.layer.0.attention.self.query.lora_A.weight';
      await editAdapter(f.v6, (t) => void (t[name] = { dtype: 'F32', shape: [8, 31], data: new Float32Array(8 * 31) }));
      await assert.rejects(loadFixture(f.v6), encoderError('model-invalid', new RegExp(`adapter_model\\.safetensors in .*: tensor ${name.replace(/\./g, '\\.')} has shape \\[8, 31\\], expected \\[r=8, in_features=32\\]`)));
      await editAdapter(f.v6, (t) => void (t[name] = { dtype: 'F32', shape: [4, 32], data: new Float32Array(4 * 32) }));
      await assert.rejects(loadFixture(f.v6), encoderError('model-invalid', /has shape \[4, 32\], expected \[r=8/));
      await editAdapter(f.v6, (t) => {
        t[name] = { dtype: 'F32', shape: [8, 32], data: new Float32Array(8 * 32) };
        t['base_model.model.cls.predictions.decoder.weight'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
      });
      await assert.rejects(loadFixture(f.v6), encoderError('model-invalid', /tensor base_model\.model\.cls\.predictions\.decoder\.weight is not a LoRA weight .*modules_to_save/));
      await editAdapter(f.v6, (t) => {
        delete t['base_model.model.cls.predictions.decoder.weight'];
        t['base_model.model.bert.embeddings.word_embeddings.lora_embedding_A'] = { dtype: 'F32', shape: [1], data: new Float32Array(1) };
      });
      await assert.rejects(loadFixture(f.v6), encoderError('model-unsupported', /LoRA on embedding layers is not supported/));
      await editAdapter(f.v6, (t) => void delete t['base_model.model.bert.embeddings.word_embeddings.lora_embedding_A']);
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.target_modules = '.*\\.(query|key|value)'));
      await assert.rejects(loadFixture(f.v6), encoderError('model-invalid', /adapts bert\.encoder\.layer\.0\.attention\.output\.dense, which target_modules does not select/));
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.target_modules = ['query', 'key', 'value', 'dense', 'word_embeddings']));
      await assert.rejects(loadFixture(f.v6), encoderError('model-unsupported', /selects bert\.embeddings\.word_embeddings, which is not a Linear layer/));
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.target_modules = ['nothing']));
      await assert.rejects(loadFixture(f.v6), encoderError('model-unsupported', /target_modules \["nothing"\] selects no Linear layer/));
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.target_modules = ['query', 'key', 'value', 'dense']));
      await editAdapter(f.v6, (t) => void delete t['base_model.model.bert.encoder.layer.1.attention.self.key.lora_B.weight']);
      await assert.rejects(loadFixture(f.v6), encoderError('model-invalid', /selects bert\.encoder\.layer\.1\.attention\.self\.key, but the file has no lora_B weight for it/));
    } finally {
      await f.dispose();
    }
  });

  it('rejects missing and mis-shaped base tensors, naming them', async () => {
    const f = await copyFixture();
    try {
      const path = join(f.base, 'model.safetensors');
      const file = await SafetensorsFile.read(path);
      const tensors: Record<string, SafetensorsTensor> = {};
      for (const [name, info] of file.tensors) tensors[name] = { dtype: 'F32', shape: info.shape, data: file.float32(name).slice() };
      const { ['bert.encoder.layer.1.output.dense.bias']: _dropped, ...rest } = tensors;
      await writeSafetensors(path, rest);
      await assert.rejects(loadFixture(f.v6), encoderError('model-invalid', /model\.safetensors in .*base: tensor bert\.encoder\.layer\.1\.output\.dense\.bias is missing/));
      await editJson(join(f.base, 'config.json'), (j) => void (j.intermediate_size = 128));
      await writeSafetensors(path, tensors);
      await assert.rejects(loadFixture(f.v6), encoderError('model-invalid', /tensor bert\.encoder\.layer\.0\.intermediate\.dense\.weight has shape \[64, 32\], expected \[128, 32\] as config\.json implies/));
    } finally {
      await f.dispose();
    }
  });
});
