//! Profile resolution: a profile and the catalogs it imports in, a
//! [`ResolvedCatalog`] out.
//!
//! The steps follow the OSCAL profile resolution specification and NIST's
//! reference resolver: for each import, *select* controls (`include-all`,
//! `include-controls`, `exclude-controls`); *merge* the selections
//! (`as-is` keeps the catalog's groups and nesting, `flat` or no directive
//! gives a plain list); *modify* them (`set-parameters`, then `alters`);
//! keep only the back-matter resources the result still cites.
//!
//! No I/O happens here: the caller passes a closure that turns an import's
//! href into a catalog (or a profile, resolved in turn). [`crate::load`]
//! has one that reads files.

mod back_matter;
mod merge;
mod modify;
mod select;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use crate::catalog::{Catalog, Control, Group, Param};
use crate::document;
use crate::profile::{Import, Profile};
use crate::Error;

/// Profiles importing profiles deeper than this are refused
/// ([`Error::ImportsTooDeep`]): resolution recurses once per level.
pub const MAX_IMPORT_DEPTH: usize = 32;

/// Resolving one profile asks for at most this many imports, every level
/// counted ([`Error::TooManyImports`]): twelve levels each importing the
/// next twice would otherwise resolve 4,096 profiles.
pub const MAX_IMPORTS: usize = 100;

/// What an import's href leads to, as returned by the loader passed to
/// [`resolve`].
///
/// An owned catalog is taken apart (the selected controls are moved into
/// the result); a borrowed one is left as is (the selected controls are
/// copied), which suits resolving several profiles against one catalog.
// A document is moved a handful of times, never stored in bulk: boxing
// the larger variant would only add an allocation.
#[allow(clippy::large_enum_variant)]
#[derive(Debug)]
pub enum Imported<'a> {
    /// A catalog, owned or borrowed.
    Catalog(Cow<'a, Catalog>),
    /// A profile: it is resolved first, and its result imported. Its own
    /// imports are asked for with its `location` as their
    /// [`Request::base`], so relative hrefs resolve against the document
    /// that holds them.
    Profile {
        /// The profile.
        profile: Profile,
        /// Where it was read from (for files, its path), if anywhere.
        location: Option<String>,
    },
}

/// What the loader passed to [`resolve`] is asked for: one import.
#[derive(Clone, Copy, Debug)]
pub struct Request<'r> {
    /// What to load: the href as written, or for an href `#uuid` the first
    /// `rlinks` href of that back-matter resource (a `.json` one preferred).
    pub href: &'r str,
    /// The href as written in the profile (`#uuid` stays `#uuid`).
    pub written: &'r str,
    /// Where the profile holding the import is: `None` for the profile given
    /// to [`resolve`], else the `location` the loader gave it.
    pub base: Option<&'r str>,
}

impl From<Catalog> for Imported<'_> {
    fn from(catalog: Catalog) -> Self {
        Imported::Catalog(Cow::Owned(catalog))
    }
}

impl<'a> From<&'a Catalog> for Imported<'a> {
    fn from(catalog: &'a Catalog) -> Self {
        Imported::Catalog(Cow::Borrowed(catalog))
    }
}

impl From<Profile> for Imported<'_> {
    fn from(profile: Profile) -> Self {
        Imported::Profile {
            profile,
            location: None,
        }
    }
}

