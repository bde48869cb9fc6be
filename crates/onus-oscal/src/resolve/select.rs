//! Selection: which controls of one imported catalog an import takes, and
//! the catalog pruned down to them.

use std::collections::HashMap;
use std::marker::PhantomData;

use super::{ControlGroup, Origin, Warning};
use crate::catalog::{Catalog, Control, Group, Param, Resource};
use crate::profile::{Import, SelectControls, WithChildControls};
use crate::{Error, UnknownId};

/// One import's share of the resolved catalog: the source catalog pruned
/// to the selected controls, in the source's structure.
#[derive(Debug, Default)]
pub(super) struct Selection {
    pub params: Vec<Param>,
    pub controls: Vec<Control>,
    pub groups: Vec<Group>,
    pub resources: Vec<Resource>,
    /// Where each selected control sits in the source catalog.
    pub origins: HashMap<String, Origin>,
}

/// What to do with a selected control whose parent control is not selected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Orphans {
    /// Leave it out, with a warning (the catalog's structure is kept, and a
    /// child cannot be placed without its parent). NIST's resolver does this.
    Drop,
    /// Put it where its parent would have been.
    Lift,
}

/// Selects the controls `import` asks for and prunes `source` down to them.
pub(super) fn select(
    source: super::Source<'_>,
    import: &Import,
    href: &str,
    orphans: Orphans,
    warnings: &mut Vec<Warning>,
) -> Result<Selection, Error> {
    let selected = selected(source.as_ref(), import, href)?;
    let mut pruner = Pruner {
        selected: &selected,
        next: 0,
        orphans,
        origins: HashMap::new(),
        warnings,
    };
    let mut selection = match source {
        super::Source::Borrowed(catalog) => {
            let mut selection = Selection {
                params: catalog.params.clone(),
                resources: resources(catalog).to_vec(),
                ..Selection::default()
            };
            pruner.controls::<Borrowed>(&catalog.controls, None, None, &mut selection.controls);
            pruner.groups::<Borrowed>(&catalog.groups, &mut selection.groups);
            selection
        }
        super::Source::Owned(mut catalog) => {
            let mut selection = Selection {
                params: std::mem::take(&mut catalog.params),
                resources: catalog
                    .back_matter
                    .take()
                    .map(|b| b.resources)
                    .unwrap_or_default(),
                ..Selection::default()
            };
            let controls = std::mem::take(&mut catalog.controls);
            let groups = std::mem::take(&mut catalog.groups);
            pruner.controls::<Owned>(controls, None, None, &mut selection.controls);
            pruner.groups::<Owned>(groups, &mut selection.groups);
            selection
        }
    };
    selection.origins = pruner.origins;
    Ok(selection)
}

fn resources(catalog: &Catalog) -> &[Resource] {
    catalog
        .back_matter
        .as_ref()
        .map_or(&[], |b| b.resources.as_slice())
}

/// One control of the source catalog, in walk order (see [`Catalog::controls`]).
struct Node<'c> {
    id: &'c str,
    /// One past the last index of this control's descendants.
    end: usize,
}

fn index(catalog: &Catalog) -> Vec<Node<'_>> {
    fn controls<'c>(list: &'c [Control], nodes: &mut Vec<Node<'c>>) {
        for control in list {
            let at = nodes.len();
            nodes.push(Node {
                id: &control.id,
                end: 0,
            });
            controls(&control.controls, nodes);
            nodes[at].end = nodes.len();
        }
    }
    fn groups<'c>(list: &'c [Group], nodes: &mut Vec<Node<'c>>) {
        for group in list {
            controls(&group.controls, nodes);
            groups(&group.groups, nodes);
        }
    }
    let mut nodes = Vec::new();
    controls(&catalog.controls, &mut nodes);
    groups(&catalog.groups, &mut nodes);
    nodes
}

