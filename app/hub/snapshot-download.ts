/**
 * Downloads (or finds in the cache) a snapshot of a model repository, as huggingface_hub's `snapshot_download`:
 * list the repository at a revision, fetch the selected files that the snapshot lacks, and return
 * `<cache>/models--org--name/snapshots/<sha>`. Offline, or with the Hub unreachable, the cache answers alone.
 */
import { mkdir } from 'node:fs/promises';
import { COMMIT_SHA, RepoCache, isFile, linkPointer } from './cache-layout.js';
import { findCachedSnapshot, type CachedSnapshot } from './cached-snapshot.js';
import { downloadBlob, isSha256 } from './blob-download.js';
import { ProgressMeter, type ProgressListener } from './download-progress.js';
import { spladeModelFiles, type FileSelection } from './file-selection.js';
import { baseHeaders, fetchFileMetadata, fetchRepoInfo, hubErrorFromStatus, type HubClient, type RepoFile, type RepoInfo } from './hub-api.js';
import { HubError } from './hub-error.js';
import { DEFAULT_RETRY, HttpStatusError, abortError, isNetworkError, isTransient, isTransientStatus, sameOrigin, type RetryPolicy } from './hub-http.js';
import { readHubSettings, type HubSettingsOverrides } from './hub-settings.js';
import { isHubRepoId } from './hub-id.js';

export const DEFAULT_REVISION = 'main';

/** Options of a snapshot download; all optional. */
export interface SnapshotOptions {
  /** Branch, tag or commit sha (default `main`). */
  revision?: string | undefined;
  /** Which files to fetch (default `spladeModelFiles`). */
  files?: FileSelection | undefined;
  /** Environment to read HF_* variables from (default `process.env`). */
  env?: NodeJS.ProcessEnv | undefined;
  /** Endpoint, cache folder, token or offline mode, overriding the environment. */
  hub?: HubSettingsOverrides | undefined;
  retry?: Partial<RetryPolicy> | undefined;
  signal?: AbortSignal | undefined;
  onProgress?: ProgressListener | undefined;
  /** Files fetched at once (default 4). */
  concurrency?: number | undefined;
  /** Force symlinks on or off in the snapshot (default: probe the cache folder, as huggingface_hub does). */
  symlinks?: boolean | undefined;
}

/** A snapshot folder ready to load. */
export interface Snapshot {
  repoId: string;
  revision: string;
  commit: string;
  /** `<cache>/models--org--name/snapshots/<commit>` */
  folder: string;
  /** Repository files the snapshot holds that the selection wanted (online) or all its files (from the cache). */
  files: string[];
  /** Files fetched over the network by this call. */
  downloaded: string[];
  /** Why the cache was used without asking the Hub, if it was: `offline` (HF_HUB_OFFLINE) or the error that kept the Hub out of reach. */
  usedCacheBecause: string | undefined;
}

function userAgent(): string {
  return `splade-search/0.1; node/${process.versions.node}; hf_hub-compatible`;
}

function offlineError(repoId: string, revision: string, cacheDir: string, cached: CachedSnapshot, why: string, cause?: unknown): HubError {
  return new HubError(
    'offline-not-cached',
    `Model ${repoId} (revision ${revision}) is not available: ${why}, and the Hugging Face cache ${cacheDir} lacks ` +
      `${cached.missing.join(', ')}. To provide the model, run once with network access ` +
      `(\`splade-search download --model ${repoId}\`), or point --model (or SPLADE_MODEL) at a local folder that holds its files.`,
    cause === undefined ? undefined : { cause },
  );
}

function snapshotFromCache(repoId: string, revision: string, cached: CachedSnapshot, reason: string): Snapshot {
  return { repoId, revision, commit: cached.commit!, folder: cached.folder!, files: cached.files, downloaded: [], usedCacheBecause: reason };
}

function describeFailure(error: unknown, endpoint: string): string {
  if (error instanceof HttpStatusError) return `the Hub at ${endpoint} answered HTTP ${error.status}`;
  const err = error as NodeJS.ErrnoException;
  return `the Hub at ${endpoint} is unreachable (${err.code ?? err.message})`;
}