/// Resolves `profile`, asking `load` for the catalog (or profile) behind
/// each import's href.
///
/// `load` receives a [`Request`]: the href (as written, or for an href
/// `#uuid` the first `rlinks` href of that back-matter resource, preferring
/// a `.json` one) and where the profile that holds it is, so that an href
/// relative to a nested profile is looked up beside that profile.
///
/// The result's uuid is new (a v5 UUID of the profile's uuid and those of
/// every catalog it imported, so the same inputs give the same uuid); its
/// metadata is the profile's (last-modified included, so the result does
/// not depend on the clock), declaring the `oscal-version` this crate writes.
///
/// Fails on the first error: an unknown id in `with-ids`
/// ([`Error::UnknownControls`]), an import cycle, an unsupported `custom`
/// merge, or whatever `load` returns. Problems that leave a usable result
/// (a `set-parameters` for a parameter no selected control has, an
/// enhancement whose parent is not selected ...) are collected in
/// [`ResolvedCatalog::warnings`].
pub fn resolve<'a, F>(profile: &Profile, mut load: F) -> Result<ResolvedCatalog, Error>
where
    F: FnMut(Request<'_>) -> Result<Imported<'a>, Error>,
{
    let mut resolver = Resolver {
        load: &mut load,
        chain: Vec::new(),
        sources: Vec::new(),
        warnings: Vec::new(),
        imports: 0,
    };
    let (mut catalog, origins) = resolver.profile(profile, "the profile", None)?;
    let mut name = format!("resolved/{}", profile.uuid);
    for uuid in &resolver.sources {
        name.push('/');
        name.push_str(uuid);
    }
    catalog.uuid = crate::export::uuid_of(&name);
    // The result is written with this crate's OSCAL (and validates against it).
    catalog.metadata.oscal_version = Some(crate::export::OSCAL_VERSION.to_owned());
    Ok(ResolvedCatalog::new(catalog, origins, resolver.warnings))
}

/// Resolves `profile` with every import answered by `catalog`, which is
/// left untouched (the selected controls are copied).
///
/// This is the `--catalog PATH` case: the NIST baselines import the catalog
/// by an `.xml` href that a JSON user does not have.
pub fn resolve_against(profile: &Profile, catalog: &Catalog) -> Result<ResolvedCatalog, Error> {
    resolve(profile, |_: Request<'_>| Ok(Imported::from(catalog)))
}

/// Like [`resolve_against`], but takes the catalog and moves the selected
/// controls out of it instead of copying them: the fastest way to resolve
/// one profile.
pub fn resolve_owned(profile: &Profile, catalog: Catalog) -> Result<ResolvedCatalog, Error> {
    if profile.imports.len() == 1 {
        let mut catalog = Some(catalog);
        resolve(profile, move |_: Request<'_>| {
            Ok(match catalog.take() {
                Some(catalog) => Imported::from(catalog),
                // Only a nested profile could ask twice, and the loader
                // given here never returns one.
                None => Imported::Catalog(Cow::Owned(Catalog::default())),
            })
        })
    } else {
        resolve_against(profile, &catalog)
    }
}

/// A catalog to select from: borrowed (copy what is selected) or owned
/// (move it).
#[allow(clippy::large_enum_variant)]
pub(crate) enum Source<'a> {
    Borrowed(&'a Catalog),
    Owned(Catalog),
}

impl Source<'_> {
    fn as_ref(&self) -> &Catalog {
        match self {
            Source::Borrowed(catalog) => catalog,
            Source::Owned(catalog) => catalog,
        }
    }
}

/// Where a control sat in the catalog it was imported from.
#[derive(Debug, Clone, Default)]
struct Origin {
    parent: Option<String>,
    group: Option<ControlGroup>,
}

struct Resolver<'l, F> {
    load: &'l mut F,
    /// The profiles being resolved, outermost first: (uuid, href).
    chain: Vec<(String, String)>,
    /// The uuids of the catalogs imported, in the order met.
    sources: Vec<String>,
    warnings: Vec<Warning>,
    /// How many imports were asked for so far, every level counted.
    imports: usize,
}

