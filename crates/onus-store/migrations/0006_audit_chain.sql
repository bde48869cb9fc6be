-- The audit log becomes hash-chained: one chain per tenant (its id) and
-- one for the platform (`platform`). Each entry holds its place in its
-- chain (`seq`, from 1), the hash of the entry before (`prev_hash`, empty
-- for the first) and its own hash over the canonical serialisation
-- (docs/security.md). `audit_heads` holds each chain's last place and
-- hash: appends lock it, so they are serialised per chain across servers.
-- Entries written before this migration have no chain (seq NULL).
ALTER TABLE audit ADD COLUMN chain TEXT;
ALTER TABLE audit ADD COLUMN seq BIGINT;
ALTER TABLE audit ADD COLUMN prev_hash TEXT;
ALTER TABLE audit ADD COLUMN hash TEXT;
CREATE UNIQUE INDEX audit_chain_seq ON audit (chain, seq);

CREATE TABLE audit_heads (
  chain TEXT PRIMARY KEY,
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL
);
