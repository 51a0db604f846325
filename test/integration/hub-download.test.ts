import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, lstatSync, readFileSync, readdirSync, readlinkSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, symlink, mkdir } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { downloadSnapshot, isHubError, type DownloadProgress, type SnapshotOptions } from '../../app/hub/index.js';
import {
  BASE_REPO,
  DEV_COMMIT,
  FIXTURE_DIR,
  MAIN_COMMIT,
  PEFT_REPO,
  gitBlobSha1,
  sha256,
  startHubServer,
  type HubServer,
} from '../helpers/hub-server.js';

const BASE_FILES = ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json', 'vocab.txt'];
const PEFT_FILES = [
  '1_SpladePooling/config.json',
  'adapter_config.json',
  'adapter_model.safetensors',
  'config_sentence_transformers.json',
  'modules.json',
  'sentence_bert_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
];

let server: HubServer;
let cache: string;

before(async () => {
  server = await startHubServer();
});
after(async () => {
  await server.close();
});
beforeEach(async () => {
  cache = await mkdtemp(join(tmpdir(), 'hub-cache-'));
  server.requests.length = 0;
  server.faults.corrupt = server.faults.dropAfterBytes = server.faults.stallAfterBytes = server.faults.status = undefined;
});

function env(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { HF_ENDPOINT: server.endpoint, HF_HUB_CACHE: cache, HF_HOME: join(cache, 'home'), ...extra };
}

function options(extra: Partial<SnapshotOptions> = {}, envExtra: NodeJS.ProcessEnv = {}): SnapshotOptions {
  return { env: env(envExtra), retry: { retries: 3, baseDelayMs: 5, maxDelayMs: 20 }, ...extra };
}

function repoFolder(repoId: string): string {
  return join(cache, `models--${repoId.replace('/', '--')}`);
}

/** All files under a folder, relative, forward slashes. */
function walk(folder: string, prefix = ''): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? walk(join(folder, entry.name), `${prefix}${entry.name}/`) : [`${prefix}${entry.name}`],
  );
}

function fixtureBytes(repoFolderName: 'base' | 'splade-peft', file: string): Buffer {
  return readFileSync(join(FIXTURE_DIR, repoFolderName, file));
}

