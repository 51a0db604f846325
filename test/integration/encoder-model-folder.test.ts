import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { readModelFolder } from '../../app/encoder/model-folder.js';
import { copyFixture, editJson, FIXTURE_BASE, FIXTURE_V5, FIXTURE_V6, encoderError } from '../helpers/encoder-helpers.js';

describe('readModelFolder', () => {
  it('reads the sentence-transformers v6 layout with a LoRA adapter over ../base', async () => {
    const model = await readModelFolder(FIXTURE_V6);
    assert.equal(model.layout, 'sentence-transformers-v6');
    assert.equal(model.adapter?.baseFolder, FIXTURE_BASE.replace(/\/$/, ''));
    assert.equal(model.adapter?.config.r, 8);
    assert.deepEqual(model.adapter?.config.targetModules, ['key', 'query', 'value', 'dense']);
    assert.equal(model.weights.format, 'safetensors');
    assert.equal(model.tokenizerFolder, FIXTURE_V6);
    assert.equal(model.vocabSize, 30522);
    assert.equal(model.maxSeqLength, 512); // tokenizer_config model_max_length, capped by max_position_embeddings
    assert.deepEqual(model.pooling, { strategy: 'max', activation: 'relu' });
    assert.equal(model.queryPrompt, '');
    assert.equal(model.documentPrompt, '');
    assert.equal(model.similarity, 'dot');
  });

  it('reads the v5 layout (MLMTransformer, max_seq_length, word_embedding_dimension)', async () => {
    const model = await readModelFolder(FIXTURE_V5);
    assert.equal(model.layout, 'sentence-transformers-v5');
    assert.equal(model.maxSeqLength, 512);
    assert.deepEqual(model.pooling, { strategy: 'max', activation: 'relu' });
  });

  it('reads a bare BertForMaskedLM folder with max pooling, as sentence-transformers does', async () => {
    const model = await readModelFolder(FIXTURE_BASE);
    assert.equal(model.layout, 'masked-lm');
    assert.equal(model.adapter, undefined);
    assert.deepEqual(model.pooling, { strategy: 'max', activation: 'relu' });
    assert.equal(model.tokenizerFolder, FIXTURE_BASE.replace(/\/$/, ''));
  });

  it('takes max length, prompts, pooling variants and do_lower_case from the configs', async () => {
    const f = await copyFixture();
    try {
      await editJson(join(f.v6, 'tokenizer_config.json'), (j) => void (j.model_max_length = 128));
      await editJson(join(f.v6, 'config_sentence_transformers.json'), (j) => {
        j.prompts = { query: 'query: ', passage: 'passage: ' };
        j.default_prompt_name = 'query';
        j.similarity_fn_name = 'dot';
      });
      await editJson(join(f.v6, '1_SpladePooling', 'config.json'), (j) => {
        j.pooling_strategy = 'sum';
        j.activation_function = 'log1p_relu';
      });
      let model = await readModelFolder(f.v6);
      assert.equal(model.maxSeqLength, 128);
      assert.equal(model.queryPrompt, 'query: ');
      assert.equal(model.documentPrompt, ''); // "document" (default '') comes before "passage", as in ST
      assert.equal(model.defaultPrompt, 'query: ');
      assert.deepEqual(model.pooling, { strategy: 'sum', activation: 'log1p_relu' });
      await editJson(join(f.v6, 'tokenizer_config.json'), (j) => void (j.model_max_length = 1e30));
      model = await readModelFolder(f.v6);
      assert.equal(model.maxSeqLength, 512);
      await editJson(join(f.v5, 'sentence_bert_config.json'), (j) => {
        j.max_seq_length = 64;
        j.do_lower_case = true;
      });
      model = await readModelFolder(f.v5);
      assert.equal(model.maxSeqLength, 64);
      assert.equal(model.doLowerCase, true);
      await editJson(join(f.v5, 'sentence_bert_config.json'), (j) => void (j.max_seq_length = 1024));
      await assert.rejects(readModelFolder(f.v5), encoderError('model-invalid', /max_seq_length 1024 exceeds the model's max_position_embeddings 512/));
    } finally {
      await f.dispose();
    }
  });

  it('rejects unsupported module types, tasks, pooling, similarity and architectures by name', async () => {
    const f = await copyFixture();
    try {
      const modules = join(f.v6, 'modules.json');
      await editJson(modules, (j) => void j.push({ idx: 2, name: '2', path: '2_Router', type: 'sentence_transformers.sparse_encoder.models.Router' }));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /modules\.json in .*: module 2 of type "sentence_transformers\.sparse_encoder\.models\.Router" is not supported/));
      await editJson(modules, (j) => j.slice(0, 1));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /modules "Transformer" are not supported \(expected a Transformer\/MLMTransformer module followed by SpladePooling\)/));
      await editJson(modules, (j) => [...j, { idx: 1, name: '1', path: '1_SpladePooling', type: 'sentence_transformers.sparse_encoder.modules.splade_pooling.SpladePooling' }]);
      await editJson(join(f.v6, 'sentence_bert_config.json'), (j) => void (j.transformer_task = 'feature-extraction'));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /sentence_bert_config\.json in .*: transformer_task "feature-extraction" is not supported; a SPLADE model needs "fill-mask"/));
      await editJson(join(f.v6, 'sentence_bert_config.json'), (j) => void (j.transformer_task = 'fill-mask'));
      await editJson(join(f.v6, '1_SpladePooling', 'config.json'), (j) => void (j.pooling_strategy = 'mean'));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /config\.json in .*1_SpladePooling: pooling_strategy "mean" is not supported/));
      await editJson(join(f.v6, '1_SpladePooling', 'config.json'), (j) => {
        j.pooling_strategy = 'max';
        j.embedding_dimension = 1000;
      });
      await assert.rejects(readModelFolder(f.v6), encoderError('model-invalid', /embedding_dimension 1000 differs from the model's vocabulary size 30522/));
      await editJson(join(f.v6, '1_SpladePooling', 'config.json'), (j) => void (j.embedding_dimension = null));
      await editJson(join(f.v6, 'config_sentence_transformers.json'), (j) => void (j.similarity_fn_name = 'cosine'));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /similarity_fn_name "cosine" is not supported \(only "dot"\)/));
      await editJson(join(f.v6, 'config_sentence_transformers.json'), (j) => void (j.similarity_fn_name = 'jaccard'));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /similarity_fn_name "jaccard" is not a known similarity function/));
      await editJson(join(f.v6, 'config_sentence_transformers.json'), (j) => void (j.similarity_fn_name = null));
      await editJson(join(f.base, 'config.json'), (j) => void (j.architectures = ['BertModel']));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /config\.json in .*base: architecture "BertModel" is not supported/));
      await editJson(join(f.base, 'config.json'), (j) => {
        j.architectures = ['DistilBertForMaskedLM'];
        j.model_type = 'distilbert';
      });
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /model_type "distilbert" is not supported/));
      await editJson(join(f.base, 'config.json'), (j) => {
        j.architectures = ['BertForMaskedLM'];
        j.model_type = 'bert';
        j.hidden_act = 'gelu_new';
      });
      await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', /hidden_act "gelu_new" is not supported/));
    } finally {
      await f.dispose();
    }
  });

  it('rejects unsupported adapter features with clear errors', async () => {
    const f = await copyFixture();
    const adapterConfig = join(f.v6, 'adapter_config.json');
    const cases: Array<[string, unknown, RegExp]> = [
      ['use_dora', true, /DoRA \(use_dora\) is not supported/],
      ['modules_to_save', ['classifier'], /modules_to_save .* is not supported/],
      ['layers_to_transform', [0], /layers_to_transform is not supported/],
      ['fan_in_fan_out', true, /fan_in_fan_out is not supported/],
      ['lora_bias', true, /lora_bias is not supported/],
      ['trainable_token_indices', [5, 6], /trainable_token_indices is not supported/],
      ['rank_pattern', { query: 4 }, /rank_pattern .* is not supported/],
      ['peft_type', 'IA3', /peft_type "IA3" is not supported \(only "LORA" adapters are\)/],
      ['bias', 'all', /bias "all" is not supported/],
    ];
    try {
      const original = await import('node:fs/promises').then((fs) => fs.readFile(adapterConfig, 'utf8'));
      for (const [key, value, pattern] of cases) {
        await writeFile(adapterConfig, original);
        await editJson(adapterConfig, (j) => void (j[key] = value));
        await assert.rejects(readModelFolder(f.v6), encoderError('model-unsupported', pattern), key);
      }
    } finally {
      await f.dispose();
    }
  });

  it('resolves Hub ids through the injected resolver, and explains their absence', async () => {
    const f = await copyFixture();
    try {
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.base_model_name_or_path = 'google-bert/bert-base-uncased'));
      await assert.rejects(
        readModelFolder(f.v6),
        encoderError('model-not-found', /base model "google-bert\/bert-base-uncased" is a Hugging Face Hub id \(there is no such local folder\); no model source resolver was given to download it: pass a local folder, or the resolveModelSource option/),
      );
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.revision = 'v1.0'));
      const asked: unknown[] = [];
      const model = await readModelFolder(f.v6, {
        resolveModelSource: async (id, options) => {
          asked.push([id, options]);
          return f.base;
        },
      });
      assert.deepEqual(asked, [['google-bert/bert-base-uncased', { revision: 'v1.0', relativeTo: f.v6 }]]);
      assert.equal(model.adapter?.baseFolder, f.base);
      await assert.rejects(readModelFolder('tomaarsen/splade-bert-base-uncased-gooaq-peft'), encoderError('model-not-found', /model "tomaarsen\/splade-bert-base-uncased-gooaq-peft" is a Hugging Face Hub id \(there is no such local folder\); no model source resolver was given/));
      await editJson(join(f.v6, 'adapter_config.json'), (j) => void (j.base_model_name_or_path = '../nowhere'));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-not-found', /base model .*\/nowhere does not exist/));
      await assert.rejects(readModelFolder(join(f.root, 'missing-model')), encoderError('model-not-found', /model .*missing-model does not exist/));
    } finally {
      await f.dispose();
    }
  });

  it('explains missing weights and pickle-only checkpoints', async () => {
    const f = await copyFixture();
    try {
      await rm(join(f.v6, 'adapter_model.safetensors'));
      await assert.rejects(readModelFolder(f.v6), encoderError('model-not-found', /Cannot read adapter_model\.safetensors in .*splade-peft: the file does not exist/));
      await rm(join(f.base, 'model.safetensors'));
      await writeFile(join(f.base, 'pytorch_model.bin'), 'x');
      await assert.rejects(readModelFolder(f.v5), encoderError('model-not-found', /Cannot find the base model weights in .*base: no model\.safetensors \(only pytorch_model\.bin was found/));
    } finally {
      await f.dispose();
    }
  });
});
