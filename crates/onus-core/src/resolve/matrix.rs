//! The resolved matrix: what [`super::Resolver`] gives, and everything an
//! exporter reads (no exporter goes back to the model).

use std::sync::Arc;

use crate::model::{ControlRef, Framework, Map, Model, RefKind, Reference, References, Role};
use crate::text::{Text, Texts};

/// The resolved model: who holds what, per offering, across the chain.
#[derive(Clone, Debug, PartialEq)]
pub struct Matrix {
    pub model: String,
    pub name: String,
    pub title: Option<String>,
    pub version: Option<String>,
    pub description: Option<String>,
    pub url: Option<String>,
    /// Qualified id of the publisher (always a party of the model itself).
    pub publisher: String,
    /// Every party that holds something, and the model's own parties, by qualified id.
    pub parties: Map<PartyInfo>,
    /// Practices and evidence, by qualified id: the model's own, and the
    /// upstreams' that a holder here names.
    pub references: References,
    /// The model's own frameworks (`frameworks:`), by id, in written
    /// order: what `controls:` map to, and the catalog each names.
    pub frameworks: Map<Framework>,
    pub offerings: Vec<ResolvedOffering>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct PartyInfo {
    pub name: Text,
    pub role: Role,
    /// Upstream ids followed to reach the party, nearest first.
    pub via: Texts,
}

#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedOffering {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    /// Upstream id -> upstream offering id.
    pub runs_on: Vec<(String, String)>,
    /// The model's areas, in its order.
    pub areas: Vec<ResolvedArea>,
}

/// An area in one offering: what the area is (shared by every offering,
/// and read through this: `area.id`, `area.name`) and who holds it there.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedArea {
    pub info: Arc<AreaInfo>,
    pub holders: Vec<ResolvedHolder>,
}

/// What an area is, the same in every offering.
#[derive(Clone, Debug, PartialEq)]
pub struct AreaInfo {
    pub id: Text,
    pub name: Text,
    pub group: Option<Text>,
    pub description: Option<Text>,
    pub controls: Vec<ControlRef>,
}

impl std::ops::Deref for ResolvedArea {
    type Target = AreaInfo;
    fn deref(&self) -> &AreaInfo {
        &self.info
    }
}

/// One effective holder of an area in an offering.
#[derive(Clone, Debug, PartialEq)]
pub struct ResolvedHolder {
    /// Qualified party id: `codat`, `azure/microsoft`, `spark/aws/amazon`.
    pub party: Text,
    pub name: Text,
    pub role: Role,
    /// What the holding covers: one scope, or several when the area
    /// inherits several upstream areas with different scopes; see
    /// [`ResolvedHolder::scope`].
    pub scopes: Texts,
    /// What it does, in order, with the `id:` of each duty written with one.
    pub duties: Duties,
    /// Qualified practice ids.
    pub how: RefIds,
    /// Qualified evidence ids.
    pub evidence: RefIds,
    pub note: Option<Text>,
    /// Upstream ids followed to reach the party, nearest first.
    pub via: Texts,
}

/// A holder's duties: their texts, in order (it reads as a slice of
/// them), and the explicit `id:` of those written with one, qualified
/// like a party when inherited (`azure/patch-os`). Cheap to clone, and a
/// list without ids costs nothing more than its texts.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Duties {
    texts: Texts,
    /// One per text (`""` for a duty without an id), or `None` when no
    /// duty has an id (nothing to make, clone or drop then).
    ids: Option<Texts>,
}

impl Duties {
    /// Duties from (text, id) pairs.
    pub fn from_pairs<'a>(pairs: impl IntoIterator<Item = (Text, Option<&'a Text>)>) -> Duties {
        let mut texts = Vec::new();
        let mut ids = Vec::new();
        for (text, id) in pairs {
            texts.push(text);
            ids.push(id.cloned().unwrap_or_default());
        }
        Duties::from_parts(texts.into(), Some(ids.into()))
    }

    /// Texts and their ids (`""` for none), of the same length; `None`
    /// when no duty has an id.
    pub(crate) fn from_parts(texts: Texts, ids: Option<Texts>) -> Duties {
        debug_assert!(ids.as_ref().is_none_or(|ids| ids.len() == texts.len()));
        let ids = ids.filter(|ids| ids.iter().any(|id| !id.is_empty()));
        Duties { texts, ids }
    }

    /// The texts, in order.
    pub fn texts(&self) -> &Texts {
        &self.texts
    }

    /// The texts, to change in place: only for a list without ids.
    pub(crate) fn texts_mut(&mut self) -> Option<&mut Texts> {
        match self.ids {
            None => Some(&mut self.texts),
            Some(_) => None,
        }
    }

    /// The explicit id of the `i`th duty, if it has one.
    pub fn id(&self, i: usize) -> Option<&Text> {
        self.ids.as_ref()?.get(i).filter(|id| !id.is_empty())
    }

    /// Each duty as (text, id).
    pub fn with_ids(&self) -> impl Iterator<Item = (&Text, Option<&Text>)> {
        self.texts
            .iter()
            .enumerate()
            .map(|(i, text)| (text, self.id(i)))
    }

    /// Whether some duty has an explicit id.
    pub fn has_ids(&self) -> bool {
        self.ids.is_some()
    }

    /// The ids, one per duty (`""` for none), or `None` when no duty has one.
    pub(crate) fn ids(&self) -> Option<&Texts> {
        self.ids.as_ref()
    }
}