async function rejectsWithHubError(promise: Promise<unknown>, code: string, pattern: RegExp): Promise<Error> {
  let caught: unknown;
  await promise.then(
    () => assert.fail(`expected a HubError ${code}`),
    (error: unknown) => (caught = error),
  );
  assert.ok(isHubError(caught), `not a HubError: ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  assert.match(caught.message, pattern);
  return caught;
}

describe('downloadSnapshot against a loopback Hub', () => {
  it('produces the exact huggingface_hub layout: blobs named by etag, relative symlinks, refs file', async () => {
    const snapshot = await downloadSnapshot(BASE_REPO, options());
    const folder = repoFolder(BASE_REPO);
    assert.equal(snapshot.commit, MAIN_COMMIT);
    assert.equal(snapshot.folder, join(folder, 'snapshots', MAIN_COMMIT));
    assert.deepEqual(snapshot.files, BASE_FILES);
    assert.deepEqual(snapshot.downloaded, BASE_FILES);
    assert.equal(readFileSync(join(folder, 'refs', 'main'), 'utf8'), MAIN_COMMIT); // exactly the sha, no newline
    assert.deepEqual(walk(snapshot.folder).sort(), BASE_FILES); // README.md, pytorch_model.bin, onnx/ skipped

    const expectedBlobs: string[] = [];
    for (const file of BASE_FILES) {
      const content = fixtureBytes('base', file);
      const etag = file.endsWith('.safetensors') ? sha256(content) : gitBlobSha1(content);
      expectedBlobs.push(etag);
      const pointer = join(snapshot.folder, file);
      assert.ok(lstatSync(pointer).isSymbolicLink(), `${file} is a symlink`);
      assert.equal(readlinkSync(pointer), join('..', '..', 'blobs', etag));
      assert.deepEqual(readFileSync(pointer), content, `${file} is byte-identical`);
    }
    assert.deepEqual(readdirSync(join(folder, 'blobs')).sort(), expectedBlobs.sort());
  });

  it('goes through HTTP_PROXY when set, and around it for a NO_PROXY host, as huggingface_hub does', async () => {
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const upstream = http.request(req.url!, { method: req.method, headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode!, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.destroy());
      req.pipe(upstream);
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const snapshot = await downloadSnapshot(BASE_REPO, options({}, { HTTP_PROXY: proxyUrl }));
      assert.deepEqual(snapshot.downloaded, BASE_FILES);
      assert.deepEqual(readFileSync(join(snapshot.folder, 'model.safetensors')), fixtureBytes('base', 'model.safetensors'));
      // The listing and every file went through the proxy, by absolute URL (the LFS file from the CDN on localhost).
      assert.ok(seen.some((line) => line.startsWith(`GET ${server.endpoint}/api/models/${BASE_REPO}/revision/main`)), seen.join('\n'));
      for (const file of BASE_FILES) {
        const fetched = (line: string) => line.startsWith('GET http://') && (line.endsWith(`/${file}`) || line.includes(`?file=${file}&`));
        assert.ok(seen.some(fetched), `${file} not fetched through the proxy:\n${seen.join('\n')}`);
      }
      seen.length = 0;
      await rm(cache, { recursive: true, force: true });
      await downloadSnapshot(BASE_REPO, options({}, { HTTP_PROXY: proxyUrl, NO_PROXY: '127.0.0.1,localhost' }));
      assert.deepEqual(seen, []);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  it('links nested files one level deeper and rewrites nothing else', async () => {
    const snapshot = await downloadSnapshot(PEFT_REPO, options());
    assert.deepEqual(snapshot.files, PEFT_FILES);
    const pointer = join(snapshot.folder, '1_SpladePooling', 'config.json');
    const etag = gitBlobSha1(fixtureBytes('splade-peft', '1_SpladePooling/config.json'));
    assert.equal(readlinkSync(pointer), join('..', '..', '..', 'blobs', etag));
    const adapter = JSON.parse(readFileSync(join(snapshot.folder, 'adapter_config.json'), 'utf8')) as { base_model_name_or_path: string };
    assert.equal(adapter.base_model_name_or_path, BASE_REPO);
  });

  it('makes no file download the second time: only the listing is requested', async () => {
    await downloadSnapshot(BASE_REPO, options());
    const firstDownloads = server.fileDownloads().length;
    assert.equal(firstDownloads, BASE_FILES.length);
    server.requests.length = 0;
    const again = await downloadSnapshot(BASE_REPO, options());
    assert.deepEqual(again.downloaded, []);
    assert.deepEqual(
      server.requests.map((r) => `${r.method} ${r.url}`),
      [`GET /api/models/${BASE_REPO}/revision/main?blobs=true`],
    );
  });

  it('sends HEAD for metadata and follows the LFS redirect to the CDN', async () => {
    await downloadSnapshot(BASE_REPO, options());
    const heads = server.requests.filter((r) => r.method === 'HEAD');
    assert.equal(heads.length, BASE_FILES.length);
    assert.ok(heads.every((r) => r.url.includes(`/resolve/${MAIN_COMMIT}/`)), 'files are resolved at the listed commit');
    const weights = server.fileDownloads().filter((r) => r.url.startsWith('/cdn/'));
    assert.equal(weights.length, 1);
    assert.match(weights[0]!.url, new RegExp(`^/cdn/${sha256(fixtureBytes('base', 'model.safetensors'))}`));
  });

  it('resumes a transfer the server drops with a Range request, byte-identical', async () => {
    server.faults.dropAfterBytes = { file: 'model.safetensors', bytes: 1_000_000 };
    const snapshot = await downloadSnapshot(BASE_REPO, options());
    const cdn = server.fileDownloads().filter((r) => r.url.startsWith('/cdn/'));
    assert.equal(cdn.length, 2);
    assert.equal(cdn[0]!.headers.range, undefined);
    // the client resumes from what reached the disk: at most the 1 MB sent, and not nothing
    const resumedAt = Number(/^bytes=(\d+)-$/.exec(cdn[1]!.headers.range ?? '')?.[1]);
    assert.ok(resumedAt > 500_000 && resumedAt <= 1_000_000, `resumed at ${cdn[1]!.headers.range}`);
    assert.equal(cdn[1]!.status, 206);
    assert.deepEqual(readFileSync(join(snapshot.folder, 'model.safetensors')), fixtureBytes('base', 'model.safetensors'));
  });

  it('gives up on a stalled transfer after HF_HUB_DOWNLOAD_TIMEOUT and resumes it', async () => {
    server.faults.stallAfterBytes = { file: 'model.safetensors', bytes: 2_000_000 };
    const started = performance.now();
    const snapshot = await downloadSnapshot(BASE_REPO, options({}, { HF_HUB_DOWNLOAD_TIMEOUT: '0.3' }));
    assert.ok(performance.now() - started < 5_000, 'the idle timeout, not a longer one, ended the stall');
    const cdn = server.fileDownloads().filter((r) => r.url.startsWith('/cdn/'));
    assert.equal(cdn.length, 2);
    assert.match(cdn[1]!.headers.range ?? '', /^bytes=\d+-$/);
    assert.deepEqual(readFileSync(join(snapshot.folder, 'model.safetensors')), fixtureBytes('base', 'model.safetensors'));
  });

  it('keeps an interrupted download as .incomplete and resumes it in the next call', async () => {
    server.faults.dropAfterBytes = { file: 'model.safetensors', bytes: 1_500_000 };
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options({ retry: { retries: 0 } })), 'network', /model\.safetensors.*\.incomplete/s);
    const weights = fixtureBytes('base', 'model.safetensors');
    const blob = join(repoFolder(BASE_REPO), 'blobs', sha256(weights));
    assert.equal(existsSync(blob), false, 'no complete-looking blob');
    const kept = (await stat(blob + '.incomplete')).size;
    assert.ok(kept > 1_000_000 && kept <= 1_500_000, `kept ${kept} bytes`);
    assert.equal(existsSync(join(repoFolder(BASE_REPO), 'snapshots', MAIN_COMMIT, 'model.safetensors')), false);

    server.requests.length = 0;
    const snapshot = await downloadSnapshot(BASE_REPO, options());
    const cdn = server.fileDownloads().filter((r) => r.url.startsWith('/cdn/'));
    assert.deepEqual(cdn.map((r) => r.headers.range), [`bytes=${kept}-`]);
    assert.ok(snapshot.downloaded.includes('model.safetensors'), `downloaded ${snapshot.downloaded}`); // and whatever the failed call had not started
    assert.deepEqual(readFileSync(blob), weights);
    assert.equal(existsSync(blob + '.incomplete'), false);
  });

  it('rejects a corrupt LFS download (sha256 mismatch) and leaves nothing that looks complete', async () => {
    server.faults.corrupt = { file: 'model.safetensors' };
    const weights = fixtureBytes('base', 'model.safetensors');
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options()), 'integrity', new RegExp(`model\\.safetensors.*sha256 [0-9a-f]{64}, expected ${sha256(weights)}`));
    const blob = join(repoFolder(BASE_REPO), 'blobs', sha256(weights));
    assert.equal(existsSync(blob), false);
    assert.equal(existsSync(blob + '.incomplete'), false, 'corrupt bytes are not kept for resuming');
    assert.equal(existsSync(join(repoFolder(BASE_REPO), 'snapshots', MAIN_COMMIT, 'model.safetensors')), false);

    // The failed call may have stopped other files mid-way (they download concurrently): the next call fetches
    // exactly the files the first one did not complete, the weights among them.
    const snapshotFolder = join(repoFolder(BASE_REPO), 'snapshots', MAIN_COMMIT);
    const completeAfterFailure = existsSync(snapshotFolder) ? walk(snapshotFolder) : [];
    const snapshot = await downloadSnapshot(BASE_REPO, options());
    const expectedDownloads = snapshot.files.filter((file) => !completeAfterFailure.includes(file));
    assert.ok(expectedDownloads.includes('model.safetensors'));
    assert.deepEqual([...snapshot.downloaded].sort(), expectedDownloads.sort());
    assert.deepEqual(readFileSync(join(snapshot.folder, 'model.safetensors')), weights);
  });

  it('rejects a corrupt regular file by its git blob sha1', async () => {
    server.faults.corrupt = { file: 'vocab.txt' };
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options()), 'integrity', /vocab\.txt.*git blob sha1/);
    assert.equal(existsSync(join(repoFolder(BASE_REPO), 'snapshots', MAIN_COMMIT, 'vocab.txt')), false);
  });

  it('retries transient HTTP 500 answers', async () => {
    server.faults.status = { match: '/api/models/', status: 500, times: 2 };
    const snapshot = await downloadSnapshot(BASE_REPO, options());
    assert.equal(snapshot.commit, MAIN_COMMIT);
    assert.equal(server.requests.filter((r) => r.url.startsWith('/api/')).length, 3);
  });

  it('reports a Hub that keeps failing with HTTP 500 when nothing is cached', async () => {
    server.faults.status = { match: '/api/models/', status: 500, times: Infinity };
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options()), 'bad-response', /HTTP 500/);
  });

  it('resolves a branch to its commit sha, writes refs/<branch>, and shares unchanged blobs', async () => {
    await downloadSnapshot(BASE_REPO, options());
    server.requests.length = 0;
    const dev = await downloadSnapshot(BASE_REPO, options({ revision: 'dev' }));
    assert.equal(dev.commit, DEV_COMMIT);
    assert.equal(dev.folder, join(repoFolder(BASE_REPO), 'snapshots', DEV_COMMIT));
    assert.equal(readFileSync(join(repoFolder(BASE_REPO), 'refs', 'dev'), 'utf8'), DEV_COMMIT);
    assert.deepEqual(dev.downloaded, ['tokenizer_config.json'], 'only the changed file is fetched');
    assert.match(readFileSync(join(dev.folder, 'tokenizer_config.json'), 'utf8'), /"branch": "dev"/);
    assert.equal(readlinkSync(join(dev.folder, 'model.safetensors')), readlinkSync(join(repoFolder(BASE_REPO), 'snapshots', MAIN_COMMIT, 'model.safetensors')));

    const tag = await downloadSnapshot(BASE_REPO, options({ revision: 'v1' }));
    assert.equal(tag.commit, MAIN_COMMIT);
    assert.equal(readFileSync(join(repoFolder(BASE_REPO), 'refs', 'v1'), 'utf8'), MAIN_COMMIT);

    const bySha = await downloadSnapshot(BASE_REPO, options({ revision: DEV_COMMIT }));
    assert.equal(bySha.folder, dev.folder);
    assert.equal(existsSync(join(repoFolder(BASE_REPO), 'refs', DEV_COMMIT)), false, 'a sha needs no ref');
  });

  it('reports progress per file, ending at the total', async () => {
    const events: DownloadProgress[] = [];
    await downloadSnapshot(BASE_REPO, options({ onProgress: (event) => events.push(event) }));
    const done = events.filter((e) => e.done);
    assert.deepEqual(done.map((e) => e.file).sort(), BASE_FILES);
    const total = BASE_FILES.reduce((sum, file) => sum + fixtureBytes('base', file).length, 0);
    const last = events.at(-1)!;
    assert.equal(last.snapshotTotal, total);
    assert.equal(last.snapshotBytes, total);
    assert.equal(last.filesDone, BASE_FILES.length);
    assert.equal(last.filesTotal, BASE_FILES.length);
    assert.ok(events.every((e) => e.repoId === BASE_REPO && e.revision === 'main' && e.rate >= 0), 'events name the repo and revision');
  });

  it('copies instead of linking where symlinks are unavailable', async () => {
    const snapshot = await downloadSnapshot(BASE_REPO, options({ symlinks: false }));
    for (const file of BASE_FILES) {
      const info = lstatSync(join(snapshot.folder, file));
      assert.ok(info.isFile() && !info.isSymbolicLink(), `${file} is a regular file`);
      assert.deepEqual(readFileSync(join(snapshot.folder, file)), fixtureBytes('base', file));
    }
  });

  it('downloads each blob once when two calls race', async () => {
    const [a, b] = await Promise.all([downloadSnapshot(BASE_REPO, options()), downloadSnapshot(BASE_REPO, options())]);
    assert.equal(a.folder, b.folder);
    const cdn = server.fileDownloads().filter((r) => r.url.startsWith('/cdn/'));
    assert.equal(cdn.length, 1);
    assert.deepEqual(readFileSync(join(a.folder, 'model.safetensors')), fixtureBytes('base', 'model.safetensors'));
  });

  it('stops on abort, keeping the partial file for a later resume', async () => {
    const controller = new AbortController();
    const weights = fixtureBytes('base', 'model.safetensors');
    const onProgress = (event: DownloadProgress) => {
      if (event.file === 'model.safetensors' && event.bytes > 0) controller.abort();
    };
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options({ signal: controller.signal, onProgress, concurrency: 1 })), 'aborted', /cancelled/);
    const blob = join(repoFolder(BASE_REPO), 'blobs', sha256(weights));
    assert.equal(existsSync(blob), false);
    const kept = (await stat(blob + '.incomplete')).size;
    assert.ok(kept > 0 && kept < weights.length, `kept ${kept}`);
    const snapshot = await downloadSnapshot(BASE_REPO, options());
    assert.deepEqual(readFileSync(join(snapshot.folder, 'model.safetensors')), weights);
  });

  it('reports a full disk clearly and keeps the partial file for resuming', { skip: process.platform !== 'linux' || !existsSync('/dev/full') }, async () => {
    // /dev/full fails every write with ENOSPC: a real disk-full error from the kernel
    const weights = fixtureBytes('base', 'model.safetensors');
    const blob = join(repoFolder(BASE_REPO), 'blobs', sha256(weights));
    await mkdir(dirname(blob), { recursive: true });
    await symlink('/dev/full', blob + '.incomplete');
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options()), 'disk-full', /No space left.*model\.safetensors.*\.incomplete.*resumes/s);
    assert.equal(existsSync(blob), false);
    assert.equal(existsSync(join(repoFolder(BASE_REPO), 'snapshots', MAIN_COMMIT, 'model.safetensors')), false);
  });
});

describe('authentication', () => {
  it('sends HF_TOKEN as a Bearer token, and explains a 401', async () => {
    server.repos[BASE_REPO]!.token = 'hf_secret';
    try {
      const error = await rejectsWithHubError(downloadSnapshot(BASE_REPO, options()), 'unauthorized', /HTTP 401.*gated.*Set HF_TOKEN/s);
      assert.doesNotMatch(error.message, /hf_secret/);
      await rejectsWithHubError(downloadSnapshot(BASE_REPO, options({}, { HF_TOKEN: 'hf_wrong' })), 'unauthorized', /token from HF_TOKEN was sent but does not grant access/);

      server.requests.length = 0;
      await downloadSnapshot(BASE_REPO, options({}, { HF_TOKEN: 'hf_secret' }));
      const toHub = server.requests.filter((r) => !r.url.startsWith('/cdn/'));
      assert.ok(toHub.length > 0 && toHub.every((r) => r.headers.authorization === 'Bearer hf_secret'), 'every Hub request carries the token');
    } finally {
      delete server.repos[BASE_REPO]!.token;
    }
  });

  it('explains a 403 the same way', async () => {
    server.faults.status = { match: '/api/models/', status: 403, times: 1 };
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options()), 'unauthorized', /HTTP 403.*Set HF_TOKEN/s);
  });

  it('reads the token file in HF_HOME', async () => {
    server.repos[BASE_REPO]!.token = 'hf_from_file';
    try {
      await mkdir(join(cache, 'home'), { recursive: true });
      await import('node:fs/promises').then((fs) => fs.writeFile(join(cache, 'home', 'token'), 'hf_from_file\n'));
      await downloadSnapshot(BASE_REPO, options());
      assert.ok(server.requests.some((r) => r.headers.authorization === 'Bearer hf_from_file'), 'the token file is used');
    } finally {
      delete server.repos[BASE_REPO]!.token;
    }
  });

  it('does not send the token to the CDN, which is another origin', async () => {
    await downloadSnapshot(BASE_REPO, options({}, { HF_TOKEN: 'hf_secret' }));
    const cdn = server.requests.filter((r) => r.host === 'cdn');
    assert.equal(cdn.length, 1);
    assert.equal(cdn[0]!.headers.authorization, undefined);
    assert.ok(server.requests.filter((r) => r.host === 'hub').every((r) => r.headers.authorization === 'Bearer hf_secret'), 'the Hub gets the token');
  });

  it('keeps the token for a CDN on the Hub origin, as huggingface_hub does', async () => {
    const sameOrigin = await startHubServer({ sameOriginCdn: true });
    try {
      const snapshot = await downloadSnapshot(BASE_REPO, options({}, { HF_TOKEN: 'hf_secret', HF_ENDPOINT: sameOrigin.endpoint }));
      assert.deepEqual(readFileSync(join(snapshot.folder, 'model.safetensors')), fixtureBytes('base', 'model.safetensors'));
      const cdn = sameOrigin.requests.filter((r) => r.url.startsWith('/cdn/'));
      assert.deepEqual(cdn.map((r) => [r.method, r.headers.authorization]), [['GET', 'Bearer hf_secret']]);
    } finally {
      await sameOrigin.close();
    }
  });
});

describe('not found', () => {
  it('names a missing repository', async () => {
    await rejectsWithHubError(downloadSnapshot('test-org/no-such-model', options()), 'not-found', /Repository test-org\/no-such-model not found on http:\/\/127\.0\.0\.1:\d+.*check the model id/);
  });

  it('names a missing revision', async () => {
    await rejectsWithHubError(downloadSnapshot(BASE_REPO, options({ revision: 'no-such-branch' })), 'not-found', /Revision "no-such-branch" not found in test-org\/splade-tiny-base/);
  });

  it('refuses a repository without safetensors weights', async () => {
    const files = server.repos[BASE_REPO]!.commits[MAIN_COMMIT]!;
    const weights = files.get('model.safetensors')!;
    files.delete('model.safetensors');
    try {
      await rejectsWithHubError(downloadSnapshot(BASE_REPO, options()), 'incomplete-model', /lacks model\.safetensors or adapter_model\.safetensors.*pytorch_model\.bin/);
    } finally {
      files.set('model.safetensors', weights);
    }
  });
});

describe('offline', () => {
  it('uses the cache with HF_HUB_OFFLINE=1, resolving refs/<revision>, with no request', async () => {
    const online = await downloadSnapshot(BASE_REPO, options());
    server.requests.length = 0;
    const offline = await downloadSnapshot(BASE_REPO, options({}, { HF_HUB_OFFLINE: '1' }));
    assert.equal(offline.folder, online.folder);
    assert.equal(offline.usedCacheBecause, 'offline');
    assert.deepEqual(offline.files, BASE_FILES);
    assert.equal(server.requests.length, 0);
  });

  it('uses the cache when the Hub is unreachable', async () => {
    const online = await downloadSnapshot(BASE_REPO, options());
    const closed = await startHubServer();
    const deadEndpoint = closed.endpoint;
    await closed.close();
    const snapshot = await downloadSnapshot(BASE_REPO, options({}, { HF_ENDPOINT: deadEndpoint }));
    assert.equal(snapshot.folder, online.folder);
    assert.match(snapshot.usedCacheBecause!, /unreachable \(ECONNREFUSED\)/);
  });

  it('gives one clear error offline without a cache, naming the repo, revision, what is missing and the remedies', async () => {
    const error = await rejectsWithHubError(
      downloadSnapshot(BASE_REPO, options({}, { HF_HUB_OFFLINE: '1' })),
      'offline-not-cached',
      /test-org\/splade-tiny-base \(revision main\).*HF_HUB_OFFLINE=1.*refs\/main.*run once with network access.*--model \(or SPLADE_MODEL\).*local folder/s,
    );
    assert.ok(error.message.includes(cache), 'names the cache folder');
    assert.equal(server.requests.length, 0);
  });

  it('gives the same kind of error when the Hub is unreachable and nothing is cached', async () => {
    const closed = await startHubServer();
    await closed.close();
    await rejectsWithHubError(
      downloadSnapshot(BASE_REPO, options({ retry: { retries: 1, baseDelayMs: 1 } }, { HF_ENDPOINT: closed.endpoint })),
      'offline-not-cached',
      /unreachable \(ECONNREFUSED\).*splade-search download --model test-org\/splade-tiny-base/s,
    );
  });

  it('lists the files an offline snapshot lacks', async () => {
    const online = await downloadSnapshot(BASE_REPO, options());
    await rm(join(repoFolder(BASE_REPO), 'blobs', sha256(fixtureBytes('base', 'model.safetensors'))));
    await rejectsWithHubError(
      downloadSnapshot(BASE_REPO, options({}, { HF_HUB_OFFLINE: 'true' })),
      'offline-not-cached',
      /lacks model\.safetensors or adapter_model\.safetensors \(safetensors weights\), model\.safetensors \(its blob is gone\)/,
    );
    assert.ok(existsSync(online.folder), 'the snapshot folder stays');
  });

  it('finds a cache laid out by Python huggingface_hub, with no network', async () => {
    // what `snapshot_download("test-org/splade-tiny-base")` leaves behind, built by hand
    const folder = repoFolder(BASE_REPO);
    const snapshotFolder = join(folder, 'snapshots', MAIN_COMMIT);
    await mkdir(join(folder, 'refs'), { recursive: true });
    await mkdir(join(folder, 'blobs'), { recursive: true });
    await mkdir(snapshotFolder, { recursive: true });
    await import('node:fs/promises').then(async (fs) => {
      await fs.writeFile(join(folder, 'refs', 'main'), MAIN_COMMIT);
      for (const file of [...BASE_FILES, 'pytorch_model.bin']) {
        const content = file === 'pytorch_model.bin' ? Buffer.alloc(1000, 7) : fixtureBytes('base', file);
        const etag = file.endsWith('.safetensors') || file.endsWith('.bin') ? sha256(content) : gitBlobSha1(content);
        await fs.writeFile(join(folder, 'blobs', etag), content);
        await fs.symlink(`../../blobs/${etag}`, join(snapshotFolder, file));
      }
    });
    const dead = await startHubServer();
    await dead.close();
    const viaOffline = await downloadSnapshot(BASE_REPO, options({}, { HF_HUB_OFFLINE: '1' }));
    assert.equal(viaOffline.folder, snapshotFolder);
    const viaUnreachable = await downloadSnapshot(BASE_REPO, options({}, { HF_ENDPOINT: dead.endpoint }));
    assert.equal(viaUnreachable.folder, snapshotFolder);
    // online, every pointer is there: only the listing goes over the network
    const online = await downloadSnapshot(BASE_REPO, options());
    assert.deepEqual(online.downloaded, []);
    assert.equal(server.fileDownloads().length, 0);
    assert.equal(relative(cache, online.folder), join(`models--test-org--splade-tiny-base`, 'snapshots', MAIN_COMMIT));
    assert.deepEqual(await readFile(join(online.folder, 'model.safetensors')), fixtureBytes('base', 'model.safetensors'));
  });
});
