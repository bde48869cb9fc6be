//! The audit log: append-only, hash-chained. One chain per tenant (named
//! by the tenant's id) and one for the platform (`platform`). Each entry
//! holds the SHA-256 of the entry before it in its chain, over the
//! canonical serialisation [`entry_hash`]; a chain's head (last place and
//! hash) is kept in `audit_heads`, which every append updates first, so
//! appends to one chain are serialised even with several servers on one
//! PostgreSQL database (the row lock), and on SQLite (the write lock).
//! [`Store::verify_audit`] walks every chain and names the first broken
//! link; [`verify_lines`] does the same for an exported file on its own.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use sqlx::{Any, Row, Transaction};

use crate::{hex, now, random_id, Result, Store};

/// The platform's chain (a tenant's chain is named by its id).
pub const PLATFORM: &str = "platform";

/// One entry, as stored and as exported (one JSON object per line).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub chain: String,
    pub seq: i64,
    pub at: i64,
    pub actor: Option<String>,
    pub action: String,
    pub target: String,
    pub details: String,
    pub prev_hash: String,
    pub hash: String,
}

/// The hash of an entry: SHA-256, hex, of the JSON array
/// `["onus-audit/1", chain, seq, at, actor, action, target, details, prev_hash]`
/// (strings as JSON strings, `actor` `null` when the portal acted, numbers
/// as integers, no spaces): what a verifier outside onus recomputes.
pub fn entry_hash(e: &AuditEntry) -> String {
    let canonical = serde_json::json!([
        "onus-audit/1",
        e.chain,
        e.seq,
        e.at,
        e.actor,
        e.action,
        e.target,
        e.details,
        e.prev_hash
    ]);
    hex(&Sha256::digest(canonical.to_string().as_bytes()))
}

/// Where a chain breaks first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Broken {
    pub chain: String,
    /// The place where the chain stops holding (the entry expected there).
    pub seq: i64,
    pub reason: String,
}

/// What verifying found: entries checked per chain, and the first break
/// of each broken chain.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Verified {
    pub chains: Vec<(String, i64)>,
    pub broken: Vec<Broken>,
    /// Entries from before the log was chained (not verifiable).
    pub unchained: i64,
}

/// Checks one chain's entries, in the order given: places 1, 2, 3...,
/// each naming the hash before it and hashing to its own; `head` is the
/// (place, hash) the chain is known to end at, when known.
pub fn verify_chain(
    chain: &str,
    entries: &[AuditEntry],
    head: Option<(i64, &str)>,
) -> Option<Broken> {
    let broken = |seq: i64, reason: String| {
        Some(Broken {
            chain: chain.to_string(),
            seq,
            reason,
        })
    };
    let mut prev = String::new();
    for (i, e) in entries.iter().enumerate() {
        let expected = i as i64 + 1;
        if e.seq != expected {
            return broken(
                expected,
                format!(
                    "entry {expected} is missing or out of order (found entry {} in its place)",
                    e.seq
                ),
            );
        }
        if e.prev_hash != prev {
            return broken(
                expected,
                "it does not name the hash of the entry before it".into(),
            );
        }
        if entry_hash(e) != e.hash {
            return broken(
                expected,
                "its content does not match its hash (it was changed)".into(),
            );
        }
        prev = e.hash.clone();
    }
    if let Some((seq, hash)) = head {
        let last = entries.len() as i64;
        if seq != last || hash != prev {
            return broken(
                last + 1,
                format!("the chain's head is entry {seq}, but the log ends at entry {last}: entries after it were removed"),
            );
        }
    }
    None
}

/// Verifies an exported file (JSON lines, as the portal exports a chain):
/// entries checked, or the first broken link. The file may hold several
/// chains; each is checked in the file's order.
pub fn verify_lines(text: &str) -> std::result::Result<Verified, String> {
    let mut chains: Vec<(String, Vec<AuditEntry>)> = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let e: AuditEntry = serde_json::from_str(line)
            .map_err(|err| format!("line {}: not an audit entry ({err})", n + 1))?;
        match chains.iter_mut().find(|(c, _)| *c == e.chain) {
            Some((_, list)) => list.push(e),
            None => chains.push((e.chain.clone(), vec![e])),
        }
    }
    let mut out = Verified::default();
    for (chain, entries) in &chains {
        out.chains.push((chain.clone(), entries.len() as i64));
        out.broken.extend(verify_chain(chain, entries, None));
    }
    Ok(out)
}

