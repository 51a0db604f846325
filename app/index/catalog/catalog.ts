/**
 * The catalog: folders, files and passages in SQLite (better-sqlite3, WAL), plus the commit point — the
 * `segments` rows with their tombstones and the `generation` in `meta`. One SQLite transaction records a commit,
 * so catalog and postings change together or not at all.
 */
import { endianness } from 'node:os';
import Database from 'better-sqlite3';
import { CATALOG_FORMAT_VERSION, CATALOG_MIGRATIONS, CATALOG_SCHEMA } from './catalog-schema.js';
import { IndexCorruptError, IndexError } from '../index-errors.js';

/** Stored vector blobs are little-endian; on such a machine they are read through typed-array views. */
export const LITTLE_ENDIAN = endianness() === 'LE';

/**
 * `pending`: to be encoded (the durable job queue); `indexed`; `error` (with `error` saying why); `skipped`: left out
 * on purpose (`error` names the rule); `unavailable`: its folder vanished, passages kept until it returns or is removed.
 */
export type FileStatus = 'pending' | 'indexed' | 'error' | 'skipped' | 'unavailable';
export const FILE_STATUSES: readonly FileStatus[] = ['pending', 'indexed', 'error', 'skipped', 'unavailable'];

export interface FolderInfo {
  id: number;
  path: string;
  addedMs: number;
}

export interface FileInfo {
  id: number;
  folderId: number | null;
  path: string;
  /** Lower-case extension without the dot ('' when none). */
  ext: string;
  size: number | null;
  mtimeMs: number | null;
  contentHash: string | null;
  status: FileStatus;
  error: string | null;
  /** A short stable code for the reason of `error`/`skipped`/`unavailable` (the caller's vocabulary), else null. */
  reasonCode: string | null;
  passageCount: number;
  updatedMs: number;
}

export interface PassageInfo {
  id: number;
  fileId: number;
  ordinal: number;
  charStart: number;
  charEnd: number;
  page: number | null;
  line: number | null;
  text: string | null;
}

/** Index-wide settings, fixed when the index is created. */
export interface IndexSettings {
  vocabSize: number;
  maxWeight: number;
  blockSize: number;
  blocksPerPage: number;
}

export interface SegmentRow {
  name: string;
  docCount: number;
  postingCount: number;
  byteSize: number;
  deletedCount: number;
  deleted: Uint8Array | null;
  generation: number;
}

export interface Manifest {
  generation: number;
  payload: unknown;
  segments: SegmentRow[];
  /** segment → the origins (flushed segments) whose passages it holds. */
  origins: Map<string, string[]>;
}

export interface FileFilter {
  /** Folder paths: files at or under any of them. */
  folders?: string[];
  /** Extensions, with or without the dot, any case. */
  fileTypes?: string[];
  /** Modification time bounds in ms since the epoch (inclusive). */
  modifiedAfter?: number;
  modifiedBefore?: number;
}

/** A `files` row as SQLite returns it. */
export interface FileRowRaw {
  id: number;
  folder_id: number | null;
  path: string;
  ext: string;
  size: number | null;
  mtime_ms: number | null;
  content_hash: string | null;
  status: FileStatus;
  error: string | null;
  reason_code: string | null;
  passage_count: number;
  updated_ms: number;
}

export function fileFromRow(row: FileRowRaw): FileInfo {
  return {
    id: row.id,
    folderId: row.folder_id,
    path: row.path,
    ext: row.ext,
    size: row.size,
    mtimeMs: row.mtime_ms,
    contentHash: row.content_hash,
    status: row.status,
    error: row.error,
    reasonCode: row.reason_code ?? null,
    passageCount: row.passage_count,
    updatedMs: row.updated_ms,
  };
}

