//! Tenants, their members and invites.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::accounts::insert_user;

use crate::{flag, hash, now, random_id, Audit, Result, Store, StoreError, User};

/// A customer organisation, subscribed to one offering of one model.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    /// Unguessable (128 random bits).
    pub id: String,
    pub name: String,
    pub model: String,
    pub offering: String,
    pub require_mfa: bool,
    /// When the platform recorded the tenant's NDA.
    pub nda_recorded_at: Option<i64>,
    /// The model version its checklist follows (`None`: not made yet).
    pub synced_version: Option<i64>,
    /// The latest published version of its model when the tenant was
    /// read (`None`: none published). Read with the tenant so that a
    /// checklist request that finds its checklist up to date asks the
    /// database nothing more about versions.
    pub latest_version: Option<i64>,
}

impl Tenant {
    fn from_row(row: &AnyRow) -> Tenant {
        Tenant {
            id: row.get("id"),
            name: row.get("name"),
            model: row.get("model"),
            offering: row.get("offering"),
            require_mfa: flag(row, "require_mfa"),
            nda_recorded_at: row.get("nda_recorded_at"),
            synced_version: row.get("synced_version"),
            latest_version: row.get("latest_version"),
        }
    }
}

const TENANT_COLUMNS: &str = "t.id, t.name, t.model, t.offering, t.require_mfa, t.nda_recorded_at, t.synced_version, (SELECT MAX(v.version) FROM model_versions v WHERE v.model = t.model) AS latest_version";

/// A user's place in a tenant.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Member {
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// `tenant-admin`, `tenant-member` or `tenant-viewer`.
    pub role: String,
    pub mfa_enabled: bool,
}

/// An invite, as its link shows it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Invite {
    pub tenant: Tenant,
    pub email: String,
    pub role: String,
    pub expires_at: i64,
}

