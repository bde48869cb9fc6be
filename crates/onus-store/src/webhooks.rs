//! Outgoing webhooks: a tenant's URL and signing key (on [`TenantData`]),
//! and the delivery queue the portal's sender works through (on [`Store`]:
//! the sender serves every tenant, and each delivery carries its own URL).

use sqlx::Row;

use crate::{now, random_id, random_token, Audit, Result, Store, TenantData};

/// A tenant's webhook.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Webhook {
    pub url: String,
    /// The HMAC-SHA256 key deliveries are signed with.
    pub secret: String,
}

/// One delivery, queued or done.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Delivery {
    pub id: String,
    pub tenant_id: String,
    pub url: String,
    pub event: String,
    pub body: String,
    pub attempts: i64,
    pub next_at: i64,
    pub delivered_at: Option<i64>,
    pub failed_at: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
}

const DELIVERY_COLUMNS: &str = "id, tenant_id, url, event, body, attempts, next_at, delivered_at, failed_at, last_error, created_at";

fn delivery(r: &sqlx::any::AnyRow) -> Delivery {
    Delivery {
        id: r.get("id"),
        tenant_id: r.get("tenant_id"),
        url: r.get("url"),
        event: r.get("event"),
        body: r.get("body"),
        attempts: r.get("attempts"),
        next_at: r.get("next_at"),
        delivered_at: r.get("delivered_at"),
        failed_at: r.get("failed_at"),
        last_error: r.get("last_error"),
        created_at: r.get("created_at"),
    }
}

impl TenantData {
    pub async fn webhook(&self) -> Result<Option<Webhook>> {
        let row = sqlx::query("SELECT webhook_url, webhook_secret FROM tenants WHERE id = $1")
            .bind(self.tenant_id())
            .fetch_optional(&self.store().pool)
            .await?;
        Ok(row.and_then(|r| {
            let url: Option<String> = r.get(0);
            let secret: Option<String> = r.get(1);
            Some(Webhook {
                url: url?,
                secret: secret?,
            })
        }))
    }

    /// Sets the tenant's webhook URL with a new signing key: the key (to
    /// be shown once). `audit` is appended (in the tenant's chain) in the
    /// same transaction.
    pub async fn set_webhook(&self, url: &str, audit: &Audit) -> Result<String> {
        let secret = random_token();
        let mut tx = self.store().begin().await?;
        sqlx::query("UPDATE tenants SET webhook_url = $1, webhook_secret = $2 WHERE id = $3")
            .bind(url)
            .bind(&secret)
            .bind(self.tenant_id())
            .execute(&mut *tx)
            .await?;
        audit.in_tenant(self.tenant_id()).append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(secret)
    }

    /// Removes the webhook; deliveries still queued are dropped. `audit`
    /// as for [`TenantData::set_webhook`].
    pub async fn remove_webhook(&self, audit: &Audit) -> Result<()> {
        let mut tx = self.store().begin().await?;
        sqlx::query("UPDATE tenants SET webhook_url = NULL, webhook_secret = NULL WHERE id = $1")
            .bind(self.tenant_id())
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM webhook_deliveries WHERE tenant_id = $1 AND delivered_at IS NULL AND failed_at IS NULL")
            .bind(self.tenant_id())
            .execute(&mut *tx)
            .await?;
        audit.in_tenant(self.tenant_id()).append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Queues `body` for the tenant's webhook, when it has one.
    pub async fn enqueue(&self, event: &str, body: &str) -> Result<Option<String>> {
        let Some(hook) = self.webhook().await? else {
            return Ok(None);
        };
        let id = random_id();
        let at = now();
        sqlx::query(&format!("INSERT INTO webhook_deliveries ({DELIVERY_COLUMNS}) VALUES ($1, $2, $3, $4, $5, 0, $6, NULL, NULL, '', $6)"))
            .bind(&id)
            .bind(self.tenant_id())
            .bind(&hook.url)
            .bind(event)
            .bind(body)
            .bind(at)
            .execute(&self.store().pool)
            .await?;
        Ok(Some(id))
    }

    /// The latest deliveries, newest first.
    pub async fn deliveries(&self, limit: i64) -> Result<Vec<Delivery>> {
        let rows = sqlx::query(&format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE tenant_id = $1 ORDER BY created_at DESC, id LIMIT $2"))
            .bind(self.tenant_id())
            .bind(limit)
            .fetch_all(&self.store().pool)
            .await?;
        Ok(rows.iter().map(delivery).collect())
    }
}

impl Store {
    /// Takes up to `limit` deliveries that are due, each leased for
    /// `lease` seconds (another server does not take it meanwhile).
    pub async fn claim_deliveries(&self, limit: i64, lease: i64) -> Result<Vec<Delivery>> {
        let at = now();
        let rows = sqlx::query(&format!("SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries WHERE delivered_at IS NULL AND failed_at IS NULL AND next_at <= $1 ORDER BY next_at, id LIMIT $2"))
            .bind(at)
            .bind(limit)
            .fetch_all(&self.pool)
            .await?;
        let mut claimed = Vec::new();
        for d in rows.iter().map(delivery) {
            let took = sqlx::query("UPDATE webhook_deliveries SET next_at = $1 WHERE id = $2 AND next_at = $3 AND delivered_at IS NULL AND failed_at IS NULL")
                .bind(at + lease)
                .bind(&d.id)
                .bind(d.next_at)
                .execute(&self.pool)
                .await?;
            if took.rows_affected() == 1 {
                claimed.push(d);
            }
        }
        Ok(claimed)
    }

    /// The key a delivery is signed with (its tenant's current one).
    pub async fn webhook_secret(&self, tenant: &str) -> Result<Option<String>> {
        let row = sqlx::query("SELECT webhook_secret FROM tenants WHERE id = $1")
            .bind(tenant)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.and_then(|r| r.get(0)))
    }

    /// Records an attempt: delivered, or failed with `error` and tried
    /// again at `retry_at` (`None`: given up).
    pub async fn record_attempt(
        &self,
        id: &str,
        outcome: std::result::Result<(), (&str, Option<i64>)>,
    ) -> Result<()> {
        let at = now();
        let q = match outcome {
            Ok(()) => sqlx::query("UPDATE webhook_deliveries SET attempts = attempts + 1, delivered_at = $1, last_error = '' WHERE id = $2")
                .bind(at)
                .bind(id.to_string()),
            Err((error, Some(retry_at))) => sqlx::query("UPDATE webhook_deliveries SET attempts = attempts + 1, next_at = $1, last_error = $2 WHERE id = $3")
                .bind(retry_at)
                .bind(error.to_string())
                .bind(id.to_string()),
            Err((error, None)) => sqlx::query("UPDATE webhook_deliveries SET attempts = attempts + 1, failed_at = $1, last_error = $2 WHERE id = $3")
                .bind(at)
                .bind(error.to_string())
                .bind(id.to_string()),
        };
        q.execute(&self.pool).await?;
        Ok(())
    }
}
