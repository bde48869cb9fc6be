-- Outgoing webhooks: one URL per tenant, with the key its deliveries are
-- signed with (HMAC-SHA256; the portal needs the key itself to sign, so it
-- is stored as it is: it grants nothing on the portal), and a queue of
-- deliveries retried with back-off.
ALTER TABLE tenants ADD COLUMN webhook_url TEXT;
ALTER TABLE tenants ADD COLUMN webhook_secret TEXT;

CREATE TABLE webhook_deliveries (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  url TEXT NOT NULL,
  event TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts BIGINT NOT NULL,
  next_at BIGINT NOT NULL,
  delivered_at BIGINT,
  failed_at BIGINT,
  last_error TEXT NOT NULL,
  created_at BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_at);
CREATE INDEX webhook_deliveries_tenant ON webhook_deliveries (tenant_id, created_at);