impl<'a, F> Resolver<'_, F>
where
    F: FnMut(Request<'_>) -> Result<Imported<'a>, Error>,
{
    fn profile(
        &mut self,
        profile: &Profile,
        href: &str,
        location: Option<&str>,
    ) -> Result<(Catalog, HashMap<String, Origin>), Error> {
        if self.chain.iter().any(|(uuid, _)| *uuid == profile.uuid) {
            let mut chain: Vec<String> = self.chain.iter().map(|(_, h)| h.clone()).collect();
            chain.push(href.to_owned());
            return Err(Error::ImportCycle { chain });
        }
        if self.chain.len() > MAX_IMPORT_DEPTH {
            return Err(Error::ImportsTooDeep {
                limit: MAX_IMPORT_DEPTH,
                href: href.to_owned(),
            });
        }
        self.chain.push((profile.uuid.clone(), href.to_owned()));
        let structure = merge::Structure::of(profile)?;
        let mut selections = Vec::with_capacity(profile.imports.len());
        for import in &profile.imports {
            selections.push(self.import(profile, location, import, structure)?);
        }
        let mut catalog = Catalog {
            uuid: profile.uuid.clone(),
            metadata: profile.metadata.clone(),
            ..Catalog::default()
        };
        let (resources, origins) =
            merge::merge(&mut catalog, selections, structure, &mut self.warnings);
        if let Some(modify) = &profile.modify {
            modify::apply(&mut catalog, modify, &mut self.warnings);
        }
        let own = profile
            .back_matter
            .iter()
            .flat_map(|b| b.resources.iter().cloned());
        back_matter::keep_cited(&mut catalog, resources.into_iter().chain(own).collect());
        self.chain.pop();
        Ok((catalog, origins))
    }

    fn import(
        &mut self,
        profile: &Profile,
        base: Option<&str>,
        import: &Import,
        structure: merge::Structure,
    ) -> Result<select::Selection, Error> {
        let href = effective_href(profile, &import.href)?;
        self.imports += 1;
        if self.imports > MAX_IMPORTS {
            return Err(Error::TooManyImports {
                limit: MAX_IMPORTS,
                href: href.to_owned(),
            });
        }
        let orphans = structure.orphans();
        let request = Request {
            href,
            written: &import.href,
            base,
        };
        let source = match (self.load)(request)? {
            Imported::Catalog(Cow::Borrowed(catalog)) => Source::Borrowed(catalog),
            Imported::Catalog(Cow::Owned(catalog)) => Source::Owned(catalog),
            Imported::Profile {
                profile: nested,
                location,
            } => {
                let (catalog, mut nested_origins) =
                    self.profile(&nested, href, location.as_deref())?;
                let mut selection = select::select(
                    Source::Owned(catalog),
                    import,
                    href,
                    orphans,
                    &mut self.warnings,
                )?;
                // The nested resolution knows where each control came from
                // even if it flattened the structure.
                for (id, origin) in selection.origins.iter_mut() {
                    if let Some(nested) = nested_origins.remove(id) {
                        *origin = nested;
                    }
                }
                return Ok(selection);
            }
        };
        self.sources.push(source.as_ref().uuid.clone());
        select::select(source, import, href, orphans, &mut self.warnings)
    }
}

/// The href to load for an import: as written, or for `#uuid` the link of
/// that back-matter resource.
fn effective_href<'p>(profile: &'p Profile, href: &'p str) -> Result<&'p str, Error> {
    let Some(uuid) = href.strip_prefix('#') else {
        return Ok(href);
    };
    let rlinks = profile
        .back_matter
        .iter()
        .flat_map(|b| &b.resources)
        .find(|r| r.uuid == uuid)
        .map(|r| r.rlinks.as_slice())
        .unwrap_or_default();
    rlinks
        .iter()
        .find(|l| l.href.ends_with(".json"))
        .or_else(|| rlinks.first())
        .map(|l| l.href.as_str())
        .ok_or_else(|| Error::UnknownResource {
            href: href.to_owned(),
        })
}

/// The group a control belongs to (in SP 800-53: its family).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ControlGroup {
    /// The group id, e.g. `ac`.
    pub id: Option<String>,
    /// The group class, e.g. `family`.
    pub class: Option<String>,
    /// The group title, e.g. `Access Control`.
    pub title: String,
}

impl ControlGroup {
    fn of(group: &Group) -> Self {
        ControlGroup {
            id: group.id.clone(),
            class: group.class.clone(),
            title: group.title.clone(),
        }
    }
}

/// Something resolution worked around; the result is still usable.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Warning {
    /// A selected enhancement was left out because its parent control is not
    /// selected and the profile keeps the catalog's structure (`as-is`).
    /// NIST's resolver does the same (the PRIVACY baseline lists 96 ids and
    /// resolves to 90).
    NotPlaced {
        /// The enhancement.
        control_id: String,
        /// Its parent, which is not selected.
        parent_id: String,
    },
    /// A control was imported more than once; the first copy is kept.
    DuplicateControl {
        /// The control.
        control_id: String,
    },
    /// `set-parameters` names a parameter that no resolved control has.
    UnknownParameter {
        /// The parameter id.
        param_id: String,
    },
    /// An `alter` names a control that is not in the resolved catalog.
    UnknownAlterTarget {
        /// The control id.
        control_id: String,
    },
    /// An `add` names (`by-id`) a param or part the control does not have.
    AddTargetNotFound {
        /// The control.
        control_id: String,
        /// The missing target.
        by_id: String,
    },
    /// A `remove` matched nothing in the control.
    RemoveMatchedNothing {
        /// The control.
        control_id: String,
    },
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Warning::NotPlaced { control_id, parent_id } => write!(
                f,
                "`{control_id}` is selected but its parent `{parent_id}` is not, so it is left out \
                 of the structure-keeping (`as-is`) result; select `{parent_id}` too, or use `flat`"
            ),
            Warning::DuplicateControl { control_id } => write!(
                f,
                "`{control_id}` is imported more than once; the first copy is kept"
            ),
            Warning::UnknownParameter { param_id } => write!(
                f,
                "`set-parameters` sets `{param_id}`, which no resolved control has; check the id \
                 or select its control"
            ),
            Warning::UnknownAlterTarget { control_id } => write!(
                f,
                "an `alter` changes `{control_id}`, which is not in the resolved catalog; check the \
                 id or select the control"
            ),
            Warning::AddTargetNotFound { control_id, by_id } => write!(
                f,
                "an `add` to `{control_id}` targets `{by_id}`, which that control does not have; \
                 nothing was added"
            ),
            Warning::RemoveMatchedNothing { control_id } => write!(
                f,
                "a `remove` from `{control_id}` matched nothing"
            ),
        }
    }
}

