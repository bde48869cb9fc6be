//! Modify: `set-parameters`, then `alters`, on the merged controls.
//!
//! As in NIST's resolver, parameters are set on the parameters the catalog
//! declares; parameters that an `alter` adds are taken as written.

use std::collections::HashMap;

use super::Warning;
use crate::catalog::{Catalog, Control, Group, Link, Param, Part, Prop};
use crate::profile::{Add, Alter, Modify, Position, Remove, SetParameter};

pub(super) fn apply(catalog: &mut Catalog, modify: &Modify, warnings: &mut Vec<Warning>) {
    set_parameters(catalog, &modify.set_parameters, warnings);
    alter(catalog, &modify.alters, warnings);
}

fn set_parameters(catalog: &mut Catalog, settings: &[SetParameter], warnings: &mut Vec<Warning>) {
    if settings.is_empty() {
        return;
    }
    let mut pending: HashMap<&str, (Vec<&SetParameter>, bool)> = HashMap::new();
    for setting in settings {
        pending
            .entry(setting.param_id.as_str())
            .or_default()
            .0
            .push(setting);
    }
    let mut visit = |params: &mut Vec<Param>| {
        for param in params {
            if let Some((settings, used)) = pending.get_mut(param.id.as_str()) {
                settings.iter().for_each(|s| set_parameter(param, s));
                *used = true;
            }
        }
    };
    visit(&mut catalog.params);
    for_each_group(&mut catalog.groups, &mut |g| visit(&mut g.params));
    for_each_control(catalog, &mut |c| visit(&mut c.params));
    for setting in settings {
        if pending
            .get(setting.param_id.as_str())
            .is_some_and(|(_, used)| !used)
        {
            pending.remove(setting.param_id.as_str());
            warnings.push(Warning::UnknownParameter {
                param_id: setting.param_id.clone(),
            });
        }
    }
}

fn set_parameter(param: &mut Param, setting: &SetParameter) {
    let SetParameter {
        param_id: _,
        class,
        props,
        links,
        label,
        usage,
        constraints,
        guidelines,
        values,
        select,
        extra,
    } = setting;
    replace(&mut param.class, class);
    replace(&mut param.label, label);
    replace(&mut param.usage, usage);
    replace(&mut param.select, select);
    if !values.is_empty() {
        param.values.clone_from(values);
    }
    param.props.extend(props.iter().cloned());
    param.links.extend(links.iter().cloned());
    param.constraints.extend(constraints.iter().cloned());
    param.guidelines.extend(guidelines.iter().cloned());
    // Members we do not model (`depends-on`, `remarks` ...) replace theirs.
    for (key, value) in extra {
        param.extra.insert(key.clone(), value.clone());
    }
}

fn replace<T: Clone>(target: &mut Option<T>, setting: &Option<T>) {
    if let Some(value) = setting {
        *target = Some(value.clone());
    }
}

fn alter(catalog: &mut Catalog, alters: &[Alter], warnings: &mut Vec<Warning>) {
    if alters.is_empty() {
        return;
    }
    let mut pending: HashMap<&str, (Vec<&Alter>, bool)> = HashMap::new();
    for alter in alters {
        pending
            .entry(alter.control_id.as_str())
            .or_default()
            .0
            .push(alter);
    }
    for_each_control(catalog, &mut |control| {
        if let Some((alters, used)) = pending.get_mut(control.id.as_str()) {
            *used = true;
            for alter in alters.iter() {
                alter_control(control, alter, warnings);
            }
        }
    });
    for alter in alters {
        if pending
            .get(alter.control_id.as_str())
            .is_some_and(|(_, used)| !used)
        {
            pending.remove(alter.control_id.as_str());
            warnings.push(Warning::UnknownAlterTarget {
                control_id: alter.control_id.clone(),
            });
        }
    }
}

fn alter_control(control: &mut Control, alter: &Alter, warnings: &mut Vec<Warning>) {
    for remove in &alter.removes {
        if remove_from_control(control, remove) == 0 {
            warnings.push(Warning::RemoveMatchedNothing {
                control_id: control.id.clone(),
            });
        }
    }
    for add in &alter.adds {
        if !add_to_control(control, add) {
            warnings.push(Warning::AddTargetNotFound {
                control_id: control.id.clone(),
                by_id: add.by_id.clone().unwrap_or_default(),
            });
        }
    }
}

/// What an item looks like to a `remove`.
struct Item<'a> {
    kind: &'static str,
    name: Option<&'a str>,
    class: Option<&'a str>,
    id: Option<&'a str>,
    ns: Option<&'a str>,
}

