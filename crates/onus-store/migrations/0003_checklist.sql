-- Portal 2: each tenant's checklist of its duties, its history, and what
-- each new model version changed for the tenant. Portable SQL (SQLite and
-- PostgreSQL): TEXT, BIGINT, times in Unix seconds.

-- The model version the tenant's checklist follows, and the one its admins
-- last marked reviewed.
ALTER TABLE tenants ADD COLUMN synced_version BIGINT;
ALTER TABLE tenants ADD COLUMN reviewed_version BIGINT;

-- One item per duty the tenant holds, keyed by the duty's stable id
-- (onus_core::identity::item_id). The duty's text and place are kept as
-- last seen, so an archived item still reads as it was.
CREATE TABLE checklist_items (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  duty_id TEXT NOT NULL,
  offering TEXT NOT NULL,
  area TEXT NOT NULL,
  area_name TEXT NOT NULL,
  area_group TEXT NOT NULL,
  party TEXT NOT NULL,
  scope TEXT,
  duty TEXT NOT NULL,
  position BIGINT NOT NULL,
  status TEXT NOT NULL,
  reason TEXT NOT NULL,
  approved_by TEXT REFERENCES users(id) ON DELETE SET NULL,
  risk_expires_at BIGINT,
  owner_id TEXT REFERENCES users(id) ON DELETE SET NULL,
  due_at BIGINT,
  notes TEXT NOT NULL,
  flag TEXT NOT NULL,
  archived_at BIGINT,
  revision BIGINT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL,
  UNIQUE (tenant_id, duty_id)
);
CREATE INDEX checklist_items_tenant ON checklist_items (tenant_id, position);

-- Every change of an item: who (NULL: the portal, on a new model version),
-- when, which field, from what to what.
CREATE TABLE checklist_history (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  item_id TEXT NOT NULL REFERENCES checklist_items(id) ON DELETE CASCADE,
  seq BIGINT NOT NULL,
  at BIGINT NOT NULL,
  actor TEXT,
  field TEXT NOT NULL,
  old_value TEXT NOT NULL,
  new_value TEXT NOT NULL
);
CREATE INDEX checklist_history_item ON checklist_history (tenant_id, item_id, seq);

-- What a new model version changed for a tenant: the diff of its offering
-- (JSON) and what happened to its items (JSON), until an admin reviews it.
CREATE TABLE model_changes (
  id TEXT PRIMARY KEY,
  tenant_id TEXT NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
  model TEXT NOT NULL,
  from_version BIGINT NOT NULL,
  to_version BIGINT NOT NULL,
  worst TEXT NOT NULL,
  changes TEXT NOT NULL,
  items TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  reviewed_at BIGINT,
  reviewed_by TEXT REFERENCES users(id) ON DELETE SET NULL
);
CREATE INDEX model_changes_tenant ON model_changes (tenant_id, created_at);
