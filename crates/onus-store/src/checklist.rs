//! A tenant's data: its checklist items, their history, and what each new
//! model version changed for it. Every query of tenant data goes through
//! [`TenantData`], a handle bound to one tenant: each statement it runs
//! names that tenant, so a handle for tenant A cannot read or change
//! tenant B's rows whatever ids it is given. The portal makes a handle
//! only after deciding the viewer may see the tenant.

use std::collections::HashMap;

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{now, random_id, Backend, Result, Store, StoreError};

/// The statuses an item can have, in the order a checklist moves through them.
pub const STATUSES: &[&str] = &[
    "not-started",
    "in-progress",
    "implemented",
    "not-applicable",
    "risk-accepted",
];

/// One duty of a tenant's checklist, with what the tenant recorded.
///
/// Its fields are in [`ITEM_COLUMNS`]' order: [`TenantData::items`]
/// reads each item as a JSON array of those columns.
#[derive(Clone, Debug, PartialEq, Eq, serde::Deserialize)]
pub struct Item {
    /// Unguessable (128 random bits): what URLs name.
    pub id: String,
    /// The duty's stable id (`onus_core::identity::item_id`).
    pub duty_id: String,
    pub offering: String,
    pub area: String,
    pub area_name: String,
    pub area_group: String,
    pub party: String,
    pub scope: Option<String>,
    pub duty: String,
    /// Its place in the model's order.
    pub position: i64,
    pub status: String,
    /// Why it does not apply (`not-applicable`).
    pub reason: String,
    /// The tenant admin who accepted the risk (`risk-accepted`).
    pub approved_by: Option<String>,
    /// Until when the risk is accepted.
    pub risk_expires_at: Option<i64>,
    pub owner_id: Option<String>,
    pub due_at: Option<i64>,
    pub notes: String,
    /// `new`, `reworded`, `breaking` (set by a new model version until
    /// someone changes the item), or empty.
    pub flag: String,
    /// When the duty left the model: kept, with its history, never deleted.
    pub archived_at: Option<i64>,
    /// Goes up by one at every change: the ETag of optimistic concurrency.
    pub revision: i64,
    pub updated_at: i64,
}

const ITEM_COLUMNS: &str = "id, duty_id, offering, area, area_name, area_group, party, scope, duty, position, status, reason, approved_by, risk_expires_at, owner_id, due_at, notes, flag, archived_at, revision, updated_at";

impl Item {
    fn from_row(r: &AnyRow) -> Item {
        Item {
            id: r.get("id"),
            duty_id: r.get("duty_id"),
            offering: r.get("offering"),
            area: r.get("area"),
            area_name: r.get("area_name"),
            area_group: r.get("area_group"),
            party: r.get("party"),
            scope: r.get("scope"),
            duty: r.get("duty"),
            position: r.get("position"),
            status: r.get("status"),
            reason: r.get("reason"),
            approved_by: r.get("approved_by"),
            risk_expires_at: r.get("risk_expires_at"),
            owner_id: r.get("owner_id"),
            due_at: r.get("due_at"),
            notes: r.get("notes"),
            flag: r.get("flag"),
            archived_at: r.get("archived_at"),
            revision: r.get("revision"),
            updated_at: r.get("updated_at"),
        }
    }

    /// The recorded fields, as [`Update`] sets them.
    pub fn record(&self) -> Update {
        Update {
            status: self.status.clone(),
            reason: self.reason.clone(),
            approved_by: self.approved_by.clone(),
            risk_expires_at: self.risk_expires_at,
            owner_id: self.owner_id.clone(),
            due_at: self.due_at,
            notes: self.notes.clone(),
        }
    }
}

/// What a tenant records on an item (every field; the caller starts from
/// [`Item::record`] and changes what it changes). The portal checks the
/// rules (a reason for `not-applicable`, an admin and an expiry for
/// `risk-accepted`, an owner who is a member) before storing it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Update {
    pub status: String,
    pub reason: String,
    pub approved_by: Option<String>,
    pub risk_expires_at: Option<i64>,
    pub owner_id: Option<String>,
    pub due_at: Option<i64>,
    pub notes: String,
}

