//! The registry of the kinds of change: each kind's stable name, the
//! classes it can take, and its documentation. The "Kinds" section of
//! `docs/diff.md` is generated from this table ([`reference`]), and a test
//! keeps the two equal. A kind's class is decided by [`super::classify`];
//! [`Kind::classes`] is what a finding of that kind may be given (checked
//! whenever a change is made, in debug builds).

use super::Class;

/// Documentation of one kind.
#[derive(Debug, Clone, Copy)]
pub struct KindDoc {
    /// What changed, in one sentence.
    pub summary: &'static str,
    /// How its class is decided, when it can take more than one.
    pub rule: Option<&'static str>,
    /// What the change's `party`, `reference`, `field`, `before` and `after` hold.
    pub values: &'static str,
}

macro_rules! kinds {
    ($( $variant:ident = $name:literal, [$($class:ident),+], {
        summary: $summary:literal, $(rule: $rule:literal,)? values: $values:literal $(,)?
    } )*) => {
        /// What a [`Change`](super::Change) is about. The names ([`Kind::as_str`]) are stable.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Kind { $( $variant, )* }

        impl Kind {
            /// Every kind, in documentation order.
            pub const ALL: &'static [Kind] = &[ $( Kind::$variant, )* ];

            /// The stable kebab-case name, as in the JSON output.
            pub fn as_str(self) -> &'static str {
                match self { $( Kind::$variant => $name, )* }
            }

            /// The classes a change of this kind can have, least severe first.
            pub fn classes(self) -> &'static [Class] {
                match self { $( Kind::$variant => &[ $( Class::$class, )+ ], )* }
            }

            pub fn doc(self) -> KindDoc {
                match self { $( Kind::$variant => KindDoc {
                    summary: $summary,
                    rule: None $( .or(Some($rule)) )?,
                    values: $values,
                }, )* }
            }

            pub fn from_name(name: &str) -> Option<Kind> {
                Kind::ALL.iter().copied().find(|k| k.as_str() == name)
            }
        }
    };
}

