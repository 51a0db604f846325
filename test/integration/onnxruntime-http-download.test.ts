import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http, { type IncomingMessage, type ServerResponse } from 'node:http';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { downloadFile, httpGetJson } from '../../app/onnxruntime/cuda-install/http-download.js';
import { isOnnxRuntimeError } from '../../app/onnxruntime/index.js';
import { proxyFor } from '../../app/util/http-request.js';

const work = mkdtempSync(join(tmpdir(), 'ort-http-'));
const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => (i * 131) % 256));

interface Seen {
  url: string;
  range?: string;
}

/** A loopback file server: redirects, Range requests, and connections dropped after `dropAfter` bytes while `drops` > 0. */
function fileServer() {
  const state = { drops: 0, dropAfter: 100_000, ignoreRange: false, seen: [] as Seen[] };
  const server = http.createServer((req: IncomingMessage, res: ServerResponse) => {
    const seen: Seen = { url: req.url ?? '' };
    if (req.headers.range) seen.range = req.headers.range;
    state.seen.push(seen);
    if (req.url === '/hop1') return void res.writeHead(302, { Location: '/hop2' }).end();
    if (req.url === '/hop2') return void res.writeHead(307, { Location: `http://127.0.0.1:${port()}/file.bin` }).end();
    if (req.url === '/loop') return void res.writeHead(302, { Location: '/loop' }).end();
    if (req.url === '/json') return void res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"a":1}');
    if (req.url === '/html') return void res.writeHead(200, { 'Content-Type': 'text/html' }).end('<html>login</html>');
    if (req.url === '/missing') return void res.writeHead(404).end();
    if (req.url === '/error') return void res.writeHead(500).end();
    if (req.url !== '/file.bin') return void res.writeHead(404).end();
    let start = 0;
    const range = /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    if (range && !state.ignoreRange) {
      start = Number(range[1]);
      if (start >= payload.length) return void res.writeHead(416, { 'Content-Range': `bytes */${payload.length}` }).end();
      res.writeHead(206, { 'Content-Length': payload.length - start, 'Content-Range': `bytes ${start}-${payload.length - 1}/${payload.length}` });
    } else {
      res.writeHead(200, { 'Content-Length': payload.length });
    }
    if (state.drops > 0) {
      state.drops--;
      res.write(payload.subarray(start, start + state.dropAfter), () => res.socket?.end()); // FIN before the announced length
      return;
    }
    res.end(payload.subarray(start));
  });
  const port = () => (server.address() as AddressInfo).port;
  return { server, state, port, url: (path: string) => `http://127.0.0.1:${port()}${path}` };
}

const files = fileServer();
before(() => new Promise<void>((resolve) => files.server.listen(0, '127.0.0.1', resolve)));
after(() => {
  files.server.closeAllConnections();
  files.server.close();
  rmSync(work, { recursive: true, force: true });
});
const noProxy = { proxy: null } as const;

describe('downloadFile', () => {
  test('follows relative and absolute redirects', async () => {
    const dest = join(work, 'redirected.bin');
    const result = await downloadFile(files.url('/hop1'), dest, noProxy);
    assert.deepEqual(readFileSync(dest), payload);
    assert.deepEqual(result, { bytes: payload.length, url: files.url('/file.bin'), resumed: false });
    assert.equal(existsSync(`${dest}.part`), false);
  });

  test('an interrupted download keeps the .part and says so; the next call resumes with a Range request', async () => {
    const dest = join(work, 'resumed.bin');
    files.state.drops = 1;
    files.state.seen.length = 0;
    const error = await downloadFile(files.url('/hop1'), dest, { ...noProxy, attempts: 1 }).catch((e: unknown) => e);
    assert.ok(isOnnxRuntimeError(error, 'download-failed'), String(error));
    const kept = statSync(`${dest}.part`).size;
    assert.ok(kept > 0 && kept <= 100_000, `kept ${kept}`);
    assert.match(error.message, new RegExp(`did not finish: the connection broke after ${kept} of 300000 bytes.*kept in .*resumed\\.bin\\.part; run the command again to resume`));
    assert.equal(existsSync(dest), false);
    const result = await downloadFile(files.url('/hop1'), dest, noProxy);
    assert.equal(result.resumed, true);
    assert.deepEqual(readFileSync(dest), payload);
    assert.deepEqual(files.state.seen.filter((s) => s.url === '/file.bin').map((s) => s.range), [undefined, `bytes=${kept}-`]);
    assert.equal(files.state.seen.filter((s) => s.url === '/hop1')[1]!.range, `bytes=${kept}-`, 'the Range header is sent through redirects');
  });

  test('retries within one call, resuming each time', async () => {
    const dest = join(work, 'retried.bin');
    files.state.drops = 2;
    files.state.dropAfter = 50_000;
    const retries: number[] = [];
    const result = await downloadFile(files.url('/file.bin'), dest, { ...noProxy, attempts: 3, onRetry: (_reason, received) => retries.push(received) });
    files.state.dropAfter = 100_000;
    assert.equal(retries.length, 2);
    assert.ok(retries[0]! > 0 && retries[1]! > retries[0]!, retries.join(' '));
    assert.equal(result.resumed, true);
    assert.deepEqual(readFileSync(dest), payload);
  });

  test('a server that ignores Range restarts from zero; a complete .part is accepted on 416', async () => {
    const dest = join(work, 'norange.bin');
    writeFileSync(`${dest}.part`, payload.subarray(0, 1234));
    files.state.ignoreRange = true;
    await downloadFile(files.url('/file.bin'), dest, noProxy);
    files.state.ignoreRange = false;
    assert.deepEqual(readFileSync(dest), payload);
    const done = join(work, 'complete.bin');
    writeFileSync(`${done}.part`, payload);
    const result = await downloadFile(files.url('/file.bin'), done, noProxy);
    assert.equal(result.bytes, payload.length);
    assert.deepEqual(readFileSync(done), payload);
  });

  test('HTTP errors and redirect loops name the URL', async () => {
    await assert.rejects(downloadFile(files.url('/error'), join(work, 'e'), noProxy), (e: unknown) => isOnnxRuntimeError(e, 'download-failed') && e.status === 500 && e.message === `GET ${files.url('/error')} answered HTTP 500`);
    await assert.rejects(downloadFile(files.url('/loop'), join(work, 'l'), { ...noProxy, maxRedirects: 3 }), /more than 3 redirects/);
    await assert.rejects(downloadFile('http://127.0.0.1:1/x', join(work, 'c'), noProxy), (e: unknown) => isOnnxRuntimeError(e, 'download-failed') && /Cannot GET http:\/\/127\.0\.0\.1:1\/x: .*ECONNREFUSED/.test(e.message));
  });
});

