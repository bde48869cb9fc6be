//! Stable identities of duties: what stays the same when a model is
//! edited around a duty, so that whatever points at it (an OSCAL `provided`
//! uuid, a tenant's checklist item with its status and evidence) keeps
//! pointing at the same thing.
//!
//! A duty is known within its holder by its `id:` when it is written with
//! one ([`id_key`]: the duty keeps it while its text is reworded), else by
//! its text with case and spacing normalised (and, for a key that comes
//! twice, which time): inserting, reordering or rewording *other* duties
//! leaves it as it is. A checklist item adds where the duty is held:
//! offering, area, party and scope ([`item_id`]). Rewording a duty without
//! an id changes its identity; `onus diff` pairs the two (`reword`), and
//! whoever keeps records follows that pair.

use sha2::{Digest, Sha256};

use crate::resolve::ResolvedHolder;

/// Each duty's identity within its holder, in order, from its text and
/// its explicit id: [`duty_key`], with ` #N` for the Nth time the same
/// key comes. A holder that lists no duty has one, empty, identity (it
/// holds the area).
pub fn duty_keys<'a>(duties: impl IntoIterator<Item = (&'a str, Option<&'a str>)>) -> Vec<String> {
    let mut seen: std::collections::HashMap<String, usize> = std::collections::HashMap::new();
    duties
        .into_iter()
        .map(|(text, id)| {
            let key = duty_key(text, id);
            let n = seen.entry(key.clone()).or_default();
            *n += 1;
            if *n == 1 {
                key
            } else {
                format!("{key} #{n}")
            }
        })
        .collect()
}

/// The identity of one duty: [`id_key`] of its id if it has one, else
/// its [`normalise`]d text.
pub fn duty_key(text: &str, id: Option<&str>) -> String {
    match id {
        Some(id) => id_key(id),
        None => normalise(text),
    }
}

/// The identity of a duty written with `id: ID`: `id`, a tab, the id
/// (qualified, `azure/patch-os`, when inherited). A normalised text never
/// holds a tab (its white space is single spaces), so a duty known by its
/// id never takes the identity of one known by its text.
pub fn id_key(id: &str) -> String {
    format!("id\t{id}")
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
    let duties = || {
        holder
            .duties
            .with_ids()
            .map(|(text, id)| (text.as_str(), id.map(|id| id.as_str())))
    };
    duty_keys(duties())
        .into_iter()
        .zip(duties().map(|(text, _)| text))
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

    fn plain<'a>(texts: &'a [&'a str]) -> impl Iterator<Item = (&'a str, Option<&'a str>)> {
        texts.iter().map(|t| (*t, None))
    }

    #[test]
    fn a_duty_keeps_its_identity_when_others_move() {
        let before = duty_keys(plain(&["Patch  the OS", "Rotate keys", "Patch the OS"]));
        assert_eq!(before, ["patch the os", "rotate keys", "patch the os #2"]);
        let after = duty_keys(plain(&["Back up", "rotate KEYS", "Patch the OS"]));
        assert_eq!(after[1], before[1]);
        assert_eq!(after[2], before[0]);
    }

    #[test]
    fn a_duty_with_an_id_is_known_by_it_whatever_its_text() {
        let before = duty_keys([("Patch the OS", Some("patch")), ("Rotate keys", None)]);
        let after = duty_keys([
            ("Rotate keys", None),
            ("Patches every host weekly", Some("patch")),
        ]);
        assert_eq!(before[0], after[1]);
        assert_eq!(before[1], after[0]);
        // An id never takes a text's identity, whatever the text says.
        for text in ["id\tpatch", "id patch", "ID\tpatch", " id\tpatch"] {
            assert_ne!(duty_key(text, None), id_key("patch"), "{text:?}");
        }
        // Two duties of one id (an error the checker reports) still differ.
        let twice = duty_keys([("a", Some("x")), ("b", Some("x"))]);
        assert_ne!(twice[0], twice[1]);
    }

    #[test]
    fn a_holders_duties_are_known_by_their_ids() {
        use crate::model::{RefKind, Role};
        use crate::resolve::{Duties, RefIds, Text, Texts};
        let holder = |duties: Duties| ResolvedHolder {
            party: Text::from("acme"),
            name: Text::from("Acme"),
            role: Role::Provider,
            scopes: Texts::default(),
            duties,
            how: RefIds::none(RefKind::Practice),
            evidence: RefIds::none(RefKind::Evidence),
            note: None,
            via: Texts::default(),
        };
        let sso = Text::from("sso");
        let before = holder(Duties::from_pairs([
            (Text::from("Runs single sign-on"), Some(&sso)),
            (Text::from("Rotates keys"), None),
        ]));
        let after = holder(Duties::from_pairs([
            (Text::from("Rotates keys"), None),
            (Text::from("Operates the identity provider"), Some(&sso)),
        ]));
        let (before, after) = (holder_duties(&before), holder_duties(&after));
        assert_eq!(before[0], (id_key("sso"), "Runs single sign-on"));
        assert_eq!(after[1], (id_key("sso"), "Operates the identity provider"));
        assert_eq!(before[1], after[0]);
        // So a checklist item keeps its id while the duty is reworded.
        let item = |key: &str| item_id("saas", "access", "acme", None, key);
        assert_eq!(item(&before[0].0), item(&after[1].0));
        // A holder without duties holds the area: one empty identity.
        assert_eq!(
            holder_duties(&holder(Duties::default())),
            [(String::new(), "")]
        );
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