/// The result of resolving a profile: an OSCAL catalog holding the selected
/// controls, tailored, plus an index of where each control came from.
///
/// [`ResolvedCatalog::controls`] lists the controls in catalog order with
/// what a responsibility matrix needs: title, group (family), parent
/// control and parameters (with the values the profile set).
#[derive(Debug, Clone)]
pub struct ResolvedCatalog {
    catalog: Catalog,
    /// Every control, in catalog order.
    entries: Vec<Entry>,
    by_id: HashMap<String, usize>,
    warnings: Vec<Warning>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// How to reach the control from the catalog root.
    path: Vec<Step>,
    origin: Origin,
}

#[derive(Debug, Clone, Copy)]
enum Step {
    Group(usize),
    Control(usize),
}

/// One control of a [`ResolvedCatalog`], with where it came from.
#[derive(Debug, Clone, Copy)]
pub struct ResolvedControl<'a> {
    /// The control after tailoring; its `params` hold the values set.
    pub control: &'a Control,
    /// The control it enhances in the source catalog (whether or not that
    /// one is in the baseline), e.g. `ac-2` for `ac-2.1`.
    pub parent_id: Option<&'a str>,
    /// The innermost group that held it in the source catalog (the family).
    pub group: Option<&'a ControlGroup>,
}

impl<'a> ResolvedControl<'a> {
    /// The control id, e.g. `ac-2.1`.
    pub fn id(&self) -> &'a str {
        &self.control.id
    }

    /// The control title.
    pub fn title(&self) -> &'a str {
        &self.control.title
    }

    /// The control's parameters, with the values the profile set (an empty
    /// `values` means the organization has yet to define it; `label` says what).
    pub fn params(&self) -> &'a [Param] {
        &self.control.params
    }
}

impl ResolvedCatalog {
    fn new(catalog: Catalog, mut origins: HashMap<String, Origin>, warnings: Vec<Warning>) -> Self {
        let mut entries = Vec::new();
        let mut path = Vec::new();
        index_controls(&catalog.controls, &mut path, &mut origins, &mut entries);
        index_groups(&catalog.groups, &mut path, &mut origins, &mut entries);
        let mut by_id = HashMap::with_capacity(entries.len());
        for (i, entry) in entries.iter().enumerate() {
            if let Some(control) = control_at(&catalog, &entry.path) {
                by_id.entry(control.id.clone()).or_insert(i);
            }
        }
        ResolvedCatalog {
            catalog,
            entries,
            by_id,
            warnings,
        }
    }

    /// The resolved catalog as an OSCAL catalog.
    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The resolved catalog, giving up the index.
    pub fn into_catalog(self) -> Catalog {
        self.catalog
    }

    /// Writes the resolved catalog as an OSCAL JSON document.
    pub fn to_json_pretty(&self) -> String {
        document::to_json_pretty(document::CATALOG, &self.catalog)
    }

    /// Every control and enhancement, in catalog order.
    pub fn controls(&self) -> impl Iterator<Item = ResolvedControl<'_>> + '_ {
        self.entries.iter().filter_map(|entry| self.view(entry))
    }

    /// The control or enhancement with this id, if the profile selected it.
    pub fn control(&self, id: &str) -> Option<ResolvedControl<'_>> {
        self.view(self.entries.get(*self.by_id.get(id)?)?)
    }

    /// How many controls and enhancements the resolved catalog holds.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the profile selected nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Adds the `resolution-source` link to the profile at `href` to the
    /// metadata (the OSCAL profile resolution specification asks for it).
    pub fn add_resolution_source(&mut self, href: &str) {
        let link = crate::catalog::Link {
            href: href.to_owned(),
            rel: Some("resolution-source".to_owned()),
            ..Default::default()
        };
        let links = &mut self.catalog.metadata.links;
        links.retain(|l| l.rel.as_deref() != Some("resolution-source"));
        links.push(link);
    }

    /// What resolution worked around (see [`Warning`]).
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }

    fn view<'s>(&'s self, entry: &'s Entry) -> Option<ResolvedControl<'s>> {
        Some(ResolvedControl {
            control: control_at(&self.catalog, &entry.path)?,
            parent_id: entry.origin.parent.as_deref(),
            group: entry.origin.group.as_ref(),
        })
    }
}

