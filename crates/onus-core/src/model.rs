//! The loaded model: what a `.onus.yaml` file says, with the span of every
//! key and value, in the order it was written. See `docs/format.md`.
//!
//! These types hold what was *written*; [`crate::resolve`] turns them into
//! who *effectively* holds what. A `Model` may still break rules (unknown
//! references, missing holders): [`crate::check`] finds those.

use indexmap::IndexMap;

use crate::source::{FileId, Span, Spanned};
use crate::text::Text;

/// The maps of a model, by id, in written order. Hashed with foldhash
/// (randomly seeded, so a hostile file cannot pick colliding ids): every
/// check and resolution looks ids up in these, many times per cell.
pub type Map<V> = IndexMap<String, V, foldhash::fast::RandomState>;

/// The id an offering cell uses for "every other offering".
pub const DEFAULT_OFFERING: &str = "default";

#[derive(Clone, Debug)]
pub struct Model {
    pub file: FileId,
    pub meta: Meta,
    pub parties: Map<Party>,
    pub upstreams: Map<Upstream>,
    pub offerings: Map<Offering>,
    pub areas: Map<Area>,
    /// `practices:` and `evidence:`.
    pub references: References,
    pub frameworks: Map<Framework>,
    /// One cell per area, keyed by area id.
    pub responsibilities: Map<Cell>,
    /// Ids of entries (of any section) that are declared but could not be
    /// read; already reported, so references to them are not reported again.
    pub broken: Vec<String>,
}

impl Model {
    /// The format's keys: top-level keys of a model file (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] = &[
        "onus",
        "model",
        "parties",
        "upstreams",
        "offerings",
        "areas",
        "practices",
        "evidence",
        "frameworks",
        "responsibilities",
    ];

    /// The one party with the role `customer`, if the model has exactly one.
    pub fn customer_party(&self) -> Option<&str> {
        let mut customers = self
            .parties
            .iter()
            .filter(|(_, p)| p.role == Role::Customer);
        match (customers.next(), customers.next()) {
            (Some((id, _)), None) => Some(id),
            _ => None,
        }
    }

    /// The party that stands for upstream `id`'s customer: its `as`, or the publisher.
    pub fn as_party(&self, upstream: &str) -> &str {
        self.upstreams
            .get(upstream)
            .and_then(|u| u.as_party.as_ref())
            .map_or(&self.meta.publisher.value, |s| &s.value)
    }

    /// Whether `id` names a holder (a party or an upstream).
    pub fn is_holder(&self, id: &str) -> bool {
        self.parties.contains_key(id) || self.upstreams.contains_key(id)
    }

    /// The upstream areas that `area` stands for in upstream `upstream`:
    /// its explicit `upstream:` list, or else the upstream area of the same
    /// id (the caller checks that the upstream has it).
    pub fn stands_for<'a>(
        &'a self,
        area: &'a str,
        upstream: &str,
    ) -> impl Iterator<Item = &'a str> + 'a {
        let (list, same_id) = match self.areas.get(area).and_then(|a| a.upstream.get(upstream)) {
            Some(list) => (list.as_slice(), None),
            None => (&[][..], Some(area)),
        };
        list.iter().map(|s| s.value.as_str()).chain(same_id)
    }
}

#[derive(Clone, Debug)]
pub struct Meta {
    pub id: Spanned<String>,
    pub name: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub publisher: Spanned<String>,
    pub description: Option<String>,
    pub url: Option<String>,
}

impl Meta {
    /// The format's keys: keys of `model:` (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] = &[
        "id",
        "name",
        "title",
        "version",
        "publisher",
        "description",
        "url",
    ];
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Role {
    Provider,
    Customer,
    ThirdParty,
}

impl Role {
    pub const NAMES: &'static [&'static str] = &["provider", "customer", "third-party"];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Provider => "provider",
            Role::Customer => "customer",
            Role::ThirdParty => "third-party",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        match s {
            "provider" => Some(Role::Provider),
            "customer" => Some(Role::Customer),
            "third-party" => Some(Role::ThirdParty),
            _ => None,
        }
    }
}

#[derive(Clone, Debug)]
pub struct Party {
    /// Span of the party's id (its key).
    pub span: Span,
    pub name: Text,
    pub role: Role,
    pub description: Option<String>,
    pub url: Option<String>,
}

impl Party {
    /// The format's keys: keys of a party (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] = &["name", "role", "description", "url"];
}

#[derive(Clone, Debug)]
pub struct Upstream {
    pub span: Span,
    /// Path of the upstream model, relative to this file.
    pub model: Spanned<String>,
    /// Which of our parties is the upstream's customer (default: the publisher).
    pub as_party: Option<Spanned<String>>,
    /// The upstream's FedRAMP package id (`fedramp-package`), e.g. `FR1234567890`.
    pub fedramp_package: Option<String>,
    /// When the upstream was authorized (`authorized`), `YYYY-MM-DD`: what
    /// an SSP's `leveraged-authorizations` entry says.
    pub authorized: Option<Spanned<String>>,
}

