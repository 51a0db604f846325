/**
 * The built renderer as files: map a URL path to a file inside the renderer folder (never outside it: `..`,
 * encoded separators, absolute paths and NUL are refused), serve `index.html` for app routes, and the page that
 * says how to build the renderer when it is missing. Used by serve mode and by Electron's `app://` protocol.
 */
import { existsSync, statSync } from 'node:fs';
import { dirname, extname, isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The package root: the folder holding `package.json`, from sources (`app/serve/`) or compiled code (`dist/app/serve/`). */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    dir = dirname(dir);
  }
  throw new Error('cannot find the splade-search package root');
}

/** Where `npm run build:renderer` writes the renderer (`dist/renderer/`). */
export function defaultRendererDir(): string {
  return join(packageRoot(), 'dist', 'renderer');
}

export function rendererBuilt(rendererDir: string): boolean {
  return existsSync(join(rendererDir, 'index.html'));
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export function contentType(file: string): string {
  return CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file for URL path `pathname` inside `root`, or null when it would leave `root` or names nothing there.
 * A path without an extension that names no file is an app route: it gets `index.html`.
 */
export function resolveStaticFile(root: string, pathname: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const base = resolve(root);
  const target = resolve(base, '.' + (decoded.startsWith('/') ? decoded : '/' + decoded));
  const rel = relative(base, target);
  if (rel.startsWith('..') || isAbsolute(rel)) return null;
  const file = rel === '' ? join(base, 'index.html') : target;
  try {
    if (statSync(file).isFile()) return file;
  } catch {
    // falls through to the app-route rule
  }
  if (extname(decoded) === '') {
    const index = join(base, 'index.html');
    return existsSync(index) ? index : null;
  }
  return null;
}

/** The page shown when the renderer has not been built. */
export function missingRendererPage(rendererDir: string): string {
  const escaped = rendererDir.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>splade-search: renderer not built</title></head>
<body><h1>The app's user interface has not been built</h1>
<p>No <code>index.html</code> in <code>${escaped}</code>. Build it from the project folder, then reload this page:</p>
<pre>npm run build:renderer</pre>
<p>The API answers meanwhile at <code>/api</code>.</p></body></html>`;
}
