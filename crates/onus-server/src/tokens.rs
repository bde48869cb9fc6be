//! API tokens: minted for a user (from the account page or `onus admin
//! token`), shown once, stored hashed, listed with their last use, revoked
//! by their owner. One place for the rules, whichever door the request
//! came in by.

use onus_store::{Audit, Store, User};

/// The scopes a token can have.
pub const SCOPES: &[&str] = &["read", "write"];

/// How long a token works unless told otherwise, in days.
pub const DEFAULT_DAYS: u32 = 90;
/// The longest a token may work, in days: none works for ever.
pub const MAX_DAYS: u32 = 366;

/// Why a token was not minted (shown to whoever asked).
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    #[error("the scope is `read` or `write`, not `{0}`")]
    Scope(String),
    #[error("give the token a name (what it is for), at most 100 characters")]
    Name,
    #[error("a token works for 1 to {MAX_DAYS} days, not {0}")]
    Days(u32),
    #[error("{0} is not a member of tenant {1}")]
    NotMember(String, String),
    #[error(transparent)]
    Store(#[from] onus_store::StoreError),
}

/// Mints a token for `user` (bound to `tenant` when given, which the user
/// must belong to) that works for `days`; returns the secret, to be shown
/// once. Audited.
pub async fn mint(
    store: &Store,
    user: &User,
    scope: &str,
    tenant: Option<&str>,
    name: &str,
    days: u32,
) -> Result<String, TokenError> {
    if !SCOPES.contains(&scope) {
        return Err(TokenError::Scope(scope.to_string()));
    }
    if !(1..=MAX_DAYS).contains(&days) {
        return Err(TokenError::Days(days));
    }
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 100 || name.chars().any(char::is_control) {
        return Err(TokenError::Name);
    }
    if let Some(t) = tenant {
        if store.membership(t, &user.id).await?.is_none() {
            return Err(TokenError::NotMember(user.email.clone(), t.to_string()));
        }
    }
    let token = format!("onus_{}", onus_store::random_token());
    store
        .create_api_token(
            &token,
            &user.id,
            tenant,
            name,
            scope,
            onus_store::now() + i64::from(days) * 86_400,
            &Audit::new(
                Some(&user.id),
                tenant,
                "api-token-created",
                "",
                &format!("{name} ({scope}, {days} days)"),
            ),
        )
        .await?;
    Ok(token)
}

/// Revokes one of the user's tokens at once; false when the user has no
/// live token by that id. Audited.
pub async fn revoke(store: &Store, user: &User, id: &str) -> Result<bool, TokenError> {
    let audit = Audit::new(Some(&user.id), None, "api-token-revoked", id, "");
    Ok(store.revoke_api_token(id, &user.id, &audit).await?)
}
