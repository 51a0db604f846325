/**
 * The on-disk cache of built ONNX graphs: `<key>.onnx` plus `<key>.json` (its size and SHA-256), both written under
 * temporary names and renamed, the JSON last, so that a crash never leaves an entry that looks complete.
 */
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `$SPLADE_CACHE_DIR/onnx`, else `~/.cache/splade-search/onnx`. */
export function defaultOnnxCacheDir(env: NodeJS.ProcessEnv = process.env): string {
  return env.SPLADE_CACHE_DIR ? join(env.SPLADE_CACHE_DIR, 'onnx') : join(homedir(), '.cache', 'splade-search', 'onnx');
}

export interface CacheEntryMeta {
  /** Size and SHA-256 of the .onnx file, checked before every use. */
  size: number;
  sha256: string;
  createdAt: string;
  /** Anything the producer wants back on a hit (output name, external data, ...). */
  info: Record<string, unknown>;
}

export interface CacheEntry {
  path: string;
  meta: CacheEntryMeta;
}

/** SHA-256 of a file's bytes, streamed. */
export async function hashFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 4 << 20 })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export class OnnxCache {
  constructor(readonly dir: string) {}

  modelPath(key: string): string {
    return join(this.dir, `${key}.onnx`);
  }

  private metaPath(key: string): string {
    return join(this.dir, `${key}.json`);
  }

  /**
   * The entry for `key` if it is complete and intact (size and SHA-256 match what was recorded). A damaged or
   * half-written entry is removed and reported as a miss, so that the caller rebuilds it.
   */
  async get(key: string): Promise<CacheEntry | undefined> {
    let meta: CacheEntryMeta;
    try {
      meta = JSON.parse(await readFile(this.metaPath(key), 'utf8')) as CacheEntryMeta;
    } catch {
      return undefined;
    }
    const path = this.modelPath(key);
    try {
      const info = await stat(path);
      if (info.size === meta.size && (await hashFile(path)) === meta.sha256) return { path, meta };
    } catch {
      // missing model file: fall through
    }
    await this.remove(key);
    return undefined;
  }

  /** Writes `chunks` as the entry for `key` (temporary names, then renames: the metadata last). */
  async put(key: string, chunks: Uint8Array[], info: Record<string, unknown>): Promise<CacheEntry> {
    await mkdir(this.dir, { recursive: true });
    const suffix = `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
    const path = this.modelPath(key);
    const temporary = path + suffix;
    const hash = createHash('sha256');
    let size = 0;
    const handle = await open(temporary, 'w');
    try {
      // Write in groups so that small chunks do not become one syscall each.
      let group: Uint8Array[] = [];
      let groupBytes = 0;
      const flush = async () => {
        if (group.length > 0) await handle.writev(group);
        group = [];
        groupBytes = 0;
      };
      for (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        group.push(chunk);
        groupBytes += chunk.length;
        if (group.length >= 512 || groupBytes >= 64 << 20) await flush();
      }
      await flush();
      await handle.sync();
    } catch (error) {
      await handle.close();
      await rm(temporary, { force: true });
      throw error;
    }
    await handle.close();
    await rename(temporary, path);
    const meta: CacheEntryMeta = { size, sha256: hash.digest('hex'), createdAt: new Date().toISOString(), info };
    const metaTemporary = this.metaPath(key) + suffix;
    await writeFile(metaTemporary, JSON.stringify(meta, null, 2));
    await rename(metaTemporary, this.metaPath(key));
    return { path, meta };
  }

  async remove(key: string): Promise<void> {
    await rm(this.metaPath(key), { force: true });
    await rm(this.modelPath(key), { force: true });
  }
}