/** Opens (creating when asked) the catalog database with the index's pragmas. */
export function openCatalogDatabase(path: string, create: boolean, settings?: IndexSettings): Database.Database {
  const db = new Database(path, { fileMustExist: !create, timeout: 10000 });
  try {
    db.pragma('journal_mode = WAL');
    // FULL: a commit that returned is durable even through a power cut, not only a process crash.
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = OFF');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) {
      if (!settings) throw new IndexError('invalid-argument', `${path} is not an initialised index catalog`);
      db.transaction(() => {
        // Another process may have initialised it between our check and the write lock.
        if ((db.pragma('user_version', { simple: true }) as number) !== 0) return;
        db.exec(CATALOG_SCHEMA);
        const insert = db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)');
        insert.run('settings', JSON.stringify(settings));
        insert.run('generation', '0');
        insert.run('payload', 'null');
        db.pragma(`user_version = ${CATALOG_FORMAT_VERSION}`);
      }).immediate();
    } else if (version > CATALOG_FORMAT_VERSION) {
      throw new IndexError('format-unsupported', `Catalog ${path} has format ${version}; this build reads up to ${CATALOG_FORMAT_VERSION}`);
    } else if (version < CATALOG_FORMAT_VERSION) {
      upgradeCatalog(db);
    }
    return db;
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Runs the upgrades from the catalog's format to the current one, each in one transaction with its version bump. */
function upgradeCatalog(db: Database.Database): void {
  for (;;) {
    const done = db.transaction(() => {
      // Another process may have upgraded it between our read and the write lock.
      const version = db.pragma('user_version', { simple: true }) as number;
      if (version >= CATALOG_FORMAT_VERSION) return true;
      const migration = CATALOG_MIGRATIONS[version];
      if (migration === undefined) throw new IndexError('format-unsupported', `Catalog ${db.name} has format ${version}, which this build cannot upgrade`);
      db.exec(migration);
      db.pragma(`user_version = ${version + 1}`);
      return false;
    }).immediate();
    if (done) return;
  }
}

/** A passage vector as stored in `passages.vector`: n uint32 term ids, then n float32 weights (little-endian). */
export function encodeVectorBlob(indices: ArrayLike<number>, values: Float32Array): Buffer {
  const n = values.length;
  const buffer = Buffer.alloc(8 * n);
  for (let i = 0; i < n; i++) {
    buffer.writeUInt32LE(indices[i]!, 4 * i);
    buffer.writeFloatLE(values[i]!, 4 * (n + i));
  }
  return buffer;
}

export function decodeVectorBlob(blob: Uint8Array): { indices: Uint32Array; values: Float32Array } {
  const n = blob.byteLength / 8;
  if (LITTLE_ENDIAN) {
    // One copy into a fresh (aligned) buffer, viewed as the two halves: ~10x faster than a DataView per number.
    const bytes = new Uint8Array(blob);
    return { indices: new Uint32Array(bytes.buffer, 0, n), values: new Float32Array(bytes.buffer, 4 * n, n) };
  }
  const view = new DataView(blob.buffer, blob.byteOffset, blob.byteLength);
  const indices = new Uint32Array(n);
  const values = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    indices[i] = view.getUint32(4 * i, true);
    values[i] = view.getFloat32(4 * (n + i), true);
  }
  return { indices, values };
}

/**
 * Read queries over the catalog; bound to one connection (so to one snapshot inside a read transaction). The
 * writer's statements are in catalog-writer.ts; no other module holds SQL.
 */
export class CatalogQueries {
  private readonly statements;

  constructor(readonly db: Database.Database) {
    this.statements = {
      meta: db.prepare<[string], { value: string }>('SELECT value FROM meta WHERE key = ?'),
      segments: db.prepare('SELECT name, doc_count, posting_count, byte_size, deleted_count, deleted, generation FROM segments ORDER BY name'),
      origins: db.prepare<[], { segment: string; origin: string }>('SELECT segment, origin FROM segment_origins'),
      folders: db.prepare('SELECT id, path, added_ms FROM folders ORDER BY path'),
      fileByPath: db.prepare<[string], FileRowRaw>('SELECT * FROM files WHERE path = ?'),
      fileById: db.prepare<[number], FileRowRaw>('SELECT * FROM files WHERE id = ?'),
      passagesOfFile: db.prepare('SELECT id, file_id, ordinal, char_start, char_end, page, line, text FROM passages WHERE file_id = ? ORDER BY ordinal'),
      passage: db.prepare('SELECT id, file_id, ordinal, char_start, char_end, page, line, text FROM passages WHERE id = ?'),
      // One statement for any number of ids (a JSON array): a search reads a whole candidate pool at once.
      passageVectors: db.prepare<[string], { id: number; vector: Buffer }>('SELECT id, vector FROM passages WHERE id IN (SELECT value FROM json_each(?)) AND vector IS NOT NULL'),
      liveVectorIds: db.prepare<[], [number, number]>('SELECT id, file_id FROM passages WHERE origin IS NOT NULL AND vector IS NOT NULL').raw(),
      liveVectors: db.prepare<[], { id: number; file_id: number; vector: Buffer }>('SELECT id, file_id, vector FROM passages WHERE origin IS NOT NULL AND vector IS NOT NULL'),
      maxFileId: db.prepare<[], { id: number | null }>('SELECT max(id) AS id FROM files'),
      passageWithFile: db.prepare(
        `SELECT p.id, p.file_id, p.ordinal, p.char_start, p.char_end, p.page, p.line, p.text,
                f.folder_id, f.path, f.ext, f.size, f.mtime_ms, f.content_hash, f.status, f.error, f.reason_code, f.passage_count, f.updated_ms
         FROM passages p JOIN files f ON f.id = p.file_id WHERE p.id = ?`,
      ),
      dataVersion: db.prepare('PRAGMA data_version').pluck(),
    };
  }

