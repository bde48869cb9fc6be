//! What changed between two versions of a model, compared on their
//! resolved form ([`Matrix`]), so that a change deep in an upstream shows
//! up in the offering and area where it lands, and classified for the
//! customer ([`Class`]).
//!
//! Three parts, each in its file: `find.rs` walks the two matrices (the one
//! place that reads them) into [`Change`]s, `classify.rs` holds the rules
//! that give each its class, and `kind.rs` is the table of the kinds of
//! change (`docs/diff.md` is generated from it). `reword.rs` pairs a removed
//! duty with its rewording. A change is data (where, who, which values);
//! the sentences people read are written by `onus-export`.

mod find;

pub mod classify;
pub mod kind;
pub mod reword;

pub use find::diff;
pub use kind::Kind;

/// What a change means for the customer of the model. Ordered: the worst
/// class of a list is its maximum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Class {
    /// Names, descriptions, order: nothing changes in who does what.
    Cosmetic,
    /// Worth reading, nothing for the customer to do (the provider takes
    /// more on, a new practice).
    Notable,
    /// The customer must act or loses something it relied on.
    Breaking,
}

impl Class {
    /// From least to most severe.
    pub const ALL: [Class; 3] = [Class::Cosmetic, Class::Notable, Class::Breaking];

    pub fn as_str(self) -> &'static str {
        match self {
            Class::Cosmetic => "cosmetic",
            Class::Notable => "notable",
            Class::Breaking => "breaking",
        }
    }
}

/// A value before or after a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Value {
    /// A text or an id: a name, a scope, a duty, a role, an access level.
    Text(String),
    /// Ids in order: parties, offerings, areas, controls (`framework:control`).
    List(Vec<String>),
}

impl Value {
    /// The text, or the ids joined with `, ` (as in the JSON output).
    pub fn joined(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::List(ids) => ids.join(", "),
        }
    }

    /// The text, or `""` for a list.
    pub fn text(&self) -> &str {
        match self {
            Value::Text(t) => t,
            Value::List(_) => "",
        }
    }

    /// The ids, or the text as the only one.
    pub fn ids(&self) -> &[String] {
        match self {
            Value::Text(t) => std::slice::from_ref(t),
            Value::List(ids) => ids,
        }
    }
}

/// One finding of [`diff`]: what changed, where, and what it means for the
/// customer. `docs/diff.md` says what each [`Kind`] sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Change {
    pub kind: Kind,
    pub class: Class,
    /// The offering it happens in; `None` for model-wide changes.
    pub offering: Option<String>,
    /// The area it happens in (or that changed model-wide).
    pub area: Option<String>,
    /// The qualified id of the party concerned (`codat`, `azure/microsoft`).
    pub party: Option<String>,
    /// The id of the upstream, practice or evidence concerned (qualified).
    pub reference: Option<String>,
    /// Which attribute changed, for the `*-changed` kinds: `name`, `title`,
    /// `version`, `description`, `url`, `publisher`, `group`, `controls`,
    /// `kind`, `access`, `role`; `id` for `duty-id-changed`.
    pub field: Option<&'static str>,
    /// The value before.
    pub before: Option<Value>,
    /// The value after.
    pub after: Option<Value>,
}

impl Change {
    pub(crate) fn new(kind: Kind, class: Class) -> Change {
        debug_assert!(
            kind.classes().contains(&class),
            "{} is never {} (kind.rs)",
            kind.as_str(),
            class.as_str()
        );
        Change {
            kind,
            class,
            offering: None,
            area: None,
            party: None,
            reference: None,
            field: None,
            before: None,
            after: None,
        }
    }

    pub(crate) fn at(mut self, offering: Option<&str>, area: Option<&str>) -> Change {
        self.offering = offering.map(str::to_string);
        self.area = area.map(str::to_string);
        self
    }

    pub(crate) fn party(mut self, party: &str) -> Change {
        self.party = Some(party.to_string());
        self
    }

    pub(crate) fn reference(mut self, id: &str) -> Change {
        self.reference = Some(id.to_string());
        self
    }

    pub(crate) fn field(mut self, field: &'static str) -> Change {
        self.field = Some(field);
        self
    }

    /// Texts before and after.
    pub(crate) fn values(mut self, before: Option<&str>, after: Option<&str>) -> Change {
        self.before = before.map(|t| Value::Text(t.to_string()));
        self.after = after.map(|t| Value::Text(t.to_string()));
        self
    }

    /// Lists of ids before and after.
    pub(crate) fn lists(
        mut self,
        before: Option<Vec<String>>,
        after: Option<Vec<String>>,
    ) -> Change {
        self.before = before.map(Value::List);
        self.after = after.map(Value::List);
        self
    }
}

/// How many changes of each class: `[cosmetic, notable, breaking]`.
pub fn counts(changes: &[Change]) -> [usize; 3] {
    let mut out = [0; 3];
    for c in changes {
        out[c.class as usize] += 1;
    }
    out
}

/// The most severe class among `changes`, if any.
pub fn worst(changes: &[Change]) -> Option<Class> {
    changes.iter().map(|c| c.class).max()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_order_by_severity() {
        assert!(Class::Breaking > Class::Notable && Class::Notable > Class::Cosmetic);
        let mut sorted = Class::ALL;
        sorted.sort();
        assert_eq!(sorted, Class::ALL);
    }

    #[test]
    fn lists_join_as_in_the_json_output() {
        let list = Value::List(vec!["a".into(), "b".into()]);
        assert_eq!(list.joined(), "a, b");
        assert_eq!(Value::Text("a, b".into()).ids(), ["a, b"]);
    }
}