impl Remove {
    /// All the criteria given match (and at least one is given).
    fn matches(&self, item: &Item) -> bool {
        let given = [
            &self.by_name,
            &self.by_class,
            &self.by_id,
            &self.by_item_name,
            &self.by_ns,
        ];
        if given.iter().all(|c| c.is_none()) {
            return false;
        }
        let same = |criterion: &Option<String>, value: Option<&str>| {
            criterion.as_deref().is_none_or(|c| Some(c) == value)
        };
        let class_ok = self.by_class.as_deref().is_none_or(|wanted| {
            item.class.is_some_and(|classes| {
                classes
                    .split_whitespace()
                    .any(|c| c.eq_ignore_ascii_case(wanted))
            })
        });
        same(&self.by_item_name, Some(item.kind))
            && same(&self.by_name, item.name)
            && same(&self.by_id, item.id)
            && same(&self.by_ns, item.ns)
            && class_ok
    }
}

/// Removes matching params, props, links and parts anywhere in the control
/// (not in its child controls). Returns how many were removed.
fn remove_from_control(control: &mut Control, remove: &Remove) -> usize {
    let mut removed = 0;
    removed += retain(&mut control.params, |p| remove.matches(&param_item(p)));
    for param in &mut control.params {
        removed += remove_props_links(&mut param.props, &mut param.links, remove);
    }
    removed += remove_props_links(&mut control.props, &mut control.links, remove);
    removed += remove_from_parts(&mut control.parts, remove);
    removed
}

fn remove_from_parts(parts: &mut Vec<Part>, remove: &Remove) -> usize {
    let mut removed = retain(parts, |p| {
        remove.matches(&Item {
            kind: "part",
            name: Some(&p.name),
            class: p.class.as_deref(),
            id: p.id.as_deref(),
            ns: p.ns.as_deref(),
        })
    });
    for part in parts {
        removed += remove_props_links(&mut part.props, &mut part.links, remove);
        removed += remove_from_parts(&mut part.parts, remove);
    }
    removed
}

fn remove_props_links(props: &mut Vec<Prop>, links: &mut Vec<Link>, remove: &Remove) -> usize {
    retain(props, |p| {
        remove.matches(&Item {
            kind: "prop",
            name: Some(&p.name),
            class: p.class.as_deref(),
            id: None,
            ns: p.ns.as_deref(),
        })
    }) + retain(links, |_| {
        remove.matches(&Item {
            kind: "link",
            name: None,
            class: None,
            id: None,
            ns: None,
        })
    })
}

fn param_item(param: &Param) -> Item<'_> {
    Item {
        kind: "param",
        name: None,
        class: param.class.as_deref(),
        id: Some(&param.id),
        ns: None,
    }
}

/// Removes the items `matches` picks; returns how many.
fn retain<T>(items: &mut Vec<T>, mut matches: impl FnMut(&T) -> bool) -> usize {
    let before = items.len();
    items.retain(|item| !matches(item));
    before - items.len()
}

/// Applies an `add`. Returns false if its `by-id` target does not exist.
///
/// Without `by-id`, the content goes into the control, first (`starting`,
/// `before`) or last (`ending`, `after`). With `by-id` naming a part,
/// `starting`/`ending` put parts, props and links inside that part and
/// `before`/`after` put parts next to it. With `by-id` naming a param,
/// `before`/`after` put params next to it and `starting`/`ending` put props
/// and links inside it. Content with no place at the target goes to the end
/// of the control.
fn add_to_control(control: &mut Control, add: &Add) -> bool {
    let position = add.position.unwrap_or_default();
    // `by-id` naming the control itself (FedRAMP adds its `CORE` prop so)
    // is the same as no `by-id`.
    let Some(by_id) = add.by_id.as_deref().filter(|id| *id != control.id) else {
        let first = matches!(position, Position::Starting | Position::Before);
        if let Some(title) = &add.title {
            control.title.clone_from(title);
        }
        put(&mut control.params, &add.params, first);
        put(&mut control.props, &add.props, first);
        put(&mut control.links, &add.links, first);
        put(&mut control.parts, &add.parts, first);
        return true;
    };
    let mut rest = Rest::default();
    if let Some(i) = control.params.iter().position(|p| p.id == by_id) {
        match position {
            Position::Before | Position::After => {
                let at = if position == Position::Before {
                    i
                } else {
                    i + 1
                };
                control.params.splice(at..at, add.params.iter().cloned());
                rest.props = true;
                rest.links = true;
            }
            Position::Starting | Position::Ending => {
                let param = &mut control.params[i];
                put(&mut param.props, &add.props, position == Position::Starting);
                put(&mut param.links, &add.links, position == Position::Starting);
                rest.params = true;
            }
        }
        rest.parts = true;
    } else if add_at_part(&mut control.parts, by_id, add, position, &mut rest) {
        rest.params = true;
    } else {
        return false;
    }
    if rest.params {
        put(&mut control.params, &add.params, false);
    }
    if rest.props {
        put(&mut control.props, &add.props, false);
    }
    if rest.links {
        put(&mut control.links, &add.links, false);
    }
    if rest.parts {
        put(&mut control.parts, &add.parts, false);
    }
    true
}

