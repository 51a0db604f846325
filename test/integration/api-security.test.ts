/**
 * The API's defences, against a real Engine: serve mode refuses a missing or wrong token (401), a foreign Host or
 * Origin (403), other addresses than 127.0.0.1, bodies that are not JSON or too large, and sends no CORS headers;
 * the IPC handlers refuse senders that are not app pages; 10,000 random malformed messages over IPC and 1,000
 * over HTTP each get a typed error, nothing is polluted, and the engine answers afterwards.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { WebSocket } from 'ws';
import { METHOD_NAMES } from '../../app/api/api-contract.js';
import { callChannel } from '../../app/api/ipc-channels.js';
import { startServeServer } from '../../app/serve/serve-server.js';
import { createApiFixture, type ApiFixture } from '../helpers/api-fixture.js';
import { startApiHost, type ApiHost } from '../helpers/api-hosts.js';
import { FakePage } from '../helpers/fake-electron.js';
import { malformedMessage, seededRandom } from '../helpers/malformed-messages.js';

interface RawResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

function raw(port: number, path: string, options: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: options.method ?? 'GET', headers: options.headers ?? {}, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

function wsOutcome(url: string, headers: Record<string, string> = {}): Promise<string> {
  return new Promise((resolve) => {
    const ws = new WebSocket(url, { headers });
    ws.on('open', () => {
      ws.close();
      resolve('open');
    });
    ws.on('unexpected-response', (_req, res) => resolve(String(res.statusCode)));
    ws.on('error', (error) => resolve(`error: ${error.message}`));
  });
}

function assertNoCors(response: RawResponse): void {
  for (const name of Object.keys(response.headers)) assert.ok(!name.startsWith('access-control-'), `no CORS header, got ${name}`);
}

function assertUnpolluted(): void {
  const probe = {} as Record<string, unknown>;
  assert.equal(probe.polluted, undefined);
  assert.equal(probe.isAdmin, undefined);
  assert.deepEqual(Object.keys(Object.prototype), []);
}

describe('serve mode security', () => {
  let fixture: ApiFixture;
  let host: ApiHost;
  let port: number;
  let token: string;
  let rendererDir: string;
  const json = (t: string) => ({ 'content-type': 'application/json', authorization: `Bearer ${t}` });

  before(async () => {
    fixture = await createApiFixture();
    rendererDir = join(fixture.root, 'renderer');
    await mkdir(join(rendererDir, 'assets'), { recursive: true });
    await writeFile(join(rendererDir, 'index.html'), '<!doctype html><title>app</title><script type="module" src="/assets/app.js"></script>');
    await writeFile(join(rendererDir, 'assets', 'app.js'), 'console.log("app")');
    await writeFile(join(fixture.root, 'secret.txt'), 'secret');
    host = await startApiHost('serve', fixture, { rendererDir });
    port = host.serve!.port;
    token = host.serve!.token;
  });
  after(async () => {
    await host?.close();
    await fixture?.dispose();
  });

  it('prints one URL on 127.0.0.1 with a 256-bit token', () => {
    assert.match(host.serve!.url, new RegExp(`^http://127\\.0\\.0\\.1:${port}/\\?token=[A-Za-z0-9_-]{43}$`));
  });

  it('refuses to listen on any other address', async () => {
    for (const address of ['0.0.0.0', '::', '::1', 'localhost', '192.168.1.2']) {
      await assert.rejects(
        startServeServer({ dispatch: async () => ({ ok: true, result: null }), subscribe: () => () => {}, rendererDir, host: address }),
        /127\.0\.0\.1 only/,
      );
    }
  });

  it('answers 401 and nothing else without the right token', async () => {
    const wrongSameLength = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const cases: [string, Record<string, string>, string?][] = [
      ['/', {}],
      ['/index.html', {}],
      ['/assets/app.js', {}],
      ['/api', {}],
      ['/api', { authorization: 'Bearer nope' }],
      ['/api', { authorization: `Bearer ${wrongSameLength}` }],
      ['/api', { authorization: `Basic ${Buffer.from(`x:${token}`).toString('base64')}` }],
      ['/api', { cookie: `splade_token_${port}=${wrongSameLength}` }],
      [`/?token=${wrongSameLength}`, {}],
      ['/api/search', json(wrongSameLength), '{"query":"stars"}'],
      ['/api/search', { 'content-type': 'application/json' }, '{"query":"stars"}'],
      [`/api/search?token=${token}`, { 'content-type': 'application/json' }, '{"query":"stars"}'],
    ];
    for (const [path, headers, body] of cases) {
      const response = await raw(port, path, { method: body ? 'POST' : 'GET', headers, ...(body ? { body } : {}) });
      assert.equal(response.status, 401, `${path} ${JSON.stringify(headers)}`);
      assert.ok(!response.body.includes('app') || response.body.includes('unauthorized'), 'no content of the app');
      assert.ok(!response.body.includes('stars'));
      assertNoCors(response);
    }
    assert.equal(await wsOutcome(`ws://127.0.0.1:${port}/api/events`), '401');
    assert.equal(await wsOutcome(`ws://127.0.0.1:${port}/api/events?token=${wrongSameLength}`), '401');
  });

  it('answers 403 to a foreign Host or Origin (DNS rebinding), even with the token', async () => {
    const cases: Record<string, string>[] = [
      { host: `evil.example:${port}` },
      { host: `127.0.0.1.evil.example:${port}` },
      { host: `127.0.0.1:${port + 1}` },
      { host: '127.0.0.1' },
      { origin: 'http://evil.example' },
      { origin: `http://127.0.0.1:${port}.evil.example` },
      { origin: `https://127.0.0.1:${port}` },
      { origin: 'null' },
    ];
    for (const headers of cases) {
      for (const [path, method, body] of [['/', 'GET'], ['/api', 'GET'], ['/api/search', 'POST', '{"query":"stars"}']] as const) {
        const response = await raw(port, path, { method, headers: { ...json(token), ...headers }, ...(body ? { body } : {}) });
        assert.equal(response.status, 403, `${method} ${path} ${JSON.stringify(headers)}`);
        assertNoCors(response);
      }
      assert.equal(await wsOutcome(`ws://127.0.0.1:${port}/api/events?token=${token}`, headers), '403', JSON.stringify(headers));
    }
    const same = await raw(port, '/api/status', { method: 'POST', headers: { ...json(token), origin: `http://127.0.0.1:${port}` }, body: '{}' });
    assert.equal(same.status, 200);
    assertNoCors(same);
  });

  it('trades the URL token for an HttpOnly SameSite cookie, then serves the page with its CSP', async () => {
    const first = await raw(port, `/?token=${token}`);
    assert.equal(first.status, 302);
    assert.equal(first.headers.location, '/');
    const cookie = String(first.headers['set-cookie']);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Strict/);
    const pair = cookie.split(';')[0]!;
    const page = await raw(port, '/', { headers: { cookie: pair } });
    assert.equal(page.status, 200);
    assert.match(page.body, /<title>app<\/title>/);
    assert.match(String(page.headers['content-security-policy']), /script-src 'self'/);
    assert.doesNotMatch(String(page.headers['content-security-policy']), /unsafe/);
    const script = await raw(port, '/assets/app.js', { headers: { cookie: pair } });
    assert.equal(script.headers['content-type'], 'text/javascript; charset=utf-8');
    const route = await raw(port, '/folders/settings', { headers: { cookie: pair } });
    assert.match(route.body, /<title>app<\/title>/, 'app routes get index.html');
    for (const path of ['/../secret.txt', '/%2e%2e/secret.txt', '/assets/%2e%2e%2f%2e%2e%2fsecret.txt', '/..%5csecret.txt', '/%00']) {
      const response = await raw(port, path, { headers: { cookie: pair } });
      assert.ok(!response.body.includes('secret'), path);
    }
    assert.equal(await wsOutcome(`ws://127.0.0.1:${port}/api/events`, { cookie: pair }), 'open');
  });

  it('lists the methods with JSON Schemas at GET /api', async () => {
    const response = await raw(port, '/api', { headers: json(token) });
    const listing = JSON.parse(response.body) as { ok: true; result: { methods: { name: string; host: string; params: { type: string; properties?: object; additionalProperties?: boolean } }[]; events: { name: string }[] } };
    assert.deepEqual(listing.result.methods.map((m) => m.name), METHOD_NAMES);
    const search = listing.result.methods.find((m) => m.name === 'search')!;
    assert.equal(search.params.type, 'object');
    assert.equal(search.params.additionalProperties, false);
    assert.ok('query' in search.params.properties!);
    assert.deepEqual(listing.result.events.map((e) => e.name).sort(), ['download', 'focusSearch', 'folders', 'progress', 'status']);
  });

  it('answers calls with { ok } bodies and 4xx statuses for the caller\'s errors', async () => {
    const ok = await raw(port, '/api/search', { method: 'POST', headers: json(token), body: JSON.stringify({ query: 'stars', k: 2 }) });
    assert.equal(ok.status, 200);
    assert.equal((JSON.parse(ok.body) as { result: { hits: unknown[] } }).result.hits.length, 2);
    const expectations: [string, { method?: string; headers?: Record<string, string>; body?: string }, number, string?][] = [
      ['/api/search', { method: 'POST', headers: json(token), body: '{"query": 5}' }, 400, 'invalid-request'],
      ['/api/search', { method: 'POST', headers: json(token), body: '{"query": ' }, 400, 'invalid-request'],
      ['/api/nope', { method: 'POST', headers: json(token), body: '{}' }, 404, 'unknown-method'],
      ['/api/__proto__', { method: 'POST', headers: json(token), body: '{}' }, 404, 'unknown-method'],
      ['/api/filePassages', { method: 'POST', headers: json(token), body: '{"path": "/nope"}' }, 404, 'not-found'],
      ['/api/search', { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/plain' }, body: '{"query":"x"}' }, 415],
      ['/api/search', { method: 'GET', headers: json(token) }, 405],
      ['/api/search', { method: 'POST', headers: json(token), body: JSON.stringify({ query: 'x'.repeat(2 * 1024 * 1024) }) }, 413],
      ['/api/search', { method: 'OPTIONS', headers: { ...json(token), 'access-control-request-method': 'POST', origin: `http://127.0.0.1:${port}` } }, 405],
    ];
    for (const [path, options, status, code] of expectations) {
      const response = await raw(port, path, options);
      assert.equal(response.status, status, `${options.method} ${path} ${options.body?.slice(0, 40)}`);
      assertNoCors(response);
      const body = JSON.parse(response.body) as { ok: boolean; error: { code: string; message: string } };
      assert.equal(body.ok, false);
      if (code) assert.equal(body.error.code, code);
      assert.ok(body.error.message.length > 0);
    }
  });

  it('gives each of 1,000 random malformed HTTP messages a typed error; the engine answers afterwards', async () => {
    const random = seededRandom(20261204);
    const kinds = new Map<string, number>();
    for (let i = 0; i < 1000; i++) {
      const message = malformedMessage(random, 'json');
      kinds.set(message.kind, (kinds.get(message.kind) ?? 0) + 1);
      const path = `/api/${encodeURIComponent(typeof message.method === 'string' ? message.method : JSON.stringify(message.method))}`;
      const body = message.body ?? JSON.stringify(message.params);
      const response = await raw(port, path, { method: 'POST', headers: json(token), body });
      assert.ok(response.status >= 400 && response.status < 500, `${message.kind}: ${response.status}`);
      const reply = JSON.parse(response.body) as { ok: boolean; error: { code: string } };
      assert.equal(reply.ok, false);
      assert.ok(['invalid-request', 'unknown-method'].includes(reply.error.code), `${message.kind}: ${reply.error.code}`);
    }
    assert.ok(kinds.size >= 10, `varied kinds: ${[...kinds.keys()].join(', ')}`);
    assertUnpolluted();
    const after = await host.api.search({ query: fixture.expected.queries[0]!, k: 1 });
    assert.equal(after.hits.length, 1);
  });
});

describe('IPC handler security', () => {
  let fixture: ApiFixture;
  let host: ApiHost;

  before(async () => {
    fixture = await createApiFixture();
    host = await startApiHost('ipc', fixture);
  });
  after(async () => {
    await host?.close();
    await fixture?.dispose();
  });

  it('registers exactly one handler per contract method', () => {
    assert.deepEqual([...host.ipc!.ipcMain.handlers.keys()].sort(), METHOD_NAMES.map(callChannel).sort());
  });

  it('refuses senders that are not app pages', async () => {
    for (const url of [null, 'https://evil.example/', 'file:///home/me/x.html', 'app://renderer.evil/index.html', 'app://evil@renderer/', 'app://renderer:8080/', 'http://127.0.0.1:1234/', 'devtools://devtools/', 'not a url']) {
      const page = new FakePage(host.ipc!.ipcMain, url);
      const reply = await page.runPreload().call('listFolders', {});
      assert.deepEqual(reply.ok ? 'ok' : reply.error.code, 'forbidden', String(url));
    }
    const own = await new FakePage(host.ipc!.ipcMain, 'app://renderer/index.html#/settings').runPreload().call('listFolders', {});
    assert.equal(own.ok, true);
  });

  it('gives each of 10,000 random malformed messages a typed error; the engine answers afterwards', async () => {
    const random = seededRandom(4242);
    const { ipcMain } = host.ipc!;
    const kinds = new Map<string, number>();
    for (let i = 0; i < 10_000; i++) {
      const message = malformedMessage(random, 'ipc');
      kinds.set(message.kind, (kinds.get(message.kind) ?? 0) + 1);
      // Straight to main's handlers as a hostile page would send them (bypassing the preload's own checks);
      // unknown or non-string method names reach main only as channels it never registered.
      const channel = typeof message.method === 'string' && METHOD_NAMES.includes(message.method as never) ? callChannel(message.method as never) : null;
      let reply: { ok: boolean; error?: { code: string } };
      if (channel) {
        reply = (await ipcMain.invoke('app://renderer/index.html', channel, message.params)) as typeof reply;
      } else {
        reply = (await host.ipc!.dispatch(message.method, message.params)) as typeof reply;
        // and through the preload bridge, which refuses before anything is sent
        const viaBridge = await host.transport.call(message.method as never, message.params);
        assert.equal(viaBridge.ok ? 'ok' : viaBridge.error.code, 'unknown-method');
      }
      assert.equal(reply.ok, false, message.kind);
      assert.ok(['invalid-request', 'unknown-method'].includes(reply.error!.code), `${message.kind}: ${reply.error!.code}`);
    }
    assert.ok(kinds.size >= 12, `varied kinds: ${[...kinds.keys()].join(', ')}`);
    assertUnpolluted();
    const after = await host.api.search({ query: fixture.expected.queries[1]!, k: 1 });
    assert.equal(after.hits.length, 1);
    assert.equal((await host.api.status({})).index.passages, 12);
  });

  it('refuses to open or reveal paths outside the index, whatever their spelling', async () => {
    // A real file inside a watched folder that the index does not list is refused too.
    await writeFile(join(fixture.folders.even, 'not-indexed.txt'), 'x');
    await writeFile(join(fixture.root, 'secret.txt'), 'secret');
    const outside = ['/etc/passwd', join(fixture.root, 'secret.txt'), join(fixture.folders.even, 'not-indexed.txt'), `${fixture.folders.even}/../../secret.txt`, fixture.folders.odd, `${fixture.files[0]}\u0000.txt`, 'relative/d0.txt'];
    for (const path of outside) {
      for (const method of ['openFile', 'revealFile'] as const) {
        const reply = await host.transport.call(method, { path });
        assert.equal(reply.ok ? 'ok' : reply.error.code, 'not-found', `${method} ${JSON.stringify(path)}`);
      }
    }
    assert.deepEqual(host.opened, []);
    assert.deepEqual(host.revealed, []);
  });
});
