/**
 * The dependency rules of the README's Architecture section as a checker: given source files (path relative to
 * the repository root, and text), it lists every import that breaks a rule. Pure (no disk), so a test can feed it
 * a planted bad import as well as the real tree.
 */
import { posix } from 'node:path';

export interface SourceFile {
  /** Repository-relative path with `/`, e.g. `app/encoder/sparse-encoder.ts`. */
  path: string;
  text: string;
}

export interface Violation {
  file: string;
  specifier: string;
  rule: string;
}

interface Rule {
  /** Files the rule applies to (repository-relative path prefix)... */
  from: string;
  /** ...except those under this prefix. */
  except?: string;
  /** Whether an import (resolved path, or a bare package name) is forbidden from there. */
  forbids(target: Target): boolean;
  /** Why, as the failure says it. */
  reason: string;
}

/** A resolved import: `path` for a relative import (repository-relative, normalised), `bare` for a package. */
type Target = { path: string } | { bare: string };

const under = (target: Target, folder: string) => 'path' in target && (target.path === folder || target.path.startsWith(`${folder}/`));
const isPackage = (target: Target, name: string) => 'bare' in target && (target.bare === name || target.bare.startsWith(`${name}/`));

export const RULES: readonly Rule[] = [
  { from: 'app/', forbids: (t) => isPackage(t, 'electron'), reason: 'app/ runs without Electron (the CLI, serve mode and tests use it in plain Node)' },
  { from: 'app/', forbids: (t) => under(t, 'main') || under(t, 'renderer'), reason: 'app/ never imports main/ or renderer/: dependencies point from the shell and the UI to the engine' },
  { from: 'app/encoder/', forbids: (t) => under(t, 'app/index'), reason: 'the encoder knows nothing of the index (both meet in app/sparse)' },
  { from: 'app/index/', forbids: (t) => under(t, 'app/encoder'), reason: 'the index stores vectors, whatever made them (both meet in app/sparse)' },
  { from: 'app/encoder/', forbids: (t) => under(t, 'app/ingest'), reason: 'the encoder knows nothing of ingest' },
  { from: 'app/index/', forbids: (t) => under(t, 'app/ingest'), reason: 'the index knows nothing of ingest' },
  { from: 'app/sparse/', forbids: (t) => 'path' in t && !under(t, 'app/sparse'), reason: 'app/sparse is the common ground of encoder and index and imports neither' },
  {
    from: 'app/onnxruntime/',
    except: 'app/onnxruntime/cuda-install/',
    forbids: (t) => under(t, 'app/onnxruntime/cuda-install'),
    reason: 'the runtime never needs the CUDA pack installer (cuda-install/ depends on the runtime, not the reverse)',
  },
  { from: 'renderer/', forbids: (t) => under(t, 'app') && !under(t, 'app/api'), reason: 'the renderer reaches the engine only through app/api/' },
];

/** Module specifiers of `text`: static and dynamic imports, re-exports, require. Comments are skipped. */
export function importSpecifiers(text: string): string[] {
  const code = text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`\\])\/\/.*$/gm, '$1');
  const found: string[] = [];
  const patterns = [
    /\b(?:import|export)\s[^'"`;]*?\bfrom\s*['"]([^'"]+)['"]/g, // import x from 'y', export { x } from 'y', import type ...
    /\bimport\s*['"]([^'"]+)['"]/g, // import 'y' (side effect)
    /\bimport\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // import('y')
    /\brequire\s*\(\s*['"]([^'"]+)['"]\s*\)/g, // require('y')
  ];
  for (const pattern of patterns) for (const match of code.matchAll(pattern)) found.push(match[1]!);
  return found;
}

function resolveTarget(file: string, specifier: string): Target {
  if (specifier.startsWith('.')) return { path: posix.normalize(posix.join(posix.dirname(file), specifier)) };
  if (specifier.startsWith('/')) return { path: specifier.slice(1) };
  return { bare: specifier };
}

/** Every import of `files` that breaks one of `rules`. Folders that do not exist yet simply have no files to check. */
export function checkLayering(files: readonly SourceFile[], rules: readonly Rule[] = RULES): Violation[] {
  const violations: Violation[] = [];
  for (const file of files) {
    const applicable = rules.filter((rule) => file.path.startsWith(rule.from) && !(rule.except && file.path.startsWith(rule.except)));
    if (applicable.length === 0) continue;
    for (const specifier of importSpecifiers(file.text)) {
      const target = resolveTarget(file.path, specifier);
      for (const rule of applicable) if (rule.forbids(target)) violations.push({ file: file.path, specifier, rule: rule.reason });
    }
  }
  return violations;
}
