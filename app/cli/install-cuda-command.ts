/** `splade-search install-cuda`: fetches onnxruntime's CUDA provider (NuGet) into a writable CUDA pack, then checks it on this machine. */
import { parseFlags } from './parse-flags.js';
import { join } from 'node:path';
import {
  bundledOnnxRuntime,
  checkCudaLibraries,
  createLibraryLookup,
  cudaPackRoot,
  cudaProviderLibraries,
  describeCudaNeeds,
  inspectCudaPack,
  isOnnxRuntimeError,
  probeCudaSession,
  type CudaLibraryCheck,
} from '../onnxruntime/index.js';
import { cudaProviderPackageId, installCudaPack, nugetOrgServiceIndex, removeCudaPack } from '../onnxruntime/cuda-install/index.js';
import { formatBytes } from '../util/format-bytes.js';
import { CliError, UsageError } from './cli-error.js';
import type { CliCommand, CliIo } from './commands.js';

const usage = `usage: splade-search install-cuda [--from <file.nupkg|folder>] [--feed <url>] [--proxy <url>] [--force]
       splade-search install-cuda --check
       splade-search install-cuda --remove [--all]

Installs onnxruntime's CUDA provider for NVIDIA GPUs on Linux x64 (nothing else needs it: CPU, WebGPU,
DirectML and CoreML are bundled). It downloads ${cudaProviderPackageId} at exactly the bundled
onnxruntime-node version from NuGet (several hundred MB), extracts libonnxruntime_providers_{shared,cuda,tensorrt}.so
and assembles a complete onnxruntime-node copy in $SPLADE_DATA_DIR/onnxruntime-cuda/<version>
(default ~/.local/share/splade-search/onnxruntime-cuda/<version>). Then it reports which CUDA and cuDNN
libraries the provider needs, which are missing here, and whether a CUDA session runs.

  --from <path>      install from a local .nupkg, or a folder holding the provider libraries
                     (an extracted .nupkg, onnxruntime-linux-x64-gpu-<version>/lib, an onnxruntime-gpu wheel)
  --feed <url>       NuGet v3 service index (default $SPLADE_NUGET_FEED, else ${nugetOrgServiceIndex})
  --proxy <url>      HTTP proxy (default: $HTTPS_PROXY / $HTTP_PROXY, honouring $NO_PROXY)
  --force            reinstall over a complete pack
  --keep-download    keep the downloaded .nupkg in <data>/onnxruntime-cuda/downloads
  --skip-probe       do not try a CUDA session after installing
  --check            only check the installed pack (exit code 1 when CUDA does not work)
  --remove           delete the pack for this onnxruntime version (--all: every version and downloads)
  --data-dir <dir>   the app's data folder (default $SPLADE_DATA_DIR, else ~/.local/share/splade-search)`;

