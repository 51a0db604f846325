import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { runCliCaptured } from '../helpers/run-cli.js';
import { cudaPackManifestName, inspectCudaPack, type CudaPackManifest } from '../../app/onnxruntime/cuda-pack.js';
import { bundledOnnxRuntime } from '../../app/onnxruntime/runtime-locations.js';
import { fakeElf, fakeGpuNupkg, fakeProviderLibraries } from '../helpers/onnxruntime-fixtures.js';
import { isOnnxRuntimeError } from '../../app/onnxruntime/index.js';

const root = fileURLToPath(new URL('../..', import.meta.url));
const linuxX64 = process.platform === 'linux' && process.arch === 'x64';
const version = bundledOnnxRuntime().version;
const packageId = 'microsoft.ml.onnxruntime.gpu.linux';
const work = mkdtempSync(join(tmpdir(), 'ort-install-cuda-'));
const goodNupkg = fakeGpuNupkg({ paddingBytes: 400_000 });

/** Fake CUDA libraries: libcudart and the driver present, cuBLASLt and cuDNN absent. */
const cudaLibs = join(work, 'cuda-libs');
mkdirSync(cudaLibs);
for (const name of ['libcudart.so.13', 'libcuda.so.1']) writeFileSync(join(cudaLibs, name), fakeElf({ needed: [] }));

/**
 * A loopback NuGet v3 feed: service index -> PackageBaseAddress; the version list and the .nupkg are served behind
 * redirects (as nuget.org does through its CDN); Range requests; `drops` connections cut after `dropAfter` bytes.
 */
