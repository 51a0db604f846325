/**
 * Which files the app can read, by extension (or by well-known name for extension-less text files), and binary
 * sniffing for content that claims to be text. Pure functions; no disk access.
 */

/** How a file's text is obtained. */
export type FileKind = 'text' | 'code' | 'markdown' | 'html' | 'pdf' | 'docx' | 'epub';

const TEXT = ['txt', 'text', 'log', 'csv', 'tsv', 'rst', 'adoc', 'asciidoc', 'org', 'tex', 'bib', 'srt', 'vtt', 'ini', 'cfg', 'conf',
  'toml', 'yaml', 'yml', 'json', 'jsonl', 'ndjson', 'xml', 'properties', 'textile', 'wiki', 'nfo', 'me', '1st'];
const CODE = ['ts', 'tsx', 'mts', 'cts', 'js', 'jsx', 'mjs', 'cjs', 'py', 'pyi', 'rb', 'go', 'rs', 'java', 'kt', 'kts', 'scala',
  'c', 'h', 'cc', 'cpp', 'cxx', 'hpp', 'hh', 'hxx', 'cs', 'fs', 'fsx', 'swift', 'm', 'mm', 'php', 'pl', 'pm', 'r', 'jl', 'lua',
  'sh', 'bash', 'zsh', 'fish', 'ps1', 'psm1', 'bat', 'cmd', 'sql', 'css', 'scss', 'sass', 'less', 'vue', 'svelte', 'dart', 'ex',
  'exs', 'erl', 'hrl', 'hs', 'ml', 'mli', 'clj', 'cljs', 'edn', 'elm', 'groovy', 'gradle', 'nim', 'zig', 'proto', 'graphql',
  'gql', 'tf', 'hcl', 'cmake', 'mk', 'v', 'sv', 'vhd', 'vhdl', 'asm', 's', 'f', 'f90', 'for', 'pas', 'ada', 'adb', 'lisp',
  'el', 'scm', 'rkt', 'tcl', 'awk', 'sed', 'vim', 'nix', 'd', 'cr', 'coffee', 'ipynb'];
const MARKDOWN = ['md', 'markdown', 'mdown', 'mkd', 'mkdn', 'mdwn', 'mdx'];
const HTML = ['html', 'htm', 'xhtml', 'shtml'];

const BY_EXTENSION = new Map<string, FileKind>([
  ...TEXT.map((e) => [e, 'text'] as const),
  ...CODE.map((e) => [e, 'code'] as const),
  ...MARKDOWN.map((e) => [e, 'markdown'] as const),
  ...HTML.map((e) => [e, 'html'] as const),
  ['pdf', 'pdf'],
  ['docx', 'docx'],
  ['epub', 'epub'],
]);

/** Extension-less (or oddly named) files that are text by convention. Matched case-insensitively. */
const BY_NAME = new Map<string, FileKind>([
  ['readme', 'text'], ['license', 'text'], ['licence', 'text'], ['copying', 'text'], ['authors', 'text'],
  ['changelog', 'text'], ['changes', 'text'], ['news', 'text'], ['todo', 'text'], ['notice', 'text'], ['install', 'text'],
  ['makefile', 'code'], ['dockerfile', 'code'], ['containerfile', 'code'], ['jenkinsfile', 'code'], ['vagrantfile', 'code'],
  ['gemfile', 'code'], ['rakefile', 'code'], ['procfile', 'code'], ['cmakelists.txt', 'code'],
]);

/** Lower-case extension without the dot ('' when none) of a file name or path. A leading dot does not start an extension. */
export function extensionOf(path: string): string {
  const name = baseName(path);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}

function baseName(path: string): string {
  const cut = Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\'));
  return path.slice(cut + 1);
}

/** The kind of a file by its name, or null when the app does not index that type. */
export function fileKindOf(path: string): FileKind | null {
  const name = baseName(path).toLowerCase();
  const byName = BY_NAME.get(name);
  if (byName) return byName;
  return BY_EXTENSION.get(extensionOf(name)) ?? null;
}

/** Every extension the app indexes, by kind (for the README and the settings screen). */
export function supportedExtensions(): Record<FileKind, string[]> {
  const out: Record<FileKind, string[]> = { text: [], code: [], markdown: [], html: [], pdf: [], docx: [], epub: [] };
  for (const [ext, kind] of BY_EXTENSION) out[kind].push(ext);
  return out;
}

/** Kinds whose bytes are text in some encoding (decoded by decode-text); the others have their own container format. */
export function isTextKind(kind: FileKind): boolean {
  return kind === 'text' || kind === 'code' || kind === 'markdown' || kind === 'html';
}

/** How many leading bytes binary sniffing looks at (git looks at 8000). */
export const SNIFF_BYTES = 8000;

/**
 * Whether `bytes` (the first SNIFF_BYTES of a file that claims to be text) are binary. Order (measured in
 * docs/shared reference §5): a UTF-8/UTF-16 BOM says text; NUL bytes say binary unless they sit at every other
 * position (BOM-less UTF-16, which git would call binary); otherwise binary when more than 10% of the bytes are
 * C0 control characters other than tab, newline, carriage return, form feed and escape. Legacy 8-bit text
 * (Latin-1, Shift-JIS) has no NULs and few controls, so it passes, unlike isbinaryfile's heuristic.
 */
export function looksBinary(bytes: Uint8Array): boolean {
  const n = Math.min(bytes.length, SNIFF_BYTES);
  if (n === 0) return false;
  if (bomEncoding(bytes) !== null) return false;
  if (utf16WithoutBom(bytes) !== null) return false;
  let controls = 0;
  for (let i = 0; i < n; i++) {
    const b = bytes[i]!;
    if (b === 0) return true;
    if (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0x0c && b !== 0x1b) controls++;
  }
  return controls / n > 0.1;
}

/** The encoding a byte-order mark announces, with the mark's length, or null. */
export function bomEncoding(bytes: Uint8Array): { encoding: 'utf-8' | 'utf-16le' | 'utf-16be'; length: number } | null {
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return { encoding: 'utf-8', length: 3 };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe) return { encoding: 'utf-16le', length: 2 };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff) return { encoding: 'utf-16be', length: 2 };
  return null;
}

/**
 * BOM-less UTF-16 by the NUL pattern: text in Latin scripts has a zero high byte in most code units, so NULs
 * crowd one parity of positions and never the other. Returns the byte order, or null.
 */
export function utf16WithoutBom(bytes: Uint8Array): 'utf-16le' | 'utf-16be' | null {
  const n = Math.min(bytes.length, SNIFF_BYTES) & ~1;
  if (n < 4) return null;
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i += 2) {
    if (bytes[i] === 0) evenZeros++;
    if (bytes[i + 1] === 0) oddZeros++;
  }
  const units = n / 2;
  if (oddZeros / units > 0.3 && evenZeros === 0) return 'utf-16le';
  if (evenZeros / units > 0.3 && oddZeros === 0) return 'utf-16be';
  return null;
}