export const installCudaCommand: CliCommand = {
  usage,
  async run(args, io) {
    const values = parseFlags(args, {
          from: { type: 'string' },
          feed: { type: 'string' },
          proxy: { type: 'string' },
          force: { type: 'boolean', default: false },
          'keep-download': { type: 'boolean', default: false },
          'skip-probe': { type: 'boolean', default: false },
          check: { type: 'boolean', default: false },
          remove: { type: 'boolean', default: false },
          all: { type: 'boolean', default: false },
          'data-dir': { type: 'string' },
        }, usage);
    const dataOptions = { env: io.env, ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}) };
    if (values.all && !values.remove) throw new UsageError('--all goes with --remove');
    if ([values.remove, values.check, values.from !== undefined || values.feed !== undefined].filter(Boolean).length > 1) {
      throw new UsageError('--remove, --check and installing (--from/--feed) exclude each other');
    }
    if (values.remove) {
      const removed = await removeCudaPack({ ...dataOptions, all: values.all });
      io.stdout.write(removed.length > 0 ? removed.map((p) => `Removed ${p}\n`).join('') : `No CUDA pack to remove in ${cudaPackRoot(dataOptions)}\n`);
      return;
    }
    if (values.check) {
      const status = inspectCudaPack(dataOptions);
      if (status.state !== 'installed') throw new CliError(status.reason);
      io.stdout.write(`${status.reason}\n`);
      const ok = await reportCheck(status.binaryDir, status.moduleDir, io, false);
      if (!ok) throw new CliError('the CUDA provider does not work on this machine yet (see above)');
      return;
    }
    let lastShown = -1;
    const progress = (received: number, total: number | undefined) => {
      if (total === undefined || total === 0) return;
      const tenth = Math.floor((received / total) * 10);
      if (tenth !== lastShown) {
        lastShown = tenth;
        io.stderr.write(`  ${tenth * 10}% of ${formatBytes(total)}\n`);
      }
    };
    const http = {
      env: io.env,
      ...(values.proxy ? { proxy: values.proxy } : {}),
      onProgress: progress,
      onRetry: (reason: string) => io.stderr.write(`  ${reason}; resuming\n`),
    };
    let result;
    try {
      result = await installCudaPack({
        ...dataOptions,
        ...(values.from ? { from: values.from } : {}),
        ...(values.feed ? { feed: values.feed } : {}),
        http,
        force: values.force,
        keepDownload: values['keep-download'],
        log: (line) => io.stderr.write(`${line}\n`),
      });
    } catch (error) {
      if (isOnnxRuntimeError(error, 'download-failed') || isOnnxRuntimeError(error, 'feed-invalid')) {
        throw new CliError(`${error.message}\nNo internet here? Download the .nupkg elsewhere and run: splade-search install-cuda --from <file.nupkg>`);
      }
      if (isOnnxRuntimeError(error)) throw new CliError(error.message);
      throw error;
    }
    io.stdout.write(
      result.alreadyInstalled
        ? `The CUDA pack for onnxruntime ${bundledOnnxRuntime().version} is already installed in ${result.dir} (--force reinstalls)\n`
        : `Installed the CUDA pack for onnxruntime ${result.manifest.onnxruntimeVersion} in ${result.dir}\n`,
    );
    const status = inspectCudaPack(dataOptions);
    if (status.state !== 'installed') throw new CliError(`the pack was installed but does not check out: ${status.reason}`);
    const ok = await reportCheck(status.binaryDir, status.moduleDir, io, values['skip-probe']);
    if (!ok) io.stdout.write('The pack is installed, but CUDA does not work on this machine yet: the app will use another provider until it does.\n');
  },
};

/** Prints what the provider needs and what is missing, then probes a session. True when everything works. */
async function reportCheck(binaryDir: string, moduleDir: string, io: CliIo, skipProbe: boolean): Promise<boolean> {
  const lookup = createLibraryLookup({ env: io.env });
  let check: CudaLibraryCheck;
  try {
    check = await checkCudaLibraries(join(binaryDir, cudaProviderLibraries.cuda), lookup);
  } catch (error) {
    io.stdout.write(`Cannot read the CUDA provider's library list: ${(error as Error).message}\n`);
    return false;
  }
  io.stdout.write(`The CUDA provider ${describeCudaNeeds(check)}. Libraries it loads (DT_NEEDED):\n`);
  const width = Math.max(...check.needed.map((n) => n.name.length));
  for (const needed of check.needed) {
    io.stdout.write(`  ${needed.name.padEnd(width)}  ${needed.path ?? 'MISSING'}\n`);
  }
  io.stdout.write(`  ${'libcuda.so.1'.padEnd(width)}  ${check.driver ?? 'MISSING (the NVIDIA driver)'}\n`);
  if (check.missing.length > 0) {
    io.stdout.write(
      `Missing: ${check.missing.join(', ')}. Install the CUDA ${check.cudaMajor ?? ''} runtime/cuBLAS/cuFFT and cuDNN ${check.cudnnMajor ?? ''} libraries ` +
        `(or the nvidia-*-cu${check.cudaMajor ?? 'NN'} pip wheels) and add their lib folders to LD_LIBRARY_PATH (${lookup.describe()}).\n`,
    );
  }
  if (skipProbe) return check.missing.length === 0 && check.driver !== undefined;
  const probe = await probeCudaSession(moduleDir, { env: io.env });
  if (probe.ok) {
    io.stdout.write(`CUDA session on a tiny model: ok (${(probe.ms / 1000).toFixed(1)} s, every node on the GPU)\n`);
  } else {
    io.stdout.write(`CUDA session on a tiny model: FAILED: ${probe.error}\n`);
    for (const line of probe.details.slice(0, 5)) io.stdout.write(`  onnxruntime: ${line}\n`);
  }
  return probe.ok;
}