impl From<Texts> for Duties {
    fn from(texts: Texts) -> Duties {
        Duties { texts, ids: None }
    }
}

impl FromIterator<Text> for Duties {
    fn from_iter<I: IntoIterator<Item = Text>>(iter: I) -> Duties {
        Duties::from(iter.into_iter().collect::<Texts>())
    }
}

impl std::ops::Deref for Duties {
    type Target = [Text];
    fn deref(&self) -> &[Text] {
        &self.texts
    }
}

impl<'a> IntoIterator for &'a Duties {
    type Item = &'a Text;
    type IntoIter = std::slice::Iter<'a, Text>;
    fn into_iter(self) -> Self::IntoIter {
        self.texts.iter()
    }
}

impl std::fmt::Debug for Duties {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if self.ids.is_none() {
            return self.texts.fmt(f);
        }
        f.debug_list()
            .entries(self.with_ids().map(|(t, id)| match id {
                Some(id) => format!("{id}: {t}"),
                None => t.to_string(),
            }))
            .finish()
    }
}

/// Serialized as the list of texts (what every output has shown so far).
impl serde::Serialize for Duties {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.texts.serialize(s)
    }
}

/// The qualified ids of one kind of reference that a holder names (its
/// `how`, or its `evidence`): they are looked up with their kind, in
/// [`Matrix::references`]. Reads as a slice of ids.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RefIds {
    kind: RefKind,
    ids: Texts,
}

impl RefIds {
    pub fn new(kind: RefKind, ids: Texts) -> RefIds {
        RefIds { kind, ids }
    }

    /// No id of that kind.
    pub fn none(kind: RefKind) -> RefIds {
        RefIds::new(kind, Texts::default())
    }

    pub fn kind(&self) -> RefKind {
        self.kind
    }

    pub fn ids(&self) -> &Texts {
        &self.ids
    }

    pub(crate) fn ids_mut(&mut self) -> &mut Texts {
        &mut self.ids
    }

    /// Each id with what it refers to in `references`, if it is there.
    pub fn lookup<'r>(
        &'r self,
        references: &'r References,
    ) -> impl Iterator<Item = (&'r Text, Option<&'r Reference>)> {
        self.ids
            .iter()
            .map(move |id| (id, references.get(self.kind, id)))
    }
}

impl std::ops::Deref for RefIds {
    type Target = [Text];
    fn deref(&self) -> &[Text] {
        &self.ids
    }
}

impl<'a> IntoIterator for &'a RefIds {
    type Item = &'a Text;
    type IntoIter = std::slice::Iter<'a, Text>;
    fn into_iter(self) -> Self::IntoIter {
        self.ids.iter()
    }
}

impl serde::Serialize for RefIds {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.ids.serialize(s)
    }
}

impl Matrix {
    pub fn offering(&self, id: &str) -> Option<&ResolvedOffering> {
        self.offerings.iter().find(|o| o.id == id)
    }

    /// [`Matrix::offering`] in constant time, for the matrix resolved from
    /// `model` (its offerings are the model's, in order).
    pub(crate) fn offering_of(&self, model: &Model, id: &str) -> Option<&ResolvedOffering> {
        let offering = self.offerings.get(model.offerings.get_index_of(id)?)?;
        (offering.id == id).then_some(offering)
    }

    /// Qualified id of the model's customer-role party.
    pub fn customer(&self) -> Option<&str> {
        self.parties
            .iter()
            .find(|(_, p)| p.role == Role::Customer && p.via.is_empty())
            .map(|(id, _)| id.as_str())
    }

    /// What a holder's id of that kind refers to.
    pub fn reference(&self, kind: RefKind, id: &str) -> Option<&Reference> {
        self.references.get(kind, id)
    }

