/** A Hugging Face Hub stand-in on loopback: the model API, resolve URLs with the Hub's headers, an LFS "CDN" with Range support, and fault switches. */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One commit of a repository: path → bytes. */
export type RepoFiles = Map<string, Buffer>;

export interface HubRepo {
  /** sha → files at that commit. */
  commits: Record<string, RepoFiles>;
  /** Branch and tag names → commit sha. */
  refs: Record<string, string>;
  /** When set, requests without `Authorization: Bearer <token>` get 401 (X-Error-Code: GatedRepo). */
  token?: string;
}

/** A request the server saw. */
export interface RecordedRequest {
  method: string;
  /** Path and query, as sent. */
  url: string;
  headers: IncomingMessage['headers'];
  status: number;
  /** Which server: the Hub or the separate CDN. */
  host: 'hub' | 'cdn';
}

/** Switches that make the next matching requests fail; each has a `times` budget (default 1; Infinity for always). */
export interface HubFaults {
  /** Send `bytes` bytes of a matching file body, then destroy the connection. */
  dropAfterBytes?: { file: string; bytes: number; times?: number } | undefined;
  /** Send `bytes` bytes of a matching file body, then nothing more (the connection stays open until the client gives up). */
  stallAfterBytes?: { file: string; bytes: number; times?: number } | undefined;
  /** Serve a matching file body with one byte flipped (same length, same headers). */
  corrupt?: { file: string; times?: number } | undefined;
  /** Answer requests whose path contains `match` with `status` (and `X-Error-Code`). */
  status?: { match: string; status: number; errorCode?: string; times?: number } | undefined;
}

export interface HubServer {
  /** `http://127.0.0.1:<port>`: the value for HF_ENDPOINT. */
  endpoint: string;
  /** Origin of the CDN that LFS files redirect to (another port, unless `sameOriginCdn`). */
  cdnOrigin: string;
  requests: RecordedRequest[];
  faults: HubFaults;
  repos: Record<string, HubRepo>;
  /** GET requests that transfer file bytes (resolve of regular files, CDN), i.e. file downloads. */
  fileDownloads(): RecordedRequest[];
  close(): Promise<void>;
}

export function gitBlobSha1(content: Buffer): string {
  return createHash('sha1').update(`blob ${content.length}\0`).update(content).digest('hex');
}

export function sha256(content: Buffer): string {
  return createHash('sha256').update(content).digest('hex');
}

/** A fake 40-hex commit sha derived from a seed. */
export function fakeCommit(seed: string): string {
  return createHash('sha1').update(seed).digest('hex');
}

/** Files stored in LFS on this fake Hub, as `.gitattributes` usually says: safetensors and other binaries. */
export function isLfs(path: string): boolean {
  return /\.(safetensors|bin|h5|msgpack|ot|onnx)$/.test(path);
}

