//! The English of `onus diff`: one line per [`Change`], without the place
//! (the renderers add it). The core finds and classifies the changes; the
//! names people read (parties, areas, practices, evidence) come from the
//! two versions compared.

use std::collections::HashMap;

use onus_core::diff::{Change, Kind, Value};
use onus_core::model::{Access, RefKind};
use onus_core::resolve::{party_label, Matrix};

/// Words the changes between two versions.
pub struct Wording<'a> {
    old: &'a Matrix,
    new: &'a Matrix,
    /// Area id -> name, per version (areas are the same in every offering).
    old_areas: HashMap<&'a str, &'a str>,
    new_areas: HashMap<&'a str, &'a str>,
}

impl<'a> Wording<'a> {
    pub fn new(old: &'a Matrix, new: &'a Matrix) -> Wording<'a> {
        let areas = |m: &'a Matrix| -> HashMap<&'a str, &'a str> {
            m.offerings.first().map_or_else(HashMap::new, |o| {
                o.areas
                    .iter()
                    .map(|a| (a.id.as_str(), a.name.as_str()))
                    .collect()
            })
        };
        Wording {
            old,
            new,
            old_areas: areas(old),
            new_areas: areas(new),
        }
    }

    /// The sentence for `c`.
    pub fn message(&self, c: &Change) -> String {
        let (before, after) = (text(&c.before), text(&c.after));
        let party = c.party.as_deref().unwrap_or_default();
        // Who a holder change is about, as the new version names the party.
        let who = || self.label(self.new, party);
        let field = c.field.unwrap_or_default();
        match c.kind {
            Kind::ModelChanged => field_changed("model", field, before, after),
            Kind::OfferingChanged => field_changed("offering", field, before, after),
            Kind::PartyRenamed => format!(
                "party {party} renamed from \"{}\" to \"{}\"",
                before.unwrap_or_default(),
                after.unwrap_or_default()
            ),
            Kind::PartyRoleChanged => format!(
                "party {party} is now {} (was {})",
                after.unwrap_or_default(),
                before.unwrap_or_default()
            ),
            Kind::OfferingsReordered => format!(
                "offerings reordered: {} (was {})",
                joined(&c.after),
                joined(&c.before)
            ),
            Kind::AreasReordered => "areas reordered".to_string(),
            Kind::OfferingAdded => format!("new offering \"{}\"", after.unwrap_or_default()),
            Kind::OfferingRemoved => format!("offering \"{}\" removed", before.unwrap_or_default()),
            Kind::UpstreamChanged => {
                let up = c.reference.as_deref().unwrap_or_default();
                match (before, after) {
                    (Some(b), Some(a)) => format!("now runs on {up}:{a} (was {up}:{b})"),
                    (None, Some(a)) => format!("now runs on {up}:{a}"),
                    (Some(b), _) => format!("no longer runs on {up}:{b}"),
                    (None, None) => format!("runs on {up} as before"),
                }
            }
            Kind::AreaChanged => self.area_changed(c, before, after),
            Kind::AreaAdded => {
                let [holders] = self.parties([(self.new, ids(&c.after))]);
                format!(
                    "new area \"{}\", held by {holders}",
                    self.area_name(&self.new_areas, c)
                )
            }
            Kind::AreaRemoved => {
                format!("area \"{}\" removed", self.area_name(&self.old_areas, c))
            }
            Kind::ResponsibilityMoved => {
                let [from, to] =
                    self.parties([(self.old, ids(&c.before)), (self.new, ids(&c.after))]);
                format!("moved from {from} to {to}")
            }
            Kind::HolderRemoved => format!("{} no longer holds it", self.label(self.old, party)),
            Kind::HolderAdded => match after {
                Some(scope) => format!("now also held by {} (scope: {scope})", who()),
                None => format!("now also held by {}", who()),
            },
            Kind::ScopeChanged => match (before, after) {
                (Some(b), Some(a)) => format!("scope of {} changed from \"{b}\" to \"{a}\"", who()),
                (Some(b), None) => {
                    format!(
                        "scope \"{b}\" of {} removed: it holds the whole area",
                        who()
                    )
                }
                (None, Some(a)) => format!("{} now holds only \"{a}\"", who()),
                (None, None) => format!("scope of {} changed", who()),
            },
            Kind::DutyAdded => format!("new duty for {}: \"{}\"", who(), after.unwrap_or_default()),
            Kind::DutyRemoved => {
                format!(
                    "duty of {} removed: \"{}\"",
                    who(),
                    before.unwrap_or_default()
                )
            }
            Kind::DutyReworded => format!(
                "duty of {} reworded: \"{}\" is now \"{}\"",
                who(),
                before.unwrap_or_default(),
                after.unwrap_or_default()
            ),
            Kind::DutyIdChanged => {
                let duty = match (before, after) {
                    (_, Some(id)) => self.duty_text(self.new, c, id),
                    (Some(id), None) => self.duty_text(self.old, c, id),
                    (None, None) => None,
                };
                let duty = duty.map_or_else(String::new, |d| format!(" \"{d}\""));
                match (before, after) {
                    (None, Some(a)) => format!("duty{duty} of {} now has the id `{a}`", who()),
                    (Some(b), Some(a)) => {
                        format!("duty{duty} of {} now has the id `{a}` (was `{b}`)", who())
                    }
                    (Some(b), None) => {
                        format!("duty{duty} of {} no longer has the id `{b}`", who())
                    }
                    (None, None) => format!("duty of {} changed its id", who()),
                }
            }
            Kind::DutiesReordered => format!("duties of {} reordered", who()),
            Kind::PracticeAdded => {
                format!(
                    "new practice for {}: \"{}\"",
                    who(),
                    self.reference(self.new, c)
                )
            }
            Kind::PracticeRemoved => format!(
                "practice \"{}\" no longer listed for {}",
                self.reference(self.old, c),
                who()
            ),
            Kind::EvidenceAdded => {
                format!(
                    "new evidence for {}: \"{}\"",
                    who(),
                    self.reference(self.new, c)
                )
            }
            Kind::EvidenceRemoved => format!(
                "evidence \"{}\" withdrawn from {}",
                self.reference(self.old, c),
                who()
            ),
            Kind::PracticeChanged | Kind::EvidenceChanged => {
                let noun = if c.kind == Kind::EvidenceChanged {
                    "evidence"
                } else {
                    "practice"
                };
                let what = format!("{noun} \"{}\"", self.reference(self.new, c));
                match field {
                    "name" => field_changed(noun, field, before, after),
                    "access" => format!(
                        "{what} is now {} (was {})",
                        access(after.unwrap_or_default()),
                        access(before.unwrap_or_default())
                    ),
                    _ => field_changed(&what, field, before, after),
                }
            }
            Kind::NoteChanged => format!("note of {} changed", who()),
        }
    }

    fn area_changed(&self, c: &Change, before: Option<&str>, after: Option<&str>) -> String {
        let field = c.field.unwrap_or_default();
        let what = format!("area \"{}\"", self.area_name(&self.new_areas, c));
        match field {
            "name" => field_changed("area", field, before, after),
            "controls" => {
                let (before, after) = (ids(&c.before), ids(&c.after));
                let mut parts = Vec::new();
                let added: Vec<&str> = after
                    .iter()
                    .filter(|id| !before.contains(id))
                    .map(String::as_str)
                    .collect();
                let removed: Vec<&str> = before
                    .iter()
                    .filter(|id| !after.contains(id))
                    .map(String::as_str)
                    .collect();
                if !added.is_empty() {
                    parts.push(format!("added {}", added.join(", ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("removed {}", removed.join(", ")));
                }
                format!("{what} controls: {}", parts.join("; "))
            }
            _ => field_changed(&what, field, before, after),
        }
    }

    /// The name of the area `c` is about, in `names` first, else its id.
    fn area_name<'s>(&'s self, names: &'s HashMap<&'a str, &'a str>, c: &'s Change) -> &'s str {
        let id = c.area.as_deref().unwrap_or_default();
        [names, &self.new_areas, &self.old_areas]
            .into_iter()
            .find_map(|m| m.get(id).copied())
            .unwrap_or(id)
    }

    /// The name of the practice or evidence `c` is about, in `side` first.
    fn reference<'m>(&'m self, side: &'m Matrix, c: &'m Change) -> &'m str {
        let id = c.reference.as_deref().unwrap_or_default();
        [side, self.new, self.old]
            .into_iter()
            .find_map(|m| {
                let kind = if matches!(
                    c.kind,
                    Kind::EvidenceAdded | Kind::EvidenceRemoved | Kind::EvidenceChanged
                ) {
                    RefKind::Evidence
                } else {
                    RefKind::Practice
                };
                m.references.get(kind, id).map(|r| r.name.as_str())
            })
            .unwrap_or(id)
    }

    /// The text of the duty of id `id` that `c` is about, in `side`.
    fn duty_text<'m>(&self, side: &'m Matrix, c: &Change, id: &str) -> Option<&'m str> {
        side.offering(c.offering.as_deref()?)?
            .area(c.area.as_deref()?)?
            .holders
            .iter()
            .find(|h| Some(h.party.as_str()) == c.party.as_deref())?
            .duties
            .with_ids()
            .find(|(_, x)| x.is_some_and(|x| x.as_str() == id))
            .map(|(text, _)| text.as_str())
    }

    /// How people read a party ([`party_label`]), as `side` names it.
    fn label(&self, side: &Matrix, id: &str) -> String {
        self.party_info(side, id)
            .map_or_else(|| id.to_string(), |(name, via)| party_label(name, via))
    }

    fn party_info<'m>(
        &'m self,
        side: &'m Matrix,
        id: &str,
    ) -> Option<(&'m str, &'m [onus_core::resolve::Text])> {
        [side, self.new, self.old]
            .into_iter()
            .find_map(|m| m.parties.get(id))
            .map(|p| (p.name.as_str(), &p.via[..]))
    }

    /// Lists of parties in words ("A, B and C"), each read in its version.
    /// When two different parties of the lists read the same, both are
    /// named by id too ("Customer (customer)", "Customer (acme/customer)"),
    /// so that a line never says "moved from Customer to Customer".
    fn parties<const N: usize>(&self, lists: [(&Matrix, &[String]); N]) -> [String; N] {
        let labelled: Vec<Vec<(&str, String)>> = lists
            .iter()
            .map(|(side, ids)| {
                ids.iter()
                    .map(|id| (id.as_str(), self.label(side, id)))
                    .collect()
            })
            .collect();
        let mut ids_of: HashMap<&str, Vec<&str>> = HashMap::new();
        for (id, label) in labelled.iter().flatten() {
            let ids = ids_of.entry(label.as_str()).or_default();
            if !ids.contains(id) {
                ids.push(id);
            }
        }
        std::array::from_fn(|i| {
            let names: Vec<String> = labelled[i]
                .iter()
                .map(|(id, label)| {
                    if ids_of[label.as_str()].len() > 1 {
                        let name = self
                            .party_info(lists[i].0, id)
                            .map_or(*id, |(name, _)| name);
                        format!("{name} ({id})")
                    } else {
                        label.clone()
                    }
                })
                .collect();
            english_list(&names)
        })
    }
}

