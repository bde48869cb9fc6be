-- Just-in-time access: a platform operator asks one tenant for access
-- (a reason, a scope, a duration of at most 8 hours); the tenant's admins
-- approve or deny it with a comment; an approved grant runs from approval
-- to its expiry (checked against the clock on every request) unless
-- revoked early.
CREATE TABLE access_grants (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  requester_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  reason TEXT NOT NULL,
  scope TEXT NOT NULL,
  minutes BIGINT NOT NULL,
  requested_at BIGINT NOT NULL,
  decision TEXT,
  decided_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  decided_at BIGINT,
  comment TEXT NOT NULL,
  expires_at BIGINT,
  revoked_at BIGINT,
  revoked_by TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX access_grants_tenant ON access_grants (tenant_id, requested_at);
CREATE INDEX access_grants_requester ON access_grants (requester_id, requested_at);