  settings(): IndexSettings {
    const row = this.statements.meta.get('settings');
    if (!row) throw new IndexCorruptError('The catalog has no settings row', this.db.name);
    return JSON.parse(row.value) as IndexSettings;
  }

  /** Changes whenever another connection commits (cheap: no table read). */
  dataVersion(): number {
    return this.statements.dataVersion.get() as number;
  }

  generation(): number {
    return Number(this.statements.meta.get('generation')!.value);
  }

  /** The committed state, read in one transaction so that its parts agree. */
  manifest(): Manifest {
    return this.db.transaction(() => {
      const generation = Number(this.statements.meta.get('generation')!.value);
      const payload = JSON.parse(this.statements.meta.get('payload')!.value) as unknown;
      const segments = (this.statements.segments.all() as Record<string, unknown>[]).map(
        (row): SegmentRow => ({
          name: row.name as string,
          docCount: row.doc_count as number,
          postingCount: row.posting_count as number,
          byteSize: row.byte_size as number,
          deletedCount: row.deleted_count as number,
          deleted: row.deleted ? new Uint8Array(row.deleted as Buffer) : null,
          generation: row.generation as number,
        }),
      );
      const origins = new Map<string, string[]>();
      for (const { segment, origin } of this.statements.origins.iterate()) {
        let list = origins.get(segment);
        if (!list) origins.set(segment, (list = []));
        list.push(origin);
      }
      return { generation, payload, segments, origins };
    })();
  }

  listFolders(): FolderInfo[] {
    return (this.statements.folders.all() as { id: number; path: string; added_ms: number }[]).map((row) => ({
      id: row.id,
      path: row.path,
      addedMs: row.added_ms,
    }));
  }

  getFile(pathOrId: string | number): FileInfo | undefined {
    const row = typeof pathOrId === 'number' ? this.statements.fileById.get(pathOrId) : this.statements.fileByPath.get(pathOrId);
    return row ? fileFromRow(row) : undefined;
  }