impl Upstream {
    /// The format's keys: keys of an upstream (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] = &["model", "as", "fedramp-package", "authorized"];
}

#[derive(Clone, Debug)]
pub struct Offering {
    pub span: Span,
    pub name: String,
    pub description: Option<String>,
    pub url: Option<String>,
    /// Upstream id -> the upstream's offering id this offering consumes.
    pub runs_on: Map<RunsOn>,
}

impl Offering {
    /// The format's keys: keys of an offering (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] = &["name", "description", "url", "runs-on"];
}

#[derive(Clone, Debug)]
pub struct RunsOn {
    /// Span of the upstream id (the key).
    pub span: Span,
    pub offering: Spanned<String>,
}

#[derive(Clone, Debug)]
pub struct Area {
    pub span: Span,
    pub name: Text,
    pub group: Option<Text>,
    pub description: Option<Text>,
    /// Upstream id -> the upstream's areas this area stands for (spanned at the upstream id).
    pub upstream: Map<Spanned<Vec<Spanned<String>>>>,
    pub controls: Vec<Spanned<ControlRef>>,
}

impl Area {
    /// The format's keys: keys of an area (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] =
        &["name", "group", "description", "upstream", "controls"];
}

/// `FRAMEWORK:CONTROL-ID`, e.g. `nist-800-53-rev5:ac-2`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ControlRef {
    pub framework: String,
    pub control: String,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Access {
    #[default]
    Public,
    OnRequest,
    Nda,
}

impl Access {
    pub const NAMES: &'static [&'static str] = &["public", "on-request", "nda"];

    pub fn as_str(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::OnRequest => "on-request",
            Access::Nda => "nda",
        }
    }

    pub fn parse(s: &str) -> Option<Access> {
        match s {
            "public" => Some(Access::Public),
            "on-request" => Some(Access::OnRequest),
            "nda" => Some(Access::Nda),
            _ => None,
        }
    }
}

/// Which section a reference is declared in. Practices and evidence have
/// separate namespaces (a practice `soc2` and evidence `soc2` are two
/// things), so an id means nothing without its kind.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum RefKind {
    /// How a party does its part (`practices:`, named in `how:`).
    Practice,
    /// What proves a party does its part (`evidence:`, named in `evidence:`).
    Evidence,
}

impl RefKind {
    pub const ALL: [RefKind; 2] = [RefKind::Practice, RefKind::Evidence];

    /// The top-level section that declares references of this kind.
    pub fn section(self) -> &'static str {
        match self {
            RefKind::Practice => "practices",
            RefKind::Evidence => "evidence",
        }
    }

    /// One reference of this kind, in prose: "practice", "evidence".
    pub fn noun(self) -> &'static str {
        match self {
            RefKind::Practice => "practice",
            RefKind::Evidence => "evidence",
        }
    }

    /// The values its `kind:` may take.
    pub fn kinds(self) -> &'static [&'static str] {
        match self {
            RefKind::Practice => &["policy", "control", "process", "tool", "document"],
            RefKind::Evidence => &["attestation", "certification", "report", "document"],
        }
    }
}

/// A practice or an evidence: something a holding points to.
#[derive(Clone, Debug, PartialEq)]
pub struct Reference {
    /// Span of its id (the key).
    pub span: Span,
    /// Practice or evidence.
    pub of: RefKind,
    pub name: String,
    /// One of [`RefKind::kinds`].
    pub kind: Option<String>,
    pub url: Option<String>,
    pub access: Access,
    pub description: Option<String>,
}

impl Reference {
    /// The format's keys of a practice or an evidence.
    pub const KEYS: &'static [&'static str] = &["name", "kind", "url", "access", "description"];
}

/// The practices and evidence of a model (or, resolved, of a matrix: by
/// qualified id), each in written order. One lookup, by kind and id.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct References {
    practices: Map<Reference>,
    evidence: Map<Reference>,
}

impl References {
    /// The reference of that kind and id.
    pub fn get(&self, kind: RefKind, id: &str) -> Option<&Reference> {
        self.of(kind).get(id)
    }

    /// Every reference of one kind, by id, in written order.
    pub fn of(&self, kind: RefKind) -> &Map<Reference> {
        match kind {
            RefKind::Practice => &self.practices,
            RefKind::Evidence => &self.evidence,
        }
    }

    pub fn of_mut(&mut self, kind: RefKind) -> &mut Map<Reference> {
        match kind {
            RefKind::Practice => &mut self.practices,
            RefKind::Evidence => &mut self.evidence,
        }
    }

    /// Every reference: the practices, then the evidence, with their ids.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &Reference)> {
        self.practices
            .iter()
            .chain(&self.evidence)
            .map(|(id, r)| (id.as_str(), r))
    }

    pub fn is_empty(&self) -> bool {
        self.practices.is_empty() && self.evidence.is_empty()
    }
}

