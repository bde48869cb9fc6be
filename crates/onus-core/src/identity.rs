//! Stable identities of duties: what stays the same when a model is
//! edited around a duty, so that whatever points at it (an OSCAL `provided`
//! uuid, a tenant's checklist item with its status and evidence) keeps
//! pointing at the same thing.
//!
//! A duty is known within its holder by its text with case and spacing
//! normalised (and, for a text that comes twice, which time): inserting,
//! reordering or rewording *other* duties leaves it as it is. A checklist
//! item adds where the duty is held: offering, area, party and scope
//! ([`item_id`]). Rewording a duty changes its identity; `onus diff`
//! pairs the two (`reword`), and whoever keeps records follows that pair.

use sha2::{Digest, Sha256};

use crate::resolve::ResolvedHolder;

/// Each duty's identity within its holder, in order: its normalised text
/// (see [`normalise`]), with ` #N` for the Nth time the same text comes.
/// A holder that lists no duty has one, empty, identity (it holds the area).
pub fn duty_keys<S: AsRef<str>>(duties: &[S]) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    duties
        .iter()
        .map(|duty| {
            let text = normalise(duty.as_ref());
            let n = seen.entry(text.clone()).or_default();
            *n += 1;
            if *n == 1 {
                text
            } else {
                format!("{text} #{n}")
            }
        })
        .collect()
}

/// A text with its letters lower-cased and its white space collapsed to
/// single spaces: the same duty however it is wrapped or capitalised.
pub fn normalise(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// A holder's duties with their identities: (identity, text). A holder
/// that lists none gives one row, `("", "")`: holding the area is itself
/// the duty.
pub fn holder_duties(holder: &ResolvedHolder) -> Vec<(String, &str)> {
    if holder.duties.is_empty() {
        return vec![(String::new(), "")];
    }
    duty_keys(&holder.duties)
        .into_iter()
        .zip(holder.duties.iter().map(|d| d.as_str()))
        .collect()
}

/// The stable id of one duty where it is held: 32 hex digits of the
/// SHA-256 of offering, area, party, scope and the duty's identity
/// (each length-prefixed, so no two tuples share an id).
pub fn item_id(offering: &str, area: &str, party: &str, scope: Option<&str>, duty: &str) -> String {
    let mut h = Sha256::new();
    for part in [offering, area, party, scope.unwrap_or(""), duty] {
        h.update((part.len() as u64).to_le_bytes());
        h.update(part.as_bytes());
    }
    h.update([u8::from(scope.is_some())]);
    let digest = h.finalize();
    digest[..16].iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_duty_keeps_its_identity_when_others_move() {
        let before = duty_keys(&["Patch  the OS", "Rotate keys", "Patch the OS"]);
        assert_eq!(before, ["patch the os", "rotate keys", "patch the os #2"]);
        let after = duty_keys(&["Back up", "rotate KEYS", "Patch the OS"]);
        assert_eq!(after[1], before[1]);
        assert_eq!(after[2], before[0]);
    }

    #[test]
    fn item_ids_differ_by_every_part_and_are_stable() {
        let id = item_id("api", "identity", "customer", Some("tenant"), "rotate keys");
        assert_eq!(id.len(), 32);
        assert_eq!(
            id,
            item_id("api", "identity", "customer", Some("tenant"), "rotate keys")
        );
        for other in [
            item_id("web", "identity", "customer", Some("tenant"), "rotate keys"),
            item_id("api", "network", "customer", Some("tenant"), "rotate keys"),
            item_id("api", "identity", "provider", Some("tenant"), "rotate keys"),
            item_id("api", "identity", "customer", None, "rotate keys"),
            item_id("api", "identity", "customer", Some(""), "rotate keys"),
            item_id("api", "identity", "customer", Some("tenant"), "patch"),
            item_id("api", "identitycustomer", "", Some("tenant"), "rotate keys"),
        ] {
            assert_ne!(id, other);
        }
    }
}
