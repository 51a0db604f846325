/**
 * Which paths of a watched folder are left out, and why: the decision as a pure function of the folder's rule
 * files (fed in as strings), the default skip list, the user's globs and the size cap. Disk access is limited to
 * `loadRulesIn`, which reads one directory's `.gitignore`/`.ignore` into the matcher.
 *
 * Order of checks (the first that applies names the reason): default skip list → hidden → user patterns →
 * `.ignore`/`.gitignore` files (deepest directory first; in one directory `.ignore` before `.gitignore`, as
 * ripgrep does; within a file the last matching line wins, `!` re-includes, as in git) → for files: size cap →
 * supported type. Binary content is found later, when the file is read (IngestError 'binary').
 */
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { fileKindOf } from './file-types.js';

export type SkipCode =
  | 'gitignore'
  | 'ignore-file'
  | 'default-skip'
  | 'hidden'
  | 'user-pattern'
  | 'too-large'
  | 'unsupported-type'
  | 'symlink-loop'
  | 'broken-link'
  | 'not-a-file';

export interface SkipReason {
  code: SkipCode;
  /** A sentence for the user, naming the rule (and the rule file) that decided. */
  reason: string;
}

export interface IgnoreOptions {
  /** Extra globs in gitignore syntax, relative to the folder (setting `ignorePatterns`). */
  userPatterns?: string[];
  /** Files larger than this are skipped (default 50 MiB, setting `maxFileBytes`). */
  maxFileBytes?: number;
  /** Index dot-files and dot-folders too (default false). */
  includeHidden?: boolean;
  /** Honour .gitignore/.ignore files (default true). */
  useIgnoreFiles?: boolean;
  /** Case-insensitive matching, as git's core.ignorecase (default: true on macOS and Windows, false elsewhere). */
  ignoreCase?: boolean;
}

export const DEFAULT_MAX_FILE_BYTES = 50 * 1024 * 1024;

/**
 * Directory names never descended into: version control, package managers' trees, virtualenvs, caches and build
 * outputs (Recoll's skippedNames in spirit). Folders holding `pyvenv.cfg` (virtualenvs under any name) or a
 * `.noindex` marker (Spotlight's convention) are skipped too, see `checkDirectoryContents`.
 */
export const DEFAULT_SKIP_DIRS: ReadonlySet<string> = new Set([
  '.git', '.hg', '.svn', '.bzr', '_darcs', 'CVS', '.jj',
  'node_modules', 'bower_components', 'jspm_packages', '.pnpm-store', '.yarn',
  '__pycache__', '.venv', 'venv', '.virtualenv', 'virtualenv', '.tox', '.nox', '__pypackages__', 'site-packages',
  '.mypy_cache', '.pytest_cache', '.ruff_cache', '.hypothesis', '.ipynb_checkpoints',
  '.cache', '.gradle', '.m2', '.cargo', '.rustup', '.npm', '.parcel-cache', '.turbo', '.next', '.nuxt', '.svelte-kit',
  '.angular', '.expo', '.terraform', '.serverless', '.vercel', '.idea', '.vscode', '.Trash', '.Trashes',
  'dist', 'build', 'target', 'coverage', '.nyc_output', 'Pods', 'DerivedData', '.build',
]);