fn index_controls(
    controls: &[Control],
    path: &mut Vec<Step>,
    origins: &mut HashMap<String, Origin>,
    entries: &mut Vec<Entry>,
) {
    for (i, control) in controls.iter().enumerate() {
        path.push(Step::Control(i));
        entries.push(Entry {
            path: path.clone(),
            origin: origins.remove(&control.id).unwrap_or_default(),
        });
        index_controls(&control.controls, path, origins, entries);
        path.pop();
    }
}

fn index_groups(
    groups: &[Group],
    path: &mut Vec<Step>,
    origins: &mut HashMap<String, Origin>,
    entries: &mut Vec<Entry>,
) {
    for (i, group) in groups.iter().enumerate() {
        path.push(Step::Group(i));
        index_controls(&group.controls, path, origins, entries);
        index_groups(&group.groups, path, origins, entries);
        path.pop();
    }
}

fn control_at<'c>(catalog: &'c Catalog, path: &[Step]) -> Option<&'c Control> {
    let (mut groups, mut controls) = (catalog.groups.as_slice(), catalog.controls.as_slice());
    let mut found = None;
    for step in path {
        match *step {
            Step::Group(i) => {
                let group = groups.get(i)?;
                (groups, controls) = (&group.groups, &group.controls);
            }
            Step::Control(i) => {
                let control = controls.get(i)?;
                (groups, controls) = (&[], &control.controls);
                found = Some(control);
            }
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two groups; `a-1` has enhancements `a-1.1` (with `a-1.1.1`) and `a-1.2`.
    fn catalog() -> Catalog {
        Catalog::from_json(
            r##"{"catalog": {"uuid": "c", "metadata": {"title": "Cat"},
                "groups": [
                    {"id": "a", "title": "Group A", "controls": [
                        {"id": "a-1", "title": "A1", "params": [{"id": "a-1_prm_1"}],
                         "links": [{"href": "#11111111-1111-4111-8111-111111111111"}],
                         "controls": [
                            {"id": "a-1.1", "title": "A1.1", "controls": [{"id": "a-1.1.1", "title": "A1.1.1"}]},
                            {"id": "a-1.2", "title": "A1.2"}]},
                        {"id": "a-2", "title": "A2"}]},
                    {"id": "b", "title": "Group B", "controls": [{"id": "b-1", "title": "B1"}]}
                ],
                "back-matter": {"resources": [
                    {"uuid": "11111111-1111-4111-8111-111111111111", "title": "cited"},
                    {"uuid": "22222222-2222-4222-8222-222222222222", "title": "not cited"}
                ]}}}"##,
        )
        .unwrap()
    }

    fn profile(imports: &str, rest: &str) -> Profile {
        Profile::from_json(&format!(
            r#"{{"profile": {{"uuid": "p", "metadata": {{"title": "P"}}, "imports": {imports} {rest}}}}}"#
        ))
        .unwrap()
    }

    fn ids(resolved: &ResolvedCatalog) -> Vec<&str> {
        resolved.controls().map(|c| c.id()).collect()
    }

    const AS_IS: &str = r#", "merge": {"as-is": true}"#;

    #[test]
    fn include_all_keeps_everything_in_catalog_order() {
        let resolved = resolve_against(
            &profile(r#"[{"href": "c", "include-all": {}}]"#, AS_IS),
            &catalog(),
        )
        .unwrap();
        assert_eq!(
            ids(&resolved),
            ["a-1", "a-1.1", "a-1.1.1", "a-1.2", "a-2", "b-1"]
        );
        assert_eq!(resolved.catalog().groups.len(), 2);
        assert!(resolved.warnings().is_empty());
        // A new uuid, the same for the same inputs.
        assert_ne!(resolved.catalog().uuid, "p");
        let again = resolve_against(
            &profile(r#"[{"href": "c", "include-all": {}}]"#, AS_IS),
            &catalog(),
        )
        .unwrap();
        assert_eq!(resolved.catalog().uuid, again.catalog().uuid);
    }

    #[test]
    fn with_child_controls_takes_all_descendants() {
        let p = profile(
            r#"[{"href": "c", "include-controls": [{"with-ids": ["a-1"], "with-child-controls": "yes"}]}]"#,
            AS_IS,
        );
        let resolved = resolve_against(&p, &catalog()).unwrap();
        assert_eq!(ids(&resolved), ["a-1", "a-1.1", "a-1.1.1", "a-1.2"]);
        assert_eq!(
            resolved.catalog().groups.len(),
            1,
            "group b has nothing left"
        );
    }

    #[test]
    fn matching_and_exclude_controls() {
        let p = profile(
            r#"[{"href": "c",
                 "include-controls": [{"matching": [{"pattern": "a-*"}]}],
                 "exclude-controls": [{"with-ids": ["a-1.1"], "with-child-controls": "yes"}]}]"#,
            AS_IS,
        );
        let resolved = resolve_against(&p, &catalog()).unwrap();
        assert_eq!(ids(&resolved), ["a-1", "a-1.2", "a-2"]);
    }

    #[test]
    fn as_is_leaves_out_enhancements_of_unselected_controls() {
        let p = profile(
            r#"[{"href": "c", "include-controls": [{"with-ids": ["a-1.1", "a-1.1.1", "b-1"]}]}]"#,
            AS_IS,
        );
        let resolved = resolve_against(&p, &catalog()).unwrap();
        assert_eq!(ids(&resolved), ["b-1"]);
        assert_eq!(
            resolved.warnings(),
            [
                Warning::NotPlaced {
                    control_id: "a-1.1".into(),
                    parent_id: "a-1".into()
                },
                Warning::NotPlaced {
                    control_id: "a-1.1.1".into(),
                    parent_id: "a-1.1".into()
                }
            ]
        );
    }

    #[test]
    fn flat_lists_every_selected_control_without_groups_or_nesting() {
        let p = profile(
            r#"[{"href": "c", "include-controls": [{"with-ids": ["a-1.1", "a-1.1.1", "b-1"]}]}]"#,
            "",
        );
        let resolved = resolve_against(&p, &catalog()).unwrap();
        assert_eq!(ids(&resolved), ["a-1.1", "a-1.1.1", "b-1"]);
        let catalog = resolved.catalog();
        assert!(catalog.groups.is_empty());
        assert!(catalog.controls.iter().all(|c| c.controls.is_empty()));
        // Where they came from survives the flattening.
        let enhancement = resolved.control("a-1.1.1").unwrap();
        assert_eq!(enhancement.parent_id, Some("a-1.1"));
        assert_eq!(enhancement.group.unwrap().title, "Group A");
    }

    #[test]
    fn resolved_control_knows_parent_group_and_params() {
        let p = profile(r#"[{"href": "c", "include-all": {}}]"#, AS_IS);
        let resolved = resolve_against(&p, &catalog()).unwrap();
        let a1 = resolved.control("a-1").unwrap();
        assert_eq!((a1.title(), a1.parent_id), ("A1", None));
        assert_eq!(a1.group.unwrap().id.as_deref(), Some("a"));
        assert_eq!(a1.control.params[0].id, "a-1_prm_1");
        assert_eq!(resolved.control("a-1.2").unwrap().parent_id, Some("a-1"));
        assert!(resolved.control("zz").is_none());
        assert_eq!(resolved.len(), 6);
    }

    #[test]
    fn keeps_only_cited_back_matter() {
        let p = profile(r#"[{"href": "c", "include-all": {}}]"#, AS_IS);
        let resolved = resolve_against(&p, &catalog()).unwrap();
        let resources = &resolved.catalog().back_matter.as_ref().unwrap().resources;
        assert_eq!(resources.len(), 1);
        assert_eq!(resources[0].title.as_deref(), Some("cited"));
        let p = profile(
            r#"[{"href": "c", "include-controls": [{"with-ids": ["b-1"]}]}]"#,
            AS_IS,
        );
        assert!(resolve_against(&p, &catalog())
            .unwrap()
            .catalog()
            .back_matter
            .is_none());
    }

    #[test]
    fn owned_and_borrowed_catalogs_resolve_the_same() {
        let p = profile(
            r#"[{"href": "c", "include-controls": [{"with-ids": ["a-1", "a-1.2", "b-1"]}]}]"#,
            AS_IS,
        );
        let borrowed = resolve_against(&p, &catalog()).unwrap();
        let owned = resolve_owned(&p, catalog()).unwrap();
        assert_eq!(borrowed.catalog(), owned.catalog());
    }

    #[test]
    fn unknown_ids_are_an_error_naming_each_and_the_href() {
        let p = profile(
            r#"[{"href": "cat.json",
                 "include-controls": [{"with-ids": ["b1", "a-1", "zzz-9"]}],
                 "exclude-controls": [{"with-ids": ["a-1.3.1"]}]}]"#,
            "",
        );
        let err = resolve_against(&p, &catalog()).unwrap_err();
        let Error::UnknownControls { href, unknown } = &err else {
            panic!("{err:?}")
        };
        assert_eq!(href, "cat.json");
        let unknown: Vec<_> = unknown
            .iter()
            .map(|u| (u.id.as_str(), u.excluded, u.suggestion.as_deref()))
            .collect();
        assert_eq!(
            unknown,
            [
                ("b1", false, Some("b-1")),
                ("zzz-9", false, None),
                ("a-1.3.1", true, Some("a-1.1.1"))
            ]
        );
        assert_eq!(
            err.to_string(),
            "the import of `cat.json` includes `b1` (did you mean `b-1`?), includes `zzz-9`, \
             excludes `a-1.3.1` (did you mean `a-1.1.1`?): controls that catalog does not have; \
             check the ids against the catalog"
        );
    }

    #[test]
    fn loader_errors_pass_through() {
        let p = profile(r#"[{"href": "missing.json", "include-all": {}}]"#, "");
        let err = resolve(&p, |r: Request<'_>| {
            Err(Error::ImportNotFound {
                href: r.href.to_owned(),
                tried: vec![],
            })
        })
        .unwrap_err();
        assert!(matches!(err, Error::ImportNotFound { href, .. } if href == "missing.json"));
    }

    #[test]
    fn imports_a_back_matter_resource_by_uuid() {
        let p = profile(
            r##"[{"href": "#33333333-3333-4333-8333-333333333333", "include-all": {}}]"##,
            r#", "back-matter": {"resources": [{"uuid": "33333333-3333-4333-8333-333333333333",
                "rlinks": [{"href": "cat.xml"}, {"href": "cat.json"}]}]}"#,
        );
        let catalog = catalog();
        let mut asked = Vec::new();
        resolve(&p, |r: Request<'_>| {
            asked.push((r.href.to_owned(), r.written.to_owned()));
            Ok(Imported::from(&catalog))
        })
        .unwrap();
        assert_eq!(
            asked,
            [(
                "cat.json".to_owned(),
                "#33333333-3333-4333-8333-333333333333".to_owned()
            )]
        );
        let p = profile(r##"[{"href": "#nope", "include-all": {}}]"##, "");
        let err = resolve_against(&p, &catalog).unwrap_err();
        assert!(matches!(err, Error::UnknownResource { .. }), "{err:?}");
    }

    #[test]
    fn profiles_can_import_profiles() {
        let mut inner = profile(
            r#"[{"href": "cat.json", "include-controls": [{"with-ids": ["a-1", "a-1.2", "a-2", "b-1"]}]}]"#,
            r#", "merge": {"as-is": true},
               "modify": {"set-parameters": [{"param-id": "a-1_prm_1", "values": ["inner"]}]}"#,
        );
        inner.uuid = "inner".into();
        let outer = profile(
            r#"[{"href": "inner.json", "exclude-controls": [{"with-ids": ["a-2"]}]}]"#,
            "",
        );
        let catalog = catalog();
        let mut bases = Vec::new();
        let resolved = resolve(&outer, |r: Request<'_>| {
            bases.push((r.href.to_owned(), r.base.map(str::to_owned)));
            match r.href {
                "inner.json" => Ok(Imported::Profile {
                    profile: inner.clone(),
                    location: Some("dir/inner.json".into()),
                }),
                _ => Ok(Imported::from(&catalog)),
            }
        })
        .unwrap();
        // The nested profile's import is asked for with the nested profile's location.
        assert_eq!(
            bases,
            [
                ("inner.json".to_owned(), None),
                ("cat.json".to_owned(), Some("dir/inner.json".to_owned()))
            ]
        );
        assert_eq!(ids(&resolved), ["a-1", "a-1.2", "b-1"]);
        let a1 = resolved.control("a-1").unwrap();
        assert_eq!(a1.control.params[0].values, ["inner"]);
        assert_eq!(a1.group.unwrap().id.as_deref(), Some("a"));
    }

    #[test]
    fn import_cycles_are_errors() {
        let looping = profile(r#"[{"href": "self.json", "include-all": {}}]"#, "");
        let err = resolve(&looping, |_: Request<'_>| {
            Ok(Imported::from(looping.clone()))
        })
        .unwrap_err();
        assert!(
            matches!(&err, Error::ImportCycle { chain } if chain.len() == 2),
            "{err:?}"
        );
    }

    /// A profile `uuid` importing `hrefs`, each with `include-all`.
    fn importing(uuid: &str, hrefs: &[String]) -> Profile {
        let imports: Vec<String> = hrefs
            .iter()
            .map(|h| format!(r#"{{"href": "{h}", "include-all": {{}}}}"#))
            .collect();
        Profile::from_json(&format!(
            r#"{{"profile": {{"uuid": "{uuid}", "metadata": {{"title": "P"}}, "imports": [{}]}}}}"#,
            imports.join(", ")
        ))
        .unwrap()
    }

    #[test]
    fn a_chain_of_profiles_thousands_deep_stops_at_the_limit() {
        // p0 imports p1, which imports p2, ... p2999 imports the catalog.
        let top = importing("p0", &["p1".to_string()]);
        let result = std::thread::Builder::new()
            .stack_size(1 << 20)
            .spawn(move || {
                resolve(&top, |request: Request<'_>| {
                    let n: usize = request.href[1..].parse().unwrap();
                    Ok(match n {
                        3_000 => Imported::from(catalog()),
                        n => Imported::from(importing(&format!("p{n}"), &[format!("p{}", n + 1)])),
                    })
                })
                .map(|r| r.len())
            })
            .unwrap()
            .join()
            .unwrap();
        let err = result.unwrap_err();
        assert!(
            matches!(&err, Error::ImportsTooDeep { limit: MAX_IMPORT_DEPTH, href } if href == "p33"),
            "{err:?}"
        );
    }

    #[test]
    fn imports_that_multiply_are_capped() {
        // Twelve levels, each importing the next twice: 8,190 imports.
        let top = importing("l0", &["l1".to_string(), "l1".to_string()]);
        let mut asked = 0;
        let err = resolve(&top, |request: Request<'_>| {
            asked += 1;
            let n: usize = request.href[1..].parse().unwrap();
            Ok(match n {
                12 => Imported::from(catalog()),
                n => {
                    let next = format!("l{}", n + 1);
                    Imported::from(importing(&format!("l{n}-{asked}"), &[next.clone(), next]))
                }
            })
        })
        .unwrap_err();
        assert!(
            matches!(
                &err,
                Error::TooManyImports {
                    limit: MAX_IMPORTS,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(asked, MAX_IMPORTS);
        // As many imports as the limit resolve.
        let hrefs = vec!["c".to_string(); MAX_IMPORTS];
        let resolved = resolve_against(&importing("many", &hrefs), &catalog()).unwrap();
        assert_eq!(resolved.len(), catalog_len());
    }

    fn catalog_len() -> usize {
        resolve_against(&importing("one", &["c".to_string()]), &catalog())
            .unwrap()
            .len()
    }

    #[test]
    fn custom_merge_is_unsupported() {
        let p = profile(
            r#"[{"href": "c", "include-all": {}}]"#,
            r#", "merge": {"custom": {}}"#,
        );
        let err = resolve_against(&p, &catalog()).unwrap_err();
        assert!(matches!(err, Error::Unsupported { .. }), "{err:?}");
    }

    #[test]
    fn a_control_imported_twice_is_kept_once() {
        let p = profile(
            r#"[{"href": "c", "include-controls": [{"with-ids": ["a-1", "a-2"]}]},
                {"href": "c", "include-controls": [{"with-ids": ["a-2", "b-1"]}]}]"#,
            AS_IS,
        );
        let resolved = resolve_against(&p, &catalog()).unwrap();
        assert_eq!(ids(&resolved), ["a-1", "a-2", "b-1"]);
        let groups: Vec<_> = resolved
            .catalog()
            .groups
            .iter()
            .map(|g| g.title.as_str())
            .collect();
        assert_eq!(groups, ["Group A", "Group B"]);
        assert_eq!(
            resolved.warnings(),
            [Warning::DuplicateControl {
                control_id: "a-2".into()
            }]
        );
    }

    #[test]
    fn glob_patterns() {
        use select::glob;
        assert!(glob("ac-*", "ac-2.1"));
        assert!(glob("*.1", "ac-2.1"));
        assert!(glob("a?-2", "ac-2"));
        assert!(glob("*", ""));
        assert!(glob("a*c*e", "abcde"));
        assert!(!glob("ac-*", "au-2"));
        assert!(!glob("ac-?", "ac-10"));
        assert!(!glob("", "x"));
    }
}