describe('httpGetJson', () => {
  test('parses JSON, returns 404 without a body, rejects non-JSON with the content type', async () => {
    assert.deepEqual((await httpGetJson(files.url('/json'), noProxy)).body, { a: 1 });
    assert.deepEqual(await httpGetJson(files.url('/missing'), noProxy), { status: 404, url: files.url('/missing') });
    await assert.rejects(httpGetJson(files.url('/html'), noProxy), /did not return JSON \(text\/html\): "<html>login<\/html>"/);
  });
});

describe('proxies', () => {
  test('proxyFor reads the environment and honours NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://proxy:3128', http_proxy: 'proxy2:8080', NO_PROXY: 'localhost,.internal.example,10.0.0.1:8443' };
    assert.equal(proxyFor(new URL('https://api.nuget.org/v3/index.json'), { env })?.href, 'http://proxy:3128/');
    assert.equal(proxyFor(new URL('http://api.nuget.org/'), { env })?.href, 'http://proxy2:8080/');
    assert.equal(proxyFor(new URL('https://feed.internal.example/'), { env }), undefined);
    assert.equal(proxyFor(new URL('https://internal.example/'), { env }), undefined);
    assert.equal(proxyFor(new URL('https://10.0.0.1:8443/'), { env }), undefined);
    assert.equal(proxyFor(new URL('https://10.0.0.1/'), { env })?.host, 'proxy:3128');
    assert.equal(proxyFor(new URL('https://a/'), { env, proxy: null }), undefined);
    assert.equal(proxyFor(new URL('https://a/'), { env: { ...env, NO_PROXY: '*' } }), undefined);
  });

  test('plain HTTP goes to the proxy with the absolute URL and proxy credentials', async () => {
    const requests: { url?: string; auth?: string }[] = [];
    const proxy = http.createServer((req, res) => {
      requests.push({ url: req.url, auth: req.headers['proxy-authorization'] });
      http.get(req.url!, (upstream) => {
        res.writeHead(upstream.statusCode!, upstream.headers);
        upstream.pipe(res);
      });
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const dest = join(work, 'via-proxy.bin');
      const env = { HTTP_PROXY: `http://user:p%40ss@127.0.0.1:${(proxy.address() as AddressInfo).port}` };
      await downloadFile(files.url('/file.bin'), dest, { env });
      assert.deepEqual(readFileSync(dest), payload);
      assert.deepEqual(requests, [{ url: files.url('/file.bin'), auth: `Basic ${Buffer.from('user:p@ss').toString('base64')}` }]);
    } finally {
      proxy.closeAllConnections();
      proxy.close();
    }
  });

  test('HTTPS goes through a CONNECT tunnel, then TLS to the target', async (t) => {
    let key: string;
    let cert: string;
    try {
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1', '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', join(work, 'key.pem'), '-out', join(work, 'cert.pem')], { stdio: 'ignore' });
      key = readFileSync(join(work, 'key.pem'), 'utf8');
      cert = readFileSync(join(work, 'cert.pem'), 'utf8');
    } catch {
      return t.skip('openssl is not available to make a test certificate');
    }
    const target = https.createServer({ key, cert }, (_req, res) => res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"tls":true}'));
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const connects: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    const tunnels: net.Socket[] = [];
    proxy.on('connect', (req: IncomingMessage, socket: net.Socket, head: Buffer) => {
      connects.push(req.url ?? '');
      tunnels.push(socket);
      const [host, port] = (req.url ?? '').split(':');
      const upstream = net.connect(Number(port), host, () => {
        tunnels.push(upstream);
        socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        upstream.write(head);
        upstream.pipe(socket);
        socket.pipe(upstream);
      });
      upstream.on('error', () => socket.destroy());
      socket.on('error', () => upstream.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    try {
      const targetPort = (target.address() as AddressInfo).port;
      const env = { HTTPS_PROXY: `http://127.0.0.1:${(proxy.address() as AddressInfo).port}` };
      const result = await httpGetJson(`https://127.0.0.1:${targetPort}/index.json`, { env, ca: cert });
      assert.deepEqual(result.body, { tls: true });
      assert.deepEqual(connects, [`127.0.0.1:${targetPort}`]);
      await assert.rejects(httpGetJson(`https://127.0.0.1:${targetPort}/index.json`, { env }), /Cannot GET https:.* through the proxy http:\/\/127\.0\.0\.1:\d+: self.signed certificate/);
    } finally {
      for (const socket of tunnels) socket.destroy();
      proxy.close();
      target.closeAllConnections();
      target.close();
    }
  });
});
