/**
 * Downloads one blob into the cache as huggingface_hub's `_download_to_tmp_and_move` does: append to
 * `blobs/<etag>.incomplete` (resuming with an HTTP Range), check the size and the hash, then rename to
 * `blobs/<etag>`. A crash or a failure never leaves a file under the final name that is not the whole, verified blob.
 */
import { createHash, type Hash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, rename, rm, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { SHA256_HEX, isFile } from './cache-layout.js';
import { acquireLock } from './file-lock.js';
import { HubError } from './hub-error.js';
import { abortError, headerText, HttpStatusError, isTransient, requestFollowingRedirects, type RetryPolicy } from './hub-http.js';

/** How to check the bytes once they are all there. */
export interface BlobExpectation {
  /** Exact size in bytes, when the Hub announced it. */
  size: number | undefined;
  /** sha256 hex of the content (LFS files: their ETag). */
  sha256?: string | undefined;
  /** Git blob sha1 hex (`sha1("blob <size>\0" + content)`), for regular files whose ETag is their git oid. */
  gitSha1?: string | undefined;
}

export interface BlobDownload {
  /** Final `blobs/<etag>` path. */
  blobPath: string;
  incompletePath: string;
  lockPath: string;
  /** URL to GET (the CDN location for LFS files). */
  url: string;
  headers: Record<string, string>;
  expect: BlobExpectation;
  /** Names the file in messages: `model.safetensors of org/name`. */
  label: string;
  idleTimeoutMs: number;
  /** Where proxy settings are read from; undefined: no proxy. */
  proxyEnv?: NodeJS.ProcessEnv | undefined;
  retry: RetryPolicy;
  signal?: AbortSignal | undefined;
  /** Called as bytes reach the disk: bytes now in the file (including a resumed prefix) and the expected total. */
  onBytes?: ((bytes: number, total: number | undefined) => void) | undefined;
  /** Called with the number of bytes already on disk when a download resumes. */
  onResume?: ((offset: number) => void) | undefined;
}

/** Running hashes over the bytes of the `.incomplete` file, in order. */
class ContentHashes {
  readonly sha256: Hash | undefined;
  readonly gitSha1: Hash | undefined;
  bytes = 0;
  constructor(expect: BlobExpectation) {
    this.sha256 = expect.sha256 ? createHash('sha256') : undefined;
    this.gitSha1 = expect.gitSha1 && expect.size !== undefined ? createHash('sha1').update(`blob ${expect.size}\0`) : undefined;
  }
  get needed(): boolean {
    return this.sha256 !== undefined || this.gitSha1 !== undefined;
  }
  update(chunk: Buffer): void {
    this.sha256?.update(chunk);
    this.gitSha1?.update(chunk);
    this.bytes += chunk.length;
  }
}

/** Hashes the first `length` bytes of `path` (the prefix kept from an earlier, interrupted download). */
async function hashPrefix(path: string, length: number, hashes: ContentHashes): Promise<void> {
  if (length === 0 || !hashes.needed) {
    hashes.bytes = length;
    return;
  }
  for await (const chunk of createReadStream(path, { start: 0, end: length - 1 })) hashes.update(chunk as Buffer);
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}

function mib(bytes: number): string {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}

function diskFull(download: BlobDownload, error: unknown, written: number): HubError {
  const total = download.expect.size;
  return new HubError(
    'disk-full',
    `No space left on the disk of ${dirname(download.blobPath)} while downloading ${download.label} ` +
      `(${mib(written)}${total === undefined ? '' : ` of ${mib(total)}`} written). The partial file is kept as ` +
      `${download.incompletePath} and the download resumes from there once space is freed; or set HF_HUB_CACHE to a folder on a disk with room.`,
    { cause: error },
  );
}

function isDiskFull(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return code === 'ENOSPC' || code === 'EDQUOT';
}

/** Parses `Content-Range: bytes 100-199/200` into its start. */
function contentRangeStart(value: string | undefined): number | undefined {
  const match = /^bytes (\d+)-\d+\/(?:\d+|\*)$/.exec(value?.trim() ?? '');
  return match ? Number(match[1]) : undefined;
}

/**
 * Makes sure `blobPath` holds the verified blob, downloading (or resuming) it if needed; true when this call
 * fetched it, false when it was already there (or another download finished it meanwhile). Transient failures
 * (network, HTTP 429/5xx) are retried with backoff; the retry budget is restored whenever bytes arrive, as
 * huggingface_hub's `http_get` does.
 */
export async function downloadBlob(download: BlobDownload): Promise<boolean> {
  if (await isFile(download.blobPath)) return false;
  await mkdir(dirname(download.blobPath), { recursive: true });
  const lock = await acquireLock(download.lockPath, { signal: download.signal });
  try {
    if (await isFile(download.blobPath)) return false; // another download finished it meanwhile
    const digest = await fetchIntoIncomplete(download);
    await verify(download, digest);
    await rename(download.incompletePath, download.blobPath);
    return true;
  } finally {
    await lock.release();
  }
}

async function fetchIntoIncomplete(download: BlobDownload): Promise<Digest> {
  const { expect, incompletePath } = download;
  const state = { hashes: new ContentHashes(expect) };
  let hashedFrom = -1; // the file size `state.hashes` describes; -1: not built yet
  let failures = 0;
  for (;;) {
    let offset = await sizeOf(incompletePath);
    if (expect.size !== undefined && offset > expect.size) {
      await rm(incompletePath, { force: true });
      offset = 0;
    }
    if (hashedFrom !== offset) {
      state.hashes = new ContentHashes(expect);
      await hashPrefix(incompletePath, offset, state.hashes);
    }
    if (expect.size !== undefined && offset === expect.size) {
      download.onBytes?.(offset, expect.size);
      return digestOf(state.hashes);
    }
    if (offset > 0) download.onResume?.(offset);
    let progressed = false;
    try {
      const complete = await transfer(download, offset, state, () => (progressed = true));
      if (complete) return digestOf(state.hashes);
      // the server closed early without an error: resume from what arrived
      throw Object.assign(new Error(`the connection closed after ${state.hashes.bytes} bytes`), { code: 'ECONNRESET' });
    } catch (error) {
      // bytes are hashed right after they are written, so the hashes match the file unless a write broke midway
      hashedFrom = state.hashes.bytes;
      if (isDiskFull(error)) throw diskFull(download, error, await sizeOf(incompletePath));
      if (error instanceof HubError) throw error;
      if (progressed) failures = 0;
      if (!isTransient(error) || failures >= download.retry.retries || download.signal?.aborted) {
        throw transferError(download, error);
      }
      await sleep(Math.min(download.retry.maxDelayMs, download.retry.baseDelayMs * 2 ** failures));
      failures++;
    }
  }
}

/** The digests of the complete `.incomplete` file. */
interface Digest {
  sha256: string | undefined;
  gitSha1: string | undefined;
}

function digestOf(hashes: ContentHashes): Digest {
  return { sha256: hashes.sha256?.digest('hex'), gitSha1: hashes.gitSha1?.digest('hex') };
}

function transferError(download: BlobDownload, error: unknown): HubError {
  if (error instanceof HttpStatusError) {
    return new HubError('bad-response', `Downloading ${download.label} failed: HTTP ${error.status} from ${new URL(error.url).origin}`, { cause: error });
  }
  return new HubError(
    'network',
    `Downloading ${download.label} failed: ${(error as Error).message ?? String(error)}. The partial file is kept as ${download.incompletePath}; running again resumes it.`,
    { cause: error },
  );
}

/**
 * One GET from `offset`, appending to the `.incomplete` file. Resolves true when the body ended at the expected
 * size (or, with no size known, ended normally); false when it ended early.
 */
async function transfer(
  download: BlobDownload,
  offset: number,
  state: { hashes: ContentHashes },
  onData: () => void,
): Promise<boolean> {
  const headers = { ...download.headers };
  if (offset > 0) headers.range = `bytes=${offset}-`;
  const response = await requestFollowingRedirects({
    method: 'GET',
    url: download.url,
    headers,
    idleTimeoutMs: download.idleTimeoutMs,
    proxyEnv: download.proxyEnv,
    signal: download.signal,
  });
  if (response.status === 416 && offset > 0) {
    // the range starts at or past the end: what is there is all there is, or is wrong; verification decides
    response.body.resume();
    if (download.expect.size === undefined) return true;
    await rm(download.incompletePath, { force: true });
    throw Object.assign(new Error('the server refused the resume range'), { code: 'ECONNRESET' });
  }
  if (response.status !== 200 && response.status !== 206) {
    response.body.resume();
    throw new HttpStatusError(response.status, response.headers, response.url);
  }
  let flags = 'a';
  if (offset > 0 && (response.status === 200 || contentRangeStart(headerText(response.headers, 'content-range')) !== offset)) {
    // the server ignored the range (or answered another one): start over
    flags = 'w';
    state.hashes = new ContentHashes(download.expect);
  }
  let file: FileHandle | undefined;
  try {
    file = await open(download.incompletePath, flags);
    let written = flags === 'w' ? 0 : offset;
    download.onBytes?.(written, download.expect.size);
    for await (const chunk of response.body) {
      // a body already received in full no longer fails when the request is destroyed: look at the signal too
      if (download.signal?.aborted) throw abortError(download.signal);
      const buffer = chunk as Buffer;
      await file.write(buffer);
      state.hashes.update(buffer);
      written += buffer.length;
      onData();
      download.onBytes?.(written, download.expect.size);
    }
    const size = download.expect.size;
    return size === undefined || written >= size;
  } finally {
    response.body.destroy();
    await file?.close();
  }
}

/** Checks size and hashes; on a mismatch deletes the `.incomplete` file (resuming wrong bytes would never succeed). */
async function verify(download: BlobDownload, digest: Digest): Promise<void> {
  const { expect } = download;
  const actualSize = await sizeOf(download.incompletePath);
  const problems: string[] = [];
  if (expect.size !== undefined && actualSize !== expect.size) problems.push(`size ${actualSize} bytes, expected ${expect.size}`);
  if (expect.sha256 && digest.sha256 !== expect.sha256.toLowerCase()) problems.push(`sha256 ${digest.sha256}, expected ${expect.sha256}`);
  if (expect.gitSha1 && digest.gitSha1 !== undefined && digest.gitSha1 !== expect.gitSha1.toLowerCase()) {
    problems.push(`git blob sha1 ${digest.gitSha1}, expected ${expect.gitSha1}`);
  }
  if (problems.length === 0) return;
  await rm(download.incompletePath, { force: true });
  throw new HubError(
    'integrity',
    `The download of ${download.label} is corrupt (${problems.join('; ')}); it was deleted. Run again to download it afresh.`,
  );
}

/** Whether an ETag is a sha256 (the ETag of an LFS file) that the content can be checked against. */
export function isSha256(etag: string): boolean {
  return SHA256_HEX.test(etag);
}