impl Update {
    /// (field, value as history shows it) for every field.
    fn fields(&self) -> [(&'static str, String); 7] {
        let opt = |v: &Option<String>| v.clone().unwrap_or_default();
        let num = |v: Option<i64>| v.map(|n| n.to_string()).unwrap_or_default();
        [
            ("status", self.status.clone()),
            ("reason", self.reason.clone()),
            ("approved_by", opt(&self.approved_by)),
            ("risk_expires_at", num(self.risk_expires_at)),
            ("owner", opt(&self.owner_id)),
            ("due", num(self.due_at)),
            ("notes", self.notes.clone()),
        ]
    }
}

/// Why an update was not stored.
#[derive(Debug, thiserror::Error)]
pub enum UpdateError {
    #[error("no such item")]
    NotFound,
    /// Someone changed the item since the revision the caller read: the
    /// item as it is now.
    #[error("the item changed since revision {expected}; it is now at revision {}", current.revision)]
    Stale { expected: i64, current: Box<Item> },
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// One recorded change of an item.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HistoryEntry {
    pub at: i64,
    /// The user's id; `None` for the portal itself (a new model version).
    pub actor: Option<String>,
    pub actor_name: Option<String>,
    pub field: String,
    pub old_value: String,
    pub new_value: String,
}

/// A duty as the model gives it, for [`TenantData::sync`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Duty {
    pub duty_id: String,
    pub offering: String,
    pub area: String,
    pub area_name: String,
    pub area_group: String,
    pub party: String,
    pub scope: Option<String>,
    pub duty: String,
}

/// How a new model version lands on a tenant's checklist, worked out by
/// the portal from the two versions.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncPlan {
    /// Every duty of the new version, in the model's order.
    pub duties: Vec<Duty>,
    /// (old duty id, new duty id): a reworded duty, whose item moves to
    /// its new id with its records and is flagged `reworded`.
    pub reworded: Vec<(String, String)>,
    /// New duty ids that moved from the provider to the customer: flagged
    /// `breaking` rather than `new`.
    pub breaking: Vec<String>,
}

/// What a sync did to the items, by item id.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct SyncOutcome {
    pub added: Vec<String>,
    pub archived: Vec<String>,
    pub reworded: Vec<String>,
    pub breaking: Vec<String>,
    pub restored: Vec<String>,
    /// The id of the change recorded for the tenant's review, when the
    /// sync recorded one (see [`TenantData::sync`]).
    pub change: Option<String>,
}

/// What a sync from an earlier version records, in its own transaction:
/// the change, for the tenant's review (`changes` and `items` are the
/// portal's JSON), and its audit entry (in the tenant's chain).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChangeRecord {
    pub model: String,
    pub from: i64,
    pub worst: String,
    pub changes: String,
    pub items: String,
    pub audit: crate::Audit,
}

/// What a new model version changed for a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelChange {
    pub id: String,
    pub model: String,
    pub from_version: i64,
    pub to_version: i64,
    /// The worst class of the changes: `breaking`, `notable`, `cosmetic`, or `none`.
    pub worst: String,
    /// The changes (JSON, as the portal wrote it).
    pub changes: String,
    /// What happened to the items (JSON, as the portal wrote it).
    pub items: String,
    pub created_at: i64,
    pub reviewed_at: Option<i64>,
    pub reviewed_by: Option<String>,
}

/// A handle on one tenant's data (see the module's documentation).
#[derive(Clone, Debug)]
pub struct TenantData {
    store: Store,
    tenant: String,
}

impl Store {
    /// Every tenant's progress as counts only, (done, live items) by
    /// tenant id: what platform staff see of checklists (no content).
    pub async fn progress_counts(&self) -> Result<HashMap<String, (i64, i64)>> {
        let rows = sqlx::query(
            "SELECT tenant_id, SUM(CASE WHEN status IN ('implemented', 'not-applicable') OR (status = 'risk-accepted' AND risk_expires_at > $1) THEN 1 ELSE 0 END), COUNT(*) FROM checklist_items WHERE archived_at IS NULL GROUP BY tenant_id",
        )
        .bind(now())
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (r.get(0), (r.get(1), r.get(2))))
            .collect())
    }

    /// The handle on tenant `tenant`'s data. The caller has decided the
    /// viewer may see it; every query through it is bound to this tenant.
    pub fn tenant_data(&self, tenant: &str) -> TenantData {
        TenantData {
            store: self.clone(),
            tenant: tenant.to_string(),
        }
    }
}

