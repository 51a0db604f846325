/** OnnxRuntimeError: every failure of the onnxruntime layer (loading, execution providers, CUDA pack install), with a closed `code` and a message that says what to do. */
import type { ProviderAttempt } from './session-with-fallback.js';

/** What went wrong, for callers that react differently (the UI offers the CUDA pack install on `no-usable-provider` with a cuda attempt, a retry on `download-failed`). */
export type RuntimeErrorCode =
  /** A device name that is none of auto, cpu, cuda, dml, coreml, webgpu: a typo in a flag or setting; pick one of those. */
  | 'unknown-device'
  /** Every execution provider of the plan failed to open the model, the CPU included; `attempts` holds each one's error. Report it with the message: the CPU provider should always work. */
  | 'no-usable-provider'
  /** The onnxruntime-node package (or its binding for this platform) is missing or incomplete. Reinstall the app (or `npm ci`). */
  | 'runtime-missing'
  /** The CUDA pack was asked for on a platform that has none (onnxruntime-node ships a CUDA provider for Linux x64 only). Use the default device. */
  | 'cuda-platform-unsupported'
  /** `install-cuda --from` names a file or folder that does not exist. Check the path. */
  | 'cuda-source-missing'
  /** The package or folder given to install the CUDA pack is not usable: no provider libraries, not x86-64, a damaged ZIP or ELF file. Fetch it again, or let install-cuda download it. */
  | 'cuda-package-invalid'
  /** A file that should be an ELF shared library is not one this reader understands (not ELF, truncated). Reinstall the CUDA pack. */
  | 'elf-unreadable'
  /** The NuGet feed has no such package or version (the CUDA provider must match the bundled onnxruntime-node exactly). Use nuget.org or a mirror that has it. */
  | 'package-not-found'
  /** The feed URL does not answer as a NuGet v3 service index. Check `--feed` / `$SPLADE_NUGET_FEED`. */
  | 'feed-invalid'
  /** An HTTP request failed: no connection, an HTTP error status, too many redirects, or a download that broke off or overran its size. Check the network or proxy and run the command again (downloads resume). */
  | 'download-failed';

/** Extra facts some codes carry: the provider attempts of `no-usable-provider`, the URL and HTTP status of `download-failed`. */
export interface OnnxRuntimeErrorDetails {
  attempts?: ProviderAttempt[];
  url?: string;
  status?: number;
}

export class OnnxRuntimeError extends Error {
  override name = 'OnnxRuntimeError' as const;
  /** Each provider tried and its error (`no-usable-provider`); empty otherwise. */
  readonly attempts: ProviderAttempt[];
  /** The URL a request failed on (`download-failed`, `package-not-found`, `feed-invalid`). */
  readonly url: string | undefined;
  /** The HTTP status, when the server answered. */
  readonly status: number | undefined;
  constructor(
    readonly code: RuntimeErrorCode,
    message: string,
    details: OnnxRuntimeErrorDetails = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.attempts = details.attempts ?? [];
    this.url = details.url;
    this.status = details.status;
  }
}

/** True for an OnnxRuntimeError, also across realms and worker threads (compares `name`, not only `instanceof`), optionally of one code. */
export function isOnnxRuntimeError(error: unknown, code?: RuntimeErrorCode): error is OnnxRuntimeError {
  const named = error instanceof OnnxRuntimeError || (error as { name?: unknown } | null)?.name === 'OnnxRuntimeError';
  return named && (code === undefined || (error as OnnxRuntimeError).code === code);
}
