import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { cudaPackLayout, cudaPackManifestName, type CudaPackStatus } from '../../app/onnxruntime/cuda-pack.js';
import {
  detectProviderEnvironment,
  parseDeviceRequest,
  planFromEnvironment,
  type ProviderEnvironment,
} from '../../app/onnxruntime/execution-provider-plan.js';
import { createLibraryLookup, parseLdconfig } from '../../app/onnxruntime/library-lookup.js';
import { bundledOnnxRuntime } from '../../app/onnxruntime/runtime-locations.js';
import { checkVulkan, findGpuDeviceNodes, type GpuDeviceNodes } from '../../app/onnxruntime/vulkan-check.js';
import { fakeCudaProviderNeeds, fakeElf, fakeProviderLibraries } from '../helpers/onnxruntime-fixtures.js';
import { isOnnxRuntimeError } from '../../app/onnxruntime/onnxruntime-error.js';

const work = mkdtempSync(join(tmpdir(), 'ort-plan-'));
after(() => rmSync(work, { recursive: true, force: true }));

function folder(...parts: string[]): string {
  const dir = join(work, ...parts);
  mkdirSync(dir, { recursive: true });
  return dir;
}

const ldconfigSample = [
  '1234 libs found in cache `/etc/ld.so.cache\'',
  '\tlibz.so.1 (libc6,x86-64) => /cache/x64/libz.so.1',
  '\tlibz.so.1 (libc6) => /cache/i386/libz.so.1',
  '\tlibcuda.so.1 (libc6,x86-64, OS ABI: Linux 3.2.0) => /cache/x64/libcuda.so.1',
  '\tlibfoo.so.2 (libc6,AArch64) => /cache/arm/libfoo.so.2',
].join('\n');

describe('library lookup', () => {
  test('parseLdconfig keeps this architecture\'s entries, the first one per name, with or without OS ABI', () => {
    assert.deepEqual([...parseLdconfig(ldconfigSample, 'x64')], [
      ['libz.so.1', '/cache/x64/libz.so.1'],
      ['libcuda.so.1', '/cache/x64/libcuda.so.1'],
    ]);
    assert.deepEqual([...parseLdconfig(ldconfigSample, 'arm64')], [['libfoo.so.2', '/cache/arm/libfoo.so.2']]);
  });

  test('searches LD_LIBRARY_PATH, then RUNPATH, then the ld.so cache, then the default folders', () => {
    const first = folder('lookup', 'first');
    const runpath = folder('lookup', 'runpath');
    const cached = folder('lookup', 'cached');
    const defaults = folder('lookup', 'default');
    for (const dir of [first, runpath, cached, defaults]) writeFileSync(join(dir, 'libboth.so.1'), '');
    writeFileSync(join(runpath, 'librun.so.1'), '');
    writeFileSync(join(cached, 'libcached.so.1'), '');
    writeFileSync(join(defaults, 'libdefault.so.1'), '');
    const lookup = createLibraryLookup({
      env: { LD_LIBRARY_PATH: `/nonexistent:${first}` },
      arch: 'x64',
      ldconfigOutput: `\tlibcached.so.1 (libc6,x86-64) => ${join(cached, 'libcached.so.1')}\n\tlibstale.so.1 (libc6,x86-64) => ${join(cached, 'gone.so')}\n`,
      defaultDirs: [defaults],
    });
    assert.equal(lookup.find('libboth.so.1', [runpath]), join(first, 'libboth.so.1'));
    assert.equal(lookup.find('librun.so.1', [runpath]), join(runpath, 'librun.so.1'));
    assert.equal(lookup.find('librun.so.1'), undefined, 'RUNPATH applies only to the object that has it');
    assert.equal(lookup.find('libcached.so.1'), join(cached, 'libcached.so.1'));
    assert.equal(lookup.find('libstale.so.1'), undefined, 'a stale cache entry whose file is gone does not count');
    assert.equal(lookup.find('libdefault.so.1'), join(defaults, 'libdefault.so.1'));
    assert.match(lookup.describe(), /LD_LIBRARY_PATH=\/nonexistent:/);
  });
});