impl TenantData {
    pub fn tenant_id(&self) -> &str {
        &self.tenant
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// Every item (archived ones too), in the model's order.
    ///
    /// Every page and API call of a checklist reads all of its items. On
    /// SQLite the database builds them into one JSON value (an array of
    /// [`ITEM_COLUMNS`] arrays) read in one step: a row per item cost the
    /// portal three copies of each of 21 values (the driver's, the `Any`
    /// driver's, the item's), most of a request's time. On PostgreSQL,
    /// whose JSON functions cost it more than the rows cost the portal
    /// (and which several servers share), a row per item. Sorted here
    /// (no temporary B-tree for SQLite). docs/benchmarks.md, "Portal under
    /// load".
    pub async fn items(&self) -> Result<Vec<Item>> {
        let mut items: Vec<Item> = match self.store.backend {
            Backend::Sqlite => {
                let json: String = sqlx::query_scalar(&format!(
                    "SELECT json_group_array(json_array({ITEM_COLUMNS})) FROM checklist_items WHERE tenant_id = $1"
                ))
                .bind(&self.tenant)
                .fetch_one(&self.store.pool)
                .await?;
                serde_json::from_str(&json).map_err(|e| {
                    StoreError::Corrupt(format!(
                        "the checklist items of {} as JSON: {e}",
                        self.tenant
                    ))
                })?
            }
            Backend::Postgres => sqlx::query(&format!(
                "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE tenant_id = $1"
            ))
            .bind(&self.tenant)
            .fetch_all(&self.store.pool)
            .await?
            .iter()
            .map(Item::from_row)
            .collect(),
        };
        // Live items first, in the model's order.
        items.sort_unstable_by(|a, b| {
            (a.archived_at.is_some(), a.position, a.id.as_str()).cmp(&(
                b.archived_at.is_some(),
                b.position,
                b.id.as_str(),
            ))
        });
        Ok(items)
    }

    pub async fn item(&self, id: &str) -> Result<Option<Item>> {
        let row = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(&self.tenant)
        .bind(id)
        .fetch_optional(&self.store.pool)
        .await?;
        Ok(row.as_ref().map(Item::from_row))
    }

    /// How many history entries each item has, by item id.
    pub async fn history_counts(&self) -> Result<HashMap<String, i64>> {
        let rows = sqlx::query(
            "SELECT item_id, COUNT(*) FROM checklist_history WHERE tenant_id = $1 GROUP BY item_id",
        )
        .bind(&self.tenant)
        .fetch_all(&self.store.pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// An item's history, oldest first.
    pub async fn history(&self, item: &str) -> Result<Vec<HistoryEntry>> {
        let rows = sqlx::query(
            "SELECT h.at, h.actor, u.name, h.field, h.old_value, h.new_value FROM checklist_history h LEFT JOIN users u ON u.id = h.actor WHERE h.tenant_id = $1 AND h.item_id = $2 ORDER BY h.seq",
        )
        .bind(&self.tenant)
        .bind(item)
        .fetch_all(&self.store.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| HistoryEntry {
                at: r.get(0),
                actor: r.get(1),
                actor_name: r.get(2),
                field: r.get(3),
                old_value: r.get(4),
                new_value: r.get(5),
            })
            .collect())
    }

    /// Stores `update` on item `id` if it is still at revision `expected`
    /// (optimistic concurrency: two people editing one item never silently
    /// overwrite each other), recording each changed field in its history,
    /// clearing its flag, and appending `item-updated` (with `details`) to
    /// the tenant's audit chain, all in one transaction: a crash keeps the
    /// change, its history and its audit entry, or none of them. The item
    /// as stored.
    pub async fn update_item(
        &self,
        id: &str,
        expected: i64,
        update: &Update,
        actor: &str,
        details: &str,
    ) -> Result<Item, UpdateError> {
        let mut tx = self.store.begin().await?;
        let Some(item) = self
            .update_in(&mut tx, id, expected, update, actor, details)
            .await?
        else {
            // Another writer got in between the read and the write.
            drop(tx);
            return Err(self.stale(id, expected).await);
        };
        tx.commit().await.map_err(StoreError::from)?;
        Ok(item)
    }

    /// Several [`TenantData::update_item`]s, `(id, expected revision,
    /// update, actor, audit details)`, in one transaction: every one stored
    /// and audited, or none (the first refusal is the error). For a bulk
    /// edit, and for seeding a benchmark's database
    /// (`crates/onus-server/examples/seed_portal.rs`) without a commit per item.
    pub async fn update_items(
        &self,
        updates: &[(&str, i64, &Update, &str, &str)],
    ) -> Result<(), UpdateError> {
        let mut tx = self.store.begin().await?;
        for (id, expected, update, actor, details) in updates {
            if self
                .update_in(&mut tx, id, *expected, update, actor, details)
                .await?
                .is_none()
            {
                drop(tx);
                return Err(self.stale(id, *expected).await);
            }
        }
        tx.commit().await.map_err(StoreError::from)?;
        Ok(())
    }

    /// The refusal of a write that lost the race: the item as it is now.
    async fn stale(&self, id: &str, expected: i64) -> UpdateError {
        match self.item(id).await {
            Ok(Some(current)) => UpdateError::Stale {
                expected,
                current: Box::new(current),
            },
            Ok(None) => UpdateError::NotFound,
            Err(e) => UpdateError::Store(e),
        }
    }

    /// [`TenantData::update_item`] within `tx` (a write transaction,
    /// [`Store::begin`]): the item as stored, its history and its
    /// `item-updated` entry written, or `None` when another writer changed
    /// it between the read and the write.
    async fn update_in(
        &self,
        tx: &mut Transaction<'_, Any>,
        id: &str,
        expected: i64,
        update: &Update,
        actor: &str,
        details: &str,
    ) -> Result<Option<Item>, UpdateError> {
        let current = self.item_in(tx, id).await?.ok_or(UpdateError::NotFound)?;
        if current.revision != expected {
            return Err(UpdateError::Stale {
                expected,
                current: Box::new(current),
            });
        }
        let at = now();
        let before = current.record().fields();
        let mut seq = self.next_seq(tx, id).await?;
        for ((field, old), (_, new)) in before.iter().zip(update.fields()) {
            if *old != new {
                self.log(tx, id, seq, at, Some(actor), field, old, &new)
                    .await?;
                seq += 1;
            }
        }
        let done = sqlx::query(
            "UPDATE checklist_items SET status = $1, reason = $2, approved_by = $3, risk_expires_at = $4, owner_id = $5, due_at = $6, notes = $7, flag = '', revision = revision + 1, updated_at = $8 WHERE tenant_id = $9 AND id = $10 AND revision = $11",
        )
        .bind(&update.status)
        .bind(&update.reason)
        .bind(&update.approved_by)
        .bind(update.risk_expires_at)
        .bind(&update.owner_id)
        .bind(update.due_at)
        .bind(&update.notes)
        .bind(at)
        .bind(&self.tenant)
        .bind(id)
        .bind(expected)
        .execute(&mut **tx)
        .await
        .map_err(StoreError::from)?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let item = self.item_in(tx, id).await?.ok_or(UpdateError::NotFound)?;
        crate::audit::append_in(tx, &self.tenant, Some(actor), "item-updated", id, details).await?;
        Ok(Some(item))
    }

    async fn item_in(&self, tx: &mut Transaction<'_, Any>, id: &str) -> Result<Option<Item>> {
        let row = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE tenant_id = $1 AND id = $2"
        ))
        .bind(&self.tenant)
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?;
        Ok(row.as_ref().map(Item::from_row))
    }

