//! Just-in-time access grants: requested by platform staff, decided by
//! the tenant's admins (through [`TenantData`]), checked against the clock
//! on every request.

use sqlx::any::AnyRow;
use sqlx::Row;

use crate::{now, random_id, Audit, Result, Store, TenantData};

/// Longest grant, in minutes (8 hours).
pub const MAX_GRANT_MINUTES: i64 = 8 * 60;

/// One request for access, and what became of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Grant {
    pub id: String,
    pub tenant_id: String,
    pub requester_id: String,
    pub requester_name: String,
    pub reason: String,
    /// `read` or `write`.
    pub scope: String,
    pub minutes: i64,
    pub requested_at: i64,
    /// `approved` or `denied`; `None` while pending.
    pub decision: Option<String>,
    pub decided_by: Option<String>,
    pub decided_at: Option<i64>,
    pub comment: String,
    pub expires_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

impl Grant {
    /// Approved, not revoked, not expired at `at`.
    pub fn is_active(&self, at: i64) -> bool {
        self.decision.as_deref() == Some("approved")
            && self.revoked_at.is_none()
            && self.expires_at.is_some_and(|e| at < e)
    }

    /// `pending`, `denied`, `active`, `revoked` or `expired` at `at`.
    pub fn state(&self, at: i64) -> &'static str {
        match self.decision.as_deref() {
            None => "pending",
            Some("denied") => "denied",
            _ if self.revoked_at.is_some() => "revoked",
            _ if self.is_active(at) => "active",
            _ => "expired",
        }
    }

    fn from_row(r: &AnyRow) -> Grant {
        Grant {
            id: r.get("id"),
            tenant_id: r.get("tenant_id"),
            requester_id: r.get("requester_id"),
            requester_name: r.get("requester_name"),
            reason: r.get("reason"),
            scope: r.get("scope"),
            minutes: r.get("minutes"),
            requested_at: r.get("requested_at"),
            decision: r.get("decision"),
            decided_by: r.get("decided_by"),
            decided_at: r.get("decided_at"),
            comment: r.get("comment"),
            expires_at: r.get("expires_at"),
            revoked_at: r.get("revoked_at"),
        }
    }
}

const GRANT_SELECT: &str = "SELECT g.id, g.tenant_id, g.requester_id, u.name AS requester_name, g.reason, g.scope, g.minutes, g.requested_at, g.decision, g.decided_by, g.decided_at, g.comment, g.expires_at, g.revoked_at FROM access_grants g JOIN users u ON u.id = g.requester_id";

impl Store {
    /// Records a request for access to `tenant` by `requester`; `audit`
    /// is appended in the same transaction (in the tenant's chain, with
    /// `grant ID` as its target).
    pub async fn request_access(
        &self,
        tenant: &str,
        requester: &str,
        reason: &str,
        scope: &str,
        minutes: i64,
        audit: &Audit,
    ) -> Result<String> {
        let id = random_id();
        let mut tx = self.begin().await?;
        sqlx::query("INSERT INTO access_grants (id, tenant_id, requester_id, reason, scope, minutes, requested_at, comment) VALUES ($1, $2, $3, $4, $5, $6, $7, '')")
            .bind(&id)
            .bind(tenant)
            .bind(requester)
            .bind(reason)
            .bind(scope)
            .bind(minutes)
            .bind(now())
            .execute(&mut *tx)
            .await?;
        Audit {
            target: format!("grant {id}"),
            ..audit.in_tenant(tenant)
        }
        .append_in(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The requests a user made, newest first.
    pub async fn grants_of(&self, requester: &str) -> Result<Vec<Grant>> {
        let rows = sqlx::query(&format!(
            "{GRANT_SELECT} WHERE g.requester_id = $1 ORDER BY g.requested_at DESC, g.id"
        ))
        .bind(requester)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(Grant::from_row).collect())
    }

    /// The grant that lets `user` into `tenant` now, if any.
    pub async fn active_grant(&self, tenant: &str, user: &str) -> Result<Option<Grant>> {
        let at = now();
        let rows = sqlx::query(&format!("{GRANT_SELECT} WHERE g.tenant_id = $1 AND g.requester_id = $2 AND g.decision = 'approved' AND g.revoked_at IS NULL AND g.expires_at > $3 ORDER BY g.expires_at DESC"))
            .bind(tenant)
            .bind(user)
            .bind(at)
            .fetch_all(&self.pool)
            .await?;
        Ok(rows.iter().map(Grant::from_row).find(|g| g.is_active(at)))
    }
}

impl TenantData {
    /// Every request for access to the tenant, newest first.
    pub async fn grants(&self) -> Result<Vec<Grant>> {
        let rows = sqlx::query(&format!(
            "{GRANT_SELECT} WHERE g.tenant_id = $1 ORDER BY g.requested_at DESC, g.id"
        ))
        .bind(self.tenant_id())
        .fetch_all(&self.store().pool)
        .await?;
        Ok(rows.iter().map(Grant::from_row).collect())
    }

    /// Approves or denies a pending request (`approve`), by a tenant admin,
    /// with a comment; an approved grant starts now. False when it is not
    /// pending (or not this tenant's), and nothing is audited; else
    /// `audit` is appended (in the tenant's chain) in the same transaction.
    pub async fn decide_grant(
        &self,
        id: &str,
        admin: &str,
        approve: bool,
        comment: &str,
        audit: &Audit,
    ) -> Result<bool> {
        let at = now();
        let mut tx = self.store().begin().await?;
        let done = sqlx::query("UPDATE access_grants SET decision = $1, decided_by = $2, decided_at = $3, comment = $4, expires_at = CASE WHEN $1 = 'approved' THEN $3 + minutes * 60 ELSE NULL END WHERE tenant_id = $5 AND id = $6 AND decision IS NULL")
            .bind(if approve { "approved" } else { "denied" })
            .bind(admin)
            .bind(at)
            .bind(comment)
            .bind(self.tenant_id())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.audit_if_done(tx, done.rows_affected(), audit).await
    }

    /// Ends an active grant now; false when it is not active (nothing is
    /// audited), else `audit` is appended as for [`TenantData::decide_grant`].
    pub async fn revoke_grant(&self, id: &str, admin: &str, audit: &Audit) -> Result<bool> {
        let at = now();
        let mut tx = self.store().begin().await?;
        let done = sqlx::query("UPDATE access_grants SET revoked_at = $1, revoked_by = $2 WHERE tenant_id = $3 AND id = $4 AND decision = 'approved' AND revoked_at IS NULL AND expires_at > $1")
            .bind(at)
            .bind(admin)
            .bind(self.tenant_id())
            .bind(id)
            .execute(&mut *tx)
            .await?;
        self.audit_if_done(tx, done.rows_affected(), audit).await
    }

    /// Commits `tx` with `audit` (in the tenant's chain) when one row
    /// changed; else rolls it back: whether it changed.
    async fn audit_if_done(
        &self,
        mut tx: sqlx::Transaction<'_, sqlx::Any>,
        rows: u64,
        audit: &Audit,
    ) -> Result<bool> {
        if rows != 1 {
            return Ok(false);
        }
        audit.in_tenant(self.tenant_id()).append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}
