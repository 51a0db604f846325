/** The Hugging Face cache layout, exactly as Python's huggingface_hub writes it: `models--org--name/{blobs,snapshots,refs}`. */
import { copyFile, lstat, mkdir, readFile, readlink, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { dirname, join, relative } from 'node:path';

/** A 40-hex commit sha; a revision that matches is used as is, without a refs file. */
export const COMMIT_SHA = /^[0-9a-f]{40}$/;
/** A 64-hex sha256, the ETag the Hub gives LFS files. */
export const SHA256_HEX = /^[0-9a-f]{64}$/;

/** `models--org--name`: huggingface_hub's `repo_folder_name` for a model repository. */
export function repoFolderName(repoId: string): string {
  return ['models', ...repoId.split('/')].join('--');
}

/** The paths of one model repository inside the cache. */
export class RepoCache {
  /** `<cache>/models--org--name` */
  readonly folder: string;
  constructor(
    readonly cacheDir: string,
    readonly repoId: string,
  ) {
    this.folder = join(cacheDir, repoFolderName(repoId));
  }

  blobPath(etag: string): string {
    return join(this.folder, 'blobs', etag);
  }

  incompletePath(etag: string): string {
    return this.blobPath(etag) + '.incomplete';
  }

  snapshotFolder(commit: string): string {
    return join(this.folder, 'snapshots', commit);
  }

  /** Where the pointer (symlink) for `file` lives in the snapshot of `commit`; refuses paths that leave the snapshot. */
  pointerPath(commit: string, file: string): string {
    const parts = file.split('/');
    if (file === '' || parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\\'))) {
      throw new Error(`Refusing repository file name ${JSON.stringify(file)} of ${this.repoId}: it would leave the snapshot folder`);
    }
    return join(this.snapshotFolder(commit), ...parts);
  }

  refPath(revision: string): string {
    return join(this.folder, 'refs', ...revision.split('/'));
  }

  /** Lock files live apart from the repository folder, as huggingface_hub keeps them in `<cache>/.locks/`. */
  lockPath(etag: string): string {
    return join(this.cacheDir, '.locks', repoFolderName(this.repoId), `${etag}.splade-search.lock`);
  }

  /** The commit sha a revision names: the revision itself when it is a sha, else the content of `refs/<revision>`. */
  async readRef(revision: string): Promise<string | undefined> {
    if (COMMIT_SHA.test(revision)) return revision;
    try {
      const text = (await readFile(this.refPath(revision), 'utf8')).trim();
      return COMMIT_SHA.test(text) ? text : undefined;
    } catch {
      return undefined;
    }
  }

  /** Records `refs/<revision>` = commit (no newline, as Python writes it); nothing for a sha or an unchanged ref. */
  async writeRef(revision: string, commit: string): Promise<void> {
    if (revision === commit) return;
    const path = this.refPath(revision);
    try {
      if ((await readFile(path, 'utf8')) === commit) return;
    } catch {
      // missing: write it
    }
    await mkdir(dirname(path), { recursive: true });
    const temporary = `${path}.${process.pid}.${randomUUID()}.tmp`;
    await writeFile(temporary, commit);
    await rename(temporary, path);
  }
}

/** Whether `path` exists and, following symlinks, is a regular file (a dangling pointer is not). */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

const symlinkSupport = new Map<string, Promise<boolean>>();

/** Whether relative symlinks can be made in `folder` (false on Windows without Developer Mode); probed once per folder. */
export function symlinksSupported(folder: string): Promise<boolean> {
  let known = symlinkSupport.get(folder);
  if (!known) {
    known = probeSymlinks(folder);
    symlinkSupport.set(folder, known);
  }
  return known;
}

async function probeSymlinks(folder: string): Promise<boolean> {
  await mkdir(folder, { recursive: true });
  const name = `.symlink-probe-${process.pid}-${randomUUID()}`;
  const source = join(folder, `${name}-src`);
  const target = join(folder, `${name}-dst`);
  try {
    await writeFile(source, '');
    await symlink(`${name}-src`, target);
    return true;
  } catch {
    return false;
  } finally {
    await rm(source, { force: true });
    await rm(target, { force: true });
  }
}

/**
 * Makes `pointer` refer to `blob`, as huggingface_hub's `_create_symlink` does: a relative symlink
 * (`../../blobs/<etag>`) where symlinks work; otherwise the file itself, moved when the blob is new
 * (`newBlob`) and copied when other snapshots may already use it.
 */
export async function linkPointer(blob: string, pointer: string, options: { newBlob: boolean; symlinks?: boolean }): Promise<void> {
  await mkdir(dirname(pointer), { recursive: true });
  try {
    await lstat(pointer);
    await rm(pointer, { force: true });
  } catch {
    // absent
  }
  const useSymlinks = options.symlinks ?? (await symlinksSupported(dirname(dirname(blob))));
  if (useSymlinks) {
    const target = relative(dirname(pointer), blob);
    try {
      await symlink(target, pointer);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      // made concurrently by another download of the same snapshot: fine if it points at the same blob
      if (code === 'EEXIST' && (await readlink(pointer).catch(() => undefined)) === target) return;
      if (code !== 'EPERM' && code !== 'EACCES') throw error;
    }
  }
  if (options.newBlob) await rename(blob, pointer);
  else await copyFile(blob, pointer);
}