/// What an audit entry says about a change: handed to the store method
/// that makes the change, which appends it (with [`Audit::append_in`]) in
/// the change's own transaction, so the two commit together or not at
/// all. `tenant` names the chain (`None`: the platform's). A method that
/// creates what the entry names (a new id, the tenant, the user) fills
/// those fields in itself, as its documentation says.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Audit {
    pub actor: Option<String>,
    pub tenant: Option<String>,
    pub action: String,
    pub target: String,
    pub details: String,
}

impl Audit {
    pub fn new(
        actor: Option<&str>,
        tenant: Option<&str>,
        action: &str,
        target: &str,
        details: &str,
    ) -> Audit {
        Audit {
            actor: actor.map(str::to_string),
            tenant: tenant.map(str::to_string),
            action: action.to_string(),
            target: target.to_string(),
            details: details.to_string(),
        }
    }

    /// Appends this entry to its chain inside `tx` (see [`append_in`]).
    pub(crate) async fn append_in(&self, tx: &mut Transaction<'_, Any>) -> Result<AuditEntry> {
        append_in(
            tx,
            self.tenant.as_deref().unwrap_or(PLATFORM),
            self.actor.as_deref(),
            &self.action,
            &self.target,
            &self.details,
        )
        .await
    }

    /// The same entry in `tenant`'s chain (a method on one tenant's data
    /// always appends to that tenant's chain).
    pub(crate) fn in_tenant(&self, tenant: &str) -> Audit {
        Audit {
            tenant: Some(tenant.to_string()),
            ..self.clone()
        }
    }
}

