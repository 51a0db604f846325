/**
 * End-to-end harness: the built renderer (rebuilt when its sources are newer), serve mode on a random loopback
 * port over a temp data folder with the tiny fixture model, Debian's Chromium driven by playwright-core (no
 * browser download), axe-core in the page, and screenshots in light and dark.
 */
import { existsSync, statSync, readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { SparseEncoder } from '../../app/encoder/index.js';
import { SparseIndex } from '../../app/index/index.js';
import { Engine } from '../../app/engine/index.js';
import { startServeApp } from '../../app/serve/serve-app.js';
import type { OpenCommand } from '../../app/util/os-open.js';
import type { ServeServer } from '../../app/serve/serve-server.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const RENDERER_DIR = join(ROOT, 'dist', 'renderer');
export const FIXTURE_MODEL = join(ROOT, 'test', 'fixtures', 'splade-tiny', 'splade-peft');
export const SCREENSHOTS = join(ROOT, 'test', 'e2e', 'screenshots');
export const CHROMIUM = '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null. */
export function browserMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is absent: install Debian's chromium (apt-get install chromium) to run the end-to-end tests`;
}

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

/** Builds dist/renderer with Vite when it is missing or older than the renderer's sources or the API it imports. */
export function ensureRendererBuilt(): void {
  const index = join(RENDERER_DIR, 'index.html');
  const sources = Math.max(newestMtime(join(ROOT, 'renderer')), newestMtime(join(ROOT, 'app', 'api')), newestMtime(join(ROOT, 'app', 'engine')));
  if (existsSync(index) && statSync(index).mtimeMs >= sources) return;
  const vite = join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', '--config', 'renderer/vite.config.ts', '--logLevel', 'warn'], { cwd: ROOT, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`vite build failed (${result.status}):\n${result.stdout}\n${result.stderr}`);
}

export async function tempDir(prefix: string): Promise<{ path: string; dispose(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, dispose: () => rm(path, { recursive: true, force: true }) };
}

export interface SeedFile {
  path: string;
  mtimeMs: number;
  passages: { text: string; page?: number | null; line?: number | null }[];
}

/**
 * Puts files' passages into a data folder's index, encoded by the fixture model, as the indexer would: for tests
 * that need an index before (or without) indexing through the app.
 */
export async function seedIndex(dataDir: string, folders: string[], files: SeedFile[], onnxCacheDir: string): Promise<void> {
  const encoder = await SparseEncoder.load(FIXTURE_MODEL, { device: 'cpu', cacheDir: onnxCacheDir });
  const index = SparseIndex.open(join(dataDir, 'index'));
  const writer = index.openWriter({ keepVectors: true, autoMerge: false });
  try {
    for (const folder of folders) writer.addFolder(folder);
    const batch = 256;
    for (let i = 0; i < files.length; i += batch) {
      const chunk = files.slice(i, i + batch);
      const texts = chunk.flatMap((f) => f.passages.map((p) => p.text));
      const vectors = await encoder.encodeDocument(texts);
      let v = 0;
      for (const file of chunk) {
        let offset = 0;
        writer.upsertFile({ path: file.path, size: file.passages.reduce((n, p) => n + p.text.length, 0), mtimeMs: file.mtimeMs }, file.passages.map((p) => {
          const start = offset;
          offset += [...p.text].length + 1;
          return { vector: vectors[v++]!, charStart: start, charEnd: start + [...p.text].length, page: p.page ?? null, line: p.line ?? null, text: p.text };
        }));
      }
    }
    writer.commit({ builtWith: { model: FIXTURE_MODEL, passageTokens: 256, passageOverlap: 32 } });
  } finally {
    writer.close();
    index.close();
    await encoder.dispose();
  }
}

export interface ServeHandle {
  server: ServeServer;
  engine: Engine;
  /** The open/reveal commands serve mode would have run (recorded instead of launching desktop apps). */
  opened: OpenCommand[];
  close(): Promise<void>;
}

/** Serve mode (the engine and the HTTP server in this process) on a random port. */
export async function startServe(options: {
  dataDir: string;
  model?: string;
  env?: NodeJS.ProcessEnv;
  onnxCacheDir: string;
  /** The engine's indexing: 'watch' (default, as the app runs) or 'off' (a seeded index whose files do not exist). */
  indexing?: 'watch' | 'off';
}): Promise<ServeHandle> {
  const engine = await Engine.open({
    dataDir: options.dataDir,
    model: options.model ?? FIXTURE_MODEL,
    onnxCacheDir: options.onnxCacheDir,
    env: options.env ?? {},
    indexing: options.indexing ?? 'watch',
  });
  const opened: OpenCommand[] = [];
  const server = await startServeApp({
    engine,
    rendererDir: RENDERER_DIR,
    version: 'e2e',
    run: async (command) => {
      opened.push(command);
    },
  });
  return { server, engine, opened, close: () => server.close() };
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
}

/** Opens serve mode's printed URL in a fresh page (1280 x 800) and collects CSP violations and page errors. */
export async function openPage(browser: Browser, url: string): Promise<{ page: Page; problems: string[] }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, colorScheme: 'light' });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console error: ${message.text()}`);
  });
  await page.goto(url);
  return { page, problems };
}

const require = createRequire(import.meta.url);
const AXE_SOURCE: string = (require('axe-core') as { source: string }).source;

export interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: string[];
}

/** axe-core's violations on the page as it is now (WCAG 2.x A/AA rules and best practices). */
export async function axeViolations(page: Page): Promise<AxeViolation[]> {
  // Evaluated through the DevTools protocol: the page's CSP (script-src 'self') stays in force for the app itself.
  await page.evaluate(AXE_SOURCE);
  // Run in the page; this file is compiled without the DOM library, hence `any`.
  return page.evaluate(async () => {
    const page = globalThis as any;
    const result = await page.axe.run(page.document, { resultTypes: ['violations'] });
    return result.violations.map((v: any) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n: any) => JSON.stringify(n.target)) })) as AxeViolation[];
  });
}

/** Saves `<name>-light.png` and `<name>-dark.png` of the page as it is now. */
export async function screenshots(page: Page, name: string): Promise<string[]> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const paths: string[] = [];
  for (const scheme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(() => new Promise((resolve) => (globalThis as any).requestAnimationFrame(() => (globalThis as any).requestAnimationFrame(resolve))));
    const path = join(SCREENSHOTS, `${name}-${scheme}.png`);
    await page.screenshot({ path });
    paths.push(relative(ROOT, path));
  }
  await page.emulateMedia({ colorScheme: 'light' });
  return paths;
}
