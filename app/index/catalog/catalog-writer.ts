/**
 * The writer's side of the catalog: every statement that changes it, on the writer's own connection, inside one
 * open write transaction that `commit()` ends. The commit point is that transaction's COMMIT: segment rows,
 * tombstones, origins, generation and payload are written in it together with the file and passage rows.
 */
import type Database from 'better-sqlite3';
import { CatalogQueries, encodeVectorBlob, extensionOf, fileFromRow, openCatalogDatabase, type FileInfo, type FileRowRaw, type FileStatus, type FolderInfo } from './catalog.js';
import type { SegmentMeta } from '../segment/segment-format.js';

/** A file row as the writer stores it (the columns of `files` but the id). */
export interface FileRowInput {
  folderId: number | null;
  path: string;
  size: number | null;
  mtimeMs: number | null;
  contentHash: string | null;
  status: FileStatus;
  error: string | null;
  /** A short stable code for the reason in `error` (the caller's vocabulary), else null. */
  reasonCode: string | null;
  passageCount: number;
  updatedMs: number;
}

export interface PassageRowInput {
  fileId: number;
  ordinal: number;
  charStart: number;
  charEnd: number;
  page: number | null;
  line: number | null;
  text: string | null;
  /** The segment the passage's postings are first written to. */
  origin: string;
  /** The full-precision vector, kept with the row when the writer keeps vectors (`passages.vector`), else null. */
  vector: { indices: ArrayLike<number>; values: Float32Array } | null;
}

export class CatalogWriter {
  private readonly statements;
  private open = false;
  /** Read queries on this connection: inside the write transaction they see its uncommitted rows. */
  readonly queries: CatalogQueries;