function lfsPointer(content: Buffer): Buffer {
  return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256(content)}\nsize ${content.length}\n`);
}

/** Reads every file under `folder` into a RepoFiles map (paths with forward slashes). */
export function filesFromFolder(folder: string, prefix = '', into: RepoFiles = new Map()): RepoFiles {
  for (const name of readdirSync(folder).sort()) {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) filesFromFolder(path, `${prefix}${name}/`, into);
    else into.set(prefix + name, readFileSync(path));
  }
  return into;
}

export const FIXTURE_DIR = fileURLToPath(new URL('../fixtures/splade-tiny/', import.meta.url));
export const PEFT_REPO = 'test-org/splade-tiny-peft';
export const BASE_REPO = 'test-org/splade-tiny-base';
export const MAIN_COMMIT = fakeCommit('main');
export const DEV_COMMIT = fakeCommit('dev');

/**
 * The fixture in Hub form: `test-org/splade-tiny-peft` (splade-peft/, its adapter_config naming
 * `test-org/splade-tiny-base`) and `test-org/splade-tiny-base` (base/), each with files the default selection
 * must skip (README.md, pytorch_model.bin, onnx/model.onnx, onnx/config.json). The base also has a branch `dev`
 * (another commit, one file changed) and a tag `v1` (= main).
 */
export function fixtureRepos(): Record<string, HubRepo> {
  const extras = (files: RepoFiles) => {
    files.set('README.md', Buffer.from('# test model\n'));
    files.set('pytorch_model.bin', Buffer.alloc(1000, 7));
    files.set('onnx/model.onnx', Buffer.alloc(500, 9));
    files.set('onnx/config.json', Buffer.from('{"onnx": true}\n'));
    files.set('.gitattributes', Buffer.from('*.safetensors filter=lfs diff=lfs merge=lfs -text\n'));
    return files;
  };
  const peft = extras(filesFromFolder(join(FIXTURE_DIR, 'splade-peft')));
  const adapterConfig = JSON.parse(peft.get('adapter_config.json')!.toString('utf8')) as Record<string, unknown>;
  adapterConfig.base_model_name_or_path = BASE_REPO;
  peft.set('adapter_config.json', Buffer.from(JSON.stringify(adapterConfig, null, 2) + '\n'));
  const base = extras(filesFromFolder(join(FIXTURE_DIR, 'base')));
  const baseDev = new Map(base);
  baseDev.set('tokenizer_config.json', Buffer.from('{"do_lower_case": true, "model_max_length": 512, "branch": "dev"}\n'));
  return {
    [PEFT_REPO]: { commits: { [MAIN_COMMIT]: peft }, refs: { main: MAIN_COMMIT } },
    [BASE_REPO]: { commits: { [MAIN_COMMIT]: base, [DEV_COMMIT]: baseDev }, refs: { main: MAIN_COMMIT, dev: DEV_COMMIT, v1: MAIN_COMMIT } },
  };
}

function takeFault<T extends { times?: number }>(fault: T | undefined, clear: () => void): T | undefined {
  if (!fault) return undefined;
  const times = fault.times ?? 1;
  if (times <= 0) return undefined;
  fault.times = times - 1;
  if (fault.times <= 0) clear();
  return fault;
}

/** Parses `bytes=N-` / `bytes=N-M` against a size; undefined for a missing or unusable header. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const match = /^bytes=(\d+)-(\d*)$/.exec(header ?? '');
  if (!match) return undefined;
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (start >= size || end < start) return 'unsatisfiable';
  return { start, end };
}

/**
 * Starts the server on 127.0.0.1, with a second listener on `localhost` for LFS bytes so that the CDN is another
 * host, as on the real Hub (`sameOriginCdn` serves them from the Hub's own origin instead).
 */
export async function startHubServer(options: { repos?: Record<string, HubRepo>; sameOriginCdn?: boolean } = {}): Promise<HubServer> {
  const repos = options.repos ?? fixtureRepos();
  const requests: RecordedRequest[] = [];
  const faults: HubFaults = {};
  const blobsBySha = new Map<string, Buffer>();
  for (const repo of Object.values(repos)) {
    for (const files of Object.values(repo.commits)) for (const [path, content] of files) if (isLfs(path)) blobsBySha.set(sha256(content), content);
  }
  let endpoint = '';
  let cdnOrigin = '';

  /** Sends `content` (or the requested range of it) as a file body, applying the body faults for `file`. */
  function sendBody(req: IncomingMessage, res: ServerResponse, file: string, content: Buffer, headers: Record<string, string | number>): void {
    const range = parseRange(req.headers.range, content.length);
    if (range === 'unsatisfiable') {
      res.writeHead(416, { 'Content-Range': `bytes */${content.length}` }).end();
      return;
    }
    let body = content;
    const status = range ? 206 : 200;
    if (range) body = content.subarray(range.start, range.end + 1);
    const responseHeaders: Record<string, string | number> = { ...headers, 'Accept-Ranges': 'bytes', 'Content-Length': body.length };
    if (range) responseHeaders['Content-Range'] = `bytes ${range.start}-${range.end}/${content.length}`;
    res.writeHead(status, responseHeaders);
    if (req.method === 'HEAD') {
      res.end();
      return;
    }
    const corrupt = faults.corrupt?.file === file ? takeFault(faults.corrupt, () => (faults.corrupt = undefined)) : undefined;
    if (corrupt) {
      body = Buffer.from(body);
      body[body.length >> 1] = body[body.length >> 1]! ^ 0xff;
    }
    const stall = faults.stallAfterBytes?.file === file ? takeFault(faults.stallAfterBytes, () => (faults.stallAfterBytes = undefined)) : undefined;
    if (stall) {
      res.write(body.subarray(0, stall.bytes));
      return;
    }
    const drop = faults.dropAfterBytes?.file === file ? takeFault(faults.dropAfterBytes, () => (faults.dropAfterBytes = undefined)) : undefined;
    if (drop) {
      // a half-close after the bytes: the client gets exactly `bytes` bytes, then a premature end of the body
      res.write(body.subarray(0, drop.bytes), () => res.socket?.end());
      return;
    }
    res.end(body);
  }

  function handle(host: 'hub' | 'cdn', req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://x');
    const record: RecordedRequest = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, status: 0, host };
    requests.push(record);
    const originalWriteHead = res.writeHead.bind(res);
    res.writeHead = ((status: number, ...rest: unknown[]) => {
      record.status = status;
      return (originalWriteHead as (...args: unknown[]) => ServerResponse)(status, ...rest);
    }) as typeof res.writeHead;
    const fail = (status: number, errorCode?: string, extra: Record<string, string> = {}) => {
      res.writeHead(status, { 'Content-Type': 'application/json', ...(errorCode ? { 'X-Error-Code': errorCode } : {}), ...extra });
      res.end(JSON.stringify({ error: errorCode ?? `HTTP ${status}` }));
    };

    const statusFault = faults.status && url.pathname.includes(faults.status.match) ? takeFault(faults.status, () => (faults.status = undefined)) : undefined;
    if (statusFault) {
      fail(statusFault.status, statusFault.errorCode);
      return;
    }

    const cdn = /^\/cdn\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdn) {
      const content = blobsBySha.get(cdn[1]!);
      if (!content) return fail(404);
      sendBody(req, res, url.searchParams.get('file') ?? '', content, {
        ETag: `"${cdn[1]}"`,
        'Content-Type': 'application/octet-stream',
        'Content-Disposition': `attachment; filename="${url.searchParams.get('file') ?? 'blob'}";`,
      });
      return;
    }
    if (host === 'cdn') return fail(404);

    const api = /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    // the tree listing Python huggingface_hub 1.x+ uses in snapshot_download (kept so the real client can be run against this server)
    const tree = /^\/api\/models\/([^/]+\/[^/]+)\/tree\/([^/]+)(?:\/(.*))?$/.exec(url.pathname);
    const resolve = /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const match = api ?? tree ?? resolve;
    if (!match) return fail(404);
    const repoId = match[1]!;
    const repo = repos[repoId];
    if (!repo) return fail(404, 'RepoNotFound');
    if (repo.token !== undefined && req.headers.authorization !== `Bearer ${repo.token}`) {
      return fail(401, 'GatedRepo', { 'X-Error-Message': `Access to model ${repoId} is restricted.` });
    }
    const revision = decodeURIComponent(match[2]!);
    const commit = repo.commits[revision] ? revision : repo.refs[revision];
    const files = commit ? repo.commits[commit] : undefined;
    if (!commit || !files) return fail(404, 'RevisionNotFound');

    if (api) {
      const blobs = url.searchParams.get('blobs') === 'true';
      const siblings = [...files].map(([path, content]) => {
        if (!blobs) return { rfilename: path };
        if (!isLfs(path)) return { rfilename: path, size: content.length, blobId: gitBlobSha1(content) };
        const pointer = lfsPointer(content);
        return {
          rfilename: path,
          size: content.length,
          blobId: gitBlobSha1(pointer),
          lfs: { sha256: sha256(content), size: content.length, pointerSize: pointer.length },
        };
      });
      const body = JSON.stringify({ _id: commit.slice(0, 24), id: repoId, modelId: repoId, private: false, sha: commit, siblings, tags: [] });
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(req.method === 'HEAD' ? undefined : body);
      return;
    }

    if (tree) {
      const prefix = tree[3] ? `${decodeURIComponent(tree[3])}/` : '';
      const recursive = url.searchParams.get('recursive') === 'true';
      const entries: object[] = [];
      const folders = new Set<string>();
      for (const [path, content] of files) {
        if (!path.startsWith(prefix)) continue;
        const rest = path.slice(prefix.length);
        const slash = rest.indexOf('/');
        if (slash !== -1) {
          const folder = prefix + rest.slice(0, slash);
          if (!folders.has(folder)) entries.push({ type: 'directory', oid: gitBlobSha1(Buffer.from(folder)), size: 0, path: folder });
          folders.add(folder);
          if (!recursive) continue;
        }
        const pointer = isLfs(path) ? lfsPointer(content) : undefined;
        entries.push({
          type: 'file',
          oid: gitBlobSha1(pointer ?? content),
          size: content.length,
          path,
          ...(pointer ? { lfs: { oid: sha256(content), size: content.length, pointerSize: pointer.length } } : {}),
        });
      }
      const body = JSON.stringify(entries);
      res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
      return;
    }

    const file = resolve![3]!.split('/').map(decodeURIComponent).join('/');
    const content = files.get(file);
    if (!content) return fail(404, 'EntryNotFound', { 'X-Repo-Commit': commit });
    if (isLfs(file)) {
      const pointer = lfsPointer(content);
      const hash = sha256(content);
      res.writeHead(302, {
        Location: `${cdnOrigin}/cdn/${hash}?file=${encodeURIComponent(file)}&signature=fake`,
        ETag: `"${gitBlobSha1(pointer)}"`,
        'X-Linked-Etag': `"${hash}"`,
        'X-Linked-Size': content.length,
        'X-Repo-Commit': commit,
        'Content-Length': 0,
      });
      res.end();
      return;
    }
    sendBody(req, res, file, content, {
      ETag: `"${gitBlobSha1(content)}"`,
      'X-Repo-Commit': commit,
      'Content-Type': 'application/octet-stream',
    });
  }

  const listen = async (server: Server, host: string): Promise<string> => {
    await new Promise<void>((resolveListen) => server.listen(0, host, resolveListen));
    return `http://${host}:${(server.address() as AddressInfo).port}`;
  };
  const hub = createServer((req, res) => handle('hub', req, res));
  const cdnServer = !options.sameOriginCdn ? createServer((req, res) => handle('cdn', req, res)) : undefined;
  endpoint = await listen(hub, '127.0.0.1');
  // another host name, not only another port: huggingface_hub 2 follows HEAD redirects that stay on the same host
  cdnOrigin = cdnServer ? await listen(cdnServer, 'localhost') : endpoint;

  return {
    endpoint,
    cdnOrigin,
    requests,
    faults,
    repos,
    fileDownloads: () => requests.filter((r) => r.method === 'GET' && (r.url.startsWith('/cdn/') || r.url.includes('/resolve/'))),
    async close() {
      for (const server of [hub, cdnServer]) {
        if (!server) continue;
        server.closeAllConnections();
        await new Promise<void>((done) => server.close(() => done()));
      }
    },
  };
}
