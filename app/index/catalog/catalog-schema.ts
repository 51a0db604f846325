/** The SQLite schema of the catalog (folders, files, passages) and of the commit point (segments, meta). */

export const CATALOG_FORMAT_VERSION = 1;

/**
 * - `meta`: index settings fixed at creation (vocabulary size, quantizer, block size) and the commit point's
 *   `generation` and caller `payload`.
 * - `folders`, `files`: what the user indexed; `files.status` is `pending` (to be encoded), `indexed` or `error`
 *   (with `error` saying why).
 * - `passages`: one row per indexed passage; `origin` names the segment its postings were first written to (a
 *   merged segment lists its origins in `segment_origins`), NULL when that segment was dropped as corrupt and the
 *   passage awaits re-encoding.
 * - `segments`: the committed segments with their tombstones (`deleted`: bit d set = local doc d deleted).
 */
export const CATALOG_SCHEMA = `
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE folders (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  path TEXT NOT NULL UNIQUE,
  added_ms INTEGER NOT NULL
);
CREATE TABLE files (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  folder_id INTEGER,
  path TEXT NOT NULL UNIQUE,
  ext TEXT NOT NULL,
  size INTEGER,
  mtime_ms INTEGER,
  content_hash TEXT,
  status TEXT NOT NULL CHECK (status IN ('pending', 'indexed', 'error')),
  error TEXT,
  passage_count INTEGER NOT NULL DEFAULT 0,
  updated_ms INTEGER NOT NULL
);
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
  origin TEXT
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