  /** Files, optionally only those of one status and/or under one folder path, ordered by path. */
  listFiles(options: { status?: FileStatus; folder?: string; limit?: number; offset?: number } = {}): FileInfo[] {
    const where: string[] = [];
    const params: unknown[] = [];
    if (options.status) {
      where.push('status = ?');
      params.push(options.status);
    }
    if (options.folder !== undefined) {
      const clause = underFolderClause(options.folder);
      where.push(clause.sql);
      params.push(...clause.params);
    }
    const sql =
      'SELECT * FROM files' +
      (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
      ' ORDER BY path' +
      (options.limit !== undefined ? ` LIMIT ${Math.max(0, Math.floor(options.limit))}` : '') +
      (options.offset !== undefined ? ` OFFSET ${Math.max(0, Math.floor(options.offset))}` : '');
    return (this.db.prepare(sql).all(...params) as FileRowRaw[]).map(fileFromRow);
  }

  passagesOfFile(fileId: number): PassageInfo[] {
    return (this.statements.passagesOfFile.all(fileId) as Record<string, unknown>[]).map(passageFromRow);
  }

  getPassage(id: number): PassageInfo | undefined {
    const row = this.statements.passage.get(id) as Record<string, unknown> | undefined;
    return row ? passageFromRow(row) : undefined;
  }

  /** The full-precision vectors kept for the given passages (those stored without one are absent). */
  passageVectors(ids: readonly number[]): Map<number, { indices: Uint32Array; values: Float32Array }> {
    const out = new Map<number, { indices: Uint32Array; values: Float32Array }>();
    for (const [id, blob] of this.passageVectorBlobs(ids)) out.set(id, decodeVectorBlob(blob));
    return out;
  }

  /** The stored vector blobs (see `encodeVectorBlob`) of the given passages, read with one statement. */
  passageVectorBlobs(ids: readonly number[]): Map<number, Buffer> {
    const out = new Map<number, Buffer>();
    if (ids.length === 0) return out;
    for (const row of this.statements.passageVectors.all(JSON.stringify(ids))) out.set(row.id, row.vector);
    return out;
  }

  /** [passage id, file id] of every passage that has postings and a kept vector. */
  liveVectorIds(): [number, number][] {
    return this.statements.liveVectorIds.all();
  }

  /** Every passage that has postings and a kept vector: id, file id and vector blob. */
  liveVectorBlobs(): IterableIterator<{ id: number; file_id: number; vector: Buffer }> {
    return this.statements.liveVectors.iterate();
  }

  /** Passages and their files for the given passage ids. */
  passagesWithFiles(ids: number[]): Map<number, { passage: PassageInfo; file: FileInfo }> {
    const out = new Map<number, { passage: PassageInfo; file: FileInfo }>();
    for (const id of ids) {
      const row = this.statements.passageWithFile.get(id) as Record<string, unknown> | undefined;
      if (!row) continue;
      const passage = passageFromRow(row);
      const file = fileFromRow({ ...(row as unknown as FileRowRaw), id: row.file_id as number });
      out.set(passage.id, { passage, file });
    }
    return out;
  }

  /** passage id → origin of every passage that has postings (origin not NULL); for the consistency check. */
  passageOrigins(): Map<number, string> {
    const originOf = new Map<number, string>();
    for (const [id, origin] of this.db.prepare('SELECT id, origin FROM passages WHERE origin IS NOT NULL').raw().iterate() as IterableIterator<[number, string]>) {
      originOf.set(id, origin);
    }
    return originOf;
  }

  /** Files whose recorded passage count differs from their passage rows. */
  passageCountMismatches(): { id: number; recorded: number; actual: number }[] {
    return this.db
      .prepare(
        `SELECT id, recorded, actual FROM (
           SELECT f.id AS id, f.passage_count AS recorded, count(p.id) AS actual FROM files f LEFT JOIN passages p ON p.file_id = f.id GROUP BY f.id
         ) WHERE recorded != actual`,
      )
      .all() as { id: number; recorded: number; actual: number }[];
  }

  /** Passages whose file row is gone. */
  orphanPassageCount(): number {
    return this.db.prepare('SELECT count(*) FROM passages p LEFT JOIN files f ON f.id = p.file_id WHERE f.id IS NULL').pluck().get() as number;
  }

  /** A bitmap over file ids: byte i = 1 when file i passes `filter`. */
  allowedFiles(filter: FileFilter): Uint8Array {
    const where: string[] = [];
    const params: unknown[] = [];
    if (filter.folders !== undefined) {
      if (filter.folders.length === 0) where.push('0');
      else {
        const parts = filter.folders.map((folder) => underFolderClause(folder));
        where.push(`(${parts.map((part) => part.sql).join(' OR ')})`);
        for (const part of parts) params.push(...part.params);
      }
    }
    if (filter.fileTypes !== undefined) {
      const types = filter.fileTypes.map((type) => type.replace(/^\./, '').toLowerCase());
      where.push(types.length === 0 ? '0' : `ext IN (${types.map(() => '?').join(',')})`);
      params.push(...types);
    }
    if (filter.modifiedAfter !== undefined) {
      where.push('mtime_ms >= ?');
      params.push(filter.modifiedAfter);
    }
    if (filter.modifiedBefore !== undefined) {
      where.push('mtime_ms <= ?');
      params.push(filter.modifiedBefore);
    }
    const maxId = this.statements.maxFileId.get()?.id ?? 0;
    const allowed = new Uint8Array(maxId + 1);
    const sql = `SELECT id FROM files${where.length ? ` WHERE ${where.join(' AND ')}` : ''}`;
    for (const id of this.db.prepare(sql).pluck().iterate(...params) as IterableIterator<number>) if (id <= maxId) allowed[id] = 1;
    return allowed;
  }
}

function passageFromRow(row: Record<string, unknown>): PassageInfo {
  return {
    id: row.id as number,
    fileId: row.file_id as number,
    ordinal: row.ordinal as number,
    charStart: row.char_start as number,
    charEnd: row.char_end as number,
    page: (row.page as number | null) ?? null,
    line: (row.line as number | null) ?? null,
    text: (row.text as string | null) ?? null,
  };
}

/** SQL for "path is `folder` or lies under it", for / and \ separators, without LIKE's wildcard pitfalls. */
export function underFolderClause(folder: string): { sql: string; params: unknown[] } {
  const base = folder.replace(/[\\/]+$/, '');
  return {
    sql: '(path = ? OR substr(path, 1, ?) = ? OR substr(path, 1, ?) = ?)',
    params: [base, base.length + 1, base + '/', base.length + 1, base + '\\'],
  };
}

/** The lower-case extension of a path, without the dot ('' when none). */
export function extensionOf(path: string): string {
  const name = path.slice(Math.max(path.lastIndexOf('/'), path.lastIndexOf('\\')) + 1);
  const dot = name.lastIndexOf('.');
  return dot <= 0 ? '' : name.slice(dot + 1).toLowerCase();
}
