-- The portal's schema. Portable SQL: the same text runs on SQLite and
-- PostgreSQL (TEXT, BIGINT; times are Unix seconds; booleans are 0/1).

CREATE TABLE settings (
  key TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE users (
  id TEXT PRIMARY KEY,
  email TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  platform_role TEXT,
  totp_secret TEXT,
  mfa_enabled BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL
);

-- How a user proves who they are: a local password now, an OIDC issuer and
-- subject later. Separate from users so one user can have several.
CREATE TABLE identities (
  id TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  provider TEXT NOT NULL,
  subject TEXT NOT NULL,
  secret_hash TEXT,
  created_at BIGINT NOT NULL,
  UNIQUE (provider, subject)
);

CREATE TABLE sessions (
  id_hash TEXT PRIMARY KEY,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  mfa_pending BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  last_seen BIGINT NOT NULL
);
CREATE INDEX sessions_user ON sessions (user_id);

CREATE TABLE tenants (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  model TEXT NOT NULL,
  offering TEXT NOT NULL,
  require_mfa BIGINT NOT NULL DEFAULT 0,
  nda_recorded_at BIGINT,
  created_at BIGINT NOT NULL
);

CREATE TABLE memberships (
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user ON memberships (user_id);

CREATE TABLE invites (
  token_hash TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  email TEXT NOT NULL,
  role TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

CREATE TABLE setup_tokens (
  token_hash TEXT PRIMARY KEY,
  created_at BIGINT NOT NULL,
  expires_at BIGINT NOT NULL,
  used_at BIGINT
);

-- Every published version, whole: the files of the model and its upstream
-- chain as a JSON object (path -> text), the root file's path among them,
-- and the SHA-256 of that content.
CREATE TABLE model_versions (
  model TEXT NOT NULL,
  version BIGINT NOT NULL,
  name TEXT NOT NULL,
  root TEXT NOT NULL,
  files TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  published_at BIGINT NOT NULL,
  PRIMARY KEY (model, version)
);

CREATE TABLE login_attempts (
  id TEXT PRIMARY KEY,
  account TEXT NOT NULL,
  address TEXT NOT NULL,
  at BIGINT NOT NULL,
  ok BIGINT NOT NULL
);
CREATE INDEX login_attempts_account ON login_attempts (account, at);
CREATE INDEX login_attempts_address ON login_attempts (address, at);

CREATE TABLE recovery_codes (
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  code_hash TEXT NOT NULL,
  used_at BIGINT,
  PRIMARY KEY (user_id, code_hash)
);

CREATE TABLE api_tokens (
  id TEXT PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  tenant_id TEXT REFERENCES tenants(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  scope TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  last_used_at BIGINT,
  revoked_at BIGINT
);

CREATE TABLE audit (
  id TEXT PRIMARY KEY,
  at BIGINT NOT NULL,
  actor TEXT,
  tenant_id TEXT,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  details TEXT NOT NULL
);
CREATE INDEX audit_tenant ON audit (tenant_id, at);