/// Which kinds of content an `add` could not place at its target.
#[derive(Default)]
struct Rest {
    params: bool,
    props: bool,
    links: bool,
    parts: bool,
}

fn add_at_part(
    parts: &mut Vec<Part>,
    by_id: &str,
    add: &Add,
    position: Position,
    rest: &mut Rest,
) -> bool {
    if let Some(i) = parts.iter().position(|p| p.id.as_deref() == Some(by_id)) {
        if let Some(title) = &add.title {
            parts[i].title = Some(title.clone());
        }
        match position {
            Position::Before | Position::After => {
                let at = if position == Position::Before {
                    i
                } else {
                    i + 1
                };
                parts.splice(at..at, add.parts.iter().cloned());
                rest.props = true;
                rest.links = true;
            }
            Position::Starting | Position::Ending => {
                let first = position == Position::Starting;
                let part = &mut parts[i];
                put(&mut part.parts, &add.parts, first);
                put(&mut part.props, &add.props, first);
                put(&mut part.links, &add.links, first);
            }
        }
        return true;
    }
    parts
        .iter_mut()
        .any(|part| add_at_part(&mut part.parts, by_id, add, position, rest))
}

/// Puts copies of `items` first or last in `list`, keeping their order.
fn put<T: Clone>(list: &mut Vec<T>, items: &[T], first: bool) {
    if first {
        list.splice(0..0, items.iter().cloned());
    } else {
        list.extend(items.iter().cloned());
    }
}

fn for_each_group(groups: &mut [Group], f: &mut dyn FnMut(&mut Group)) {
    for group in groups {
        f(group);
        for_each_group(&mut group.groups, f);
    }
}

