-- Portal 2: evidence files attached to checklist items. Portable SQL
-- (SQLite and PostgreSQL), times in Unix seconds.
--
-- The bytes column is BYTEA, one text for both backends: PostgreSQL's
-- binary type, and on SQLite a declared type that is not INT/TEXT/BLOB/REAL
-- gives NUMERIC affinity, which converts only TEXT values: a value bound
-- as a blob is stored as a blob, byte for byte (tests/evidence.rs stores
-- bytes that read as a number to hold this). BLOB would not do: PostgreSQL
-- has no such type.

-- One attachment: what was uploaded, by whom, its hash. `complete` is 0
-- while the upload streams in (its chunks are written as they arrive,
-- outside any long transaction), 1 once every byte is stored; an upload
-- that never completes is removed. A deleted attachment keeps this row
-- (name, hash, who deleted it, when): only its bytes go.
CREATE TABLE evidence (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL REFERENCES checklist_items(id) ON DELETE CASCADE,
  file_name TEXT NOT NULL,
  content_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  complete BIGINT NOT NULL,
  uploaded_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  uploaded_at BIGINT NOT NULL,
  deleted_at BIGINT,
  deleted_by TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX evidence_item ON evidence (tenant_id, item_id, uploaded_at);

-- The bytes of an attachment in numbered chunks (onus_store::CHUNK_SIZE
-- each, the last shorter), so neither an upload nor a download holds a
-- whole file in memory. Written by the database chunk store (DbChunks);
-- another store (a blob store) would leave this table empty.
CREATE TABLE evidence_chunks (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  attachment_id TEXT NOT NULL REFERENCES evidence(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  bytes BYTEA NOT NULL,
  PRIMARY KEY (attachment_id, seq)
);