/// Appends an entry to `chain` inside the caller's transaction `tx`,
/// taking the chain's head first: a change and the entry that records it
/// commit together, so a crash keeps both or neither.
pub(crate) async fn append_in(
    tx: &mut Transaction<'_, Any>,
    chain: &str,
    actor: Option<&str>,
    action: &str,
    target: &str,
    details: &str,
) -> Result<AuditEntry> {
    // Taking the head first (an UPDATE) locks it until commit.
    let moved = sqlx::query("UPDATE audit_heads SET seq = seq + 1 WHERE chain = $1")
        .bind(chain)
        .execute(&mut **tx)
        .await?;
    if moved.rows_affected() == 0 {
        // A new chain: created at place 1. Two servers starting the
        // same chain at once: one insert fails and that append is retried.
        sqlx::query("INSERT INTO audit_heads (chain, seq, hash) VALUES ($1, 1, '')")
            .bind(chain)
            .execute(&mut **tx)
            .await?;
    }
    let head = sqlx::query("SELECT seq, hash FROM audit_heads WHERE chain = $1")
        .bind(chain)
        .fetch_one(&mut **tx)
        .await?;
    let mut entry = AuditEntry {
        chain: chain.to_string(),
        seq: head.get(0),
        at: now(),
        actor: actor.map(str::to_string),
        action: action.to_string(),
        target: target.to_string(),
        details: details.to_string(),
        prev_hash: head.get(1),
        hash: String::new(),
    };
    entry.hash = entry_hash(&entry);
    let tenant = (chain != PLATFORM).then_some(chain);
    sqlx::query("INSERT INTO audit (id, at, actor, tenant_id, action, target, details, chain, seq, prev_hash, hash) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(random_id())
            .bind(entry.at)
            .bind(&entry.actor)
            .bind(tenant)
            .bind(&entry.action)
            .bind(&entry.target)
            .bind(&entry.details)
            .bind(&entry.chain)
            .bind(entry.seq)
            .bind(&entry.prev_hash)
            .bind(&entry.hash)
            .execute(&mut **tx)
            .await?;
    sqlx::query("UPDATE audit_heads SET hash = $1 WHERE chain = $2")
        .bind(&entry.hash)
        .bind(chain)
        .execute(&mut **tx)
        .await?;
    Ok(entry)
}

impl crate::TenantData {
    /// The tenant's audit chain, in order.
    pub async fn audit_chain(&self) -> Result<Vec<AuditEntry>> {
        self.store().audit_chain(self.tenant_id()).await
    }

    /// The tenant's audit entries of one action, in order.
    pub async fn audit_chain_of(&self, action: &str) -> Result<Vec<AuditEntry>> {
        self.store()
            .audit_chain_of(self.tenant_id(), Some(action))
            .await
    }
}

impl Store {
    /// Appends an entry to `chain` (see the module), in one transaction
    /// that first takes the chain's head.
    pub(crate) async fn append_audit(
        &self,
        chain: &str,
        actor: Option<&str>,
        action: &str,
        target: &str,
        details: &str,
    ) -> Result<AuditEntry> {
        let mut tx = self.begin().await?;
        let entry = append_in(&mut tx, chain, actor, action, target, details).await?;
        tx.commit().await?;
        Ok(entry)
    }

    /// One chain's entries, in order.
    pub async fn audit_chain(&self, chain: &str) -> Result<Vec<AuditEntry>> {
        self.audit_chain_of(chain, None).await
    }

    /// One chain's entries of one action (all when `None`), in order.
    pub async fn audit_chain_of(
        &self,
        chain: &str,
        action: Option<&str>,
    ) -> Result<Vec<AuditEntry>> {
        let rows = sqlx::query("SELECT chain, seq, at, actor, action, target, details, prev_hash, hash FROM audit WHERE chain = $1 AND ($2 = '' OR action = $2) ORDER BY seq")
            .bind(chain)
            .bind(action.unwrap_or(""))
            .fetch_all(&self.pool)
            .await?;
        Ok(rows
            .iter()
            .map(|r| AuditEntry {
                chain: r.get(0),
                seq: r.get(1),
                at: r.get(2),
                actor: r.get(3),
                action: r.get(4),
                target: r.get(5),
                details: r.get(6),
                prev_hash: r.get(7),
                hash: r.get(8),
            })
            .collect())
    }

    /// A chain's head: (last place, its hash).
    pub async fn audit_head(&self, chain: &str) -> Result<Option<(i64, String)>> {
        let row = sqlx::query("SELECT seq, hash FROM audit_heads WHERE chain = $1")
            .bind(chain)
            .fetch_optional(&self.pool)
            .await?;
        Ok(row.map(|r| (r.get(0), r.get(1))))
    }

    /// Verifies every chain (or only `only`'s): see the module.
    pub async fn verify_audit(&self, only: Option<&str>) -> Result<Verified> {
        let mut names: Vec<String> = sqlx::query(
            "SELECT chain FROM audit_heads UNION SELECT chain FROM audit WHERE chain IS NOT NULL",
        )
        .fetch_all(&self.pool)
        .await?
        .iter()
        .map(|r| r.get(0))
        .collect();
        names.sort();
        names.dedup();
        if let Some(only) = only {
            names.retain(|c| c == only);
            if names.is_empty() {
                names.push(only.to_string());
            }
        }
        let mut out = Verified::default();
        for chain in names {
            let entries = self.audit_chain(&chain).await?;
            let head = self.audit_head(&chain).await?;
            out.chains.push((chain.clone(), entries.len() as i64));
            out.broken.extend(verify_chain(
                &chain,
                &entries,
                head.as_ref().map(|(s, h)| (*s, h.as_str())),
            ));
        }
        out.unchained = sqlx::query("SELECT COUNT(*) FROM audit WHERE seq IS NULL")
            .fetch_one(&self.pool)
            .await?
            .get(0);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<AuditEntry> {
        let mut prev = String::new();
        (1..=n)
            .map(|seq| {
                let mut e = AuditEntry {
                    chain: "t".into(),
                    seq,
                    at: 1_700_000_000 + seq,
                    actor: Some("u".into()),
                    action: "item-updated".into(),
                    target: format!("item {seq}"),
                    details: String::new(),
                    prev_hash: prev.clone(),
                    hash: String::new(),
                };
                e.hash = entry_hash(&e);
                prev = e.hash.clone();
                e
            })
            .collect()
    }

    #[test]
    fn the_canonical_form_is_documented_json() {
        let e = &chain(1)[0];
        let text = r#"["onus-audit/1","t",1,1700000001,"u","item-updated","item 1","",""]"#;
        assert_eq!(e.hash, hex(&Sha256::digest(text.as_bytes())));
    }

    #[test]
    fn every_kind_of_tampering_is_found_where_it_is() {
        let good = chain(5);
        assert_eq!(verify_chain("t", &good, Some((5, &good[4].hash))), None);
        let mut edited = good.clone();
        edited[2].details = "nothing to see".into();
        assert_eq!(verify_chain("t", &edited, None).unwrap().seq, 3);
        let mut deleted = good.clone();
        deleted.remove(1);
        assert_eq!(verify_chain("t", &deleted, None).unwrap().seq, 2);
        let mut reordered = good.clone();
        reordered.swap(3, 4);
        assert_eq!(verify_chain("t", &reordered, None).unwrap().seq, 4);
        let cut = &good[..3];
        assert_eq!(
            verify_chain("t", cut, Some((5, &good[4].hash)))
                .unwrap()
                .seq,
            4
        );
        let lines: String = good
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect();
        assert!(verify_lines(&lines).unwrap().broken.is_empty());
        assert!(!verify_lines(&lines.replacen("item 2", "item 9", 1))
            .unwrap()
            .broken
            .is_empty());
        assert!(verify_lines("not json\n").is_err());
    }
}