function nugetFeed() {
  const state = { nupkg: goodNupkg, versions: ['1.29.0', version], drops: 0, dropAfter: 150_000, log: [] as string[] };
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const url = req.url ?? '';
    state.log.push(`${url}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    if (url === '/v3/index.json') {
      return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(
        JSON.stringify({ version: '3.0.0', resources: [{ '@id': `${base}/search`, '@type': 'SearchQueryService' }, { '@id': `${base}/flat`, '@type': 'PackageBaseAddress/3.0.0' }] }),
      );
    }
    if (url === `/flat/${packageId}/index.json`) return void res.writeHead(302, { Location: '/cdn/versions.json' }).end();
    if (url === '/cdn/versions.json') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ versions: state.versions }));
    if (url === `/flat/${packageId}/${version}/${packageId}.${version}.nupkg`) return void res.writeHead(301, { Location: `${base}/cdn/blob` }).end();
    if (url === '/cdn/blob') {
      const body = state.nupkg;
      const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
      const start = range ? Number(range[1]) : 0;
      if (range) res.writeHead(206, { 'Content-Length': body.length - start, 'Content-Range': `bytes ${start}-${body.length - 1}/${body.length}` });
      else res.writeHead(200, { 'Content-Length': body.length, 'Content-Type': 'application/octet-stream' });
      if (state.drops > 0) {
        state.drops--;
        return void res.write(body.subarray(start, start + state.dropAfter), () => res.socket?.end());
      }
      return void res.end(body.subarray(start));
    }
    res.writeHead(404).end();
  });
  return { server, state, feed: () => `http://127.0.0.1:${(server.address() as AddressInfo).port}/v3/index.json` };
}

const nuget = nugetFeed();
before(() => new Promise<void>((resolve) => nuget.server.listen(0, '127.0.0.1', resolve)));
after(() => {
  nuget.server.closeAllConnections();
  nuget.server.close();
  rmSync(work, { recursive: true, force: true });
});

const cli = (argv: string[], env: NodeJS.ProcessEnv) => runCliCaptured(argv, { env });

function envFor(dataDir: string): NodeJS.ProcessEnv {
  return { SPLADE_DATA_DIR: dataDir, HOME: work, LD_LIBRARY_PATH: cudaLibs, PATH: process.env.PATH ?? '' };
}

function packRootEntries(dataDir: string): string[] {
  const packRoot = join(dataDir, 'onnxruntime-cuda');
  return existsSync(packRoot) ? readdirSync(packRoot).sort() : [];
}

function runChild(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: root, env: { ...process.env, ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('splade-search install-cuda against a loopback NuGet feed', { skip: !linuxX64 && 'the CUDA pack is for linux/x64' }, () => {
  const dataDir = join(work, 'data');

  test('resolves through the service index and redirects, installs a complete pack, reports the CUDA/cuDNN needs and the probe result', async () => {
    const { code, stdout, stderr } = await cli(['install-cuda', '--feed', nuget.feed()], envFor(dataDir));
    assert.equal(code, 0, stderr);
    const dir = join(dataDir, 'onnxruntime-cuda', version);
    assert.match(stderr, new RegExp(`Resolving Microsoft\\.ML\\.OnnxRuntime\\.Gpu\\.Linux ${version} on http://127\\.0\\.0\\.1:\\d+/v3/index\\.json`));
    assert.match(stderr, /Extracting runtimes\/linux-x64\/native\/libonnxruntime_providers_cuda\.so/);
    assert.match(stdout, new RegExp(`^Installed the CUDA pack for onnxruntime ${version.replace(/\./g, '\\.')} in ${dir}$`, 'm'));
    assert.match(stdout, /The CUDA provider needs CUDA 13\.x and cuDNN 9\.x\. Libraries it loads \(DT_NEEDED\):/);
    assert.match(stdout, new RegExp(`libcudart\\.so\\.13\\s+${cudaLibs}/libcudart\\.so\\.13`));
    assert.match(stdout, /libcublasLt\.so\.13\s+MISSING/);
    assert.match(stdout, /libcudnn\.so\.9\s+MISSING/);
    assert.match(stdout, new RegExp(`libonnxruntime_providers_shared\\.so\\s+${dir}/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared\\.so`));
    assert.match(stdout, /Missing: libcublasLt\.so\.13, libcudnn\.so\.9\./);
    assert.match(stdout, /CUDA session on a tiny model: FAILED: .*Failed to load shared library/);
    assert.match(stdout, /onnxruntime: .*Failed to load library .*onnxruntime-cuda.*libonnxruntime_providers_shared\.so/, 'ORT tried the pack\'s own provider folder');
    assert.match(stdout, /with error: libsplade_test_absent\.so\.1: cannot open shared object file/, 'the loader\'s exact reason is shown');
    assert.match(stdout, /The pack is installed, but CUDA does not work on this machine yet/);
    assert.deepEqual(nuget.state.log.slice(0, 5), [
      '/v3/index.json',
      `/flat/${packageId}/index.json`,
      '/cdn/versions.json',
      `/flat/${packageId}/${version}/${packageId}.${version}.nupkg`,
      '/cdn/blob',
    ]);

    const status = inspectCudaPack({ dataDir });
    assert.equal(status.state, 'installed', status.reason);
    const manifest = JSON.parse(readFileSync(join(dir, cudaPackManifestName), 'utf8')) as CudaPackManifest;
    assert.equal(manifest.onnxruntimeVersion, version);
    assert.equal(manifest.source.kind, 'nuget');
    assert.ok('sha512' in manifest.source && manifest.source.sha512.length === 88);
    assert.deepEqual(manifest.cudaProviderNeeds, ['libonnxruntime_providers_shared.so', 'libcudart.so.13', 'libcublasLt.so.13', 'libcudnn.so.9', 'libc.so.6']);
    const bin = 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64';
    for (const file of ['onnxruntime_binding.node', 'libonnxruntime.so.1', 'libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_tensorrt.so']) {
      assert.equal(manifest.files[`${bin}/${file}`], statSync(join(dir, bin, file)).size, file);
    }
    for (const file of ['node_modules/onnxruntime-node/package.json', 'node_modules/onnxruntime-node/dist/index.js', 'node_modules/onnxruntime-common/package.json']) {
      assert.ok(manifest.files[file], file);
    }
    assert.ok(!Object.keys(manifest.files).some((f) => f.includes('/win32/') || f.includes('/darwin/')), 'only the linux/x64 binaries are copied');
    assert.deepEqual(readFileSync(join(dir, bin, 'libonnxruntime_providers_cuda.so')), fakeProviderLibraries()['libonnxruntime_providers_cuda.so']);
    assert.deepEqual(packRootEntries(dataDir), [version], 'no staging folder left, the download deleted');
    assert.deepEqual(readdirSync(join(dataDir, 'onnxruntime-cuda', version)).sort(), ['node_modules', cudaPackManifestName]);
  });

  test('a second run finds the pack complete and does not download', async () => {
    nuget.state.log.length = 0;
    const { code, stdout } = await cli(['install-cuda', '--feed', nuget.feed(), '--skip-probe'], envFor(dataDir));
    assert.equal(code, 0);
    assert.match(stdout, /is already installed in .* \(--force reinstalls\)/);
    assert.deepEqual(nuget.state.log, []);
  });

  test('a fresh process loads onnxruntime-node from the pack: its libonnxruntime.so.1, a working CPU session, providers looked up in the pack', async () => {
    const { code, stdout, stderr } = await runChild([join(root, 'test/integration/onnxruntime-pack-child.ts'), dataDir]);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    const dir = join(dataDir, 'onnxruntime-cuda', version);
    assert.equal(result.source, 'cuda-pack');
    assert.equal(result.moduleDir, join(dir, 'node_modules/onnxruntime-node'));
    assert.deepEqual(result.libraries, [join(dir, 'node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime.so.1')]);
    assert.deepEqual(result.y, [2, 4, 6]);
    assert.match(result.cudaError, /Failed to load shared library/);
    assert.ok(stderr.includes(`${dir}/node_modules/onnxruntime-node/bin/napi-v6/linux/x64/libonnxruntime_providers_shared.so`), stderr);
  });

  test('when the bundled library is already loaded in the process, the pack is not mixed in: the bundled module is used and the reason given', async () => {
    const { code, stdout, stderr } = await runChild([join(root, 'test/integration/onnxruntime-pack-child.ts'), dataDir, 'preload-bundled']);
    assert.equal(code, 0, stderr);
    const result = JSON.parse(stdout);
    assert.equal(result.source, 'bundled');
    assert.match(result.description, /is installed but cannot be used in this process: .*libonnxruntime\.so\.1 is already loaded/);
    assert.equal(result.libraries.length, 1);
    assert.deepEqual(result.y, [2, 4, 6]);
  });

  test('the real CLI process: providers --json shows the pack and plans cuda with the missing libraries', async () => {
    const { code, stdout, stderr } = await runChild(['app/cli/bin.ts', 'providers', '--json', '--probe'], envFor(dataDir));
    assert.equal(code, 0, stderr);
    const report = JSON.parse(stdout);
    assert.equal(report.onnxruntime.version, version);
    assert.equal(report.onnxruntime.source, 'cuda-pack');
    assert.equal(report.cudaPack.state, 'installed');
    assert.equal(report.cudaPack.manifest.files, undefined);
    assert.deepEqual(report.backends.map((b: { name: string }) => b.name), ['cpu', 'webgpu', 'cuda', 'tensorrt']);
    assert.equal(report.nvidiaDriver, join(cudaLibs, 'libcuda.so.1'));
    assert.deepEqual(report.cudaLibraries.missing, ['libcublasLt.so.13', 'libcudnn.so.9']);
    const cuda = report.plan.steps[0];
    assert.equal(cuda.provider, 'cuda');
    assert.equal(cuda.use, false);
    assert.match(cuda.reason, /^libcublasLt\.so\.13, libcudnn\.so\.9 not found by the dynamic loader/);
    assert.deepEqual(report.probe.map((a: { provider: string; ok: boolean }) => [a.provider, a.ok]), report.plan.providers.map((p: string) => [p, true]));
  });

  test('--check exits 1 while CUDA does not work, naming what is missing', async () => {
    const { code, stdout, stderr } = await cli(['install-cuda', '--check', '--skip-probe'], envFor(dataDir));
    assert.equal(code, 1);
    assert.match(stdout, /libcudnn\.so\.9\s+MISSING/);
    assert.match(stderr, /the CUDA provider does not work on this machine yet/);
  });

  test('a corrupt download is reported, deleted, and leaves the installed pack as it was', async () => {
    const before = readFileSync(join(dataDir, 'onnxruntime-cuda', version, cudaPackManifestName), 'utf8');
    const corrupt = Buffer.from(goodNupkg);
    corrupt.fill(0x41, 200, 2000); // damage the first entries' data
    nuget.state.nupkg = corrupt;
    try {
      const { code, stderr } = await cli(['install-cuda', '--feed', nuget.feed(), '--force'], envFor(dataDir));
      assert.equal(code, 1);
      assert.match(stderr, /splade-search: .*microsoft\.ml\.onnxruntime\.gpu\.linux\.[\d.]+\.nupkg: runtimes\/linux-x64\/native\/\S+ is corrupt.* \(the download was deleted; run the command again to fetch it anew\)/);
    } finally {
      nuget.state.nupkg = goodNupkg;
    }
    assert.equal(readFileSync(join(dataDir, 'onnxruntime-cuda', version, cudaPackManifestName), 'utf8'), before);
    assert.equal(inspectCudaPack({ dataDir }).state, 'installed');
    assert.deepEqual(packRootEntries(dataDir), [version], 'no staging folder, no download left');
  });

  test('an HTML page instead of a package: nothing is installed', async () => {
    const fresh = join(work, 'data-html');
    nuget.state.nupkg = Buffer.from('<html><body>Please sign in to the proxy</body></html>');
    try {
      const { code, stderr } = await cli(['install-cuda', '--feed', nuget.feed()], envFor(fresh));
      assert.equal(code, 1);
      assert.match(stderr, /\.nupkg: not a readable ZIP archive \(End of central directory record signature not found[^)]*\) \(the download was deleted/);
    } finally {
      nuget.state.nupkg = goodNupkg;
    }
    assert.deepEqual(packRootEntries(fresh), []);
    assert.equal(inspectCudaPack({ dataDir: fresh }).state, 'not-installed');
  });

  test('an interrupted download fails with nothing installed; the next run resumes it', async () => {
    const fresh = join(work, 'data-resume');
    nuget.state.drops = 3; // every try of the first run, 3 x 50 kB < the package
    nuget.state.dropAfter = 50_000;
    nuget.state.log.length = 0;
    const first = await cli(['install-cuda', '--feed', nuget.feed(), '--skip-probe'], envFor(fresh));
    assert.equal(first.code, 1, first.stdout + first.stderr);
    assert.match(first.stderr, /did not finish: the connection broke after \d+ of \d+ bytes.*run the command again to resume/);
    assert.match(first.stderr, /resuming\n/);
    assert.match(first.stderr, /No internet here\? Download the \.nupkg elsewhere and run: splade-search install-cuda --from <file\.nupkg>/);
    assert.deepEqual(packRootEntries(fresh), ['downloads']);
    const part = readdirSync(join(fresh, 'onnxruntime-cuda', 'downloads'));
    assert.deepEqual(part, [`${packageId}.${version}.nupkg.part`]);
    const kept = statSync(join(fresh, 'onnxruntime-cuda', 'downloads', part[0]!)).size;
    assert.ok(kept > 0 && kept < goodNupkg.length);
    nuget.state.log.length = 0;
    const second = await cli(['install-cuda', '--feed', nuget.feed(), '--skip-probe'], envFor(fresh));
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /resumed an earlier partial download/);
    assert.ok(nuget.state.log.includes(`/cdn/blob bytes=${kept}-`), nuget.state.log.join('\n'));
    assert.equal(inspectCudaPack({ dataDir: fresh }).state, 'installed');
  });

  test('a feed without the bundled version says which versions it has', async () => {
    nuget.state.versions = ['1.28.0', '1.29.0'];
    try {
      const { code, stderr } = await cli(['install-cuda', '--feed', nuget.feed()], envFor(join(work, 'data-version')));
      assert.equal(code, 1);
      assert.match(stderr, new RegExp(`has no Microsoft\\.ML\\.OnnxRuntime\\.Gpu\\.Linux ${version.replace(/\./g, '\\.')} \\(it has 1\\.28\\.0, 1\\.29\\.0\\); the CUDA provider must match the bundled onnxruntime-node`));
    } finally {
      nuget.state.versions = ['1.29.0', version];
    }
  });

  test('--from a local .nupkg installs with no network (the feed is unreachable)', async () => {
    const file = join(work, `Microsoft.ML.OnnxRuntime.Gpu.Linux.${version}.nupkg`);
    writeFileSync(file, fakeGpuNupkg({ zip64: true }));
    const fresh = join(work, 'data-offline');
    const { code, stdout, stderr } = await cli(['install-cuda', '--from', file, '--skip-probe'], { ...envFor(fresh), SPLADE_NUGET_FEED: 'http://127.0.0.1:1/unreachable' });
    assert.equal(code, 0, stderr);
    assert.match(stdout, /^Installed the CUDA pack/m);
    const status = inspectCudaPack({ dataDir: fresh });
    assert.equal(status.state, 'installed');
    assert.equal(status.state === 'installed' && status.manifest.source.kind, 'file');
  });

  test('--from a folder in the GitHub tarball layout (lib/), without TensorRT', async () => {
    const folder = join(work, 'onnxruntime-linux-x64-gpu', 'lib');
    mkdirSync(folder, { recursive: true });
    const libraries = fakeProviderLibraries();
    for (const name of ['libonnxruntime_providers_shared.so', 'libonnxruntime_providers_cuda.so']) writeFileSync(join(folder, name), libraries[name]!);
    const fresh = join(work, 'data-folder');
    const { code, stderr } = await cli(['install-cuda', '--from', join(work, 'onnxruntime-linux-x64-gpu'), '--skip-probe'], envFor(fresh));
    assert.equal(code, 0, stderr);
    assert.match(stderr, /has no libonnxruntime_providers_tensorrt\.so; continuing without it/);
    assert.equal(inspectCudaPack({ dataDir: fresh }).state, 'installed');
  });

  test('--from something that is not a provider: a clear error and nothing installed', async () => {
    const fresh = join(work, 'data-bad-from');
    const empty = join(work, 'empty-folder');
    mkdirSync(empty);
    const folder = await cli(['install-cuda', '--from', empty], envFor(fresh));
    assert.equal(folder.code, 1);
    assert.match(folder.stderr, /holds no libonnxruntime_providers_shared\.so and libonnxruntime_providers_cuda\.so \(looked in /);
    const arm = join(work, 'arm.nupkg');
    const inputs = fakeProviderLibraries();
    const { zipArchive } = await import('../helpers/onnxruntime-fixtures.js');
    writeFileSync(arm, zipArchive(Object.keys(inputs).map((name) => ({ name: `runtimes/linux-x64/native/${name}`, data: fakeElf({ needed: [], machine: 183 }) }))));
    const wrongArch = await cli(['install-cuda', '--from', arm], envFor(fresh));
    assert.equal(wrongArch.code, 1);
    assert.match(wrongArch.stderr, /libonnxruntime_providers_shared\.so is not an x86-64 library \(ELF machine 183, 64-bit\)/);
    const missing = await cli(['install-cuda', '--from', join(work, 'nope.nupkg')], envFor(fresh));
    assert.match(missing.stderr, /--from .*nope\.nupkg: no such file or folder/);
    assert.deepEqual(packRootEntries(fresh), []);
  });

  test('--remove deletes the pack; flags that exclude each other are usage errors', async () => {
    const usage = await cli(['install-cuda', '--remove', '--check'], envFor(dataDir));
    assert.equal(usage.code, 2);
    const { code, stdout } = await cli(['install-cuda', '--remove'], envFor(dataDir));
    assert.equal(code, 0);
    assert.equal(stdout, `Removed ${join(dataDir, 'onnxruntime-cuda', version)}\n`);
    assert.equal(inspectCudaPack({ dataDir }).state, 'not-installed');
    const again = await cli(['install-cuda', '--remove'], envFor(dataDir));
    assert.match(again.stdout, /^No CUDA pack to remove in /);
  });
});

test('install-cuda refuses other platforms with advice', async () => {
  const { installCudaPack } = await import('../../app/onnxruntime/cuda-install/index.js');
  await assert.rejects(
    installCudaPack({ platform: 'win32', arch: 'x64', dataDir: join(work, 'win') }),
    (e: unknown) => isOnnxRuntimeError(e, 'cuda-platform-unsupported') && /this is win32\/x64.*use --device dml/.test(e.message),
  );
});