/// Which controls (by walk index) the import selects.
fn selected(catalog: &Catalog, import: &Import, href: &str) -> Result<Vec<bool>, Error> {
    let nodes = index(catalog);
    let by_id: HashMap<&str, usize> = nodes.iter().enumerate().map(|(i, n)| (n.id, i)).collect();
    let include_all = import.include_all.is_some() || import.include_controls.is_empty();
    let mut selected = vec![include_all; nodes.len()];
    let mut unknown = Vec::new();
    let mut mark = |selector: &SelectControls, value: bool| {
        let children = selector.with_child_controls == Some(WithChildControls::Yes);
        let set = |i: usize, selected: &mut [bool]| {
            let end = if children { nodes[i].end } else { i + 1 };
            selected[i..end].iter_mut().for_each(|s| *s = value);
        };
        for id in &selector.with_ids {
            match by_id.get(id.as_str()) {
                Some(&i) => set(i, &mut selected),
                None => unknown.push(UnknownId {
                    id: id.clone(),
                    excluded: !value,
                    suggestion: closest(id, nodes.iter().map(|n| n.id)),
                }),
            }
        }
        for pattern in selector
            .matching
            .iter()
            .filter_map(|m| m.pattern.as_deref())
        {
            for (i, node) in nodes.iter().enumerate() {
                if glob(pattern, node.id) {
                    set(i, &mut selected);
                }
            }
        }
    };
    if import.include_all.is_none() {
        for selector in &import.include_controls {
            mark(selector, true);
        }
    }
    for selector in &import.exclude_controls {
        mark(selector, false);
    }
    if !unknown.is_empty() {
        return Err(Error::UnknownControls {
            href: href.to_owned(),
            unknown,
        });
    }
    Ok(selected)
}

/// The id most like `id`, if one is a likely typo of it.
fn closest<'a>(id: &str, ids: impl Iterator<Item = &'a str>) -> Option<String> {
    ids.map(|candidate| (strsim::levenshtein(id, candidate), candidate))
        .filter(|&(distance, _)| distance <= 2 && distance < id.len())
        .min_by_key(|&(distance, _)| distance)
        .map(|(_, candidate)| candidate.to_owned())
}

/// Glob matching on ids: `*` is any run of characters, `?` any one character.
pub(super) fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti) = (0, 0);
    let mut backtrack: Option<(usize, usize)> = None;
    while ti < t.len() {
        match p.get(pi) {
            Some('*') => {
                backtrack = Some((pi, ti));
                pi += 1;
            }
            Some(&c) if c == '?' || c == t[ti] => {
                pi += 1;
                ti += 1;
            }
            _ => match backtrack {
                Some((star, matched)) => {
                    pi = star + 1;
                    ti = matched + 1;
                    backtrack = Some((star, matched + 1));
                }
                None => return false,
            },
        }
    }
    p[pi..].iter().all(|&c| c == '*')
}

/// Walks the source catalog in the order of [`index`], keeping the
/// selected controls and the groups that still hold any.
struct Pruner<'s> {
    selected: &'s [bool],
    /// The walk index of the next control.
    next: usize,
    orphans: Orphans,
    origins: HashMap<String, Origin>,
    warnings: &'s mut Vec<Warning>,
}

impl Pruner<'_> {
    fn controls<T: Take>(
        &mut self,
        controls: T::Controls,
        parent: Option<&str>,
        group: Option<&ControlGroup>,
        out: &mut Vec<Control>,
    ) {
        for control in controls {
            let keep = self.selected.get(self.next).copied().unwrap_or(false);
            self.next += 1;
            match T::open_control(control, keep) {
                (Ok(mut control), children) => {
                    self.origins.insert(
                        control.id.clone(),
                        Origin {
                            parent: parent.map(str::to_owned),
                            group: group.cloned(),
                        },
                    );
                    let mut kept = Vec::new();
                    self.controls::<T>(children, Some(&control.id), group, &mut kept);
                    control.controls = kept;
                    out.push(control);
                }
                (Err(id), children) => match self.orphans {
                    Orphans::Lift => self.controls::<T>(children, Some(&id), group, out),
                    Orphans::Drop => self.skip::<T>(children, &id),
                },
            }
        }
    }

    /// Steps over controls that cannot be placed, warning for selected ones.
    fn skip<T: Take>(&mut self, controls: T::Controls, parent: &str) {
        for control in controls {
            if self.selected.get(self.next).copied().unwrap_or(false) {
                self.warnings.push(Warning::NotPlaced {
                    control_id: T::id(&control).to_owned(),
                    parent_id: parent.to_owned(),
                });
            }
            self.next += 1;
            let (id, children) = T::open_control(control, false);
            let id = id.err().unwrap_or_default();
            self.skip::<T>(children, &id);
        }
    }

    fn groups<T: Take>(&mut self, groups: T::Groups, out: &mut Vec<Group>) {
        for group in groups {
            let (mut shell, controls, subgroups) = T::open_group(group);
            let info = ControlGroup::of(&shell);
            self.controls::<T>(controls, None, Some(&info), &mut shell.controls);
            self.groups::<T>(subgroups, &mut shell.groups);
            if !shell.controls.is_empty() || !shell.groups.is_empty() {
                out.push(shell);
            }
        }
    }
}