kinds! {
    ModelChanged = "model-changed", [Cosmetic, Notable], {
        summary: "A field of the model itself.",
        rule: "`url`, `publisher`: notable; `name`, `title`, `version`, `description`: cosmetic",
        values: "`field`: `name`, `title`, `version`, `description`, `url` or `publisher`; `before`, `after`: its values",
    }
    PartyRenamed = "party-renamed", [Cosmetic], {
        summary: "A party's display name.",
        values: "`party`; `field`: `name`; `before`, `after`: the names",
    }
    PartyRoleChanged = "party-role-changed", [Notable], {
        summary: "A party's role.",
        values: "`party`; `field`: `role`; `before`, `after`: the roles",
    }
    OfferingAdded = "offering-added", [Notable], {
        summary: "A new offering (one change: it has no customers yet).",
        values: "`after`: its name",
    }
    OfferingRemoved = "offering-removed", [Breaking], {
        summary: "An offering removed: its customers lose it.",
        values: "`before`: its name",
    }
    OfferingChanged = "offering-changed", [Cosmetic], {
        summary: "An offering's name or description.",
        values: "`field`: `name` or `description`; `before`, `after`: its values",
    }
    OfferingsReordered = "offerings-reordered", [Cosmetic], {
        summary: "The offerings are listed in another order.",
        values: "`before`, `after`: the ids of the offerings both versions have, in each order",
    }
    UpstreamChanged = "upstream-changed", [Notable], {
        summary: "What an offering runs on (its effects show up, classified, where they land).",
        values: "`reference`: the upstream id; `before`, `after`: the upstream's offering ids",
    }
    AreaAdded = "area-added", [Notable, Breaking], {
        summary: "A new area, in one offering; each duty of its holders follows as a `duty-added`.",
        rule: "**breaking** if the customer holds part of it in that offering, else notable",
        values: "`after`: its holders' party ids",
    }
    AreaRemoved = "area-removed", [Breaking], {
        summary: "An area removed, in one offering: nobody declares it any more.",
        values: "`before`: its holders' party ids",
    }
    AreaChanged = "area-changed", [Cosmetic, Notable], {
        summary: "An area's name, group, description or controls, model-wide.",
        rule: "`controls`: notable (customer responsibility matrices change); `name`, `group`, `description`: cosmetic",
        values: "`field`: `name`, `group`, `description` or `controls`; `before`, `after`: its values (controls as `framework:control`)",
    }
    AreasReordered = "areas-reordered", [Cosmetic], {
        summary: "The areas are listed in another order.",
        values: "`before`, `after`: the ids of the areas both versions have, in each order",
    }
    HolderAdded = "holder-added", [Notable, Breaking], {
        summary: "A party now holds (part of) an area; each of its duties follows as a `duty-added`.",
        rule: "**breaking** if the new holder is the customer, else notable (the provider or a third party takes more on)",
        values: "`party`; `after`: its scope",
    }
    HolderRemoved = "holder-removed", [Notable, Breaking], {
        summary: "A party no longer holds an area.",
        rule: "**breaking** if a party other than the customer leaves and the customer is left holding the area alone (the area moved to the customer), else notable",
        values: "`party`",
    }
    ResponsibilityMoved = "responsibility-moved", [Notable, Breaking], {
        summary: "Some parties stopped holding an area and others started: one change.",
        rule: "the worst of the `holder-added` and `holder-removed` it stands for: moving to the customer is breaking, moving away from it or between providers notable",
        values: "`before`, `after`: the party ids that stopped and started",
    }
    ScopeChanged = "scope-changed", [Cosmetic, Notable, Breaking], {
        summary: "A holder's scope.",
        rule: "cosmetic if trivial; for the customer, **breaking** when its scope is removed (it now holds the whole area) or changed, notable when a scope appears (it holds less); notable for other parties",
        values: "`party`; `before`, `after`: the scopes",
    }
    DutyAdded = "duty-added", [Notable, Breaking], {
        summary: "A new duty.",
        rule: "**breaking** for the customer, else notable",
        values: "`party`; `after`: the duty; `reference`: its id, if it has one",
    }
    DutyRemoved = "duty-removed", [Notable], {
        summary: "A duty removed: the customer has less to do, or a provider commits to less.",
        values: "`party`; `before`: the duty; `reference`: its id, if it has one",
    }
    DutyReworded = "duty-reworded", [Cosmetic, Notable, Breaking], {
        summary: "A duty reworded: the same `id:` with another text, or, without ids, paired with its old wording as described above.",
        rule: "cosmetic if trivial; else **breaking** for the customer (onus cannot tell a wider duty from a clearer one, so the customer must re-read it), notable for other parties",
        values: "`party`; `before`, `after`: the wordings; `reference`: its id, if it has one",
    }
    DutyIdChanged = "duty-id-changed", [Notable], {
        summary: "A duty keeps its text but its `id:` was given, changed or removed: what it is known by (its OSCAL uuids, a tenant's checklist items) starts afresh.",
        values: "`party`; `field`: `id`; `before`, `after`: the ids (absent where it has none)",
    }
    DutiesReordered = "duties-reordered", [Cosmetic], {
        summary: "A holder's duties are listed in another order.",
        values: "`party`",
    }
    PracticeAdded = "practice-added", [Notable], {
        summary: "A practice now listed in a holding (`how`).",
        values: "`party`; `reference`: the practice id",
    }
    PracticeRemoved = "practice-removed", [Notable], {
        summary: "A practice no longer listed in a holding.",
        values: "`party`; `reference`: the practice id",
    }
    EvidenceAdded = "evidence-added", [Notable], {
        summary: "Evidence now listed in a holding.",
        values: "`party`; `reference`: the evidence id",
    }
    EvidenceRemoved = "evidence-removed", [Notable, Breaking], {
        summary: "Evidence no longer listed in a holding.",
        rule: "**breaking** (evidence withdrawn) when it backed a party other than the customer, else notable",
        values: "`party`; `reference`: the evidence id",
    }
    PracticeChanged = "practice-changed", [Cosmetic, Notable], {
        summary: "A practice's name, kind, url, access or description.",
        rule: "`access`, `url`: notable; `name`, `kind`, `description`: cosmetic",
        values: "`reference`: the practice id; `field`; `before`, `after`: its values (access as `public`, `on-request`, `nda`)",
    }
    EvidenceChanged = "evidence-changed", [Cosmetic, Notable, Breaking], {
        summary: "Evidence's name, kind, url, access or description.",
        rule: "`access`: **breaking** when the evidence becomes harder to get (public to on-request or NDA, on-request to NDA), else notable; `url`: notable; `name`, `kind`, `description`: cosmetic",
        values: "`reference`: the evidence id; `field`; `before`, `after`: its values (access as `public`, `on-request`, `nda`)",
    }
    NoteChanged = "note-changed", [Cosmetic], {
        summary: "A holder's note.",
        values: "`party`; `before`, `after`: the notes",
    }
}

