/** HubError: every failure of model delivery from the Hugging Face Hub, with a closed `code` and a message that says what to do. */

/** What went wrong, for callers that react differently (the UI offers a token field on `unauthorized`, a folder picker on `offline-not-cached`). */
export type HubErrorCode =
  /** HF_HUB_OFFLINE=1 or the network is unreachable, and the cache lacks the model. */
  | 'offline-not-cached'
  /** HTTP 401/403: the repository is gated or private (or the token was rejected). */
  | 'unauthorized'
  /** HTTP 404: no such repository, revision or file. */
  | 'not-found'
  /** The downloaded bytes do not match the size or hash the Hub announced. */
  | 'integrity'
  /** ENOSPC while writing into the cache. */
  | 'disk-full'
  /** The Hub answered with something this client cannot use (other HTTP errors, malformed JSON, missing headers). */
  | 'bad-response'
  /** The network failed and retries did not help, with nothing to fall back on. */
  | 'network'
  /** The repository lacks files the model cannot work without (e.g. safetensors weights). */
  | 'incomplete-model'
  /** The caller aborted through its AbortSignal. */
  | 'aborted';

export class HubError extends Error {
  override name = 'HubError' as const;
  constructor(
    readonly code: HubErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** True for a HubError, also across realms (compares `name`, not only `instanceof`). */
export function isHubError(error: unknown, code?: HubErrorCode): error is HubError {
  const named = error instanceof HubError || (error as { name?: unknown } | null)?.name === 'HubError';
  return named && (code === undefined || (error as HubError).code === code);
}