impl Store {
    /// Creates a tenant and, when `first_admin` is given (invite token,
    /// email, seconds it stays valid), the invite of its first admin;
    /// `audit` is appended in the same transaction, in the new tenant's
    /// chain, with the tenant's name as its target.
    pub async fn create_tenant(
        &self,
        name: &str,
        model: &str,
        offering: &str,
        first_admin: Option<(&str, &str, i64)>,
        audit: &Audit,
    ) -> Result<Tenant> {
        let id = random_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO tenants (id, name, model, offering, require_mfa, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
        )
        .bind(&id)
        .bind(name.trim())
        .bind(model)
        .bind(offering)
        .bind(now())
        .execute(&mut *tx)
        .await?;
        // Read back as every tenant is read (its versions included).
        let tenant = Tenant::from_row(
            &sqlx::query(&format!(
                "SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1"
            ))
            .bind(&id)
            .fetch_one(&mut *tx)
            .await?,
        );
        if let Some((token, email, ttl)) = first_admin {
            insert_invite(&mut tx, token, &tenant.id, email, "tenant-admin", ttl).await?;
        }
        Audit {
            tenant: Some(tenant.id.clone()),
            target: tenant.name.clone(),
            ..audit.clone()
        }
        .append_in(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(tenant)
    }

    /// Every tenant, by name (for platform staff).
    pub async fn tenants(&self) -> Result<Vec<Tenant>> {
        let rows = sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS} FROM tenants t ORDER BY t.name, t.id"
        ))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(Tenant::from_row).collect())
    }

    pub async fn tenant(&self, id: &str) -> Result<Option<Tenant>> {
        let row = sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS} FROM tenants t WHERE t.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(Tenant::from_row))
    }

    /// The tenant and the user's role in it, when the user is a member.
    pub async fn membership(&self, tenant: &str, user: &str) -> Result<Option<(Tenant, String)>> {
        let row = sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS}, m.role FROM tenants t JOIN memberships m ON m.tenant_id = t.id WHERE t.id = $1 AND m.user_id = $2"
        ))
        .bind(tenant)
        .bind(user)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (Tenant::from_row(&r), r.get("role"))))
    }

    /// The tenants a user belongs to, with the role in each.
    pub async fn memberships(&self, user: &str) -> Result<Vec<(Tenant, String)>> {
        let rows = sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS}, m.role FROM tenants t JOIN memberships m ON m.tenant_id = t.id WHERE m.user_id = $1 ORDER BY t.name"
        ))
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| (Tenant::from_row(r), r.get("role")))
            .collect())
    }

    /// Changes a member's role; false when they are not a member, or when
    /// it would leave the tenant without an admin (nobody could manage it).
    /// `audit` is appended (in the tenant's chain) only when it changed, in
    /// the same transaction.
    /// Makes `user` a member of `tenant` with `role` (refused when already
    /// one); `audit` is appended in the same transaction.
    pub async fn add_member(
        &self,
        tenant: &str,
        user: &str,
        role: &str,
        audit: &Audit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_member(&mut tx, tenant, user, role).await?;
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    pub async fn set_member_role(
        &self,
        tenant: &str,
        user: &str,
        role: &str,
        audit: &Audit,
    ) -> Result<bool> {
        let update =
            sqlx::query("UPDATE memberships SET role = $1 WHERE tenant_id = $2 AND user_id = $3")
                .bind(role.to_string());
        self.change_member(tenant, user, role == "tenant-admin", update, audit)
            .await
    }

    /// Removes a member from the tenant (their account stays); false when
    /// they are not a member, or are its last admin. `audit` as for
    /// [`Store::set_member_role`].
    pub async fn remove_member(&self, tenant: &str, user: &str, audit: &Audit) -> Result<bool> {
        let delete = sqlx::query("DELETE FROM memberships WHERE tenant_id = $1 AND user_id = $2");
        self.change_member(tenant, user, false, delete, audit).await
    }

    /// Runs `statement` (its last two parameters: the tenant, the user) in
    /// a transaction that first makes sure the tenant keeps an admin
    /// (unless the member stays one), and appends `audit` when a
    /// membership changed: whether one did.
    async fn change_member<'q>(
        &self,
        tenant: &'q str,
        user: &'q str,
        stays_admin: bool,
        statement: sqlx::query::Query<'q, sqlx::Any, sqlx::any::AnyArguments<'q>>,
        audit: &Audit,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        if !stays_admin && last_admin(&mut tx, tenant, user).await? {
            return Ok(false);
        }
        let done = statement.bind(tenant).bind(user).execute(&mut *tx).await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        audit.in_tenant(tenant).append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Makes two-factor sign-in required (or not) for the tenant's
    /// members; `audit` is appended in the same transaction.
    pub async fn set_require_mfa(&self, tenant: &str, on: bool, audit: &Audit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE tenants SET require_mfa = $1 WHERE id = $2")
            .bind(i64::from(on))
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Records the tenant's NDA now; `audit` is appended in the same
    /// transaction.
    pub async fn record_nda(&self, tenant: &str, audit: &Audit) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE tenants SET nda_recorded_at = $1 WHERE id = $2")
            .bind(now())
            .bind(tenant)
            .execute(&mut *tx)
            .await?;
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Whether the user belongs to a tenant subscribed to `model` whose NDA is recorded.
    pub async fn under_nda(&self, user: &str, model: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM memberships m JOIN tenants t ON t.id = m.tenant_id WHERE m.user_id = $1 AND t.model = $2 AND t.nda_recorded_at IS NOT NULL",
        )
        .bind(user)
        .bind(model)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some())
    }

    /// Records an invite (the token hashed) valid for `ttl` seconds;
    /// `audit` is appended in the same transaction.
    pub async fn create_invite(
        &self,
        token: &str,
        tenant: &str,
        email: &str,
        role: &str,
        ttl: i64,
        audit: &Audit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        insert_invite(&mut tx, token, tenant, email, role, ttl).await?;
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// The invite of this token, if it is unused and unexpired.
    pub async fn invite(&self, token: &str) -> Result<Option<Invite>> {
        let row = sqlx::query(&format!(
            "SELECT {TENANT_COLUMNS}, i.email, i.role, i.expires_at FROM invites i JOIN tenants t ON t.id = i.tenant_id WHERE i.token_hash = $1 AND i.used_at IS NULL AND i.expires_at > $2"
        ))
        .bind(hash(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| Invite {
            tenant: Tenant::from_row(&r),
            email: r.get("email"),
            role: r.get("role"),
            expires_at: r.get("expires_at"),
        }))
    }

    /// Accepts an invite: spends it (once, even with two servers racing),
    /// creates the user and makes them a member, and appends `audit` (in
    /// the tenant's chain, the new user as its actor, their email as its
    /// target, the role as its details), all in one transaction. `None`
    /// when the invite is not valid (any more); an account with the
    /// invite's email already there is a [`StoreError::Conflict`] (and the
    /// invite stays unspent).
    pub async fn accept_invite(
        &self,
        token: &str,
        name: &str,
        password_hash: &str,
        audit: &Audit,
    ) -> Result<Option<(User, Tenant)>> {
        let Some(invite) = self.invite(token).await? else {
            return Ok(None);
        };
        let mut tx = self.begin().await?;
        let spent = sqlx::query(
            "UPDATE invites SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now())
        .bind(hash(token))
        .execute(&mut *tx)
        .await?;
        if spent.rows_affected() != 1 {
            return Ok(None);
        }
        let user = insert_user(&mut tx, &invite.email, name, None, password_hash).await?;
        insert_member(&mut tx, &invite.tenant.id, &user.id, &invite.role).await?;
        Audit {
            actor: Some(user.id.clone()),
            tenant: Some(invite.tenant.id.clone()),
            target: user.email.clone(),
            details: invite.role.clone(),
            ..audit.clone()
        }
        .append_in(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Some((user, invite.tenant)))
    }
}

/// Inserts a membership inside `tx`: a conflict when there is one already.
pub(crate) async fn insert_member(
    tx: &mut Transaction<'_, Any>,
    tenant: &str,
    user: &str,
    role: &str,
) -> Result<()> {
    let existing = sqlx::query("SELECT 1 FROM memberships WHERE tenant_id = $1 AND user_id = $2")
        .bind(tenant)
        .bind(user)
        .fetch_optional(&mut **tx)
        .await?;
    if existing.is_some() {
        return Err(StoreError::Conflict(
            "already a member of this tenant".into(),
        ));
    }
    sqlx::query(
        "INSERT INTO memberships (tenant_id, user_id, role, created_at) VALUES ($1, $2, $3, $4)",
    )
    .bind(tenant)
    .bind(user)
    .bind(role)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Inserts an invite (the token hashed) valid for `ttl` seconds inside `tx`.
async fn insert_invite(
    tx: &mut Transaction<'_, Any>,
    token: &str,
    tenant: &str,
    email: &str,
    role: &str,
    ttl: i64,
) -> Result<()> {
    let t = now();
    sqlx::query(
        "INSERT INTO invites (token_hash, tenant_id, email, role, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(hash(token))
    .bind(tenant)
    .bind(email.trim().to_lowercase())
    .bind(role)
    .bind(t)
    .bind(t + ttl)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Whether `user` is the only admin of `tenant`.
async fn last_admin(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    tenant: &str,
    user: &str,
) -> Result<bool> {
    let admins: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM memberships WHERE tenant_id = $1 AND role = 'tenant-admin'",
    )
    .bind(tenant)
    .fetch_all(&mut **tx)
    .await?;
    Ok(admins == [user])
}

impl crate::TenantData {
    /// The tenant's members, by email.
    pub async fn members(&self) -> Result<Vec<Member>> {
        let rows = sqlx::query(
            "SELECT u.id, u.email, u.name, u.mfa_enabled, m.role FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.tenant_id = $1 ORDER BY u.email",
        )
        .bind(self.tenant_id())
        .fetch_all(&self.store().pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| Member {
                user_id: r.get("id"),
                email: r.get("email"),
                name: r.get("name"),
                role: r.get("role"),
                mfa_enabled: flag(r, "mfa_enabled"),
            })
            .collect())
    }
}
