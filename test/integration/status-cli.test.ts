import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { runCliCaptured } from '../helpers/run-cli.js';
import { FIXTURE_V6, tempFolder } from '../helpers/encoder-helpers.js';

describe('splade-search status', () => {
  let cache: Awaited<ReturnType<typeof tempFolder>>;
  let hub: Awaited<ReturnType<typeof tempFolder>>;
  let env: NodeJS.ProcessEnv;
  before(async () => {
    cache = await tempFolder('splade-status-cache-');
    hub = await tempFolder('splade-status-hub-');
    // An endpoint nothing listens on: status must not try it (it reads the cache only).
    env = { ...process.env, SPLADE_CACHE_DIR: cache.path, HF_HUB_CACHE: hub.path, HF_HOME: hub.path, HF_ENDPOINT: 'http://127.0.0.1:9', SPLADE_MODEL: '' };
  });
  after(async () => {
    await cache.dispose();
    await hub.dispose();
  });

  it('names the model, where the setting came from, and the provider and precision in use', async () => {
    const first = await runCliCaptured(['status', '--model', FIXTURE_V6, '--device', 'cpu'], { env });
    assert.equal(first.code, 0, first.stderr);
    const lines = first.stdout.trim().split('\n');
    assert.equal(lines[0], `model: ${FIXTURE_V6} (from --model)`);
    assert.equal(lines[1], `  folder: ${FIXTURE_V6}`);
    assert.match(lines[2]!, /^ {2}sentence-transformers-v6, safetensors weights, LoRA adapter r=\d+ on .*base$/);
    assert.match(lines[3]!, /^ {2}up to \d+ tokens, max pooling, activation relu, \d+ dimensions$/);
    assert.equal(lines[4], 'encoder: cpu (requested cpu), precision fp32, cpu graph');
    assert.match(first.stdout, /onnxruntime: onnxruntime-node \d+\.\d+\.\d+/);
    assert.match(first.stdout, /graph: .*\.onnx \(built now and cached\)/);
    const second = await runCliCaptured(['status', '--model', FIXTURE_V6, '--device', 'cpu'], { env });
    assert.match(second.stdout, /graph: .*\.onnx \(from the cache\)/);
  });

  it('--json, SPLADE_MODEL and --precision int8; auto says which provider it settled on', async () => {
    const result = await runCliCaptured(['status', '--json', '--precision', 'int8'], { env: { ...env, SPLADE_MODEL: FIXTURE_V6 } });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout);
    assert.equal(report.ready, true);
    assert.deepEqual([report.model.reference, report.model.from, report.model.layout], [FIXTURE_V6, 'SPLADE_MODEL', 'sentence-transformers-v6']);
    assert.deepEqual([report.encoder.requested, report.encoder.provider, report.encoder.precision], ['cpu', 'cpu', 'int8']);
    const auto = JSON.parse((await runCliCaptured(['status', '--json', '--model', FIXTURE_V6], { env })).stdout);
    assert.equal(auto.encoder.requested, 'auto');
    assert.ok(['cpu', 'webgpu', 'cuda'].includes(auto.encoder.provider));
    // Whatever it settled on, the providers tried before it are explained.
    if (auto.encoder.provider !== 'cuda') assert.match(auto.encoder.fallbackReason, /cuda/);
  });

  it('the default model, not in the cache: exit 1 with what is missing and how to get it, and no download', async () => {
    const result = await runCliCaptured(['status'], { env });
    assert.equal(result.code, 1);
    assert.equal(
      result.stdout,
      'model: tomaarsen/splade-bert-base-uncased-gooaq-peft (from the default model)\n' +
        'not usable: tomaarsen/splade-bert-base-uncased-gooaq-peft is not in the Hugging Face cache (status only reads the cache; ' +
        '`splade-search download` fetches it, or point --model or SPLADE_MODEL at a local folder)\n',
    );
    assert.match(result.stderr, /splade-search: the model cannot be loaded: tomaarsen\/splade-bert-base-uncased-gooaq-peft is not in the Hugging Face cache/);
    const json = JSON.parse((await runCliCaptured(['status', '--json'], { env })).stdout);
    assert.equal(json.ready, false);
    assert.match(json.error, /is not in the Hugging Face cache/);
    // A folder that does not hold a model: the encoder's own error.
    const empty = await runCliCaptured(['status', '--model', hub.path], { env });
    assert.equal(empty.code, 1);
    assert.match(empty.stdout, /not usable: .*/);
  });

  it('rejects bad flags', async () => {
    const result = await runCliCaptured(['status', '--device', 'tpu'], { env });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--device must be one of/);
  });
});
