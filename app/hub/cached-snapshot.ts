/** Finds a snapshot in the cache without any network: `refs/<revision>` → `snapshots/<sha>/`, and says what it lacks. */
import { readdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { RepoCache } from './cache-layout.js';
import type { FileSelection } from './file-selection.js';

/** What the cache holds for one repository and revision. */
export interface CachedSnapshot {
  /** The commit the revision names in the cache; undefined when `refs/<revision>` is absent. */
  commit: string | undefined;
  /** `snapshots/<commit>`, when it exists. */
  folder: string | undefined;
  /** Files present and readable (dangling pointers excluded), forward slashes. */
  files: string[];
  /** What is missing for the model to be usable; empty when the snapshot is complete. */
  missing: string[];
}

/** Lists the regular files under `folder` (following symlinks), as paths relative to it with forward slashes. */
async function listFiles(folder: string, prefix = ''): Promise<{ files: string[]; dangling: string[] }> {
  const files: string[] = [];
  const dangling: string[] = [];
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const relativePath = prefix + entry.name;
    const path = join(folder, entry.name);
    let info;
    try {
      info = await stat(path);
    } catch {
      dangling.push(relativePath);
      continue;
    }
    if (info.isDirectory()) {
      const inner = await listFiles(path, relativePath + '/');
      files.push(...inner.files);
      dangling.push(...inner.dangling);
    } else if (info.isFile()) files.push(relativePath);
  }
  return { files, dangling };
}

/** Shards named in `model.safetensors.index.json` that the snapshot lacks. */
async function missingShards(folder: string, files: readonly string[]): Promise<string[]> {
  if (!files.includes('model.safetensors.index.json')) return [];
  try {
    const index = JSON.parse(await readFile(join(folder, 'model.safetensors.index.json'), 'utf8')) as { weight_map?: Record<string, string> };
    const shards = new Set(Object.values(index.weight_map ?? {}));
    return [...shards].filter((shard) => !files.includes(shard)).sort();
  } catch {
    return ['a readable model.safetensors.index.json'];
  }
}

/** Looks up `revision` (branch, tag or sha) in the cache and checks the snapshot against `selection`. */
export async function findCachedSnapshot(cache: RepoCache, revision: string, selection: FileSelection): Promise<CachedSnapshot> {
  const commit = await cache.readRef(revision);
  if (commit === undefined) {
    return { commit: undefined, folder: undefined, files: [], missing: [`refs/${revision} (no download of this revision is recorded)`] };
  }
  const folder = cache.snapshotFolder(commit);
  try {
    if (!(await stat(folder)).isDirectory()) throw new Error('not a folder');
  } catch {
    return { commit, folder: undefined, files: [], missing: [`snapshots/${commit}/ (the whole snapshot)`] };
  }
  const { files, dangling } = await listFiles(folder);
  files.sort();
  const missing = [
    ...selection.missing(files),
    ...(await missingShards(folder, files)),
    ...dangling.filter((file) => selection.includes(file)).map((file) => `${file} (its blob is gone)`),
  ];
  return { commit, folder, files, missing };
}