/// The first line of the generated section of `docs/diff.md`.
pub const REFERENCE_START: &str = "<!-- kinds: generated from crates/onus-core/src/diff/kind.rs; \
`UPDATE_DOCS=1 cargo test -p onus-core --lib diff::kind` rewrites it -->";
/// The last line of the generated section of `docs/diff.md`.
pub const REFERENCE_END: &str = "<!-- end of kinds -->";

/// The kinds as Markdown: the section of `docs/diff.md` between
/// [`REFERENCE_START`] and [`REFERENCE_END`], those lines included.
pub fn reference() -> String {
    let mut out = format!(
        "{REFERENCE_START}\n\n| kind | what changed | class | values |\n| --- | --- | --- | --- |\n"
    );
    for kind in Kind::ALL {
        let doc = kind.doc();
        let class = doc.rule.map_or_else(
            || {
                let names: Vec<String> = kind
                    .classes()
                    .iter()
                    .map(|c| match c {
                        Class::Breaking => format!("**{}**", c.as_str()),
                        _ => c.as_str().to_string(),
                    })
                    .collect();
                names.join(" or ")
            },
            str::to_string,
        );
        out.push_str(&format!(
            "| `{}` | {} | {class} | {} |\n",
            kind.as_str(),
            doc.summary,
            doc.values
        ));
    }
    out.push('\n');
    out.push_str(REFERENCE_END);
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn kind_names_are_unique_kebab_case() {
        let names: HashSet<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), Kind::ALL.len());
        assert!(names.iter().all(|n| crate::model::is_valid_id(n)));
        assert!(Kind::ALL
            .iter()
            .all(|k| Kind::from_name(k.as_str()) == Some(*k)));
    }

    #[test]
    fn a_kind_with_several_classes_says_how_one_is_chosen() {
        for kind in Kind::ALL {
            let classes = kind.classes();
            assert!(classes.windows(2).all(|w| w[0] < w[1]), "{kind:?}");
            assert_eq!(classes.len() > 1, kind.doc().rule.is_some(), "{kind:?}");
        }
    }

    /// `docs/diff.md` holds [`reference`] as it is generated now.
    /// `UPDATE_DOCS=1` rewrites that section.
    #[test]
    fn docs_diff_md_lists_the_kinds_of_this_table() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/diff.md");
        let doc = std::fs::read_to_string(&path).unwrap();
        let (start, end) = match (doc.find(REFERENCE_START), doc.find(REFERENCE_END)) {
            (Some(s), Some(e)) if s < e => (s, e + REFERENCE_END.len() + 1),
            _ => panic!("docs/diff.md lacks the generated section ({REFERENCE_START})"),
        };
        let generated = reference();
        if doc[start..end] != generated && std::env::var_os("UPDATE_DOCS").is_some() {
            let updated = format!("{}{generated}{}", &doc[..start], &doc[end..]);
            std::fs::write(&path, updated).unwrap();
            return;
        }
        assert_eq!(
            doc[start..end],
            generated,
            "docs/diff.md is stale: run `UPDATE_DOCS=1 cargo test -p onus-core --lib diff::kind`"
        );
    }
}