    pub(crate) async fn next_seq(&self, tx: &mut Transaction<'_, Any>, item: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COALESCE(MAX(seq), 0) FROM checklist_history WHERE tenant_id = $1 AND item_id = $2",
        )
        .bind(&self.tenant)
        .bind(item)
        .fetch_one(&mut **tx)
        .await?;
        Ok(row.get::<i64, _>(0) + 1)
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn log(
        &self,
        tx: &mut Transaction<'_, Any>,
        item: &str,
        seq: i64,
        at: i64,
        actor: Option<&str>,
        field: &str,
        old: &str,
        new: &str,
    ) -> Result<()> {
        sqlx::query(
            "INSERT INTO checklist_history (id, tenant_id, item_id, seq, at, actor, field, old_value, new_value) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(random_id())
        .bind(&self.tenant)
        .bind(item)
        .bind(seq)
        .bind(at)
        .bind(actor)
        .bind(field)
        .bind(old)
        .bind(new)
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Brings the checklist from model version `from` (`None`: no
    /// checklist yet) to version `to`, as `plan` says: new duties become
    /// `not-started` items (flagged `new`, or `breaking`, except on the
    /// first sync), reworded ones keep their item, records and evidence
    /// (flagged `reworded`), the ones gone are archived (never deleted),
    /// and an archived duty that comes back is restored. `None` when the
    /// checklist is no longer at `from` (another server synced it first).
    /// `record` is called with what the sync did to the items; what it
    /// returns (the change and its audit entry) is written in the same
    /// transaction, its id in the outcome's `change`.
    pub async fn sync(
        &self,
        from: Option<i64>,
        to: i64,
        plan: &SyncPlan,
        record: impl FnOnce(&SyncOutcome) -> Option<ChangeRecord>,
    ) -> Result<Option<SyncOutcome>> {
        let mut tx = self.store.begin().await?;
        // Claim the move first: a second server doing the same waits here,
        // then finds the checklist moved and does nothing.
        let claimed = sqlx::query(
            "UPDATE tenants SET synced_version = $1 WHERE id = $2 AND (synced_version = $3 OR (synced_version IS NULL AND $3 IS NULL))",
        )
        .bind(to)
        .bind(&self.tenant)
        .bind(from)
        .execute(&mut *tx)
        .await?;
        if claimed.rows_affected() != 1 {
            return Ok(None);
        }
        let at = now();
        let first = from.is_none();
        let rows = sqlx::query(&format!(
            "SELECT {ITEM_COLUMNS} FROM checklist_items WHERE tenant_id = $1"
        ))
        .bind(&self.tenant)
        .fetch_all(&mut *tx)
        .await?;
        let mut existing: HashMap<String, Item> = rows
            .iter()
            .map(Item::from_row)
            .map(|i| (i.duty_id.clone(), i))
            .collect();
        let mut out = SyncOutcome::default();
        // Reworded duties: the item takes its new id first.
        for (old, new) in &plan.reworded {
            if existing.contains_key(new) {
                continue;
            }
            let Some(mut item) = existing.remove(old) else {
                continue;
            };
            sqlx::query("UPDATE checklist_items SET duty_id = $1, flag = 'reworded', revision = revision + 1, updated_at = $2 WHERE tenant_id = $3 AND id = $4")
                .bind(new)
                .bind(at)
                .bind(&self.tenant)
                .bind(&item.id)
                .execute(&mut *tx)
                .await?;
            item.duty_id = new.clone();
            out.reworded.push(item.id.clone());
            existing.insert(new.clone(), item);
        }
        let breaking: std::collections::HashSet<&str> =
            plan.breaking.iter().map(String::as_str).collect();
        for (position, duty) in plan.duties.iter().enumerate() {
            let position = position as i64;
            match existing.remove(&duty.duty_id) {
                Some(item) => {
                    let restored = item.archived_at.is_some();
                    if restored || item.duty != duty.duty {
                        let seq = self.next_seq(&mut tx, &item.id).await?;
                        if restored {
                            self.log(&mut tx, &item.id, seq, at, None, "archived", "yes", "")
                                .await?;
                            out.restored.push(item.id.clone());
                        } else {
                            self.log(
                                &mut tx, &item.id, seq, at, None, "duty", &item.duty, &duty.duty,
                            )
                            .await?;
                        }
                    }
                    sqlx::query("UPDATE checklist_items SET offering = $1, area = $2, area_name = $3, area_group = $4, party = $5, scope = $6, duty = $7, position = $8, archived_at = NULL, flag = CASE WHEN archived_at IS NULL THEN flag ELSE 'new' END, revision = revision + CASE WHEN archived_at IS NULL AND duty = $7 THEN 0 ELSE 1 END WHERE tenant_id = $9 AND id = $10")
                        .bind(&duty.offering)
                        .bind(&duty.area)
                        .bind(&duty.area_name)
                        .bind(&duty.area_group)
                        .bind(&duty.party)
                        .bind(&duty.scope)
                        .bind(&duty.duty)
                        .bind(position)
                        .bind(&self.tenant)
                        .bind(&item.id)
                        .execute(&mut *tx)
                        .await?;
                }
                None => {
                    let id = random_id();
                    let flag = if first {
                        ""
                    } else if breaking.contains(duty.duty_id.as_str()) {
                        out.breaking.push(id.clone());
                        "breaking"
                    } else {
                        out.added.push(id.clone());
                        "new"
                    };
                    sqlx::query("INSERT INTO checklist_items (id, tenant_id, duty_id, offering, area, area_name, area_group, party, scope, duty, position, status, reason, notes, flag, revision, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 'not-started', '', '', $12, 1, $13, $13)")
                        .bind(&id)
                        .bind(&self.tenant)
                        .bind(&duty.duty_id)
                        .bind(&duty.offering)
                        .bind(&duty.area)
                        .bind(&duty.area_name)
                        .bind(&duty.area_group)
                        .bind(&duty.party)
                        .bind(&duty.scope)
                        .bind(&duty.duty)
                        .bind(position)
                        .bind(flag)
                        .bind(at)
                        .execute(&mut *tx)
                        .await?;
                }
            }
        }
        // What is left is gone from the model: archived, with its records.
        let mut gone: Vec<&Item> = existing
            .values()
            .filter(|i| i.archived_at.is_none())
            .collect();
        gone.sort_by_key(|i| i.position);
        for item in gone {
            sqlx::query("UPDATE checklist_items SET archived_at = $1, revision = revision + 1, updated_at = $1 WHERE tenant_id = $2 AND id = $3")
                .bind(at)
                .bind(&self.tenant)
                .bind(&item.id)
                .execute(&mut *tx)
                .await?;
            let seq = self.next_seq(&mut tx, &item.id).await?;
            self.log(&mut tx, &item.id, seq, at, None, "archived", "", "yes")
                .await?;
            out.archived.push(item.id.clone());
        }
        if first {
            sqlx::query("UPDATE tenants SET reviewed_version = $1 WHERE id = $2")
                .bind(to)
                .bind(&self.tenant)
                .execute(&mut *tx)
                .await?;
        }
        if let Some(r) = record(&out) {
            let id = random_id();
            sqlx::query("INSERT INTO model_changes (id, tenant_id, model, from_version, to_version, worst, changes, items, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)")
                .bind(&id)
                .bind(&self.tenant)
                .bind(&r.model)
                .bind(r.from)
                .bind(to)
                .bind(&r.worst)
                .bind(&r.changes)
                .bind(&r.items)
                .bind(at)
                .execute(&mut *tx)
                .await?;
            r.audit.in_tenant(&self.tenant).append_in(&mut tx).await?;
            out.change = Some(id);
        }
        tx.commit().await?;
        Ok(Some(out))
    }

    /// What each new model version changed for the tenant, newest first.
    /// How many model changes wait for the tenant's review.
    pub async fn unreviewed_changes(&self) -> Result<usize> {
        let count: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM model_changes WHERE tenant_id = $1 AND reviewed_at IS NULL",
        )
        .bind(&self.tenant)
        .fetch_one(&self.store.pool)
        .await?;
        Ok(usize::try_from(count).unwrap_or_default())
    }

    pub async fn changes(&self) -> Result<Vec<ModelChange>> {
        let rows = sqlx::query("SELECT id, model, from_version, to_version, worst, changes, items, created_at, reviewed_at, reviewed_by FROM model_changes WHERE tenant_id = $1 ORDER BY to_version DESC, created_at DESC")
            .bind(&self.tenant)
            .fetch_all(&self.store.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| ModelChange {
                id: r.get(0),
                model: r.get(1),
                from_version: r.get(2),
                to_version: r.get(3),
                worst: r.get(4),
                changes: r.get(5),
                items: r.get(6),
                created_at: r.get(7),
                reviewed_at: r.get(8),
                reviewed_by: r.get(9),
            })
            .collect())
    }

    /// Marks change `id` reviewed by `user` (and the tenant reviewed up to
    /// its version); false when there is no such change or it already was
    /// (nothing is audited), else `audit` is appended (in the tenant's
    /// chain) in the same transaction.
    pub async fn review_change(&self, id: &str, user: &str, audit: &crate::Audit) -> Result<bool> {
        let mut tx = self.store.begin().await?;
        let done = sqlx::query("UPDATE model_changes SET reviewed_at = $1, reviewed_by = $2 WHERE tenant_id = $3 AND id = $4 AND reviewed_at IS NULL")
            .bind(now())
            .bind(user)
            .bind(&self.tenant)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        sqlx::query("UPDATE tenants SET reviewed_version = (SELECT MAX(to_version) FROM model_changes WHERE tenant_id = $1 AND reviewed_at IS NOT NULL) WHERE id = $1")
            .bind(&self.tenant)
            .execute(&mut *tx)
            .await?;
        audit.in_tenant(&self.tenant).append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}
