//! What changed between two versions of a model, compared on their
//! resolved form ([`Matrix`]), so that a change deep in an upstream shows
//! up in the offering and area where it lands, and classified for the
//! customer ([`Class`], rules in [`classify`]).
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

pub mod classify;
pub mod reword;

use std::collections::{HashMap, HashSet};

use crate::model::Access;
use crate::resolve::{Matrix, ResolvedArea, ResolvedHolder, ResolvedOffering};

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

/// What a [`Change`] is about. The names ([`Kind::as_str`]) are stable.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// A field of the model itself (`field`: name, title, version, ...).
    ModelChanged,
    /// A party's display name (`party`).
    PartyRenamed,
    /// A party's role (`party`).
    PartyRoleChanged,
    OfferingAdded,
    OfferingRemoved,
    /// An offering's name or description (`field`).
    OfferingChanged,
    /// The offerings are listed in another order.
    OfferingsReordered,
    /// What an offering runs on: `reference` is the upstream id, `before`
    /// and `after` the upstream's offering ids.
    UpstreamChanged,
    /// A new area, in one offering (`after`: its holders' ids).
    AreaAdded,
    /// An area removed, in one offering (`before`: its holders' ids).
    AreaRemoved,
    /// An area's name, group, description or controls (`field`), model-wide.
    AreaChanged,
    /// The areas are listed in another order.
    AreasReordered,
    /// A party now holds an area (`party`; `after`: its scope).
    HolderAdded,
    /// A party no longer holds an area (`party`).
    HolderRemoved,
    /// Some parties stopped holding an area and others started: `before`
    /// and `after` are their ids, joined with `, `.
    ResponsibilityMoved,
    /// A holder's scope (`party`, `before`, `after`).
    ScopeChanged,
    /// A new duty (`party`, `after`).
    DutyAdded,
    /// A duty removed (`party`, `before`).
    DutyRemoved,
    /// A duty reworded (`party`, `before`, `after`).
    DutyReworded,
    /// A holder's duties are listed in another order (`party`).
    DutiesReordered,
    /// A practice now listed in a holding (`party`, `reference`).
    PracticeAdded,
    /// A practice no longer listed in a holding (`party`, `reference`).
    PracticeRemoved,
    /// Evidence now listed in a holding (`party`, `reference`).
    EvidenceAdded,
    /// Evidence no longer listed in a holding (`party`, `reference`).
    EvidenceRemoved,
    /// A practice's name, kind, url, access or description (`reference`, `field`).
    PracticeChanged,
    /// Evidence's name, kind, url, access or description (`reference`, `field`).
    EvidenceChanged,
    /// A holder's note (`party`).
    NoteChanged,
}

impl Kind {
    pub const ALL: &'static [Kind] = &[
        Kind::ModelChanged,
        Kind::PartyRenamed,
        Kind::PartyRoleChanged,
        Kind::OfferingAdded,
        Kind::OfferingRemoved,
        Kind::OfferingChanged,
        Kind::OfferingsReordered,
        Kind::UpstreamChanged,
        Kind::AreaAdded,
        Kind::AreaRemoved,
        Kind::AreaChanged,
        Kind::AreasReordered,
        Kind::HolderAdded,
        Kind::HolderRemoved,
        Kind::ResponsibilityMoved,
        Kind::ScopeChanged,
        Kind::DutyAdded,
        Kind::DutyRemoved,
        Kind::DutyReworded,
        Kind::DutiesReordered,
        Kind::PracticeAdded,
        Kind::PracticeRemoved,
        Kind::EvidenceAdded,
        Kind::EvidenceRemoved,
        Kind::PracticeChanged,
        Kind::EvidenceChanged,
        Kind::NoteChanged,
    ];

    /// The stable kebab-case name, as in the JSON output.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::ModelChanged => "model-changed",
            Kind::PartyRenamed => "party-renamed",
            Kind::PartyRoleChanged => "party-role-changed",
            Kind::OfferingAdded => "offering-added",
            Kind::OfferingRemoved => "offering-removed",
            Kind::OfferingChanged => "offering-changed",
            Kind::OfferingsReordered => "offerings-reordered",
            Kind::UpstreamChanged => "upstream-changed",
            Kind::AreaAdded => "area-added",
            Kind::AreaRemoved => "area-removed",
            Kind::AreaChanged => "area-changed",
            Kind::AreasReordered => "areas-reordered",
            Kind::HolderAdded => "holder-added",
            Kind::HolderRemoved => "holder-removed",
            Kind::ResponsibilityMoved => "responsibility-moved",
            Kind::ScopeChanged => "scope-changed",
            Kind::DutyAdded => "duty-added",
            Kind::DutyRemoved => "duty-removed",
            Kind::DutyReworded => "duty-reworded",
            Kind::DutiesReordered => "duties-reordered",
            Kind::PracticeAdded => "practice-added",
            Kind::PracticeRemoved => "practice-removed",
            Kind::EvidenceAdded => "evidence-added",
            Kind::EvidenceRemoved => "evidence-removed",
            Kind::PracticeChanged => "practice-changed",
            Kind::EvidenceChanged => "evidence-changed",
            Kind::NoteChanged => "note-changed",
        }
    }
}