/** Lists the repository, falling back to a complete cached snapshot when the Hub is out of reach, as snapshot_download does. */
async function listOrUseCache(
  client: HubClient,
  cache: RepoCache,
  repoId: string,
  revision: string,
  selection: FileSelection,
): Promise<{ info: RepoInfo } | { snapshot: Snapshot }> {
  try {
    return { info: await fetchRepoInfo(client, repoId, revision, false) };
  } catch (firstError) {
    const recoverable = isNetworkError(firstError) || (firstError instanceof HttpStatusError && !isRevisionNotFound(firstError));
    if (!recoverable) throw firstError instanceof HttpStatusError ? hubErrorFromStatus(client, firstError, repoId, revision) : firstError;
    const cached = await findCachedSnapshot(cache, revision, selection);
    if (cached.missing.length === 0) return { snapshot: snapshotFromCache(repoId, revision, cached, describeFailure(firstError, client.settings.endpoint)) };
    let error = firstError;
    if (isTransient(firstError)) {
      try {
        return { info: await fetchRepoInfo(client, repoId, revision, true) };
      } catch (retryError) {
        error = retryError;
      }
    }
    if (error instanceof HttpStatusError && !isTransientStatus(error.status)) throw hubErrorFromStatus(client, error, repoId, revision);
    if (isNetworkError(error)) throw offlineError(repoId, revision, cache.cacheDir, cached, describeFailure(error, client.settings.endpoint), error);
    if (error instanceof HttpStatusError) throw hubErrorFromStatus(client, error, repoId, revision);
    throw error;
  }
}

function isRevisionNotFound(error: HttpStatusError): boolean {
  return error.status === 404 && error.headers['x-error-code'] === 'RevisionNotFound';
}

