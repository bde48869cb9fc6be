//! Finding the changes: the walk over two resolved matrices, and the only
//! part of the diff that reads them.
//!
//! [`diff`] walks the model, then its parties, the order of offerings, the
//! definitions of areas, practices and evidence (model-wide), then every
//! offering and, in it, every area and holder, in the order of the new
//! version (what was removed keeps its old place). Same inputs, same
//! changes in the same order.
//!
//! What appears is one change, and so is what disappears: a removed
//! offering, area or holder is not broken down further. The duties of a new
//! area or holder are listed one by one (they are what its holder must now
//! do); its practices and evidence are not.

use std::collections::{HashMap, HashSet};

use super::{classify, reword, Change, Class, Kind};
use crate::model::{Access, RefKind};
use crate::resolve::{Duties, Matrix, ResolvedArea, ResolvedHolder, ResolvedOffering, Text};

/// Compares two resolved versions of a model and classifies every change
/// for the customer. See the module documentation for the order.
pub fn diff(old: &Matrix, new: &Matrix) -> Vec<Change> {
    let mut d = Differ {
        old,
        new,
        out: Vec::new(),
    };
    d.model();
    d.parties();
    d.offering_order();
    d.area_definitions();
    d.references();
    let old_ids: Vec<&str> = old.offerings.iter().map(|o| o.id.as_str()).collect();
    let new_ids: Vec<&str> = new.offerings.iter().map(|o| o.id.as_str()).collect();
    for id in union_order(&old_ids, &new_ids) {
        match (old.offering(id), new.offering(id)) {
            (Some(o), None) => d.push(
                Change::new(Kind::OfferingRemoved, classify::offering_removed())
                    .at(Some(id), None)
                    .values(Some(&o.name), None),
            ),
            (None, Some(n)) => d.push(
                Change::new(Kind::OfferingAdded, classify::offering_added())
                    .at(Some(id), None)
                    .values(None, Some(&n.name)),
            ),
            (Some(o), Some(n)) => d.offering(o, n),
            (None, None) => {}
        }
    }
    d.out
}

struct Differ<'a> {
    old: &'a Matrix,
    new: &'a Matrix,
    out: Vec<Change>,
}

/// Where a change happens: offering and area.
type At<'a> = (Option<&'a str>, Option<&'a str>);

impl<'a> Differ<'a> {
    fn push(&mut self, change: Change) {
        self.out.push(change);
    }

    /// A text attribute that may have changed.
    fn text(
        &mut self,
        (kind, at, reference): (Kind, At, Option<&str>),
        field: &'static str,
        before: Option<&str>,
        after: Option<&str>,
    ) {
        if before == after {
            return;
        }
        let mut change = Change::new(kind, classify::by_field(field))
            .at(at.0, at.1)
            .field(field)
            .values(before, after);
        change.reference = reference.map(str::to_string);
        self.push(change);
    }