fn text(value: &Option<Value>) -> Option<&str> {
    value.as_ref().map(Value::text)
}

fn ids(value: &Option<Value>) -> &[String] {
    value.as_ref().map_or(&[], Value::ids)
}

fn joined(value: &Option<Value>) -> String {
    value.as_ref().map(Value::joined).unwrap_or_default()
}

/// A text attribute of `what` (`model`, `area "Encryption"`...) that changed.
fn field_changed(what: &str, field: &str, before: Option<&str>, after: Option<&str>) -> String {
    match (before, after) {
        (Some(b), Some(a)) => format!("{what} {field} changed from \"{b}\" to \"{a}\""),
        (None, Some(a)) => format!("{what} {field} set to \"{a}\""),
        (Some(b), None) => format!("{what} {field} \"{b}\" removed"),
        (None, None) => format!("{what} {field} changed"),
    }
}

/// An access level (`on-request`) in words.
fn access(name: &str) -> &str {
    match Access::parse(name) {
        Some(Access::Public) => "public",
        Some(Access::OnRequest) => "on request",
        Some(Access::Nda) => "under NDA",
        None => name,
    }
}

/// "nobody", "A", "A and B", "A, B and C".
fn english_list(names: &[String]) -> String {
    match names {
        [] => "nobody".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_read_as_english() {
        let names = |l: &[&str]| l.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(english_list(&[]), "nobody");
        assert_eq!(english_list(&names(&["A", "B", "C"])), "A, B and C");
    }

    #[test]
    fn access_levels_read_as_words() {
        assert_eq!(access("on-request"), "on request");
        assert_eq!(access("nda"), "under NDA");
    }
}
