//! Users, their identities, sessions, setup tokens, sign-in attempts and
//! recovery codes.

use sqlx::any::AnyRow;
use sqlx::{Any, Row, Transaction};

use crate::{flag, hash, now, random_id, Audit, Result, Store, StoreError};

/// A person who can sign in.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct User {
    pub id: String,
    pub email: String,
    pub name: String,
    /// `platform-admin`, `platform-operator`, or none.
    pub platform_role: Option<String>,
    /// The TOTP secret (base32), set at enrolment, before it is confirmed.
    pub totp_secret: Option<String>,
    pub mfa_enabled: bool,
}

impl User {
    pub fn is_platform_admin(&self) -> bool {
        self.platform_role.as_deref() == Some("platform-admin")
    }

    /// A platform admin or operator: sees the platform's overview.
    pub fn is_platform_staff(&self) -> bool {
        self.platform_role.is_some()
    }

    fn from_row(row: &AnyRow) -> User {
        User {
            id: row.get("id"),
            email: row.get("email"),
            name: row.get("name"),
            platform_role: row.get("platform_role"),
            totp_secret: row.get("totp_secret"),
            mfa_enabled: flag(row, "mfa_enabled"),
        }
    }
}

const USER_COLUMNS: &str = "u.id, u.email, u.name, u.platform_role, u.totp_secret, u.mfa_enabled";

/// A signed-in browser.
#[derive(Clone, Debug)]
pub struct Session {
    /// The hash of the cookie's value (the value itself is never stored).
    pub id_hash: String,
    pub user: User,
    pub csrf: String,
    /// Password given, second factor still to come.
    pub mfa_pending: bool,
    pub created_at: i64,
    pub last_seen: i64,
}

