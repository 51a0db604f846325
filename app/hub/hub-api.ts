/** The two Hub calls a snapshot needs: the repository listing (`/api/models/{repo}/revision/{rev}`) and per-file metadata (HEAD on `/resolve/`). */
import { COMMIT_SHA } from './cache-layout.js';
import { HubError } from './hub-error.js';
import {
  headerText,
  HttpStatusError,
  readBody,
  requestFollowingRedirects,
  withRetries,
  type HttpResponse,
  type RetryPolicy,
} from './hub-http.js';
import type { HubSettings } from './hub-settings.js';

/** What every request needs: settings, retry policy, cancellation. */
export interface HubClient {
  settings: HubSettings;
  retry: RetryPolicy;
  signal?: AbortSignal | undefined;
  userAgent: string;
}

/** One file of the listing (`siblings[]` with `?blobs=true`). */
export interface RepoFile {
  /** Path in the repository, forward slashes. */
  path: string;
  size: number | undefined;
  /** Git blob sha1 of the file (of the pointer file for LFS files). */
  blobId: string | undefined;
  /** Present for LFS files: the sha256 and size of the real content. */
  lfs: { sha256: string; size: number } | undefined;
}

/** The listing of a repository at a revision, with the commit sha that revision names now. */
export interface RepoInfo {
  repoId: string;
  revision: string;
  commit: string;
  files: RepoFile[];
}

/** Metadata of one file from a HEAD on its resolve URL, as huggingface_hub's `get_hf_file_metadata` returns it. */
export interface FileMetadata {
  commit: string | undefined;
  /** The blob name in the cache: sha256 for LFS files, git sha1 otherwise (X-Linked-Etag, else ETag, unquoted). */
  etag: string;
  /** Where to GET the bytes: the CDN URL of a redirect, or the resolve URL itself. */
  location: string;
  size: number | undefined;
}

export function baseHeaders(client: HubClient, withToken: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'user-agent': client.userAgent };
  if (withToken && client.settings.token) headers.authorization = `Bearer ${client.settings.token}`;
  return headers;
}

/** `{endpoint}/{repo}/resolve/{revision}/{file}`, revision fully encoded, file encoded per path segment. */
export function resolveUrl(endpoint: string, repoId: string, revision: string, file: string): string {
  return `${endpoint}/${repoId}/resolve/${encodeURIComponent(revision)}/${file.split('/').map(encodeURIComponent).join('/')}`;
}

/** huggingface_hub's `_normalize_etag`: drops a weak marker and the quotes. */
export function normalizeEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  const bare = etag.trim().replace(/^W\//, '').replace(/^"|"$/g, '');
  return bare === '' ? undefined : bare;
}

function intOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** What the repository is, for messages: `org/name at revision main on https://huggingface.co`. */
function describe(client: HubClient, repoId: string, revision: string): string {
  return `${repoId} (revision ${revision}) on ${client.settings.endpoint}`;
}

function tokenAdvice(client: HubClient): string {
  const { tokenSource } = client.settings;
  return tokenSource
    ? `The token from ${tokenSource} was sent but does not grant access: check that it is valid and has read access to this repository`
    : 'Set HF_TOKEN to a Hugging Face access token with read access (https://huggingface.co/settings/tokens), or log in once with `hf auth login`';
}

/** Turns an HTTP error from the Hub into a HubError that says what to do. */
export function hubErrorFromStatus(client: HubClient, error: HttpStatusError, repoId: string, revision: string, file?: string): HubError {
  const code = headerText(error.headers, 'x-error-code');
  const what = describe(client, repoId, revision);
  if (error.status === 401 || error.status === 403 || code === 'GatedRepo') {
    const gated = code === 'GatedRepo' ? ` It is gated: accept its conditions at ${client.settings.endpoint}/${repoId} while logged in.` : '';
    return new HubError(
      'unauthorized',
      `Access to ${what} was refused (HTTP ${error.status}): the repository is private or gated, or does not exist.${gated} ${tokenAdvice(client)}.`,
      { cause: error },
    );
  }
  if (error.status === 404) {
    if (code === 'RevisionNotFound') {
      return new HubError('not-found', `Revision "${revision}" not found in ${repoId} on ${client.settings.endpoint}: check the branch, tag or commit sha`, { cause: error });
    }
    if (code === 'EntryNotFound' && file !== undefined) {
      return new HubError('not-found', `File ${file} not found in ${what}, although the repository lists it`, { cause: error });
    }
    return new HubError(
      'not-found',
      `Repository ${repoId} not found on ${client.settings.endpoint} (HTTP 404${code ? `, ${code}` : ''}): check the model id${file ? ` (while fetching ${file})` : ''}`,
      { cause: error },
    );
  }
  return new HubError('bad-response', `The Hub at ${client.settings.endpoint} answered HTTP ${error.status} for ${file ?? 'the listing of'} ${what}`, { cause: error });
}