/// How the pruner takes controls out of the source: by moving them (an
/// owned catalog, nothing copied) or by cloning the selected ones.
trait Take {
    type Control;
    type Group;
    type Controls: IntoIterator<Item = Self::Control>;
    type Groups: IntoIterator<Item = Self::Group>;
    /// The control without its children if `keep` (else its id), and its children.
    fn open_control(
        control: Self::Control,
        keep: bool,
    ) -> (Result<Control, String>, Self::Controls);
    fn id(control: &Self::Control) -> &str;
    /// The group without its controls and sub-groups, and those.
    fn open_group(group: Self::Group) -> (Group, Self::Controls, Self::Groups);
}

struct Owned;

impl Take for Owned {
    type Control = Control;
    type Group = Group;
    type Controls = Vec<Control>;
    type Groups = Vec<Group>;

    fn open_control(mut control: Control, keep: bool) -> (Result<Control, String>, Vec<Control>) {
        let children = std::mem::take(&mut control.controls);
        (if keep { Ok(control) } else { Err(control.id) }, children)
    }

    fn id(control: &Control) -> &str {
        &control.id
    }

    fn open_group(mut group: Group) -> (Group, Vec<Control>, Vec<Group>) {
        let controls = std::mem::take(&mut group.controls);
        let groups = std::mem::take(&mut group.groups);
        (group, controls, groups)
    }
}

struct Borrowed<'c>(PhantomData<&'c Catalog>);

impl<'c> Take for Borrowed<'c> {
    type Control = &'c Control;
    type Group = &'c Group;
    type Controls = &'c [Control];
    type Groups = &'c [Group];

    fn open_control(control: &'c Control, keep: bool) -> (Result<Control, String>, &'c [Control]) {
        (
            if keep {
                Ok(shell_of_control(control))
            } else {
                Err(control.id.clone())
            },
            &control.controls,
        )
    }

    fn id<'a>(control: &'a &'c Control) -> &'a str {
        &control.id
    }

    fn open_group(group: &'c Group) -> (Group, &'c [Control], &'c [Group]) {
        (shell_of_group(group), &group.controls, &group.groups)
    }
}

/// A copy of the control without its children.
fn shell_of_control(control: &Control) -> Control {
    let Control {
        id,
        class,
        title,
        params,
        props,
        links,
        parts,
        controls: _,
        extra,
    } = control;
    Control {
        id: id.clone(),
        class: class.clone(),
        title: title.clone(),
        params: params.clone(),
        props: props.clone(),
        links: links.clone(),
        parts: parts.clone(),
        controls: Vec::new(),
        extra: extra.clone(),
    }
}

/// A copy of the group without its controls and sub-groups.
fn shell_of_group(group: &Group) -> Group {
    let Group {
        id,
        class,
        title,
        params,
        props,
        links,
        parts,
        groups: _,
        controls: _,
        extra,
    } = group;
    Group {
        id: id.clone(),
        class: class.clone(),
        title: title.clone(),
        params: params.clone(),
        props: props.clone(),
        links: links.clone(),
        parts: parts.clone(),
        groups: Vec::new(),
        controls: Vec::new(),
        extra: extra.clone(),
    }
}