  constructor(private readonly db: Database.Database) {
    this.queries = new CatalogQueries(db);
    this.statements = {
      fileByPath: db.prepare<[string], FileRowRaw>('SELECT * FROM files WHERE path = ?'),
      fileById: db.prepare<[number], FileRowRaw>('SELECT * FROM files WHERE id = ?'),
      allFileFolders: db.prepare<[], { id: number; path: string; folder_id: number | null }>('SELECT id, path, folder_id FROM files'),
      setFileFolder: db.prepare('UPDATE files SET folder_id = ? WHERE id = ?'),
      insertFile: db.prepare(
        `INSERT INTO files (folder_id, path, ext, size, mtime_ms, content_hash, status, error, reason_code, passage_count, updated_ms)
         VALUES (@folderId, @path, @ext, @size, @mtimeMs, @contentHash, @status, @error, @reasonCode, @passageCount, @updatedMs)`,
      ),
      updateFile: db.prepare(
        `UPDATE files SET folder_id = @folderId, size = @size, mtime_ms = @mtimeMs, content_hash = @contentHash, status = @status,
         error = @error, reason_code = @reasonCode, passage_count = @passageCount, updated_ms = @updatedMs WHERE id = @id`,
      ),
      deleteFile: db.prepare('DELETE FROM files WHERE id = ?'),
      renameFile: db.prepare('UPDATE files SET path = ?, ext = ? WHERE id = ?'),
      passagesOfFile: db.prepare('SELECT id, origin FROM passages WHERE file_id = ?').raw(),
      deletePassagesOfFile: db.prepare('DELETE FROM passages WHERE file_id = ?'),
      insertPassage: db.prepare(
        'INSERT INTO passages (file_id, ordinal, char_start, char_end, page, line, text, origin, vector) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      ),
      insertSegment: db.prepare(
        `INSERT INTO segments (name, doc_count, posting_count, byte_size, deleted_count, deleted, generation, meta)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
      ),
      updateTombstones: db.prepare('UPDATE segments SET deleted = ?, deleted_count = ? WHERE name = ?'),
      deleteSegment: db.prepare('DELETE FROM segments WHERE name = ?'),
      insertOrigin: db.prepare('INSERT OR IGNORE INTO segment_origins (segment, origin) VALUES (?, ?)'),
      deleteOrigins: db.prepare('DELETE FROM segment_origins WHERE segment = ?'),
      setMeta: db.prepare('INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)'),
      getMeta: db.prepare('SELECT value FROM meta WHERE key = ?').pluck(),
      folders: db.prepare<[], { id: number; path: string; added_ms: number }>('SELECT id, path, added_ms FROM folders'),
      insertFolder: db.prepare('INSERT INTO folders (path, added_ms) VALUES (?, ?)'),
      deleteFolder: db.prepare('DELETE FROM folders WHERE id = ?'),
      filesOfFolder: db.prepare('SELECT id FROM files WHERE folder_id = ?').pluck(),
      markPending: db.prepare(`UPDATE files SET status = 'pending', error = ?, updated_ms = ? WHERE id = ?`),
    };
  }

  /** Opens the writer's own connection to the catalog at `path` (which must exist). */
  static open(path: string): CatalogWriter {
    return new CatalogWriter(openCatalogDatabase(path, false));
  }

  // ---------------------------------------------------------------- the write transaction

  /** True while the write transaction is open (there are uncommitted changes). */
  get inTransaction(): boolean {
    return this.open;
  }

  /** Opens the write transaction unless it is open (BEGIN IMMEDIATE: takes SQLite's write lock now). */
  begin(): void {
    if (this.open) return;
    this.db.exec('BEGIN IMMEDIATE');
    this.open = true;
  }

  /** The commit point. */
  commit(): void {
    this.db.exec('COMMIT');
    this.open = false;
  }

  /** Discards the write transaction; never throws (SQLite may have rolled back already, e.g. after an I/O error). */
  rollback(): void {
    if (!this.open) return;
    try {
      this.db.exec('ROLLBACK');
    } catch {
      /* already rolled back */
    }
    this.open = false;
  }

  close(): void {
    this.db.close();
  }

  // ---------------------------------------------------------------- commit point

  /** The generation of the last commit, as this connection sees it. */
  committedGeneration(): number {
    return Number(this.statements.getMeta.get('generation'));
  }

  setGeneration(generation: number): void {
    this.statements.setMeta.run('generation', String(generation));
  }

  setPayload(payload: unknown): void {
    this.statements.setMeta.run('payload', JSON.stringify(payload));
  }

  insertSegment(meta: SegmentMeta, byteSize: number, deleted: Uint8Array, deletedCount: number, generation: number): void {
    this.statements.insertSegment.run(
      meta.name,
      meta.docCount,
      meta.postingCount,
      byteSize,
      deletedCount,
      deletedCount > 0 ? deleted : null,
      generation,
      JSON.stringify(meta),
    );
  }

  setTombstones(segment: string, deleted: Uint8Array, deletedCount: number): void {
    this.statements.updateTombstones.run(deleted, deletedCount, segment);
  }

  /** Removes a segment's row and its origins. */
  deleteSegment(segment: string): void {
    this.statements.deleteSegment.run(segment);
    this.statements.deleteOrigins.run(segment);
  }

  addOrigin(segment: string, origin: string): void {
    this.statements.insertOrigin.run(segment, origin);
  }

  // ---------------------------------------------------------------- folders

  folders(): FolderInfo[] {
    return this.statements.folders.all().map((row) => ({ id: row.id, path: row.path, addedMs: row.added_ms }));
  }

  insertFolder(path: string, addedMs: number): number {
    return Number(this.statements.insertFolder.run(path, addedMs).lastInsertRowid);
  }

  deleteFolder(id: number): void {
    this.statements.deleteFolder.run(id);
  }

  fileIdsOfFolder(folderId: number): number[] {
    return this.statements.filesOfFolder.all(folderId) as number[];
  }

  /** Re-assigns every file to the folder `folderOf` names for its path (after a folder was added). */
  reassignFolders(folderOf: (path: string) => number | null): void {
    for (const file of this.statements.allFileFolders.all()) {
      const folderId = folderOf(file.path);
      if (folderId !== file.folder_id) this.statements.setFileFolder.run(folderId, file.id);
    }
  }

  // ---------------------------------------------------------------- files and passages

  /** The stored row of `path` (raw columns), or undefined. */
  fileRow(path: string): FileRowRaw | undefined {
    return this.statements.fileByPath.get(path);
  }

  file(id: number): FileInfo {
    return fileFromRow(this.statements.fileById.get(id)!);
  }

  insertFile(row: FileRowInput): number {
    return Number(this.statements.insertFile.run({ ...row, ext: extensionOf(row.path) }).lastInsertRowid);
  }

  updateFile(id: number, row: FileRowInput): void {
    this.statements.updateFile.run({ ...row, id });
  }

  deleteFile(id: number): void {
    this.statements.deleteFile.run(id);
  }

  /** Moves a file row to a new path (its extension follows), keeping its id and passages. */
  renameFile(id: number, path: string): void {
    this.statements.renameFile.run(path, extensionOf(path), id);
  }

  /** [passage id, origin] of each passage of a file. */
  passageOriginsOfFile(fileId: number): [number, string | null][] {
    return this.statements.passagesOfFile.all(fileId) as [number, string | null][];
  }

  deletePassagesOfFile(fileId: number): void {
    this.statements.deletePassagesOfFile.run(fileId);
  }

  /** Inserts a passage row; returns its id. */
  insertPassage(row: PassageRowInput): number {
    return Number(
      this.statements.insertPassage.run(
        row.fileId, row.ordinal, row.charStart, row.charEnd, row.page, row.line, row.text, row.origin,
        row.vector ? encodeVectorBlob(row.vector.indices, row.vector.values) : null,
      ).lastInsertRowid,
    );
  }

  // ---------------------------------------------------------------- repair

  /** The files with a passage whose postings were first written to one of `origins` (id and path). */
  filesOfOrigins(origins: readonly string[]): { id: number; path: string }[] {
    const marks = origins.map(() => '?').join(',');
    return this.db
      .prepare(`SELECT DISTINCT f.id, f.path FROM passages p JOIN files f ON f.id = p.file_id WHERE p.origin IN (${marks})`)
      .all(...origins) as { id: number; path: string }[];
  }

  /** Marks a file `pending` (to be encoded again) with a note saying why. */
  markPending(fileId: number, note: string, updatedMs: number): void {
    this.statements.markPending.run(note, updatedMs, fileId);
  }

  /** Detaches the passages of `origins` from their postings (origin NULL: the passage awaits re-encoding). */
  clearOrigins(origins: readonly string[]): void {
    const marks = origins.map(() => '?').join(',');
    this.db.prepare(`UPDATE passages SET origin = NULL WHERE origin IN (${marks})`).run(...origins);
  }
}
