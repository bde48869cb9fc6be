//! Merge: the selections of all imports into one structure.

use std::collections::{HashMap, HashSet};

use super::select::{Orphans, Selection};
use super::{Origin, Warning};
use crate::catalog::{Catalog, Control, Group, Param, Resource};
use crate::profile::Profile;
use crate::Error;

/// The structure the profile asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Structure {
    /// `as-is`: the catalog's groups and nesting.
    AsIs,
    /// `flat`, or no directive: one list of controls, no groups, no nesting.
    Flat,
}

impl Structure {
    pub(super) fn of(profile: &Profile) -> Result<Self, Error> {
        let Some(merge) = &profile.merge else {
            return Ok(Structure::Flat);
        };
        if merge.custom.is_some() {
            return Err(Error::Unsupported {
                feature: "a `custom` merge (restructuring controls into new groups)".to_owned(),
                help: "use `\"as-is\": true` to keep the catalog's groups, or `flat`",
            });
        }
        Ok(if merge.is_as_is() {
            Structure::AsIs
        } else {
            Structure::Flat
        })
    }

    pub(super) fn orphans(self) -> Orphans {
        match self {
            Structure::AsIs => Orphans::Drop,
            Structure::Flat => Orphans::Lift,
        }
    }
}

/// Puts the selections into `catalog` in the requested structure. Returns
/// the back-matter resources of all imports and where each control came from.
pub(super) fn merge(
    catalog: &mut Catalog,
    selections: Vec<Selection>,
    structure: Structure,
    warnings: &mut Vec<Warning>,
) -> (Vec<Resource>, HashMap<String, Origin>) {
    let several = selections.len() > 1;
    let mut resources: Vec<Resource> = Vec::new();
    let mut origins = HashMap::new();
    let mut uuids = HashSet::new();
    for selection in selections {
        let Selection {
            params,
            controls,
            groups,
            resources: imported,
            origins: imported_origins,
        } = selection;
        catalog.params.extend(params);
        match structure {
            Structure::AsIs => {
                catalog.controls.extend(controls);
                merge_groups(&mut catalog.groups, groups);
            }
            Structure::Flat => {
                flatten(controls, &mut catalog.controls);
                flatten_groups(groups, &mut catalog.params, &mut catalog.controls);
            }
        }
        if several {
            resources.extend(
                imported
                    .into_iter()
                    .filter(|r| uuids.insert(r.uuid.clone())),
            );
            for (id, origin) in imported_origins {
                origins.entry(id).or_insert(origin);
            }
        } else {
            resources = imported;
            origins = imported_origins;
        }
    }
    if several {
        let mut seen = HashSet::new();
        dedupe(&mut catalog.controls, &mut seen, warnings);
        dedupe_groups(&mut catalog.groups, &mut seen, warnings);
    }
    (resources, origins)
}

/// Merges groups with the same id, at the same level, into one.
fn merge_groups(into: &mut Vec<Group>, from: Vec<Group>) {
    for mut group in from {
        let existing = group
            .id
            .as_ref()
            .and_then(|id| into.iter_mut().find(|g| g.id.as_ref() == Some(id)));
        match existing {
            Some(existing) => {
                existing.params.append(&mut group.params);
                existing.controls.append(&mut group.controls);
                merge_groups(&mut existing.groups, std::mem::take(&mut group.groups));
            }
            None => into.push(group),
        }
    }
}

fn flatten(controls: Vec<Control>, out: &mut Vec<Control>) {
    for mut control in controls {
        let children = std::mem::take(&mut control.controls);
        out.push(control);
        flatten(children, out);
    }
}

fn flatten_groups(groups: Vec<Group>, params: &mut Vec<Param>, out: &mut Vec<Control>) {
    for mut group in groups {
        params.append(&mut group.params);
        flatten(std::mem::take(&mut group.controls), out);
        flatten_groups(std::mem::take(&mut group.groups), params, out);
    }
}

/// Keeps the first control with each id.
fn dedupe(controls: &mut Vec<Control>, seen: &mut HashSet<String>, warnings: &mut Vec<Warning>) {
    controls.retain(|control| {
        let first = seen.insert(control.id.clone());
        if !first {
            warnings.push(Warning::DuplicateControl {
                control_id: control.id.clone(),
            });
        }
        first
    });
    for control in controls {
        dedupe(&mut control.controls, seen, warnings);
    }
}

fn dedupe_groups(groups: &mut [Group], seen: &mut HashSet<String>, warnings: &mut Vec<Warning>) {
    for group in groups {
        dedupe(&mut group.controls, seen, warnings);
        dedupe_groups(&mut group.groups, seen, warnings);
    }
}