    /// Keeps only the offerings `keep` says yes to, and the references that
    /// a holder of those still names: a matrix of part of the model, made
    /// in place (a matrix no one else holds is not copied to be cut down).
    pub fn retain_offerings(&mut self, mut keep: impl FnMut(&ResolvedOffering) -> bool) {
        self.offerings.retain(|o| keep(o));
        let offerings = &self.offerings;
        for kind in RefKind::ALL {
            let named = |key: &str| {
                offerings
                    .iter()
                    .flat_map(|o| &o.areas)
                    .flat_map(|a| &a.holders)
                    .any(|h| h.refs(kind).iter().any(|x| x == key))
            };
            self.references.of_mut(kind).retain(|k, _| named(k));
        }
    }
}

impl ResolvedOffering {
    pub fn area(&self, id: &str) -> Option<&ResolvedArea> {
        self.areas.iter().find(|a| a.id == id)
    }

    /// [`ResolvedOffering::area`] in constant time, for an offering of the
    /// matrix resolved from `model` (its areas are the model's, in order).
    pub(crate) fn area_of(&self, model: &Model, id: &str) -> Option<&ResolvedArea> {
        let area = self.areas.get(model.areas.get_index_of(id)?)?;
        (area.id == id).then_some(area)
    }
}

impl ResolvedArea {
    /// The holders that are this model's own customer-role party: the
    /// part it leaves to its customer.
    pub fn customer_part(&self) -> impl Iterator<Item = &ResolvedHolder> {
        self.holders.iter().filter(|h| h.is_customer_part())
    }

    /// "provider", "customer", "shared" or "none", by the roles of the holders.
    pub fn split(&self) -> &'static str {
        let customer = self.holders.iter().any(ResolvedHolder::is_customer_part);
        let other = self.holders.iter().any(|h| !h.is_customer_part());
        match (customer, other) {
            (true, true) => "shared",
            (true, false) => "customer",
            (false, true) => "provider",
            (false, false) => "none",
        }
    }
}

impl ResolvedHolder {
    /// How people read the holder: [`party_label`].
    pub fn label(&self) -> String {
        party_label(&self.name, &self.via)
    }

    /// Whether this is the model's own customer-role party.
    pub fn is_customer_part(&self) -> bool {
        self.via.is_empty() && self.role == Role::Customer
    }

    /// The scope as people read it: the scopes joined with `"; "`.
    pub fn scope(&self) -> Option<Text> {
        match &self.scopes[..] {
            [] => None,
            [one] => Some(one.clone()),
            several => Some(Text::from(several.join("; "))),
        }
    }

    /// The ids of one kind it names: `how` or `evidence`.
    pub fn refs(&self, kind: RefKind) -> &RefIds {
        match kind {
            RefKind::Practice => &self.how,
            RefKind::Evidence => &self.evidence,
        }
    }
}

/// A party's name as people read it: `Microsoft (via azure)` for one
/// reached through upstreams, so that it still says where it comes from
/// where the upstreams are not shown.
pub fn party_label(name: &str, via: &[Text]) -> String {
    match via {
        [] => name.to_string(),
        via => format!("{name} (via {})", via.join("/")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duties_carry_ids_only_when_some_duty_has_one() {
        let id = Text::from("backup");
        let duties = Duties::from_pairs([
            (Text::from("Backs up"), Some(&id)),
            (Text::from("Patches"), None),
        ]);
        assert!(duties.has_ids());
        assert_eq!(duties[..], ["Backs up", "Patches"]);
        assert_eq!(duties.id(0).map(Text::as_str), Some("backup"));
        assert_eq!((duties.id(1), duties.id(2)), (None, None));
        let pairs: Vec<(&str, Option<&str>)> = duties
            .with_ids()
            .map(|(t, i)| (t.as_str(), i.map(Text::as_str)))
            .collect();
        assert_eq!(pairs, [("Backs up", Some("backup")), ("Patches", None)]);
        assert_eq!(format!("{duties:?}"), "[\"backup: Backs up\", \"Patches\"]");
        // Outputs read the texts, as before ids.
        assert_eq!(
            serde_json::to_string(&duties).unwrap(),
            "[\"Backs up\",\"Patches\"]"
        );

        // No id at all: nothing but the texts, equal to the plain list.
        let plain = Duties::from_pairs([(Text::from("Backs up"), None)]);
        assert!(!plain.has_ids());
        assert_eq!(
            plain,
            ["Backs up"].into_iter().map(Text::from).collect::<Duties>()
        );
        assert_ne!(
            plain,
            Duties::from_pairs([(Text::from("Backs up"), Some(&id))])
        );
    }
}