impl Store {
    /// Creates a user with a local password identity (`password_hash` is
    /// the argon2id string), a member of `member`'s (tenant, role) when
    /// given, and appends `audit` in the same transaction. The email is
    /// kept lowercase; a second user with the same email is a
    /// [`StoreError::Conflict`] (and nothing is written).
    pub async fn create_user(
        &self,
        email: &str,
        name: &str,
        platform_role: Option<&str>,
        password_hash: &str,
        member: Option<(&str, &str)>,
        audit: &Audit,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let user = insert_user(&mut tx, email, name, platform_role, password_hash).await?;
        if let Some((tenant, role)) = member {
            crate::tenants::insert_member(&mut tx, tenant, &user.id, role).await?;
        }
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// How many users there are (none: the portal still needs its setup).
    pub async fn user_count(&self) -> Result<i64> {
        let row = sqlx::query("SELECT COUNT(*) FROM users")
            .fetch_one(&self.pool)
            .await?;
        Ok(row.get(0))
    }

    pub async fn user(&self, id: &str) -> Result<Option<User>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS} FROM users u WHERE u.id = $1"
        ))
        .bind(id)
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.as_ref().map(User::from_row))
    }

    /// The user with this email and the argon2id hash of their local password.
    pub async fn local_login(&self, email: &str) -> Result<Option<(User, String)>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, i.secret_hash FROM users u JOIN identities i ON i.user_id = u.id WHERE i.provider = 'local' AND i.subject = $1"
        ))
        .bind(email.trim().to_lowercase())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.map(|r| (User::from_row(&r), r.get("secret_hash"))))
    }

    /// Sets the TOTP secret being enrolled (not yet required at sign-in).
    pub async fn set_totp_secret(&self, user: &str, secret: &str) -> Result<()> {
        sqlx::query("UPDATE users SET totp_secret = $1 WHERE id = $2 AND mfa_enabled = 0")
            .bind(secret)
            .bind(user)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Turns MFA on and replaces the recovery codes by these (hashed here);
    /// `audit` is appended in the same transaction.
    pub async fn enable_mfa(
        &self,
        user: &str,
        recovery_codes: &[String],
        audit: &Audit,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        sqlx::query("UPDATE users SET mfa_enabled = 1 WHERE id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        for code in recovery_codes {
            sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
                .bind(user)
                .bind(hash(code))
                .execute(&mut *tx)
                .await?;
        }
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Claims the TOTP time step a code was made for: true the first time
    /// (the step is later than any the user has used), false for a replay.
    /// One atomic update, so two servers cannot both accept one code.
    pub async fn claim_totp_step(&self, user: &str, step: u64) -> Result<bool> {
        let step = i64::try_from(step).unwrap_or(i64::MAX);
        let done = sqlx::query(
            "UPDATE users SET totp_last_step = $1 WHERE id = $2 AND totp_last_step < $1",
        )
        .bind(step)
        .bind(user)
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// Uses a recovery code: true when it was valid and unused (it is used now).
    pub async fn use_recovery_code(&self, user: &str, code: &str) -> Result<bool> {
        let done = sqlx::query(
            "UPDATE recovery_codes SET used_at = $1 WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
        )
        .bind(now())
        .bind(user)
        .bind(hash(code))
        .execute(&self.pool)
        .await?;
        Ok(done.rows_affected() == 1)
    }

    /// How many recovery codes the user has left.
    pub async fn recovery_codes_left(&self, user: &str) -> Result<i64> {
        let row = sqlx::query(
            "SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL",
        )
        .bind(user)
        .fetch_one(&self.pool)
        .await?;
        Ok(row.get(0))
    }

    /// Starts a session; `token` is the cookie's value (stored hashed).
    pub async fn create_session(
        &self,
        token: &str,
        user: &str,
        csrf: &str,
        mfa_pending: bool,
    ) -> Result<()> {
        let t = now();
        sqlx::query(
            "INSERT INTO sessions (id_hash, user_id, csrf, mfa_pending, created_at, last_seen) VALUES ($1, $2, $3, $4, $5, $5)",
        )
        .bind(hash(token))
        .bind(user)
        .bind(csrf)
        .bind(i64::from(mfa_pending))
        .bind(t)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// The session of the cookie `token`, if it exists and is neither idle
    /// for `idle` seconds nor older than `absolute` seconds (an expired one
    /// is deleted). Its last-seen time is brought up to date (at most once a
    /// minute, to spare the database).
    pub async fn session(&self, token: &str, idle: i64, absolute: i64) -> Result<Option<Session>> {
        let id_hash = hash(token);
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, s.csrf, s.mfa_pending, s.created_at, s.last_seen FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1"
        ))
        .bind(&id_hash)
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let t = now();
        let session = Session {
            id_hash,
            user: User::from_row(&row),
            csrf: row.get("csrf"),
            mfa_pending: flag(&row, "mfa_pending"),
            created_at: row.get("created_at"),
            last_seen: row.get("last_seen"),
        };
        if t - session.last_seen > idle || t - session.created_at > absolute {
            self.end_session(&session.id_hash).await?;
            return Ok(None);
        }
        if t - session.last_seen >= 60 {
            // Requests of one session at once all find it stale: only the
            // first writes; the others, waiting for its row, then find
            // nothing to change (no write, no flush to disk).
            sqlx::query(
                "UPDATE sessions SET last_seen = $1 WHERE id_hash = $2 AND last_seen <= $3",
            )
            .bind(t)
            .bind(&session.id_hash)
            .bind(t - 60)
            .execute(&self.pool)
            .await?;
        }
        Ok(Some(session))
    }

    /// The second factor was given.
    pub async fn complete_mfa(&self, id_hash: &str) -> Result<()> {
        sqlx::query("UPDATE sessions SET mfa_pending = 0 WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    pub async fn end_session(&self, id_hash: &str) -> Result<()> {
        sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
            .bind(id_hash)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Signs the user out everywhere: every session ends; `audit` is
    /// appended in the same transaction.
    pub async fn end_all_sessions(&self, user: &str, audit: &Audit) -> Result<u64> {
        let mut tx = self.begin().await?;
        let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
            .bind(user)
            .execute(&mut *tx)
            .await?;
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(done.rows_affected())
    }

    /// Records a setup token (hashed) valid for `ttl` seconds.
    pub async fn create_setup_token(&self, token: &str, ttl: i64) -> Result<()> {
        let t = now();
        sqlx::query(
            "INSERT INTO setup_tokens (token_hash, created_at, expires_at) VALUES ($1, $2, $3)",
        )
        .bind(hash(token))
        .bind(t)
        .bind(t + ttl)
        .execute(&self.pool)
        .await?;
        Ok(())
    }

    /// Whether the setup token is valid now (exists, unused, unexpired, and
    /// no user exists yet).
    pub async fn setup_token_valid(&self, token: &str) -> Result<bool> {
        let row = sqlx::query(
            "SELECT 1 FROM setup_tokens WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2",
        )
        .bind(hash(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        Ok(row.is_some() && self.user_count().await? == 0)
    }

    /// Uses the setup token to create the first platform admin; `None`
    /// when the token is not valid (any more). Every setup token is spent.
    /// `audit` is appended in the same transaction, with the new admin as
    /// its actor.
    pub async fn complete_setup(
        &self,
        token: &str,
        email: &str,
        name: &str,
        password_hash: &str,
        audit: &Audit,
    ) -> Result<Option<User>> {
        let mut tx = self.begin().await?;
        let spent = sqlx::query(
            "UPDATE setup_tokens SET used_at = $1 WHERE token_hash = $2 AND used_at IS NULL AND expires_at > $1",
        )
        .bind(now())
        .bind(hash(token))
        .execute(&mut *tx)
        .await?;
        let users: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
            .fetch_one(&mut *tx)
            .await?;
        if spent.rows_affected() != 1 || users != 0 {
            return Ok(None);
        }
        sqlx::query("UPDATE setup_tokens SET used_at = $1 WHERE used_at IS NULL")
            .bind(now())
            .execute(&mut *tx)
            .await?;
        let user = insert_user(&mut tx, email, name, Some("platform-admin"), password_hash).await?;
        Audit {
            actor: Some(user.id.clone()),
            ..audit.clone()
        }
        .append_in(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(Some(user))
    }

    /// Records a sign-in attempt for `account` from `address` as failed
    /// until [`Store::login_succeeded`] says otherwise; returns its id. It is
    /// counted before the secret is checked, so a burst of concurrent
    /// attempts gets no more guesses than the lockout allows.
    pub async fn begin_login_attempt(&self, account: &str, address: &str) -> Result<String> {
        let id = random_id();
        sqlx::query(
            "INSERT INTO login_attempts (id, account, address, at, ok) VALUES ($1, $2, $3, $4, 0)",
        )
        .bind(&id)
        .bind(account.trim().to_lowercase())
        .bind(address)
        .bind(now())
        .execute(&self.pool)
        .await?;
        Ok(id)
    }

    /// The attempt succeeded: the account's failures before it stop counting.
    pub async fn login_succeeded(&self, attempt: &str) -> Result<()> {
        sqlx::query("UPDATE login_attempts SET ok = 1 WHERE id = $1")
            .bind(attempt)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// The attempt was refused unchecked (the account or address was
    /// locked): it does not count, so a lockout ends when its window does.
    pub async fn forget_login_attempt(&self, attempt: &str) -> Result<()> {
        sqlx::query("DELETE FROM login_attempts WHERE id = $1")
            .bind(attempt)
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// Failed attempts since `since` for the account (after its last
    /// success) and for the address: (count, oldest time) each.
    pub async fn recent_failures(
        &self,
        account: &str,
        address: &str,
        since: i64,
    ) -> Result<((i64, i64), (i64, i64))> {
        let account = account.trim().to_lowercase();
        let last_ok = sqlx::query(
            "SELECT COALESCE(MAX(at), 0) FROM login_attempts WHERE account = $1 AND ok = 1",
        )
        .bind(&account)
        .fetch_one(&self.pool)
        .await?
        .get::<i64, _>(0);
        let by_account = sqlx::query(
            "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_attempts WHERE account = $1 AND ok = 0 AND at >= $2 AND at > $3",
        )
        .bind(&account)
        .bind(since)
        .bind(last_ok)
        .fetch_one(&self.pool)
        .await?;
        let by_address = sqlx::query(
            "SELECT COUNT(*), COALESCE(MIN(at), 0) FROM login_attempts WHERE address = $1 AND ok = 0 AND at >= $2",
        )
        .bind(address)
        .bind(since)
        .fetch_one(&self.pool)
        .await?;
        Ok((
            (by_account.get(0), by_account.get(1)),
            (by_address.get(0), by_address.get(1)),
        ))
    }
}

/// An API token's grant, as found from the bearer token.
#[derive(Clone, Debug)]
pub struct ApiToken {
    pub id: String,
    pub user: User,
    /// A tenant token acts only on this tenant.
    pub tenant_id: Option<String>,
    /// `read` or `write`.
    pub scope: String,
}

/// One of a user's API tokens as its owner sees it (never the secret).
#[derive(Clone, Debug)]
pub struct TokenSummary {
    pub id: String,
    pub name: String,
    /// `read` or `write`.
    pub scope: String,
    /// A tenant token acts only on this tenant.
    pub tenant_id: Option<String>,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
    /// When it stops working by itself (none for tokens minted before
    /// expiry existed).
    pub expires_at: Option<i64>,
}

impl Store {
    /// The user's API tokens, newest first, revoked ones included.
    pub async fn api_tokens(&self, user: &str) -> Result<Vec<TokenSummary>> {
        let rows = sqlx::query(
            "SELECT id, name, scope, tenant_id, created_at, last_used_at, revoked_at, expires_at FROM api_tokens WHERE user_id = $1 ORDER BY created_at DESC, id",
        )
        .bind(user)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|r| TokenSummary {
                id: r.get("id"),
                name: r.get("name"),
                scope: r.get("scope"),
                tenant_id: r.get("tenant_id"),
                created_at: r.get("created_at"),
                last_used_at: r.get("last_used_at"),
                revoked_at: r.get("revoked_at"),
                expires_at: r.get("expires_at"),
            })
            .collect())
    }

    /// Records an API token (stored hashed) for `user`, bound to `tenant`
    /// when given, that works until `expires_at` (unix seconds); returns
    /// its id. `audit` is appended in the same transaction, with the new
    /// token's id as its target.
    #[allow(clippy::too_many_arguments)]
    pub async fn create_api_token(
        &self,
        token: &str,
        user: &str,
        tenant: Option<&str>,
        name: &str,
        scope: &str,
        expires_at: i64,
        audit: &Audit,
    ) -> Result<String> {
        let id = random_id();
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO api_tokens (id, token_hash, user_id, tenant_id, name, scope, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(&id)
        .bind(hash(token))
        .bind(user)
        .bind(tenant)
        .bind(name)
        .bind(scope)
        .bind(now())
        .bind(expires_at)
        .execute(&mut *tx)
        .await?;
        Audit {
            target: id.clone(),
            ..audit.clone()
        }
        .append_in(&mut tx)
        .await?;
        tx.commit().await?;
        Ok(id)
    }

    /// The grant of a bearer token, if it exists, is not revoked and has
    /// not expired; its last-used time is brought up to date (at most once
    /// a minute, as a session's: a write on every request would serialise
    /// an API under load on SQLite's one writer).
    pub async fn api_token(&self, token: &str) -> Result<Option<ApiToken>> {
        let row = sqlx::query(&format!(
            "SELECT {USER_COLUMNS}, a.id AS token_id, a.tenant_id, a.scope, a.last_used_at FROM api_tokens a JOIN users u ON u.id = a.user_id WHERE a.token_hash = $1 AND a.revoked_at IS NULL AND (a.expires_at IS NULL OR a.expires_at > $2)"
        ))
        .bind(hash(token))
        .bind(now())
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let grant = ApiToken {
            id: row.get("token_id"),
            user: User::from_row(&row),
            tenant_id: row.get("tenant_id"),
            scope: row.get("scope"),
        };
        let t = now();
        let last_used: Option<i64> = row.get("last_used_at");
        if last_used.is_none_or(|last| t - last >= 60) {
            // As for a session's last-seen time: only the first of the
            // requests at once writes.
            sqlx::query(
                "UPDATE api_tokens SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at <= $3)",
            )
            .bind(t)
            .bind(&grant.id)
            .bind(t - 60)
            .execute(&self.pool)
            .await?;
        }
        Ok(Some(grant))
    }

    /// Revokes one of the user's tokens; false when there is none by that
    /// id (and nothing is audited). `audit` is appended in the same
    /// transaction.
    pub async fn revoke_api_token(&self, id: &str, user: &str, audit: &Audit) -> Result<bool> {
        let mut tx = self.begin().await?;
        let done = sqlx::query(
            "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
        )
        .bind(now())
        .bind(id)
        .bind(user)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(false);
        }
        audit.append_in(&mut tx).await?;
        tx.commit().await?;
        Ok(true)
    }
}

/// Inserts a user with a local password identity inside `tx` (see
/// [`Store::create_user`]).
pub(crate) async fn insert_user(
    tx: &mut Transaction<'_, Any>,
    email: &str,
    name: &str,
    platform_role: Option<&str>,
    password_hash: &str,
) -> Result<User> {
    let email = email.trim().to_lowercase();
    let id = random_id();
    let taken = sqlx::query("SELECT 1 FROM users WHERE email = $1")
        .bind(&email)
        .fetch_optional(&mut **tx)
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!(
            "an account with the email {email} already exists"
        )));
    }
    sqlx::query(
        "INSERT INTO users (id, email, name, platform_role, mfa_enabled, created_at) VALUES ($1, $2, $3, $4, 0, $5)",
    )
    .bind(&id)
    .bind(&email)
    .bind(name.trim())
    .bind(platform_role)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO identities (id, user_id, provider, subject, secret_hash, created_at) VALUES ($1, $2, 'local', $3, $4, $5)",
    )
    .bind(random_id())
    .bind(&id)
    .bind(&email)
    .bind(password_hash)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(User {
        id,
        email,
        name: name.trim().to_string(),
        platform_role: platform_role.map(str::to_string),
        totp_secret: None,
        mfa_enabled: false,
    })
}