async function expectOk(response: HttpResponse, allowRedirect = false): Promise<HttpResponse> {
  if (response.status >= 200 && response.status < (allowRedirect ? 400 : 300)) return response;
  response.body.resume();
  throw new HttpStatusError(response.status, response.headers, response.url);
}

/**
 * Lists the repository at `revision` (a branch, tag or sha) with `GET /api/models/{repo}/revision/{rev}?blobs=true`.
 * Network failures and HTTP errors are thrown raw (`isNetworkError`, `HttpStatusError`) so the caller can fall back
 * to the cache first; `retries` false makes one attempt only, for a fast fallback.
 */
export async function fetchRepoInfo(client: HubClient, repoId: string, revision: string, retries: boolean): Promise<RepoInfo> {
  const url = `${client.settings.endpoint}/api/models/${repoId}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const policy = retries ? client.retry : { ...client.retry, retries: 0 };
  const body = await withRetries(policy, client.signal, async () => {
    const response = await expectOk(
      await requestFollowingRedirects({
        method: 'GET',
        url,
        headers: { ...baseHeaders(client, true), accept: 'application/json' },
        idleTimeoutMs: client.settings.metadataTimeoutSeconds * 1000,
        proxyEnv: client.settings.proxyEnv,
        signal: client.signal,
      }),
    );
    return readBody(response);
  });
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new HubError('bad-response', `The listing of ${describe(client, repoId, revision)} is not valid JSON (${(error as Error).message})`);
  }
  return parseRepoInfo(json, repoId, revision, client);
}

function parseRepoInfo(json: unknown, repoId: string, revision: string, client: HubClient): RepoInfo {
  const bad = (problem: string) => new HubError('bad-response', `The listing of ${describe(client, repoId, revision)} is unusable: ${problem}`);
  if (typeof json !== 'object' || json === null) throw bad('not a JSON object');
  const { sha, siblings } = json as { sha?: unknown; siblings?: unknown };
  if (typeof sha !== 'string' || !COMMIT_SHA.test(sha)) throw bad(`"sha" is ${JSON.stringify(sha)}, not a 40-hex commit sha`);
  if (!Array.isArray(siblings)) throw bad('"siblings" is not an array');
  const files: RepoFile[] = siblings.map((sibling: unknown, index) => {
    const s = sibling as { rfilename?: unknown; size?: unknown; blobId?: unknown; lfs?: { sha256?: unknown; size?: unknown } | null };
    if (typeof s?.rfilename !== 'string') throw bad(`siblings[${index}].rfilename is not a string`);
    const lfs =
      s.lfs && typeof s.lfs.sha256 === 'string' && typeof s.lfs.size === 'number' ? { sha256: s.lfs.sha256, size: s.lfs.size } : undefined;
    return {
      path: s.rfilename,
      size: typeof s.size === 'number' ? s.size : lfs?.size,
      blobId: typeof s.blobId === 'string' ? s.blobId : undefined,
      lfs,
    };
  });
  return { repoId, revision, commit: sha, files };
}

/** HEAD on the resolve URL of `file` at `commit`, following only relative redirects (a renamed repository), never the CDN one. */
export async function fetchFileMetadata(client: HubClient, repoId: string, commit: string, file: string): Promise<FileMetadata> {
  const url = resolveUrl(client.settings.endpoint, repoId, commit, file);
  const response = await withRetries(client.retry, client.signal, async () =>
    expectOk(
      await requestFollowingRedirects({
        method: 'HEAD',
        url,
        headers: { ...baseHeaders(client, true), 'accept-encoding': 'identity' },
        idleTimeoutMs: client.settings.metadataTimeoutSeconds * 1000,
        proxyEnv: client.settings.proxyEnv,
        signal: client.signal,
        relativeOnly: true,
      }),
      true,
    ),
  );
  response.body.resume();
  const etag = normalizeEtag(headerText(response.headers, 'x-linked-etag') ?? headerText(response.headers, 'etag'));
  if (etag === undefined) {
    throw new HubError('bad-response', `The Hub gave no ETag for ${file} of ${repoId} at ${commit} (${url}); cannot name the cached blob`);
  }
  if (!/^[0-9A-Za-z._-]+$/.test(etag)) {
    throw new HubError('bad-response', `The Hub gave the ETag ${JSON.stringify(etag)} for ${file} of ${repoId}, which is not usable as a file name`);
  }
  return {
    commit: headerText(response.headers, 'x-repo-commit'),
    etag,
    location: headerText(response.headers, 'location') ? new URL(headerText(response.headers, 'location')!, response.url).toString() : response.url,
    // a redirect's Content-Length is that of the redirect body, not of the file
    size: intOrUndefined(
      headerText(response.headers, 'x-linked-size') ?? (response.status >= 300 ? undefined : headerText(response.headers, 'content-length')),
    ),
  };
}