/** Runs `work` over `items` with at most `limit` at once; the first failure rejects once the started ones settle. */
async function inPool<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  let failure: { error: unknown } | undefined;
  const worker = async () => {
    while (failure === undefined && next < items.length) {
      const item = items[next++]!;
      try {
        await work(item);
      } catch (error) {
        failure ??= { error };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  if (failure) throw failure.error;
}

function contentSize(file: RepoFile): number | undefined {
  return file.lfs?.size ?? file.size;
}

/**
 * Makes `repoId` at `revision` available in the cache and returns its snapshot folder. Files whose pointer is
 * already in the snapshot cost no request beyond the listing; with HF_HUB_OFFLINE=1 (or the Hub unreachable)
 * no request at all, and a HubError `offline-not-cached` names what is missing when the cache cannot serve.
 */
export async function downloadSnapshot(repoId: string, options: SnapshotOptions = {}): Promise<Snapshot> {
  if (!isHubRepoId(repoId)) {
    throw new HubError('not-found', `"${repoId}" is not a Hugging Face model id (org/name) nor an existing folder`);
  }
  const revision = options.revision ?? DEFAULT_REVISION;
  const selection = options.files ?? spladeModelFiles;
  const settings = readHubSettings(options.env ?? process.env, options.hub);
  const cache = new RepoCache(settings.cacheDir, repoId);
  const client: HubClient = {
    settings,
    retry: { ...DEFAULT_RETRY, ...options.retry },
    signal: options.signal,
    userAgent: userAgent(),
  };

  if (settings.offline) {
    const cached = await findCachedSnapshot(cache, revision, selection);
    if (cached.missing.length === 0) return snapshotFromCache(repoId, revision, cached, 'offline');
    throw offlineError(repoId, revision, settings.cacheDir, cached, 'HF_HUB_OFFLINE=1 forbids network access');
  }

  const listed = await listOrUseCache(client, cache, repoId, revision, selection);
  if ('snapshot' in listed) return listed.snapshot;
  const { info } = listed;

  const wanted = info.files.filter((file) => selection.includes(file.path));
  const lacking = selection.missing(wanted.map((file) => file.path));
  if (lacking.length > 0) {
    throw new HubError(
      'incomplete-model',
      `${repoId} (revision ${revision}, commit ${info.commit}) lacks ${lacking.join(', ')}; it has ${info.files.map((f) => f.path).join(', ') || 'no files'}`,
    );
  }
  await mkdir(cache.snapshotFolder(info.commit), { recursive: true });
  await cache.writeRef(revision, info.commit);

  const toFetch: RepoFile[] = [];
  for (const file of wanted) if (!(await isFile(cache.pointerPath(info.commit, file.path)))) toFetch.push(file);
  const sizes = toFetch.map(contentSize);
  const snapshotTotal = sizes.every((size) => size !== undefined) ? sizes.reduce<number>((sum, size) => sum + size!, 0) : undefined;
  const meter = new ProgressMeter(repoId, revision, toFetch.length, snapshotTotal, options.onProgress);
  const downloaded: string[] = [];

  await inPool(toFetch, options.concurrency ?? 4, async (file) => {
    if (options.signal?.aborted) throw abortError(options.signal);
    if (await fetchFile(client, cache, info, file, meter, options.symlinks)) downloaded.push(file.path);
  });

  return {
    repoId,
    revision,
    commit: info.commit,
    folder: cache.snapshotFolder(info.commit),
    files: wanted.map((file) => file.path).sort(),
    downloaded: downloaded.sort(),
    usedCacheBecause: undefined,
  };
}

/** Puts one file into the snapshot; true when its bytes came over the network. */
async function fetchFile(
  client: HubClient,
  cache: RepoCache,
  info: RepoInfo,
  file: RepoFile,
  meter: ProgressMeter,
  symlinks: boolean | undefined,
): Promise<boolean> {
  const pointer = cache.pointerPath(info.commit, file.path);
  let metadata;
  try {
    metadata = await fetchFileMetadata(client, info.repoId, info.commit, file.path);
  } catch (error) {
    if (error instanceof HttpStatusError) throw hubErrorFromStatus(client, error, info.repoId, info.revision, file.path);
    if (isNetworkError(error)) {
      throw new HubError('network', `Cannot reach ${client.settings.endpoint} for ${file.path} of ${info.repoId}: ${(error as Error).message}`, { cause: error });
    }
    throw error;
  }
  if (metadata.commit !== undefined && COMMIT_SHA.test(metadata.commit) && metadata.commit !== info.commit) {
    throw new HubError('bad-response', `The Hub resolved ${file.path} of ${info.repoId} at commit ${info.commit} to another commit, ${metadata.commit}`);
  }
  const blob = cache.blobPath(metadata.etag);
  if (await isFile(blob)) {
    await linkPointer(blob, pointer, { newBlob: false, ...(symlinks === undefined ? {} : { symlinks }) });
    meter.finish(file.path, contentSize(file));
    return false;
  }
  const resolve = new URL(metadata.location);
  const endpointUrl = client.settings.endpoint;
  const size = metadata.size ?? contentSize(file);
  const fetched = await downloadBlob({
    blobPath: blob,
    incompletePath: cache.incompletePath(metadata.etag),
    lockPath: cache.lockPath(metadata.etag),
    url: metadata.location,
    // a CDN (another origin) gets no token: its URL is signed
    headers: baseHeaders(client, sameOrigin(resolve.toString(), endpointUrl)),
    expect: {
      size,
      sha256: isSha256(metadata.etag) ? metadata.etag : file.lfs?.sha256,
      gitSha1: file.lfs === undefined && file.blobId === metadata.etag ? metadata.etag : undefined,
    },
    label: `${file.path} of ${info.repoId}`,
    idleTimeoutMs: client.settings.downloadTimeoutSeconds * 1000,
    proxyEnv: client.settings.proxyEnv,
    retry: client.retry,
    signal: client.signal,
    onBytes: (bytes, total) => meter.update(file.path, bytes, total),
  });
  await linkPointer(blob, pointer, { newBlob: fetched, ...(symlinks === undefined ? {} : { symlinks }) });
  meter.finish(file.path, size);
  return fetched;
}