/// Calls `f` on every control of the catalog, parents before children.
fn for_each_control(catalog: &mut Catalog, f: &mut dyn FnMut(&mut Control)) {
    fn controls(list: &mut [Control], f: &mut dyn FnMut(&mut Control)) {
        for control in list {
            f(control);
            controls(&mut control.controls, f);
        }
    }
    fn groups(list: &mut [Group], f: &mut dyn FnMut(&mut Control)) {
        for group in list {
            controls(&mut group.controls, f);
            groups(&mut group.groups, f);
        }
    }
    controls(&mut catalog.controls, f);
    groups(&mut catalog.groups, f);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::Profile;

    fn catalog() -> Catalog {
        Catalog::from_json(
            r#"{"catalog": {"uuid": "u", "metadata": {"title": "t"}, "controls": [
                {"id": "c-1", "title": "One",
                 "params": [{"id": "c-1_prm_1", "label": "frequency"}, {"id": "c-1_prm_2", "select": {"choice": ["a", "b"]}}],
                 "props": [{"name": "label", "value": "C-1"}, {"name": "sort-id", "value": "c-01"}],
                 "parts": [
                    {"id": "c-1_smt", "name": "statement", "parts": [{"id": "c-1_smt.a", "name": "item", "prose": "a"}]},
                    {"id": "c-1_gdn", "name": "guidance", "class": "Info Extra", "prose": "g"}
                 ],
                 "controls": [{"id": "c-1.1", "title": "Enh", "parts": [{"name": "guidance", "prose": "kept"}]}]}
            ]}}"#,
        )
        .unwrap()
    }

    fn modify(json: &str) -> Modify {
        let profile = Profile::from_json(&format!(
            r#"{{"profile": {{"uuid": "p", "metadata": {{"title": "p"}}, "imports": [], "modify": {json}}}}}"#
        ))
        .unwrap();
        profile.modify.unwrap()
    }

    fn run(json: &str) -> (Catalog, Vec<Warning>) {
        let mut catalog = catalog();
        let mut warnings = Vec::new();
        apply(&mut catalog, &modify(json), &mut warnings);
        (catalog, warnings)
    }

    #[test]
    fn set_parameters_replaces_values_and_adds_props() {
        let (catalog, warnings) = run(r#"{"set-parameters": [
                {"param-id": "c-1_prm_1", "values": ["at least annually"], "props": [{"name": "n", "value": "v"}]},
                {"param-id": "c-1_prm_2", "label": "choose", "select": {"choice": ["b"]}}
            ]}"#);
        assert!(warnings.is_empty(), "{warnings:?}");
        let params = &catalog.controls[0].params;
        assert_eq!(params[0].values, ["at least annually"]);
        assert_eq!(params[0].label.as_deref(), Some("frequency"));
        assert_eq!(params[0].props[0].value, "v");
        assert_eq!(params[1].label.as_deref(), Some("choose"));
        assert_eq!(params[1].select, Some(serde_json::json!({"choice": ["b"]})));
    }

    #[test]
    fn set_parameters_for_an_unknown_param_warns() {
        let (_, warnings) = run(r#"{"set-parameters": [{"param-id": "nope", "values": ["x"]}]}"#);
        assert_eq!(
            warnings,
            [Warning::UnknownParameter {
                param_id: "nope".into()
            }]
        );
    }

    #[test]
    fn remove_by_name_leaves_child_controls_alone() {
        let (catalog, warnings) =
            run(r#"{"alters": [{"control-id": "c-1", "removes": [{"by-name": "guidance"}]}]}"#);
        assert!(warnings.is_empty(), "{warnings:?}");
        let control = &catalog.controls[0];
        assert_eq!(control.parts.len(), 1);
        assert_eq!(control.controls[0].parts[0].prose.as_deref(), Some("kept"));
    }

    #[test]
    fn remove_criteria_combine_and_match_class_tokens() {
        let (catalog, _) = run(r#"{"alters": [{"control-id": "c-1", "removes": [
                {"by-class": "extra", "by-item-name": "part"},
                {"by-name": "sort-id", "by-item-name": "prop"},
                {"by-id": "c-1_smt.a"},
                {"by-id": "c-1_prm_2"}
            ]}]}"#);
        let control = &catalog.controls[0];
        assert_eq!(control.parts.len(), 1);
        assert!(control.parts[0].parts.is_empty());
        assert_eq!(control.props.len(), 1);
        assert_eq!(control.params.len(), 1);
    }

    #[test]
    fn remove_that_matches_nothing_warns() {
        let (_, warnings) =
            run(r#"{"alters": [{"control-id": "c-1", "removes": [{"by-name": "nothing"}]}]}"#);
        assert_eq!(
            warnings,
            [Warning::RemoveMatchedNothing {
                control_id: "c-1".into()
            }]
        );
    }

    #[test]
    fn adds_at_the_control_and_around_parts_and_params() {
        let (catalog, warnings) = run(r#"{"alters": [{"control-id": "c-1", "adds": [
                {"position": "starting", "props": [{"name": "first", "value": "1"}], "title": "Renamed"},
                {"position": "starting", "by-id": "c-1", "props": [{"name": "zeroth", "value": "0"}]},
                {"props": [{"name": "last", "value": "2"}]},
                {"position": "before", "by-id": "c-1_gdn", "parts": [{"id": "new", "name": "item"}]},
                {"position": "ending", "by-id": "c-1_smt.a", "parts": [{"id": "deep", "name": "item"}]},
                {"position": "after", "by-id": "c-1_prm_1", "params": [{"id": "c-1_prm_new"}]}
            ]}]}"#);
        assert!(warnings.is_empty(), "{warnings:?}");
        let control = &catalog.controls[0];
        assert_eq!(control.title, "Renamed");
        let props: Vec<_> = control.props.iter().map(|p| p.name.as_str()).collect();
        assert_eq!(props, ["zeroth", "first", "label", "sort-id", "last"]);
        let parts: Vec<_> = control
            .parts
            .iter()
            .map(|p| p.id.as_deref().unwrap())
            .collect();
        assert_eq!(parts, ["c-1_smt", "new", "c-1_gdn"]);
        assert_eq!(
            control.parts[0].parts[0].parts[0].id.as_deref(),
            Some("deep")
        );
        let params: Vec<_> = control.params.iter().map(|p| p.id.as_str()).collect();
        assert_eq!(params, ["c-1_prm_1", "c-1_prm_new", "c-1_prm_2"]);
    }

    #[test]
    fn add_to_a_missing_target_or_control_warns() {
        let (_, warnings) = run(r#"{"alters": [
                {"control-id": "c-1", "adds": [{"by-id": "nope", "props": [{"name": "n", "value": "v"}]}]},
                {"control-id": "c-9", "adds": [{"props": [{"name": "n", "value": "v"}]}]}
            ]}"#);
        assert_eq!(
            warnings,
            [
                Warning::AddTargetNotFound {
                    control_id: "c-1".into(),
                    by_id: "nope".into()
                },
                Warning::UnknownAlterTarget {
                    control_id: "c-9".into()
                }
            ]
        );
    }
}
