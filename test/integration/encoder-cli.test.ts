import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { runCliCaptured } from '../helpers/run-cli.js';
import { compareVector, FIXTURE_V5, FIXTURE_V6, tempFolder, useEncoderFixture } from '../helpers/encoder-helpers.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

const cli = (argv: string[], input: Buffer | string, env: NodeJS.ProcessEnv) => runCliCaptured(argv, { input, env });

const jsonLines = (texts: string[]) => texts.map((t) => JSON.stringify(t)).join('\n') + '\n';

describe('splade-search encode', () => {
  const suite = useEncoderFixture('splade-cli-cache-');
  let env: NodeJS.ProcessEnv;
  before(async () => {
    env = { ...process.env, SPLADE_CACHE_DIR: suite.cacheDir };
  });

  it('writes one vector per input line, in order, matching sentence-transformers (documents and queries)', async () => {
    const docs = await cli(['encode', '--device', 'cpu', '--model', FIXTURE_V5, '--batch-size', '4'], jsonLines(suite.expected.texts), env);
    assert.equal(docs.code, 0, docs.stderr);
    const rows = docs.stdout.trim().split('\n').map((l) => JSON.parse(l) as { indices: number[]; values: number[] });
    assert.equal(rows.length, suite.expected.texts.length);
    rows.forEach((row, i) => compareVector({ indices: Int32Array.from(row.indices), values: Float32Array.from(row.values) }, suite.expected.document[i]!, `cli document ${i}`));
    const queries = await cli(['encode', '--device', 'cpu', '--model', FIXTURE_V6, '--query'], jsonLines(suite.expected.queries), env);
    assert.equal(queries.code, 0, queries.stderr);
    queries.stdout.trim().split('\n').forEach((l, i) => {
      const row = JSON.parse(l) as { indices: number[]; values: number[] };
      compareVector({ indices: Int32Array.from(row.indices), values: Float32Array.from(row.values) }, suite.expected.query[i]!, `cli query ${i}`);
    });
  });

  it('prints the top terms by weight with --top-k, as decode does', async () => {
    const result = await cli(['encode', '--device', 'cpu', '--model', FIXTURE_V6, '--top-k', '10'], jsonLines(suite.expected.texts.slice(0, 4)), env);
    assert.equal(result.code, 0, result.stderr);
    result.stdout.trim().split('\n').forEach((l, d) => {
      const { terms } = JSON.parse(l) as { terms: Array<[string, number]> };
      assert.deepEqual(terms.map(([t]) => t), suite.expected.decode[d]!.map(([t]) => t));
      terms.forEach(([, w], k) => assert.ok(Math.abs(w - suite.expected.decode[d]![k]![1]) < 1e-5));
    });
  });

  it('encodes the lines before invalid UTF-8, then fails naming the line', async () => {
    const input = Buffer.concat([Buffer.from('"first"\n"second"\n"bad '), Buffer.from([0xc3, 0x28]), Buffer.from('"\n"after"\n')]);
    const result = await cli(['encode', '--device', 'cpu', '--model', FIXTURE_V6], input, env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /splade-search: input line 3: not valid UTF-8/);
    assert.equal(result.stdout.trim().split('\n').length, 2);
  });

  it('takes the model from SPLADE_MODEL, else the default Hub model (offline and not cached: one clear error)', async () => {
    const fromEnv = await cli(['encode', '--device', 'cpu', '--top-k', '3'], `${JSON.stringify(suite.expected.texts[1])}\n`, { ...env, SPLADE_MODEL: FIXTURE_V6 });
    assert.equal(fromEnv.code, 0, fromEnv.stderr);
    assert.deepEqual((JSON.parse(fromEnv.stdout) as { terms: Array<[string, number]> }).terms.map(([t]) => t), suite.expected.decode[1]!.slice(0, 3).map(([t]) => t));
    const hub = await tempFolder('splade-cli-hub-');
    try {
      const offline = { ...env, SPLADE_MODEL: '', HF_HUB_OFFLINE: '1', HF_HUB_CACHE: hub.path, HF_HOME: hub.path };
      const missing = await cli(['encode', '--device', 'cpu'], '"x"\n', offline);
      assert.equal(missing.code, 1);
      assert.match(missing.stderr, /Model tomaarsen\/splade-bert-base-uncased-gooaq-peft \(revision main\) is not available: .*splade-search download --model tomaarsen\/splade-bert-base-uncased-gooaq-peft/);
      const bad = await cli(['encode'], '"x"\n', { ...offline, SPLADE_MODEL: './no/such/folder' });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /SPLADE_MODEL is "\.\/no\/such\/folder", which is neither an existing folder/);
    } finally {
      await hub.dispose();
    }
  });

  it('rejects bad flags with a usage error and a missing model with a clear message', async () => {
    let result = await cli(['encode', '--model', FIXTURE_V6, '--top-k', 'ten'], '', env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--top-k must be a positive integer, got "ten"/);
    result = await cli(['encode', '--model', FIXTURE_V6, '--device', 'tpu'], '', env);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--device must be one of auto, cpu, cuda, dml, coreml, webgpu/);
    result = await cli(['encode', '--model', '/nonexistent/model'], '"x"\n', env);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /splade-search: model \/nonexistent\/model does not exist/);
  });

  it('streams: the real CLI answers the first lines before stdin ends', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'app/cli/bin.ts', 'encode', '--device', 'cpu', '--model', FIXTURE_V6, '--top-k', '2'], {
      cwd: ROOT,
      env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const firstLine = new Promise<string>((resolve) =>
      child.stdout.on('data', (c: Buffer) => {
        stdout += c.toString();
        if (stdout.includes('\n')) resolve(stdout.split('\n')[0]!);
      }),
    );
    child.stdin.write('"are copic markers alcohol ink?"\n');
    const line = await firstLine; // stdin is still open here
    assert.match(line, /^\{"terms":\[\[".+",[0-9.e-]+\],\[".+",[0-9.e-]+\]\]\}$/);
    child.stdin.end('"second"\n');
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);
    assert.equal(stdout.trim().split('\n').length, 2);
  });
});