    fn model(&mut self) {
        let (o, n) = (self.old, self.new);
        let fields: [(&'static str, Option<&str>, Option<&str>); 6] = [
            ("name", Some(&o.name), Some(&n.name)),
            ("title", o.title.as_deref(), n.title.as_deref()),
            ("version", o.version.as_deref(), n.version.as_deref()),
            (
                "description",
                o.description.as_deref(),
                n.description.as_deref(),
            ),
            ("url", o.url.as_deref(), n.url.as_deref()),
            ("publisher", Some(&o.publisher), Some(&n.publisher)),
        ];
        for (field, before, after) in fields {
            self.text(
                (Kind::ModelChanged, (None, None), None),
                field,
                before,
                after,
            );
        }
    }

    fn parties(&mut self) {
        for (id, before) in &self.old.parties {
            let Some(after) = self.new.parties.get(id) else {
                continue;
            };
            if before.name != after.name {
                self.push(
                    Change::new(Kind::PartyRenamed, classify::by_field("name"))
                        .party(id)
                        .field("name")
                        .values(Some(&before.name), Some(&after.name)),
                );
            }
            if before.role != after.role {
                self.push(
                    Change::new(Kind::PartyRoleChanged, classify::by_field("role"))
                        .party(id)
                        .field("role")
                        .values(Some(before.role.as_str()), Some(after.role.as_str())),
                );
            }
        }
    }

    fn offering_order(&mut self) {
        let old: Vec<&str> = self.old.offerings.iter().map(|o| o.id.as_str()).collect();
        let new: Vec<&str> = self.new.offerings.iter().map(|o| o.id.as_str()).collect();
        if let Some((before, after)) = reordered(&old, &new) {
            self.push(
                Change::new(Kind::OfferingsReordered, Class::Cosmetic)
                    .lists(Some(before), Some(after)),
            );
        }
    }

    /// Areas are the same in every offering of a model: their names,
    /// groups, descriptions and controls are compared once.
    fn area_definitions(&mut self) {
        let areas = |m: &'a Matrix| -> &'a [ResolvedArea] {
            m.offerings.first().map_or(&[][..], |o| &o.areas[..])
        };
        let (old, new) = (areas(self.old), areas(self.new));
        let old_ids: Vec<&str> = old.iter().map(|a| a.id.as_str()).collect();
        let new_ids: Vec<&str> = new.iter().map(|a| a.id.as_str()).collect();
        if let Some((before, after)) = reordered(&old_ids, &new_ids) {
            self.push(
                Change::new(Kind::AreasReordered, Class::Cosmetic).lists(Some(before), Some(after)),
            );
        }
        let old_by_id: HashMap<&str, &ResolvedArea> =
            old.iter().map(|a| (a.id.as_str(), a)).collect();
        for n in new {
            let Some(o) = old_by_id.get(n.id.as_str()) else {
                continue;
            };
            let at = (Kind::AreaChanged, (None, Some(n.id.as_str())), None);
            self.text(at, "name", Some(&o.name), Some(&n.name));
            self.text(at, "group", o.group.as_deref(), n.group.as_deref());
            let description = (o.description.as_deref(), n.description.as_deref());
            self.text(at, "description", description.0, description.1);
            let controls = |a: &ResolvedArea| -> Vec<String> {
                a.controls
                    .iter()
                    .map(|c| format!("{}:{}", c.framework, c.control))
                    .collect()
            };
            let (before, after) = (controls(o), controls(n));
            let changed = before.iter().any(|c| !after.contains(c))
                || after.iter().any(|c| !before.contains(c));
            if changed {
                self.push(
                    Change::new(Kind::AreaChanged, classify::by_field("controls"))
                        .at(None, Some(&n.id))
                        .field("controls")
                        .lists(Some(before), Some(after)),
                );
            }
        }
    }

    /// Practices and evidence defined in both versions (those referred to
    /// only on one side show up where they are listed).
    fn references(&mut self) {
        for kind in RefKind::ALL {
            let change = match kind {
                RefKind::Practice => Kind::PracticeChanged,
                RefKind::Evidence => Kind::EvidenceChanged,
            };
            for (id, n) in self.new.references.of(kind) {
                if let Some(o) = self.old.references.get(kind, id) {
                    self.reference(
                        (change, id, kind == RefKind::Evidence),
                        [
                            (Some(&o.name), Some(&n.name)),
                            (o.kind.as_ref(), n.kind.as_ref()),
                            (o.url.as_ref(), n.url.as_ref()),
                            (o.description.as_ref(), n.description.as_ref()),
                        ],
                        (o.access, n.access),
                    );
                }
            }
        }
    }

    /// The fields of one practice or evidence: name, kind, url, description, access.
    fn reference(
        &mut self,
        (kind, id, is_evidence): (Kind, &str, bool),
        texts: [(Option<&String>, Option<&String>); 4],
        (before, after): (Access, Access),
    ) {
        for (field, (b, a)) in ["name", "kind", "url", "description"]
            .into_iter()
            .zip(texts)
        {
            let (b, a) = (b.map(String::as_str), a.map(String::as_str));
            self.text((kind, (None, None), Some(id)), field, b, a);
        }
        if before != after {
            self.push(
                Change::new(kind, classify::access_changed(is_evidence, before, after))
                    .reference(id)
                    .field("access")
                    .values(Some(before.as_str()), Some(after.as_str())),
            );
        }
    }

    fn offering(&mut self, o: &'a ResolvedOffering, n: &'a ResolvedOffering) {
        let id = Some(n.id.as_str());
        let at = (Kind::OfferingChanged, (id, None), None);
        self.text(at, "name", Some(&o.name), Some(&n.name));
        let description = (o.description.as_deref(), n.description.as_deref());
        self.text(at, "description", description.0, description.1);
        let ups: Vec<&str> = o
            .runs_on
            .iter()
            .chain(&n.runs_on)
            .map(|(u, _)| u.as_str())
            .collect();
        let mut seen = HashSet::new();
        for up in ups.into_iter().filter(|u| seen.insert(*u)) {
            let find = |off: &'a ResolvedOffering| {
                off.runs_on
                    .iter()
                    .find(|(u, _)| u == up)
                    .map(|(_, r)| r.as_str())
            };
            let (before, after) = (find(o), find(n));
            if before != after {
                self.push(
                    Change::new(Kind::UpstreamChanged, classify::by_field("runs-on"))
                        .at(id, None)
                        .reference(up)
                        .values(before, after),
                );
            }
        }
        let old_ids: Vec<&str> = o.areas.iter().map(|a| a.id.as_str()).collect();
        let new_ids: Vec<&str> = n.areas.iter().map(|a| a.id.as_str()).collect();
        let by_id = |off: &'a ResolvedOffering| -> HashMap<&'a str, &'a ResolvedArea> {
            off.areas.iter().map(|a| (a.id.as_str(), a)).collect()
        };
        let (old_areas, new_areas) = (by_id(o), by_id(n));
        for area in union_order(&old_ids, &new_ids) {
            match (old_areas.get(area), new_areas.get(area)) {
                (Some(before), None) => self.push(
                    Change::new(Kind::AreaRemoved, classify::area_removed())
                        .at(id, Some(area))
                        .lists(Some(party_ids(before.holders.iter())), None),
                ),
                (None, Some(after)) => {
                    self.push(
                        Change::new(
                            Kind::AreaAdded,
                            classify::area_added(after.customer_part().next().is_some()),
                        )
                        .at(id, Some(area))
                        .lists(None, Some(party_ids(after.holders.iter()))),
                    );
                    for h in &after.holders {
                        self.new_duties(id, area, h);
                    }
                }
                (Some(before), Some(after)) => self.area(&n.id, before, after),
                (None, None) => {}
            }
        }
    }

    fn area(&mut self, offering: &str, o: &ResolvedArea, n: &ResolvedArea) {
        let at = (Some(offering), Some(n.id.as_str()));
        let removed: Vec<&ResolvedHolder> = o
            .holders
            .iter()
            .filter(|h| !n.holders.iter().any(|x| x.party == h.party))
            .collect();
        let added: Vec<&ResolvedHolder> = n
            .holders
            .iter()
            .filter(|h| !o.holders.iter().any(|x| x.party == h.party))
            .collect();
        let customer_alone_after =
            !n.holders.is_empty() && n.holders.iter().all(ResolvedHolder::is_customer_part);
        let removed_class = |h: &&ResolvedHolder| {
            classify::holder_removed(h.is_customer_part(), customer_alone_after)
        };
        let added_class = |h: &&ResolvedHolder| classify::holder_added(h.is_customer_part());
        if !removed.is_empty() && !added.is_empty() {
            let class = removed
                .iter()
                .map(removed_class)
                .chain(added.iter().map(added_class))
                .max()
                .unwrap_or(Class::Notable);
            self.push(
                Change::new(Kind::ResponsibilityMoved, class)
                    .at(at.0, at.1)
                    .lists(
                        Some(party_ids(removed.iter().copied())),
                        Some(party_ids(added.iter().copied())),
                    ),
            );
        } else {
            for h in &removed {
                self.push(
                    Change::new(Kind::HolderRemoved, removed_class(h))
                        .at(at.0, at.1)
                        .party(&h.party),
                );
            }
            for h in &added {
                self.push(
                    Change::new(Kind::HolderAdded, added_class(h))
                        .at(at.0, at.1)
                        .party(&h.party)
                        .values(None, h.scope().as_deref()),
                );
            }
        }
        for h in &added {
            self.new_duties(at.0, &n.id, h);
        }
        for h in &n.holders {
            if let Some(before) = o.holders.iter().find(|x| x.party == h.party) {
                self.holder(at, before, h);
            }
        }
    }

    /// The duties of a holder that is new in an area, each one a change.
    fn new_duties(&mut self, offering: Option<&str>, area: &str, h: &ResolvedHolder) {
        for (duty, id) in h.duties.with_ids() {
            let c = Change::new(Kind::DutyAdded, classify::duty_added(h.is_customer_part()))
                .at(offering, Some(area))
                .party(&h.party)
                .values(None, Some(duty));
            self.push(match id {
                Some(id) => c.reference(id),
                None => c,
            });
        }
    }

    fn holder(&mut self, at: At, o: &ResolvedHolder, n: &ResolvedHolder) {
        let customer = n.is_customer_part();
        let base = |kind, class| Change::new(kind, class).at(at.0, at.1).party(&n.party);
        let (before, after) = (o.scope(), n.scope());
        if before != after {
            let (before, after) = (before.as_deref(), after.as_deref());
            let trivial = matches!((before, after), (Some(b), Some(a)) if reword::is_trivial(b, a));
            let class = classify::scope_changed(customer, before, after, trivial);
            self.push(base(Kind::ScopeChanged, class).values(before, after));
        }

        let (old_ids, new_ids) = (duty_ids(&o.duties), duty_ids(&n.duties));
        let pairing = reword::pair_identified(&o.duties, &old_ids, &n.duties, &new_ids);
        // A duty's id, where it has one, is the change's `reference`.
        let with_id = |c: Change, id: Option<&Text>| match id {
            Some(id) => c.reference(id),
            None => c,
        };
        for &i in &pairing.removed {
            let duty = &o.duties[i];
            let c = base(Kind::DutyRemoved, classify::duty_removed()).values(Some(duty), None);
            self.push(with_id(c, o.duties.id(i)));
        }
        for &(i, j) in &pairing.reworded {
            let (before, after) = (&o.duties[i], &n.duties[j]);
            let class = classify::duty_reworded(customer, reword::is_trivial(before, after));
            let c = base(Kind::DutyReworded, class).values(Some(before), Some(after));
            self.push(with_id(c, n.duties.id(j)));
        }
        for &j in &pairing.added {
            let duty = &n.duties[j];
            let class = classify::duty_added(customer);
            let c = base(Kind::DutyAdded, class).values(None, Some(duty));
            self.push(with_id(c, n.duties.id(j)));
        }
        for &(i, j) in &pairing.kept {
            let (before, after) = (o.duties.id(i), n.duties.id(j));
            if before != after {
                let c = base(Kind::DutyIdChanged, Class::Notable).field("id");
                self.push(c.values(before.map(Text::as_str), after.map(Text::as_str)));
            }
        }
        if pairing.reordered() {
            self.push(base(Kind::DutiesReordered, Class::Cosmetic));
        }

        let lists = [
            (&o.how, &n.how, Kind::PracticeRemoved, Kind::PracticeAdded),
            (
                &o.evidence,
                &n.evidence,
                Kind::EvidenceRemoved,
                Kind::EvidenceAdded,
            ),
        ];
        for (list_old, list_new, removed, added) in lists {
            for id in list_old.iter().filter(|id| !list_new.contains(id)) {
                let class = match removed {
                    Kind::EvidenceRemoved => classify::evidence_removed(customer),
                    _ => classify::practice_listed(),
                };
                self.push(base(removed, class).reference(id));
            }
            for id in list_new.iter().filter(|id| !list_old.contains(id)) {
                let class = match added {
                    Kind::EvidenceAdded => classify::evidence_added(),
                    _ => classify::practice_listed(),
                };
                self.push(base(added, class).reference(id));
            }
        }

        if o.note != n.note {
            let (before, after) = (o.note.as_deref(), n.note.as_deref());
            self.push(base(Kind::NoteChanged, Class::Cosmetic).values(before, after));
        }
    }
}