/** File names never indexed (OS litter, editor backups and swap files, partial downloads). */
const DEFAULT_SKIP_FILE = /^(?:\.DS_Store|Thumbs\.db|desktop\.ini|\.#.*|#.*#|.*~|.*\.(?:swp|swo|tmp|temp|part|crdownload|download|lock))$/i;

/** The rule files read in each directory, in precedence order. */
export const RULE_FILES = ['.ignore', '.gitignore'] as const;
export type RuleFile = (typeof RULE_FILES)[number];

interface DirRules {
  /** One matcher per rule file present, in RULE_FILES order. */
  files: Array<{ file: RuleFile; ig: Ignore }>;
}

export interface CheckInfo {
  isDirectory: boolean;
  /** File size in bytes, when known. */
  size?: number;
}

/** The ignore rules of one watched folder. Paths given to `check` are relative to the folder, '/'-separated. */
export class FolderRules {
  readonly root: string;
  readonly maxFileBytes: number;
  private readonly includeHidden: boolean;
  private readonly useIgnoreFiles: boolean;
  private readonly ignoreCase: boolean;
  private readonly user: Ignore | null;
  private readonly userPatterns: string[];
  /** Rule files by directory ('' = the folder itself). */
  private readonly dirs = new Map<string, DirRules>();

  constructor(root: string, options: IgnoreOptions = {}) {
    this.root = root;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.includeHidden = options.includeHidden ?? false;
    this.useIgnoreFiles = options.useIgnoreFiles ?? true;
    this.ignoreCase = options.ignoreCase ?? (process.platform === 'darwin' || process.platform === 'win32');
    this.userPatterns = (options.userPatterns ?? []).filter((p) => p.trim() !== '');
    this.user = this.userPatterns.length > 0 ? ignore({ ignorecase: this.ignoreCase }).add(this.userPatterns) : null;
  }

  /**
   * Sets (or with null removes) the content of one rule file in directory `dir` (relative, '' for the folder).
   * Pure: what `loadRulesIn` calls after reading, and what tests call directly.
   */
  setRules(dir: string, file: RuleFile, content: string | null): void {
    const key = normalizeRel(dir);
    const current = this.dirs.get(key) ?? { files: [] };
    const files = current.files.filter((f) => f.file !== file);
    if (content !== null) files.push({ file, ig: ignore({ ignorecase: this.ignoreCase }).add(content) });
    files.sort((a, b) => RULE_FILES.indexOf(a.file) - RULE_FILES.indexOf(b.file));
    if (files.length === 0) this.dirs.delete(key);
    else this.dirs.set(key, { files });
  }

  /** Reads `.ignore` and `.gitignore` of directory `dir` (relative) from disk; a missing or unreadable file counts as absent. Also `.git/info/exclude` for the folder itself. */
  async loadRulesIn(dir: string): Promise<void> {
    if (!this.useIgnoreFiles) return;
    const key = normalizeRel(dir);
    const abs = key === '' ? this.root : join(this.root, ...key.split('/'));
    for (const file of RULE_FILES) {
      let content: string | null = await readFile(join(abs, file), 'utf8').catch(() => null);
      if (file === '.gitignore' && key === '') {
        const exclude = await readFile(join(abs, '.git', 'info', 'exclude'), 'utf8').catch(() => null);
        if (exclude !== null) content = content === null ? exclude : `${exclude}\n${content}`;
      }
      this.setRules(key, file, content);
    }
  }

  /** `loadRulesIn`, synchronously: for chokidar's synchronous `ignored` filter, which meets each directory before its children. */
  loadRulesInSync(dir: string): void {
    if (!this.useIgnoreFiles) return;
    const key = normalizeRel(dir);
    const abs = key === '' ? this.root : join(this.root, ...key.split('/'));
    const read = (path: string): string | null => {
      try {
        return readFileSync(path, 'utf8');
      } catch {
        return null;
      }
    };
    for (const file of RULE_FILES) {
      let content = read(join(abs, file));
      if (file === '.gitignore' && key === '') {
        const exclude = read(join(abs, '.git', 'info', 'exclude'));
        if (exclude !== null) content = content === null ? exclude : `${exclude}\n${content}`;
      }
      this.setRules(key, file, content);
    }
  }

  /** Forgets the rule files of `dir` and every directory below it (the directory was removed). */
  dropRulesUnder(dir: string): void {
    const key = normalizeRel(dir);
    for (const k of [...this.dirs.keys()]) if (key === '' || k === key || k.startsWith(`${key}/`)) this.dirs.delete(k);
  }

  /** Whether a relative path names one of the rule files (watched for changes, never indexed). */
  static isRuleFile(rel: string): boolean {
    const name = rel.slice(rel.lastIndexOf('/') + 1);
    return (RULE_FILES as readonly string[]).includes(name);
  }

  /** Null when `rel` is to be indexed (files) or descended into (directories), else the rule that leaves it out. */
  check(rel: string, info: CheckInfo): SkipReason | null {
    const path = normalizeRel(rel);
    if (path === '') return null;
    const name = path.slice(path.lastIndexOf('/') + 1);
    if (info.isDirectory && DEFAULT_SKIP_DIRS.has(name)) {
      return { code: 'default-skip', reason: `${name}/ is on the default skip list (version control, dependencies, caches, build output)` };
    }
    if (!info.isDirectory && DEFAULT_SKIP_FILE.test(name)) {
      return { code: 'default-skip', reason: `${name} is on the default skip list (system, backup, temporary or partial files)` };
    }
    if (!this.includeHidden && name.startsWith('.')) {
      return { code: 'hidden', reason: `${name} is hidden (its name starts with a dot)` };
    }
    const testPath = info.isDirectory ? `${path}/` : path;
    if (this.user) {
      const r = this.user.test(testPath);
      if (r.ignored) return { code: 'user-pattern', reason: `matches your ignore pattern "${r.rule?.pattern ?? this.userPatterns.join(', ')}"` };
    }
    const byFile = this.checkRuleFiles(path, info.isDirectory);
    if (byFile) return byFile;
    if (!info.isDirectory) {
      if (info.size !== undefined && info.size > this.maxFileBytes) {
        return { code: 'too-large', reason: `${formatBytes(info.size)} is over the size cap of ${formatBytes(this.maxFileBytes)}` };
      }
      if (fileKindOf(name) === null) return { code: 'unsupported-type', reason: unsupportedReason(name) };
    }
    return null;
  }

  /**
   * Called with the entry names of a directory before descending into it: folders that are virtualenvs
   * (`pyvenv.cfg`) or marked `.noindex` are skipped whatever their name.
   */
  checkDirectoryContents(rel: string, names: readonly string[]): SkipReason | null {
    if (normalizeRel(rel) === '') return null;
    if (names.includes('pyvenv.cfg')) return { code: 'default-skip', reason: 'a Python virtual environment (holds pyvenv.cfg)' };
    if (names.includes('.noindex')) return { code: 'default-skip', reason: 'marked not to be indexed (holds a .noindex file)' };
    return null;
  }

  private checkRuleFiles(path: string, isDirectory: boolean): SkipReason | null {
    if (this.dirs.size === 0) return null;
    // Deepest directory first: the deepest rule that says anything (ignore or re-include) decides, as in git.
    let dir = path;
    for (;;) {
      const cut = dir.lastIndexOf('/');
      dir = cut < 0 ? '' : dir.slice(0, cut);
      const rules = this.dirs.get(dir);
      if (rules) {
        const relToDir = dir === '' ? path : path.slice(dir.length + 1);
        const testPath = isDirectory ? `${relToDir}/` : relToDir;
        for (const { file, ig } of rules.files) {
          const r = ig.test(testPath);
          if (r.unignored) return null;
          if (r.ignored) {
            const where = dir === '' ? file : `${dir}/${file}`;
            return {
              code: file === '.gitignore' ? 'gitignore' : 'ignore-file',
              reason: `ignored by ${where}${r.rule ? ` (pattern "${r.rule.pattern}")` : ''}`,
            };
          }
        }
      }
      if (dir === '') return null;
    }
  }
}

function unsupportedReason(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `.${name.slice(dot + 1).toLowerCase()} files are not a supported type` : `${name} has no extension of a supported type`;
}

/** '/'-separated, no leading './' or '/', no trailing '/'. */
export function normalizeRel(rel: string): string {
  let p = rel.replace(/\\/g, '/');
  while (p.startsWith('./')) p = p.slice(2);
  p = p.replace(/^\/+/, '').replace(/\/+$/, '');
  return p === '.' ? '' : p;
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 * 1024 * 1024) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 / 1024 / 1024).toFixed(1)} GiB`;
}