#[derive(Clone, Debug, PartialEq)]
pub struct Framework {
    pub span: Span,
    pub name: String,
    /// Path of an OSCAL catalog, relative to this file.
    pub catalog: Option<Spanned<String>>,
    pub url: Option<String>,
}

impl Framework {
    /// The format's keys: keys of a framework (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] = &["name", "catalog", "url"];
}

/// Who holds one area: the value under `responsibilities: AREA:`.
#[derive(Clone, Debug)]
pub struct Cell {
    /// Span of the area id (the key).
    pub span: Span,
    pub body: CellBody,
}

#[derive(Clone, Debug)]
pub enum CellBody {
    /// Forms 1, 2, 3 and 5: the same holders in every offering.
    Holders(Holders),
    /// Form 4: per offering, with `default` for the rest.
    PerOffering(Vec<OfferingCell>),
}

impl CellBody {
    /// The holders this cell gives `offering`, and whether they came from `default`.
    pub fn for_offering(&self, offering: &str) -> Option<&Holders> {
        match self {
            CellBody::Holders(h) => Some(h),
            CellBody::PerOffering(cells) => cells
                .iter()
                .find(|c| c.offering.value == offering)
                .or_else(|| cells.iter().find(|c| c.offering.value == DEFAULT_OFFERING))
                .map(|c| &c.holders),
        }
    }

    /// Every holder list written in the cell.
    pub fn all_holders(&self) -> impl Iterator<Item = &Holders> {
        let (one, per_offering) = match self {
            CellBody::Holders(h) => (Some(h), &[][..]),
            CellBody::PerOffering(cells) => (None, cells.as_slice()),
        };
        one.into_iter()
            .chain(per_offering.iter().map(|c| &c.holders))
    }
}

#[derive(Clone, Debug)]
pub struct OfferingCell {
    /// An offering id or `default`.
    pub offering: Spanned<String>,
    pub holders: Holders,
}

/// The holders of one cell (for one offering), in written order.
#[derive(Clone, Debug)]
pub struct Holders {
    /// Span of the whole value.
    pub span: Span,
    pub list: Vec<Holder>,
}

#[derive(Clone, Debug)]
pub struct Holder {
    /// A party id or an upstream id.
    pub id: Spanned<String>,
    pub holding: Option<Holding>,
}

/// What one holder does in one area.
#[derive(Clone, Debug, Default)]
/// Its strings are the document's own ([`Text`]): resolution shares them
/// into the matrix rather than copying them.
pub struct Holding {
    pub scope: Option<Spanned<Text>>,
    pub duties: Vec<Duty>,
    /// Practice ids.
    pub how: Vec<Spanned<Text>>,
    /// Evidence ids.
    pub evidence: Vec<Spanned<Text>>,
    pub note: Option<Text>,
    /// Upstream ids whose customer duties, carried to this holder (the
    /// upstream's `as` party) in an area that stands for the upstream's
    /// without inheriting it, these `duties` say in this model's words:
    /// the upstream's wording is not added.
    pub rewords: Vec<Spanned<String>>,
}

impl Holding {
    /// The format's keys: keys of a holding (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] =
        &["scope", "duties", "how", "evidence", "note", "rewords"];

    /// A holding that says who does what: it has a scope or duties.
    pub fn is_split(&self) -> bool {
        self.scope.is_some() || !self.duties.is_empty()
    }

    /// The ids of one kind it names: `how:` (practices) or `evidence:`.
    pub fn refs(&self, kind: RefKind) -> &[Spanned<Text>] {
        match kind {
            RefKind::Practice => &self.how,
            RefKind::Evidence => &self.evidence,
        }
    }
}

/// One duty of a holding: a sentence people read, written as text or as
/// `{ id: ..., text: ... }`.
#[derive(Clone, Debug, PartialEq)]
pub struct Duty {
    pub text: Spanned<Text>,
    /// Its `id:`, if written: what the duty is known by while its text
    /// changes (see [`crate::identity`]).
    pub id: Option<Spanned<Text>>,
}

impl Duty {
    /// The format's keys: keys of a duty written as a map (`schema.json` says the same).
    pub const KEYS: &'static [&'static str] = &["id", "text"];
}

/// Whether `id` is lowercase kebab case: `[a-z0-9][a-z0-9-]*`.
pub fn is_valid_id(id: &str) -> bool {
    let mut bytes = id.bytes();
    matches!(bytes.next(), Some(b'a'..=b'z' | b'0'..=b'9'))
        && bytes.all(|b| matches!(b, b'a'..=b'z' | b'0'..=b'9' | b'-'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_lowercase_kebab_case() {
        for ok in ["a", "codat", "o11-cloud", "9", "a--b", "x-"] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", "-a", "A", "a_b", "a b", "é", "a/b"] {
            assert!(!is_valid_id(bad), "{bad}");
        }
    }
}