describe('checkVulkan', () => {
  const loaderDir = folder('vulkan', 'lib');
  writeFileSync(join(loaderDir, 'libvulkan.so.1'), '');
  const icd = folder('vulkan', 'icd.d');
  writeFileSync(join(icd, 'nvidia_icd.json'), JSON.stringify({ file_format_version: '1.0.1', ICD: { library_path: 'libGLX_nvidia.so.0', api_version: '1.4' } }));
  const softwareIcd = folder('vulkan', 'software');
  writeFileSync(join(softwareIcd, 'lvp_icd.x86_64.json'), JSON.stringify({ ICD: { library_path: '/usr/lib/x86_64-linux-gnu/libvulkan_lvp.so' } }));
  const withLoader = createLibraryLookup({ env: { LD_LIBRARY_PATH: loaderDir }, ldconfigOutput: '', defaultDirs: [] });
  const without = createLibraryLookup({ env: {}, ldconfigOutput: '', defaultDirs: [] });
  const nvidiaNodes: GpuDeviceNodes = { renderNodes: [], nvidia: ['/dev/nvidia0'], dxg: [] };
  const renderNode: GpuDeviceNodes = { renderNodes: ['/dev/dri/renderD128'], nvidia: [], dxg: [] };
  const noNodes: GpuDeviceNodes = { renderNodes: [], nvidia: [], dxg: [] };

  test('no loader: not usable, names libvulkan.so.1', () => {
    const status = checkVulkan(without, { VK_DRIVER_FILES: icd }, nvidiaNodes);
    assert.equal(status.usable, false);
    assert.match(status.reason, /libvulkan\.so\.1 not found/);
  });

  test('loader, a hardware driver manifest (VK_DRIVER_FILES folder) and its device node: usable', () => {
    const status = checkVulkan(withLoader, { VK_DRIVER_FILES: icd }, nvidiaNodes);
    assert.equal(status.usable, true, status.reason);
    assert.match(status.reason, /driver nvidia_icd\.json, device \/dev\/nvidia0$/);
    assert.deepEqual(status.drivers, [{ manifest: join(icd, 'nvidia_icd.json'), library: 'libGLX_nvidia.so.0', software: false }]);
  });

  test('hardware driver manifests without a GPU device node (Mesa installed on a machine without a GPU): not usable', () => {
    const mesa = folder('vulkan', 'mesa');
    for (const [file, library] of [['intel_icd.x86_64.json', 'libvulkan_intel.so'], ['radeon_icd.x86_64.json', 'libvulkan_radeon.so'], ['lvp_icd.x86_64.json', 'libvulkan_lvp.so']]) {
      writeFileSync(join(mesa, file!), JSON.stringify({ ICD: { library_path: `/usr/lib/x86_64-linux-gnu/${library}` } }));
    }
    const status = checkVulkan(withLoader, { VK_DRIVER_FILES: mesa }, noNodes);
    assert.equal(status.usable, false);
    assert.match(status.reason, /Vulkan drivers are installed \(intel_icd\.x86_64\.json, radeon_icd\.x86_64\.json\) but no GPU device node for them/);
    // NVIDIA's driver needs its own nodes (or a DRM node); Mesa's a DRM render node.
    assert.equal(checkVulkan(withLoader, { VK_DRIVER_FILES: mesa }, nvidiaNodes).usable, false);
    assert.equal(checkVulkan(withLoader, { VK_DRIVER_FILES: mesa }, renderNode).usable, true);
    assert.equal(checkVulkan(withLoader, { VK_DRIVER_FILES: icd }, renderNode).usable, true);
  });

  test('findGpuDeviceNodes lists render nodes, NVIDIA nodes and /dev/dxg', () => {
    const dev = folder('vulkan', 'dev');
    mkdirSync(join(dev, 'dri'));
    for (const name of ['dri/renderD129', 'dri/renderD128', 'dri/card0', 'nvidia0', 'nvidiactl', 'nvidia-uvm', 'dxg']) writeFileSync(join(dev, name), '');
    assert.deepEqual(findGpuDeviceNodes(dev), {
      renderNodes: [join(dev, 'dri/renderD128'), join(dev, 'dri/renderD129')],
      nvidia: [join(dev, 'nvidia0')],
      dxg: [join(dev, 'dxg')],
    });
    assert.deepEqual(findGpuDeviceNodes(join(dev, 'absent')), { renderNodes: [], nvidia: [], dxg: [] });
  });

  test('only lavapipe: not usable (slower than the CPU provider)', () => {
    const status = checkVulkan(withLoader, { VK_ICD_FILENAMES: join(softwareIcd, 'lvp_icd.x86_64.json') }, renderNode);
    assert.equal(status.usable, false);
    assert.match(status.reason, /only software Vulkan drivers found \(lvp_icd/);
  });

  test('the XDG folders are searched when no override is set', () => {
    const dataHome = folder('vulkan', 'xdg');
    mkdirSync(join(dataHome, 'vulkan', 'icd.d'), { recursive: true });
    writeFileSync(join(dataHome, 'vulkan', 'icd.d', 'radeon_icd.json'), JSON.stringify({ ICD: { library_path: 'libvulkan_radeon.so' } }));
    const empty = folder('vulkan', 'empty');
    const status = checkVulkan(withLoader, { HOME: empty, XDG_DATA_HOME: dataHome, XDG_CONFIG_DIRS: empty, XDG_DATA_DIRS: empty }, renderNode);
    assert.ok(status.drivers.some((d) => d.library === 'libvulkan_radeon.so'), JSON.stringify(status.drivers));
    assert.equal(status.usable, true);
  });
});

const notInstalled: CudaPackStatus = {
  state: 'not-installed',
  dir: '/data/onnxruntime-cuda/1.30.0',
  reason: 'the CUDA provider is not installed; run `splade-search install-cuda`',
  otherVersions: [],
};
const installedPack = { state: 'installed', dir: '/p', moduleDir: '/p/m', binaryDir: '/p/b', reason: 'the CUDA pack for onnxruntime 1.30.0 is installed in /p' } as CudaPackStatus;

function linux(overrides: Partial<ProviderEnvironment> = {}): ProviderEnvironment {
  return {
    platform: 'linux',
    arch: 'x64',
    compiled: ['cpu', 'webgpu', 'cuda', 'tensorrt'],
    cudaPack: notInstalled,
    vulkan: { drivers: [], usable: false, reason: 'libvulkan.so.1 not found by the dynamic loader' },
    ...overrides,
  };
}

const cudaReady: Partial<ProviderEnvironment> = {
  cudaPack: installedPack,
  cudaProvider: { source: 'cuda-pack', binaryDir: '/p/b', description: installedPack.reason },
  nvidiaDriver: '/usr/lib/libcuda.so.1',
  cudaLibraries: { provider: '/p/b/x.so', needed: [], missing: [], cudaMajor: 13, cudnnMajor: 9, driver: '/usr/lib/libcuda.so.1', summary: 'all found' },
};
const vulkanReady: Partial<ProviderEnvironment> = { vulkan: { loader: '/l/libvulkan.so.1', drivers: [], usable: true, reason: 'Vulkan loader /l/libvulkan.so.1, driver nvidia_icd.json' } };

const summary = (plan: ReturnType<typeof planFromEnvironment>) => plan.steps.map((s) => `${s.provider}:${s.use ? 'use' : 'skip'}`).join(' ');

describe('planFromEnvironment', () => {
  test('linux/x64 auto with nothing installed: CPU, with the reasons for cuda and webgpu', () => {
    const plan = planFromEnvironment('auto', linux());
    assert.deepEqual(plan.providers, ['cpu']);
    assert.equal(summary(plan), 'cuda:skip webgpu:skip cpu:use dml:skip coreml:skip');
    assert.match(plan.steps[0]!.reason, /not installed; run `splade-search install-cuda`/);
    assert.match(plan.steps[1]!.reason, /libvulkan\.so\.1 not found/);
    assert.match(plan.steps[3]!.reason, /^Windows only/);
  });

  test('linux/x64 auto with the pack, driver and libraries: cuda, webgpu, cpu', () => {
    const plan = planFromEnvironment('auto', linux({ ...cudaReady, ...vulkanReady }));
    assert.deepEqual(plan.providers, ['cuda', 'webgpu', 'cpu']);
    assert.match(plan.steps[0]!.reason, /installed in \/p, NVIDIA driver \/usr\/lib\/libcuda\.so\.1/);
    assert.equal(plan.steps[2]!.reason, 'fallback');
  });

  test('linux/x64 auto skips cuda when CUDA libraries are missing, naming them and the versions', () => {
    const missing = linux({
      ...cudaReady,
      cudaLibraries: { provider: '/p', needed: [], missing: ['libcublasLt.so.13', 'libcudnn.so.9'], cudaMajor: 13, cudnnMajor: 9, summary: '' },
    });
    const step = planFromEnvironment('auto', missing).steps[0]!;
    assert.equal(step.use, false);
    assert.equal(step.reason, 'libcublasLt.so.13, libcudnn.so.9 not found by the dynamic loader (the CUDA provider needs CUDA 13.x and cuDNN 9.x; install them or add their folders to LD_LIBRARY_PATH)');
  });

  test('linux/x64 auto skips cuda without an NVIDIA driver', () => {
    const { nvidiaDriver: _, ...noDriver } = cudaReady;
    const step = planFromEnvironment('auto', linux(noDriver)).steps[0]!;
    assert.equal(step.use, false);
    assert.match(step.reason, /no NVIDIA driver: libcuda\.so\.1 not found/);
  });

  test('an explicit request that cannot work is still tried first, with the predicted problem, then cpu', () => {
    const plan = planFromEnvironment('cuda', linux());
    assert.deepEqual(plan.providers, ['cuda', 'cpu']);
    assert.match(plan.steps[0]!.problem!, /not installed/);
    assert.equal(plan.steps[1]!.reason, 'fallback if cuda fails');
    const dml = planFromEnvironment('dml', linux());
    assert.deepEqual(dml.providers, ['dml', 'cpu']);
    assert.match(dml.steps[0]!.problem!, /^Windows only: not in onnxruntime-node for linux\/x64/);
    const ok = planFromEnvironment('webgpu', linux(vulkanReady));
    assert.equal(ok.steps[0]!.problem, undefined);
  });

  test('cpu is just cpu', () => {
    assert.deepEqual(planFromEnvironment('cpu', linux({ ...cudaReady, ...vulkanReady })).steps, [{ provider: 'cpu', use: true, reason: 'requested' }]);
  });

  test('win32: dml, webgpu, cpu; cuda skipped as Linux-only', () => {
    const plan = planFromEnvironment('auto', { platform: 'win32', arch: 'x64', compiled: ['cpu', 'dml', 'webgpu'], cudaPack: { ...notInstalled, state: 'unsupported-platform' } });
    assert.deepEqual(plan.providers, ['dml', 'webgpu', 'cpu']);
    assert.equal(summary(plan), 'dml:use webgpu:use cpu:use cuda:skip coreml:skip');
    assert.match(plan.steps[3]!.reason, /^Linux x64 only/);
  });

  test('darwin/arm64: coreml then cpu; webgpu only on request', () => {
    const env: ProviderEnvironment = { platform: 'darwin', arch: 'arm64', compiled: ['cpu', 'coreml', 'webgpu'], cudaPack: notInstalled };
    const plan = planFromEnvironment('auto', env);
    assert.deepEqual(plan.providers, ['coreml', 'cpu']);
    assert.match(plan.steps.find((s) => s.provider === 'webgpu')!.reason, /not chosen automatically on macOS/);
    assert.deepEqual(planFromEnvironment('webgpu', env).providers, ['webgpu', 'cpu']);
  });

  test('linux/arm64 and darwin/x64: cpu only, saying why', () => {
    const arm = planFromEnvironment('auto', { platform: 'linux', arch: 'arm64', compiled: ['cpu'], cudaPack: notInstalled });
    assert.deepEqual(arm.providers, ['cpu']);
    assert.match(arm.steps.find((s) => s.provider === 'cuda')!.reason, /Linux x64 only: not in onnxruntime-node for linux\/arm64 \(it has cpu\)/);
    const intelMac = planFromEnvironment('auto', { platform: 'darwin', arch: 'x64', compiled: [], cudaPack: notInstalled });
    assert.match(intelMac.steps.find((s) => s.provider === 'coreml')!.reason, /onnxruntime-node has no binary for darwin\/x64/);
  });

  test('parseDeviceRequest accepts the six values and names them otherwise', () => {
    assert.equal(parseDeviceRequest('webgpu'), 'webgpu');
    assert.throws(() => parseDeviceRequest('gpu'), (e: unknown) => isOnnxRuntimeError(e, 'unknown-device') && e.message.includes('"gpu"'));
  });
});

describe('detectProviderEnvironment on this machine with a fake pack', { skip: process.platform !== 'linux' || process.arch !== 'x64' }, () => {
  const version = bundledOnnxRuntime().version;
  const dataDir = folder('data');
  const layout = cudaPackLayout(join(dataDir, 'onnxruntime-cuda', version));
  mkdirSync(layout.binaryDir, { recursive: true });
  const files: Record<string, number> = {};
  for (const [name, bytes] of Object.entries(fakeProviderLibraries())) {
    writeFileSync(join(layout.binaryDir, name), bytes);
    files[`node_modules/onnxruntime-node/bin/napi-v6/linux/x64/${name}`] = bytes.length;
  }
  writeFileSync(join(layout.moduleDir, 'package.json'), '{}');
  files['node_modules/onnxruntime-node/package.json'] = 2;
  writeFileSync(
    layout.manifest,
    JSON.stringify({ format: 1, onnxruntimeVersion: version, platform: 'linux/x64', installedAt: '', source: { kind: 'folder', path: '/x' }, files, cudaProviderNeeds: fakeCudaProviderNeeds }),
  );
  const cudaLibs = folder('cuda-libs');
  for (const name of ['libcudart.so.13', 'libcublasLt.so.13', 'libcuda.so.1']) writeFileSync(join(cudaLibs, name), fakeElf({ needed: [] }));

  test('reads the provider\'s DT_NEEDED and reports cuDNN missing; cuda is then skipped', async () => {
    const env = { LD_LIBRARY_PATH: cudaLibs, HOME: work };
    const environment = await detectProviderEnvironment({ dataDir, env });
    assert.equal(environment.cudaPack.state, 'installed', environment.cudaPack.reason);
    assert.equal(environment.nvidiaDriver, join(cudaLibs, 'libcuda.so.1'));
    const libraries = environment.cudaLibraries;
    assert.ok(libraries && !('error' in libraries));
    assert.deepEqual(libraries.missing, ['libcudnn.so.9']);
    assert.equal(libraries.cudaMajor, 13);
    assert.equal(libraries.cudnnMajor, 9);
    assert.equal(libraries.needed[0]!.path, join(layout.binaryDir, 'libonnxruntime_providers_shared.so'), 'found through RUNPATH $ORIGIN');
    const step = planFromEnvironment('auto', environment).steps[0]!;
    assert.equal(step.use, false);
    assert.match(step.reason, /^libcudnn\.so\.9 not found by the dynamic loader \(the CUDA provider needs CUDA 13\.x and cuDNN 9\.x/);
  });

  test('with cuDNN on LD_LIBRARY_PATH too, auto tries cuda first', async () => {
    writeFileSync(join(cudaLibs, 'libcudnn.so.9'), '');
    const environment = await detectProviderEnvironment({ dataDir, env: { LD_LIBRARY_PATH: cudaLibs, HOME: work } });
    const plan = planFromEnvironment('auto', environment);
    assert.equal(plan.providers[0], 'cuda', JSON.stringify(plan.steps[0]));
    assert.deepEqual(plan.providers.slice(-1), ['cpu']);
  });

  test('a pack file with the wrong size makes the pack incomplete, and cuda is skipped saying so', async () => {
    writeFileSync(join(layout.binaryDir, 'libonnxruntime_providers_cuda.so'), 'short');
    const environment = await detectProviderEnvironment({ dataDir, env: { LD_LIBRARY_PATH: cudaLibs, HOME: work } });
    assert.equal(environment.cudaPack.state, 'incomplete');
    assert.match(environment.cudaPack.reason, /libonnxruntime_providers_cuda\.so has 5 bytes, the manifest says \d+; run `splade-search install-cuda --force`/);
    assert.equal(planFromEnvironment('auto', environment).steps[0]!.reason, environment.cudaPack.reason);
  });

  test('a pack for another onnxruntime version is not used, and is named', async () => {
    const other = folder('data2', 'onnxruntime-cuda', '1.29.0');
    writeFileSync(join(other, cudaPackManifestName), '{}');
    const environment = await detectProviderEnvironment({ dataDir: join(work, 'data2'), env: { HOME: work } });
    assert.equal(environment.cudaPack.state, 'not-installed');
    assert.match(environment.cudaPack.reason, new RegExp(`found packs for onnxruntime 1\\.29\\.0, but the app uses ${version.replace(/\./g, '\\.')}`));
  });
});