/// One finding of [`diff`]: what changed, where, and what it means for the
/// customer.
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
    /// `kind`, `access`.
    pub field: Option<&'static str>,
    /// The value before (a text, an id, or ids joined with `, `).
    pub before: Option<String>,
    /// The value after.
    pub after: Option<String>,
    /// One line for people, without the offering and area (renderers add them).
    pub message: String,
}

impl Change {
    fn new(kind: Kind, class: Class, message: String) -> Change {
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
            message,
        }
    }

    fn at(mut self, offering: Option<&str>, area: Option<&str>) -> Change {
        self.offering = offering.map(str::to_string);
        self.area = area.map(str::to_string);
        self
    }

    fn party(mut self, party: &str) -> Change {
        self.party = Some(party.to_string());
        self
    }

    fn reference(mut self, id: &str) -> Change {
        self.reference = Some(id.to_string());
        self
    }

    fn field(mut self, field: &'static str) -> Change {
        self.field = Some(field);
        self
    }

    fn values(mut self, before: Option<&str>, after: Option<&str>) -> Change {
        self.before = before.map(str::to_string);
        self.after = after.map(str::to_string);
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
                Change::new(
                    Kind::OfferingRemoved,
                    classify::offering_removed(),
                    format!("offering \"{}\" removed", o.name),
                )
                .at(Some(id), None)
                .values(Some(&o.name), None),
            ),
            (None, Some(n)) => d.push(
                Change::new(
                    Kind::OfferingAdded,
                    classify::offering_added(),
                    format!("new offering \"{}\"", n.name),
                )
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

impl<'a> Differ<'a> {
    fn push(&mut self, change: Change) {
        self.out.push(change);
    }

    /// A text attribute that may have changed; `what` names it in the message.
    #[allow(clippy::too_many_arguments)]
    fn text(
        &mut self,
        kind: Kind,
        at: (Option<&str>, Option<&str>),
        reference: Option<&str>,
        what: &str,
        field: &'static str,
        before: Option<&str>,
        after: Option<&str>,
    ) {
        if before == after {
            return;
        }
        let message = match (before, after) {
            (Some(b), Some(a)) => format!("{what} {field} changed from \"{b}\" to \"{a}\""),
            (None, Some(a)) => format!("{what} {field} set to \"{a}\""),
            (Some(b), None) => format!("{what} {field} \"{b}\" removed"),
            (None, None) => return,
        };
        let mut change = Change::new(kind, classify::by_field(field), message)
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
            let at = (None, None);
            self.text(Kind::ModelChanged, at, None, "model", field, before, after);
        }
    }

    fn parties(&mut self) {
        for (id, before) in &self.old.parties {
            let Some(after) = self.new.parties.get(id) else {
                continue;
            };
            if before.name != after.name {
                self.push(
                    Change::new(
                        Kind::PartyRenamed,
                        classify::by_field("name"),
                        format!(
                            "party {id} renamed from \"{}\" to \"{}\"",
                            before.name, after.name
                        ),
                    )
                    .party(id)
                    .field("name")
                    .values(Some(&before.name), Some(&after.name)),
                );
            }
            if before.role != after.role {
                self.push(
                    Change::new(
                        Kind::PartyRoleChanged,
                        classify::by_field("role"),
                        format!(
                            "party {id} is now {} (was {})",
                            after.role.as_str(),
                            before.role.as_str()
                        ),
                    )
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
                Change::new(
                    Kind::OfferingsReordered,
                    Class::Cosmetic,
                    format!("offerings reordered: {after} (was {before})"),
                )
                .values(Some(&before), Some(&after)),
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
                Change::new(
                    Kind::AreasReordered,
                    Class::Cosmetic,
                    "areas reordered".to_string(),
                )
                .values(Some(&before), Some(&after)),
            );
        }
        let old_by_id: HashMap<&str, &ResolvedArea> =
            old.iter().map(|a| (a.id.as_str(), a)).collect();
        for n in new {
            let Some(o) = old_by_id.get(n.id.as_str()) else {
                continue;
            };
            let at = (None, Some(n.id.as_str()));
            let what = format!("area \"{}\"", n.name);
            for (field, before, after) in [
                ("name", Some(o.name.as_str()), Some(n.name.as_str())),
                ("group", o.group.as_deref(), n.group.as_deref()),
                (
                    "description",
                    o.description.as_deref(),
                    n.description.as_deref(),
                ),
            ] {
                let what = if field == "name" { "area" } else { &what };
                self.text(Kind::AreaChanged, at, None, what, field, before, after);
            }
            let controls = |a: &ResolvedArea| -> Vec<String> {
                a.controls
                    .iter()
                    .map(|c| format!("{}:{}", c.framework, c.control))
                    .collect()
            };
            let (before, after) = (controls(o), controls(n));
            let removed: Vec<&str> = before
                .iter()
                .filter(|c| !after.contains(c))
                .map(String::as_str)
                .collect();
            let added: Vec<&str> = after
                .iter()
                .filter(|c| !before.contains(c))
                .map(String::as_str)
                .collect();
            if !removed.is_empty() || !added.is_empty() {
                let mut parts = Vec::new();
                if !added.is_empty() {
                    parts.push(format!("added {}", added.join(", ")));
                }
                if !removed.is_empty() {
                    parts.push(format!("removed {}", removed.join(", ")));
                }
                self.push(
                    Change::new(
                        Kind::AreaChanged,
                        classify::by_field("controls"),
                        format!("{what} controls: {}", parts.join("; ")),
                    )
                    .at(None, Some(&n.id))
                    .field("controls")
                    .values(Some(&before.join(", ")), Some(&after.join(", "))),
                );
            }
        }
    }

    /// Practices and evidence defined in both versions (those referred to
    /// only on one side show up where they are listed).
    fn references(&mut self) {
        for (id, n) in &self.new.practices {
            if let Some(o) = self.old.practices.get(id) {
                let what = format!("practice \"{}\"", n.name);
                self.reference(
                    Kind::PracticeChanged,
                    id,
                    &what,
                    false,
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
        for (id, n) in &self.new.evidence {
            if let Some(o) = self.old.evidence.get(id) {
                let what = format!("evidence \"{}\"", n.name);
                self.reference(
                    Kind::EvidenceChanged,
                    id,
                    &what,
                    true,
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

    /// The fields of one practice or evidence: name, kind, url, description, access.
    fn reference(
        &mut self,
        kind: Kind,
        id: &str,
        what: &str,
        is_evidence: bool,
        texts: [(Option<&String>, Option<&String>); 4],
        access: (Access, Access),
    ) {
        for (field, (before, after)) in ["name", "kind", "url", "description"]
            .into_iter()
            .zip(texts)
        {
            let what = if field == "name" {
                if is_evidence {
                    "evidence"
                } else {
                    "practice"
                }
            } else {
                what
            };
            self.text(
                kind,
                (None, None),
                Some(id),
                what,
                field,
                before.map(String::as_str),
                after.map(String::as_str),
            );
        }
        let (before, after) = access;
        if before != after {
            self.push(
                Change::new(
                    kind,
                    classify::access_changed(is_evidence, before, after),
                    format!(
                        "{what} is now {} (was {})",
                        access_label(after),
                        access_label(before)
                    ),
                )
                .reference(id)
                .field("access")
                .values(Some(before.as_str()), Some(after.as_str())),
            );
        }
    }

    fn offering(&mut self, o: &'a ResolvedOffering, n: &'a ResolvedOffering) {
        let id = Some(n.id.as_str());
        self.text(
            Kind::OfferingChanged,
            (id, None),
            None,
            "offering",
            "name",
            Some(&o.name),
            Some(&n.name),
        );
        self.text(
            Kind::OfferingChanged,
            (id, None),
            None,
            "offering",
            "description",
            o.description.as_deref(),
            n.description.as_deref(),
        );
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
            let message = match (before, after) {
                (Some(b), Some(a)) if a != b => {
                    format!("now runs on {up}:{a} (was {up}:{b})")
                }
                (None, Some(a)) => format!("now runs on {up}:{a}"),
                (Some(b), None) => format!("no longer runs on {up}:{b}"),
                _ => continue,
            };
            self.push(
                Change::new(
                    Kind::UpstreamChanged,
                    classify::by_field("runs-on"),
                    message,
                )
                .at(id, None)
                .reference(up)
                .values(before, after),
            );
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
                    Change::new(
                        Kind::AreaRemoved,
                        classify::area_removed(),
                        format!("area \"{}\" removed", before.name),
                    )
                    .at(id, Some(area))
                    .values(
                        Some(&party_ids(&before.holders.iter().collect::<Vec<_>>())),
                        None,
                    ),
                ),
                (None, Some(after)) => {
                    let holders: Vec<&ResolvedHolder> = after.holders.iter().collect();
                    self.push(
                        Change::new(
                            Kind::AreaAdded,
                            classify::area_added(after.customer_part().next().is_some()),
                            format!("new area \"{}\", held by {}", after.name, labels(&holders)),
                        )
                        .at(id, Some(area))
                        .values(None, Some(&party_ids(&holders))),
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
                Change::new(
                    Kind::ResponsibilityMoved,
                    class,
                    format!("moved from {} to {}", labels(&removed), labels(&added)),
                )
                .at(at.0, at.1)
                .values(Some(&party_ids(&removed)), Some(&party_ids(&added))),
            );
        } else {
            for h in &removed {
                self.push(
                    Change::new(
                        Kind::HolderRemoved,
                        removed_class(h),
                        format!("{} no longer holds it", h.label()),
                    )
                    .at(at.0, at.1)
                    .party(&h.party),
                );
            }
            for h in &added {
                let message = match &h.scope {
                    Some(scope) => format!("now also held by {} (scope: {scope})", h.label()),
                    None => format!("now also held by {}", h.label()),
                };
                self.push(
                    Change::new(Kind::HolderAdded, added_class(h), message)
                        .at(at.0, at.1)
                        .party(&h.party)
                        .values(None, h.scope.as_deref()),
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
        for duty in &h.duties {
            self.push(
                Change::new(
                    Kind::DutyAdded,
                    classify::duty_added(h.is_customer_part()),
                    format!("new duty for {}: \"{duty}\"", h.label()),
                )
                .at(offering, Some(area))
                .party(&h.party)
                .values(None, Some(duty)),
            );
        }
    }

    fn holder(&mut self, at: (Option<&str>, Option<&str>), o: &ResolvedHolder, n: &ResolvedHolder) {
        let customer = n.is_customer_part();
        let who = n.label();
        let base = |kind, class, message| {
            Change::new(kind, class, message)
                .at(at.0, at.1)
                .party(&n.party)
        };
        if o.scope != n.scope {
            let (before, after) = (o.scope.as_deref(), n.scope.as_deref());
            let trivial = matches!((before, after), (Some(b), Some(a)) if reword::is_trivial(b, a));
            let message = match (before, after) {
                (Some(b), Some(a)) => format!("scope of {who} changed from \"{b}\" to \"{a}\""),
                (Some(b), None) => {
                    format!("scope \"{b}\" of {who} removed: it holds the whole area")
                }
                (None, Some(a)) => format!("{who} now holds only \"{a}\""),
                (None, None) => unreachable!("the scopes differ"),
            };
            self.push(
                base(
                    Kind::ScopeChanged,
                    classify::scope_changed(customer, before, after, trivial),
                    message,
                )
                .values(before, after),
            );
        }

        let pairing = reword::pair(&o.duties, &n.duties);
        for &i in &pairing.removed {
            let duty = &o.duties[i];
            self.push(
                base(
                    Kind::DutyRemoved,
                    classify::duty_removed(),
                    format!("duty of {who} removed: \"{duty}\""),
                )
                .values(Some(duty), None),
            );
        }
        for &(i, j) in &pairing.reworded {
            let (before, after) = (&o.duties[i], &n.duties[j]);
            let trivial = reword::is_trivial(before, after);
            self.push(
                base(
                    Kind::DutyReworded,
                    classify::duty_reworded(customer, trivial),
                    format!("duty of {who} reworded: \"{before}\" is now \"{after}\""),
                )
                .values(Some(before), Some(after)),
            );
        }
        for &j in &pairing.added {
            let duty = &n.duties[j];
            self.push(
                base(
                    Kind::DutyAdded,
                    classify::duty_added(customer),
                    format!("new duty for {who}: \"{duty}\""),
                )
                .values(None, Some(duty)),
            );
        }
        if pairing.reordered() {
            self.push(base(
                Kind::DutiesReordered,
                Class::Cosmetic,
                format!("duties of {who} reordered"),
            ));
        }

        for (list_old, list_new, is_evidence) in
            [(&o.how, &n.how, false), (&o.evidence, &n.evidence, true)]
        {
            for id in list_old.iter().filter(|id| !list_new.contains(id)) {
                let name = self.reference_name(self.old, id, is_evidence);
                let (kind, class, message) = if is_evidence {
                    (
                        Kind::EvidenceRemoved,
                        classify::evidence_removed(customer),
                        format!("evidence \"{name}\" withdrawn from {who}"),
                    )
                } else {
                    (
                        Kind::PracticeRemoved,
                        classify::practice_listed(),
                        format!("practice \"{name}\" no longer listed for {who}"),
                    )
                };
                self.push(base(kind, class, message).reference(id));
            }
            for id in list_new.iter().filter(|id| !list_old.contains(id)) {
                let name = self.reference_name(self.new, id, is_evidence);
                let (kind, class, message) = if is_evidence {
                    (
                        Kind::EvidenceAdded,
                        classify::evidence_added(),
                        format!("new evidence for {who}: \"{name}\""),
                    )
                } else {
                    (
                        Kind::PracticeAdded,
                        classify::practice_listed(),
                        format!("new practice for {who}: \"{name}\""),
                    )
                };
                self.push(base(kind, class, message).reference(id));
            }
        }

        if o.note != n.note {
            self.push(
                base(
                    Kind::NoteChanged,
                    Class::Cosmetic,
                    format!("note of {who} changed"),
                )
                .values(o.note.as_deref(), n.note.as_deref()),
            );
        }
    }

    fn reference_name(&self, m: &'a Matrix, id: &'a str, is_evidence: bool) -> &'a str {
        let name = if is_evidence {
            m.evidence.get(id).map(|e| e.name.as_str())
        } else {
            m.practices.get(id).map(|p| p.name.as_str())
        };
        name.unwrap_or(id)
    }
}

fn labels(holders: &[&ResolvedHolder]) -> String {
    let names: Vec<String> = holders.iter().map(|h| h.label()).collect();
    match names.as_slice() {
        [] => "nobody".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

fn party_ids(holders: &[&ResolvedHolder]) -> String {
    holders
        .iter()
        .map(|h| h.party.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn access_label(access: Access) -> &'static str {
    match access {
        Access::Public => "public",
        Access::OnRequest => "on request",
        Access::Nda => "under NDA",
    }
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

/// When the ids both versions have are in another order: (old, new), joined with `, `.
fn reordered(old: &[&str], new: &[&str]) -> Option<(String, String)> {
    let (in_old, in_new): (HashSet<&str>, HashSet<&str>) =
        (old.iter().copied().collect(), new.iter().copied().collect());
    let common_old: Vec<&str> = old
        .iter()
        .filter(|i| in_new.contains(*i))
        .copied()
        .collect();
    let common_new: Vec<&str> = new
        .iter()
        .filter(|i| in_old.contains(*i))
        .copied()
        .collect();
    (common_old != common_new).then(|| (common_old.join(", "), common_new.join(", ")))
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
            Some(("a, b".to_string(), "b, a".to_string()))
        );
    }

    #[test]
    fn classes_order_by_severity() {
        assert!(Class::Breaking > Class::Notable && Class::Notable > Class::Cosmetic);
        let mut sorted = Class::ALL;
        sorted.sort();
        assert_eq!(sorted, Class::ALL);
    }

    #[test]
    fn kind_names_are_unique_kebab_case() {
        let names: HashSet<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
        assert_eq!(names.len(), Kind::ALL.len());
        assert!(names.iter().all(|n| crate::model::is_valid_id(n)));
    }
}
