/**
 * The initial (and any re-) scan of a watched folder: an async walk that applies the folder's ignore rules and
 * yields every entry it sees as a file to index, a skipped entry with the rule that skipped it, or an error entry
 * (a directory that cannot be read). Nothing under a skipped directory is visited (it is reported once).
 *
 * Symbolic links are followed, to files and to directories, but never in a loop: every directory is identified by
 * (device, inode), and a link to a directory already visited in this scan (an ancestor: a loop; or elsewhere: a
 * duplicate) is reported as skipped with code 'symlink-loop' instead of descended into. Broken links are skipped
 * ('broken-link'). Files that vanish while the scan runs are left out silently (they no longer exist); a
 * directory that cannot be read is an 'unreadable' error entry, never an exception. Only the folder itself
 * missing or unreadable throws (IngestError 'vanished' / 'unreadable'): the engine then marks it unavailable.
 */
import type { Dirent, Stats } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileKindOf, type FileKind } from './file-types.js';
import { FolderRules, type SkipCode } from './ignore-rules.js';
import { IngestError, type IngestErrorCode } from './ingest-error.js';

export type ScanEntry =
  | {
      kind: 'file';
      /** Absolute path (through the links it was reached by). */
      path: string;
      /** Relative to the folder, '/'-separated. */
      rel: string;
      fileKind: FileKind;
      size: number;
      mtimeMs: number;
      dev: number;
      ino: number;
    }
  | { kind: 'skipped'; path: string; rel: string; isDirectory: boolean; code: SkipCode; reason: string; size?: number; mtimeMs?: number }
  | { kind: 'error'; path: string; rel: string; isDirectory: boolean; code: IngestErrorCode; reason: string };

export interface ScanOptions {
  /** Stops the walk (the generator returns early). */
  signal?: AbortSignal;
  /** Start below the folder (a subtree to rescan after its ignore rules changed), relative. */
  under?: string;
}

export async function* scanFolder(rules: FolderRules, options: ScanOptions = {}): AsyncGenerator<ScanEntry> {
  const root = rules.root;
  let rootStats: Stats;
  try {
    rootStats = await stat(root);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EACCES' || code === 'EPERM') throw new IngestError('unreadable', `The folder ${root} cannot be read (permission denied).`, { cause: error });
    throw new IngestError('vanished', `The folder ${root} is not there (removed, renamed, or its drive is not mounted).`, { cause: error });
  }
  if (!rootStats.isDirectory()) throw new IngestError('not-a-file', `${root} is not a folder.`);
  const visited = new Map<string, string>([[`${rootStats.dev}:${rootStats.ino}`, '']]);

  const start = options.under ? options.under.replace(/\\/g, '/').replace(/^\/+|\/+$/g, '') : '';
  // Rules of every directory above the start apply to it: load them first.
  const parts = start === '' ? [] : start.split('/');
  for (let k = 0; k <= parts.length - (start === '' ? 0 : 1); k++) await rules.loadRulesIn(parts.slice(0, k).join('/'));
  if (start !== '') {
    try {
      const s = await stat(join(root, ...parts));
      visited.set(`${s.dev}:${s.ino}`, start);
    } catch {
      return;
    }
  }

  const stack: string[] = [start];
  while (stack.length > 0) {
    if (options.signal?.aborted) return;
    const dirRel = stack.pop()!;
    const dirAbs = dirRel === '' ? root : join(root, ...dirRel.split('/'));
    let entries: Dirent[];
    try {
      entries = await readdir(dirAbs, { withFileTypes: true });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') continue; // removed while scanning
      yield {
        kind: 'error', path: dirAbs, rel: dirRel, isDirectory: true, code: 'unreadable',
        reason: code === 'EACCES' || code === 'EPERM' ? 'the folder cannot be read (permission denied)' : `the folder cannot be read (${code ?? (error as Error).message})`,
      };
      continue;
    }
    const names = entries.map((e) => e.name);
    if (dirRel !== '') {
      const bySkip = rules.checkDirectoryContents(dirRel, names);
      if (bySkip) {
        yield { kind: 'skipped', path: dirAbs, rel: dirRel, isDirectory: true, ...bySkip };
        continue;
      }
      await rules.loadRulesIn(dirRel);
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const entry of entries) {
      const rel = dirRel === '' ? entry.name : `${dirRel}/${entry.name}`;
      const path = join(dirAbs, entry.name);
      let stats: Stats;
      try {
        stats = await stat(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if (entry.isSymbolicLink() && code === 'ENOENT') {
          yield { kind: 'skipped', path, rel, isDirectory: false, code: 'broken-link', reason: 'a symbolic link to something that does not exist' };
        } else if (code === 'ELOOP') {
          yield { kind: 'skipped', path, rel, isDirectory: false, code: 'symlink-loop', reason: 'a symbolic link that points back to itself' };
        } else if (code === 'EACCES' || code === 'EPERM') {
          yield { kind: 'error', path, rel, isDirectory: entry.isDirectory(), code: 'unreadable', reason: 'permission denied' };
        }
        // ENOENT of a real entry: it vanished during the scan, so there is nothing to report.
        continue;
      }
      if (stats.isDirectory()) {
        const skip = rules.check(rel, { isDirectory: true });
        if (skip) {
          yield { kind: 'skipped', path, rel, isDirectory: true, ...skip };
          continue;
        }
        const key = `${stats.dev}:${stats.ino}`;
        const seen = visited.get(key);
        if (seen !== undefined) {
          const isAncestor = seen === '' || rel.startsWith(`${seen}/`);
          yield {
            kind: 'skipped', path, rel, isDirectory: true, code: 'symlink-loop',
            reason: isAncestor
              ? `a link back to ${seen === '' ? 'the folder itself' : seen} (a loop), not followed`
              : `a link to ${seen}, which is already scanned`,
          };
          continue;
        }
        visited.set(key, rel);
        subdirs.push(rel);
        continue;
      }
      if (!stats.isFile()) {
        yield { kind: 'skipped', path, rel, isDirectory: false, code: 'not-a-file', reason: 'not a regular file (a pipe, socket or device)' };
        continue;
      }
      const skip = rules.check(rel, { isDirectory: false, size: stats.size });
      if (skip) {
        yield { kind: 'skipped', path, rel, isDirectory: false, ...skip, size: stats.size, mtimeMs: stats.mtimeMs };
        continue;
      }
      yield { kind: 'file', path, rel, fileKind: fileKindOf(entry.name)!, size: stats.size, mtimeMs: stats.mtimeMs, dev: stats.dev, ino: stats.ino };
    }
    // Depth-first, in name order.
    for (let k = subdirs.length - 1; k >= 0; k--) stack.push(subdirs[k]!);
  }
}