/// Each duty's id (`None` for one without), or nothing when no duty has one.
fn duty_ids(duties: &Duties) -> Vec<Option<&str>> {
    if !duties.has_ids() {
        return Vec::new();
    }
    (0..duties.len())
        .map(|i| duties.id(i).map(Text::as_str))
        .collect()
}

fn party_ids<'h>(holders: impl Iterator<Item = &'h ResolvedHolder>) -> Vec<String> {
    holders.map(|h| h.party.to_string()).collect()
}

/// The ids of both versions in one order: the new order, with each id
/// that only the old version has placed after its old predecessor. Linear
/// in the number of ids.
fn union_order<'s>(old: &[&'s str], new: &[&'s str]) -> Vec<&'s str> {
    let in_new: HashSet<&str> = new.iter().copied().collect();
    // Old-only ids, grouped under the nearest preceding id that both have
    // (`None`: before every id).
    let mut groups: HashMap<Option<&str>, Vec<&'s str>> = HashMap::new();
    let mut anchor = None;
    for &id in old {
        if in_new.contains(id) {
            anchor = Some(id);
        } else {
            groups.entry(anchor).or_default().push(id);
        }
    }
    let mut out = Vec::with_capacity(old.len() + new.len());
    out.extend(groups.remove(&None).unwrap_or_default());
    for &id in new {
        out.push(id);
        out.extend(groups.remove(&Some(id)).unwrap_or_default());
    }
    out
}

/// When the ids both versions have are in another order: (old, new).
fn reordered(old: &[&str], new: &[&str]) -> Option<(Vec<String>, Vec<String>)> {
    let (in_old, in_new): (HashSet<&str>, HashSet<&str>) =
        (old.iter().copied().collect(), new.iter().copied().collect());
    let common = |ids: &[&str], other: &HashSet<&str>| -> Vec<String> {
        ids.iter()
            .filter(|i| other.contains(*i))
            .map(|i| i.to_string())
            .collect()
    };
    let (common_old, common_new) = (common(old, &in_new), common(new, &in_old));
    (common_old != common_new).then_some((common_old, common_new))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn removed_ids_keep_their_old_place() {
        assert_eq!(
            union_order(&["a", "b", "c", "d"], &["a", "c", "e"]),
            ["a", "b", "c", "d", "e"]
        );
        assert_eq!(union_order(&["x", "a"], &["a"]), ["x", "a"]);
    }

    #[test]
    fn reordering_looks_at_common_ids_only() {
        assert_eq!(reordered(&["a", "b", "c"], &["a", "c"]), None);
        assert_eq!(
            reordered(&["a", "b"], &["b", "x", "a"]),
            Some((vec!["a".into(), "b".into()], vec!["b".into(), "a".into()]))
        );
    }
}
