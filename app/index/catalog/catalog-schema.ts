/** The SQLite schema of the catalog (folders, files, passages) and of the commit point (segments, meta). */

/** 2: file statuses `skipped` and `unavailable`, `files.reason_code`, `passages.vector` (see CATALOG_MIGRATIONS). */
export const CATALOG_FORMAT_VERSION = 2;

/** The files table under `name` (the 1 → 2 upgrade builds it beside the old one). */
function filesTable(name: string): string {
  return `
CREATE TABLE ${name} (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  folder_id INTEGER,
  path TEXT NOT NULL UNIQUE,
  ext TEXT NOT NULL,
  size INTEGER,
  mtime_ms INTEGER,
  content_hash TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'indexed', 'error', 'skipped', 'unavailable')),
  error TEXT,
  passage_count INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL,
  reason_code TEXT
)`;
}

/**
 * - `meta`: index settings fixed at creation (vocabulary size, quantizer, block size) and the commit point's
 *   `generation` and caller `payload`.
 * - `folders`, `files`: what the user indexed; `files.status` is `pending` (to be encoded: the durable job queue),
 *   `indexed`, `error` (with `error` saying why), `skipped` (left out on purpose, `error` says by which rule) or
 *   `unavailable` (its folder vanished; passages kept); `reason_code` is a short stable code for the reason.
 * - `passages`: one row per indexed passage; `origin` names the segment its postings were first written to (a
 *   merged segment lists its origins in `segment_origins`), NULL when that segment was dropped as corrupt and the
 *   passage awaits re-encoding. `vector` is the passage's full-precision vector when the writer keeps them
 *   (`keepVectors`), written in the same transaction as the row, for exact rescoring.
 * - `segments`: the committed segments with their tombstones (`deleted`: bit d set = local doc d deleted).
 */
export const CATALOG_SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE folders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL UNIQUE,
  added_ms INTEGER NOT NULL
);
${filesTable('files')};
CREATE INDEX files_folder ON files(folder_id);
CREATE INDEX files_status ON files(status);
CREATE TABLE passages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  file_id INTEGER NOT NULL,
  ordinal INTEGER NOT NULL,
  char_start INTEGER NOT NULL,
  char_end INTEGER NOT NULL,
  page INTEGER,
  line INTEGER,
  text TEXT,
  origin TEXT,
  vector BLOB
);
CREATE INDEX passages_file ON passages(file_id, ordinal);
CREATE TABLE segments (
  name TEXT PRIMARY KEY,
  doc_count INTEGER NOT NULL,
  posting_count INTEGER NOT NULL,
  byte_size INTEGER NOT NULL,
  deleted_count INTEGER NOT NULL,
  deleted BLOB,
  generation INTEGER NOT NULL,
  meta TEXT NOT NULL
) WITHOUT ROWID;
CREATE TABLE segment_origins (
  segment TEXT NOT NULL,
  origin TEXT NOT NULL,
  PRIMARY KEY (segment, origin)
) WITHOUT ROWID;
`;

/**
 * Upgrades of an existing catalog, by the version they start from; each runs in one transaction with the
 * `user_version` bump, so an interrupted upgrade leaves the old format intact.
 * - 1 → 2: `files` is rebuilt (SQLite cannot widen a CHECK in place) keeping every id, then `passages.vector`.
 */
export const CATALOG_MIGRATIONS: Record<number, string> = {
  1: `
${filesTable('files_v2')};
INSERT INTO files_v2 (id, folder_id, path, ext, size, mtime_ms, content_hash, status, error, passage_count, updated_ms)
  SELECT id, folder_id, path, ext, size, mtime_ms, content_hash, status, error, passage_count, updated_ms FROM files;
DROP TABLE files;
ALTER TABLE files_v2 RENAME TO files;
CREATE INDEX files_folder ON files(folder_id);
CREATE INDEX files_status ON files(status);
ALTER TABLE passages ADD COLUMN vector BLOB;
`,
};
