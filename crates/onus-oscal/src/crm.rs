//! The Customer Responsibility Matrix (CRM): for every control of a
//! resolved baseline, who holds it in one offering of a resolved model.
//!
//! A control is held through the areas that map to it (an area's
//! `controls: [FRAMEWORK:ID, ...]`): the holders of those areas in the
//! offering, as resolution gives them (upstream holders qualified and
//! with their `via`), are the control's holders. Only explicit mappings
//! count: an area mapped to `ac-2` does not cover the enhancement `ac-2.1`;
//! one mapped to `ac-2+` covers `ac-2` and every enhancement of it.
//! Control ids match without regard to ASCII case (`AC-2` is `ac-2`).
//!
//! Each control gets a [`Class`] and FedRAMP's control-origination values
//! ([`Origination`]); controls the model maps but the baseline does not
//! select are listed apart ([`Crm::not_in_baseline`]), never dropped.
//!
//! Pure: no I/O, the caller resolves the model and the profile.

use onus_core::model::Role;
use onus_core::resolve::{Matrix, ResolvedHolder, ResolvedOffering};

use crate::baseline::{Baseline, BaselineControl};
use crate::error::FrameworkMismatch;
use crate::Error;

/// Who holds a control in an offering, for the customer reading the CRM.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Class {
    /// The provider's side holds it alone: a party of the model other than
    /// its customer (possibly together with upstream holders).
    Provider,
    /// The customer holds it alone.
    Customer,
    /// The customer holds a part, and the provider's side (the model's own
    /// parties or an upstream's) holds another.
    Shared,
    /// Only upstream holders hold it: it is inherited from the upstream
    /// named (several are joined by `, `).
    Inherited {
        /// The upstream id(s), nearest first as in `via`.
        upstream: String,
    },
    /// No area maps to it, or the areas that do have no holder: a gap the
    /// provider must close (or explicitly leave to its customer).
    Unassigned,
}

impl Class {
    /// The classes in the order summaries list them.
    pub const NAMES: [&'static str; 5] =
        ["provider", "customer", "shared", "inherited", "unassigned"];

    /// `provider`, `customer`, `shared`, `inherited` or `unassigned`.
    pub fn as_str(&self) -> &'static str {
        match self {
            Class::Provider => "provider",
            Class::Customer => "customer",
            Class::Shared => "shared",
            Class::Inherited { .. } => "inherited",
            Class::Unassigned => "unassigned",
        }
    }

    /// For people: `inherited (azure)` for an inherited control, else [`Class::as_str`].
    pub fn label(&self) -> String {
        match self {
            Class::Inherited { upstream } => format!("inherited ({upstream})"),
            other => other.as_str().to_string(),
        }
    }

    /// FedRAMP's CRM column "Can Be Inherited from CSP": `Yes` when the
    /// provider's side (its own parties or its upstreams) holds it all,
    /// `Partial` when it is shared with the customer, `No` when the
    /// customer holds it alone or nobody does.
    pub fn can_be_inherited(&self) -> &'static str {
        match self {
            Class::Provider | Class::Inherited { .. } => "Yes",
            Class::Shared => "Partial",
            Class::Customer | Class::Unassigned => "No",
        }
    }

    /// The upstream(s) an inherited control comes from.
    pub fn upstream(&self) -> Option<&str> {
        match self {
            Class::Inherited { upstream } => Some(upstream),
            _ => None,
        }
    }
}

/// FedRAMP's control-origination values (the `control-origination` prop in
/// the `https://fedramp.gov/ns/oscal` namespace). FedRAMP accepts exactly
/// these five; a control with several origins lists several ("hybrid").
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Origination {
    /// Service Provider Corporate: the provider's part of a family's
    /// policy-and-procedures control (`xx-1`), which is corporate-wide.
    SpCorporate,
    /// Service Provider System Specific: the provider's part of any other control.
    SpSystem,
    /// Configured by Customer: the customer's part where the provider's
    /// side also holds one (the customer configures what the provider runs).
    CustomerConfigured,
    /// Provided by Customer: the customer holds the control alone.
    CustomerProvided,
    /// Inherited from a leveraged system: an upstream's part.
    Inherited,
}

impl Origination {
    /// The namespace of FedRAMP's OSCAL extensions.
    pub const NS: &'static str = "https://fedramp.gov/ns/oscal";
    /// The name of the prop that carries the value.
    pub const PROP: &'static str = "control-origination";

    /// FedRAMP's value: `sp-corporate`, `sp-system`, `customer-configured`,
    /// `customer-provided` or `inherited`.
    pub fn as_str(self) -> &'static str {
        match self {
            Origination::SpCorporate => "sp-corporate",
            Origination::SpSystem => "sp-system",
            Origination::CustomerConfigured => "customer-configured",
            Origination::CustomerProvided => "customer-provided",
            Origination::Inherited => "inherited",
        }
    }

    /// The wording of FedRAMP's SSP and CRM templates: `Service Provider
    /// Corporate`, `Service Provider System Specific`, `Configured by
    /// Customer (Customer System Specific)`, `Provided by Customer (Customer
    /// System Specific)`, `Inherited from pre-existing FedRAMP Authorization`.
    pub fn fedramp_label(self) -> &'static str {
        match self {
            Origination::SpCorporate => "Service Provider Corporate",
            Origination::SpSystem => "Service Provider System Specific",
            Origination::CustomerConfigured => "Configured by Customer (Customer System Specific)",
            Origination::CustomerProvided => "Provided by Customer (Customer System Specific)",
            Origination::Inherited => "Inherited from pre-existing FedRAMP Authorization",
        }
    }
}

/// One holder's part in a control, through one area mapped to it.
#[derive(Clone, Debug, PartialEq)]
pub struct Coverage {
    /// The area id.
    pub area: String,
    /// The area name.
    pub area_name: String,
    /// The holder, as resolved (qualified party id, `via`, scope, duties,
    /// practices and evidence by qualified id).
    pub holder: ResolvedHolder,
}

/// One control of the baseline, in one offering.
#[derive(Clone, Debug, PartialEq)]
pub struct Row {
    /// The control id, as in the catalog: `ac-2`, `ac-2.1`.
    pub control: String,
    /// The control's label (`AC-2(1)`).
    pub label: String,
    pub title: String,
    /// The control's family (`Access Control`).
    pub family: Option<String>,
    pub class: Class,
    /// FedRAMP control-origination values, in FedRAMP's order; empty when unassigned.
    pub origination: Vec<Origination>,
    /// The areas mapped to the control, in model order.
    pub areas: Vec<String>,
    /// Every holder of those areas, area by area.
    pub coverage: Vec<Coverage>,
    /// The statement with the profile's parameter values filled in
    /// ([`BaselineControl::statement`]; none with a built-in baseline).
    pub statement: Option<String>,
    /// The parameters: id and value (or the assignment asked for).
    pub params: Vec<(String, String)>,
    /// For an unassigned enhancement whose parent control is in the
    /// baseline: the parent's label and class (`AC-2`, shared), so the
    /// CRM can say where to look instead of a bare "unassigned".
    pub parent: Option<(String, Class)>,
}

impl Row {
    /// The class as people read it, with the parent of an unassigned
    /// enhancement: `unassigned, parent AC-2 is shared`.
    pub fn responsibility(&self) -> String {
        match (&self.class, &self.parent) {
            (Class::Unassigned, Some((label, class))) => {
                format!("unassigned, parent {label} is {}", class.label())
            }
            (class, _) => class.label(),
        }
    }
}

/// A control the model maps that the baseline does not select.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unselected {
    /// The control id as written after `FRAMEWORK:`.
    pub control: String,
    /// The areas that map it.
    pub areas: Vec<String>,
    /// Its title in the framework's catalog, when onus bundles that
    /// catalog and it has the control.
    pub title: Option<String>,
}

/// How many controls fall in each class.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Counts {
    pub provider: usize,
    pub customer: usize,
    pub shared: usize,
    pub inherited: usize,
    pub unassigned: usize,
}

impl Counts {
    /// Every control of the baseline.
    pub fn total(&self) -> usize {
        self.provider + self.customer + self.shared + self.inherited + self.unassigned
    }

    /// The count of the class named by [`Class::as_str`].
    pub fn get(&self, class: &str) -> usize {
        match class {
            "provider" => self.provider,
            "customer" => self.customer,
            "shared" => self.shared,
            "inherited" => self.inherited,
            "unassigned" => self.unassigned,
            _ => 0,
        }
    }

    fn add(&mut self, class: &Class) {
        match class {
            Class::Provider => self.provider += 1,
            Class::Customer => self.customer += 1,
            Class::Shared => self.shared += 1,
            Class::Inherited { .. } => self.inherited += 1,
            Class::Unassigned => self.unassigned += 1,
        }
    }
}

/// The CRM of one offering against one baseline.
#[derive(Clone, Debug, PartialEq)]
pub struct Crm {
    /// The model id.
    pub model: String,
    /// The model's name (its publisher's name).
    pub model_name: String,
    pub offering: String,
    pub offering_name: String,
    /// The framework id whose mappings were read (`nist-800-53-rev5`).
    pub framework: String,
    /// The baseline's title (the resolved profile's metadata title).
    pub baseline: String,
    /// Every control of the baseline, in catalog order.
    pub rows: Vec<Row>,
    /// Controls mapped in the model but not in the baseline, in model order.
    pub not_in_baseline: Vec<Unselected>,
    pub counts: Counts,
    /// What resolving the baseline's profile worked around ([`Baseline::warnings`]).
    pub warnings: Vec<String>,
}

/// The framework ids the model's areas map to, in order of first use.
pub fn frameworks(matrix: &Matrix) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let areas = matrix.offerings.first().map_or(&[][..], |o| &o.areas[..]);
    for c in areas.iter().flat_map(|a| a.controls.iter()) {
        if !out.contains(&c.framework) {
            out.push(c.framework.clone());
        }
    }
    out
}

/// The framework whose mappings a CRM reads: `requested` if the model's
/// areas map to it, else the only framework they map to.
///
/// Fails when no area maps to a control ([`Error::NoMappedControls`]),
/// when `requested` is not one the areas map to ([`Error::UnknownFramework`],
/// with a suggestion), or when none is requested and there are several
/// ([`Error::SeveralFrameworks`]).
pub fn choose_framework(matrix: &Matrix, requested: Option<&str>) -> Result<String, Error> {
    let used = frameworks(matrix);
    let model = || matrix.model.clone();
    match requested {
        _ if used.is_empty() => Err(Error::NoMappedControls { model: model() }),
        Some(f) if used.iter().any(|u| u == f) => Ok(f.to_owned()),
        Some(f) => Err(Error::UnknownFramework {
            model: model(),
            framework: f.to_owned(),
            suggestion: onus_core::diagnostic::closest(f, used.iter().map(String::as_str))
                .map(str::to_owned),
            used,
        }),
        None if used.len() == 1 => Ok(used[0].clone()),
        None => Err(Error::SeveralFrameworks {
            model: model(),
            used,
        }),
    }
}

/// Refuses a baseline that the model's mappings to `framework` cannot be
/// about ([`Error::FrameworkMismatch`]): none of the controls mapped is in
/// the baseline, and none is even of one of its families (the part of an
/// id before its first `-`, `ac` for `ac-2.1`). A CRM would then list every
/// control unassigned, which says nothing true.
///
/// A model mapping only controls outside the baseline but of its families
/// (`ac-2.8` against LOW) passes: those are listed as not in the baseline.
pub fn ensure_matches(matrix: &Matrix, baseline: &Baseline, framework: &str) -> Result<(), Error> {
    let mut mapped: Vec<String> = Vec::new();
    let areas = matrix.offerings.iter().flat_map(|o| &o.areas);
    for c in areas.flat_map(|a| &a.controls) {
        let id = crate::control_id::base(&c.control).to_owned();
        if c.framework == framework && !mapped.contains(&id) {
            mapped.push(id);
        }
    }
    let family = |id: &str| id.split_once('-').map(|(f, _)| f.to_ascii_lowercase());
    let families: std::collections::HashSet<String> = baseline
        .controls
        .iter()
        .filter_map(|c| family(&c.id))
        .collect();
    let related = |id: &String| {
        baseline.control(&id.to_ascii_lowercase()).is_some()
            || family(id).is_some_and(|f| families.contains(&f))
    };
    if mapped.is_empty() || mapped.iter().any(related) {
        return Ok(());
    }
    Err(Error::FrameworkMismatch(Box::new(FrameworkMismatch {
        model: matrix.model.clone(),
        framework: framework.to_owned(),
        baseline: baseline.title.clone(),
        mapped_count: mapped.len(),
        mapped: mapped.into_iter().take(5).collect(),
        baseline_sample: baseline
            .controls
            .iter()
            .take(5)
            .map(|c| c.id.clone())
            .collect(),
    })))
}

/// Builds the CRM of `offering` (of `matrix`) against `baseline`, reading
/// the mappings to `framework`.
pub fn build(
    matrix: &Matrix,
    offering: &ResolvedOffering,
    baseline: &Baseline,
    framework: &str,
) -> Crm {
    let mut rows = Vec::with_capacity(baseline.len());
    let mut counts = Counts::default();
    for control in &baseline.controls {
        let row = row(offering, control, framework);
        counts.add(&row.class);
        rows.push(row);
    }
    // An unassigned enhancement names its parent's class when someone
    // holds the parent.
    let index: std::collections::HashMap<&str, usize> = baseline
        .controls
        .iter()
        .enumerate()
        .map(|(i, c)| (c.id.as_str(), i))
        .collect();
    for (i, control) in baseline.controls.iter().enumerate() {
        if rows[i].class != Class::Unassigned {
            continue;
        }
        let parent = control
            .parent
            .as_deref()
            .and_then(|p| index.get(p))
            .filter(|&&p| rows[p].class != Class::Unassigned)
            .map(|&p| (rows[p].label.clone(), rows[p].class.clone()));
        rows[i].parent = parent;
    }
    let mut not_in_baseline: Vec<Unselected> = Vec::new();
    for area in &offering.areas {
        for c in area.controls.iter().filter(|c| c.framework == framework) {
            let base = crate::control_id::base(&c.control);
            if baseline.control(&base.to_ascii_lowercase()).is_some() {
                continue;
            }
            match not_in_baseline.iter_mut().find(|u| u.control == c.control) {
                Some(u) if !u.areas.iter().any(|a| *a == area.id) => {
                    u.areas.push(area.id.to_string())
                }
                Some(_) => {}
                None => not_in_baseline.push(Unselected {
                    control: c.control.clone(),
                    areas: vec![area.id.to_string()],
                    title: crate::control_id::CatalogIndex::builtin(framework).and_then(|index| {
                        let id =
                            crate::control_id::normalise(base).unwrap_or_else(|| base.to_owned());
                        index.title(&id).map(str::to_owned)
                    }),
                }),
            }
        }
    }
    Crm {
        model: matrix.model.clone(),
        model_name: matrix.name.clone(),
        offering: offering.id.clone(),
        offering_name: offering.name.clone(),
        framework: framework.to_string(),
        baseline: baseline.title.clone(),
        rows,
        not_in_baseline,
        counts,
        warnings: baseline.warnings.clone(),
    }
}

fn row(offering: &ResolvedOffering, control: &BaselineControl, framework: &str) -> Row {
    let id = control.id.as_str();
    let mut areas = Vec::new();
    let mut coverage = Vec::new();
    for area in &offering.areas {
        let mapped = area
            .controls
            .iter()
            .any(|c| c.framework == framework && crate::control_id::covers(&c.control, id));
        if !mapped {
            continue;
        }
        areas.push(area.id.to_string());
        coverage.extend(area.holders.iter().map(|h| Coverage {
            area: area.id.to_string(),
            area_name: area.name.to_string(),
            holder: h.clone(),
        }));
    }
    let (class, origination) = classify(id, &coverage);
    Row {
        control: id.to_string(),
        label: control.label.clone(),
        title: control.title.clone(),
        family: control.family.clone(),
        class,
        origination,
        areas,
        coverage,
        statement: control.statement.clone(),
        params: control.params.clone(),
        parent: None,
    }
}

/// FedRAMP's origination values of `control` (an id of the catalog,
/// `ac-2`) held by `holders`: every holder of every area mapped to it in
/// an offering. The CRM's `Origination` column and the SSP export's
/// `control-origination` props.
pub fn origination<'h>(
    control: &str,
    holders: impl IntoIterator<Item = &'h ResolvedHolder>,
) -> Vec<Origination> {
    let holders: Vec<&ResolvedHolder> = holders.into_iter().collect();
    classify_holders(control, &holders).1
}

/// The class and the origination values of a control held by `coverage`.
fn classify(control: &str, coverage: &[Coverage]) -> (Class, Vec<Origination>) {
    let holders: Vec<&ResolvedHolder> = coverage.iter().map(|c| &c.holder).collect();
    classify_holders(control, &holders)
}

fn classify_holders(control: &str, holders: &[&ResolvedHolder]) -> (Class, Vec<Origination>) {
    let own = |h: &ResolvedHolder| h.via.is_empty();
    let customer = holders.iter().any(|h| own(h) && h.role == Role::Customer);
    let provider = holders.iter().any(|h| own(h) && h.role != Role::Customer);
    let mut upstreams: Vec<&str> = Vec::new();
    for h in holders {
        if let Some(u) = h.via.first() {
            if !upstreams.contains(&u.as_str()) {
                upstreams.push(u);
            }
        }
    }
    let inherited = !upstreams.is_empty();
    let class = match (customer, provider, inherited) {
        (false, false, false) => return (Class::Unassigned, Vec::new()),
        (true, false, false) => Class::Customer,
        (true, _, _) => Class::Shared,
        (false, true, _) => Class::Provider,
        (false, false, true) => Class::Inherited {
            upstream: upstreams.join(", "),
        },
    };
    let mut origination = Vec::new();
    if provider {
        origination.push(if is_policy_control(control) {
            Origination::SpCorporate
        } else {
            Origination::SpSystem
        });
    }
    if customer {
        // A family's policy-and-procedures control (`ac-1`) is never
        // `customer-provided`: the customer configures its part of it.
        origination.push(if provider || inherited || is_policy_control(control) {
            Origination::CustomerConfigured
        } else {
            Origination::CustomerProvided
        });
    }
    if inherited {
        origination.push(Origination::Inherited);
    }
    origination.sort();
    (class, origination)
}

/// Whether `id` is a family's policy-and-procedures control (`ac-1`):
/// FedRAMP accepts only `sp-corporate` or `sp-system` for those.
fn is_policy_control(id: &str) -> bool {
    id.split_once('-')
        .is_some_and(|(family, n)| n == "1" && family.bytes().all(|b| b.is_ascii_lowercase()))
}

/// A control id written the way SP 800-53 labels it: `ac-2.1` -> `AC-2(1)`.
pub fn control_label(id: &str) -> String {
    let mut parts = id.split('.');
    let mut out = parts.next().unwrap_or_default().to_uppercase();
    for p in parts {
        out.push('(');
        out.push_str(p);
        out.push(')');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn holder(party: &str, role: Role, via: &[&str]) -> Coverage {
        Coverage {
            area: "a".into(),
            area_name: "A".into(),
            holder: ResolvedHolder {
                party: party.into(),
                name: party.into(),
                role,
                scopes: Default::default(),
                duties: Default::default(),
                how: onus_core::resolve::RefIds::none(onus_core::model::RefKind::Practice),
                evidence: onus_core::resolve::RefIds::none(onus_core::model::RefKind::Evidence),
                note: None,
                via: via
                    .iter()
                    .map(|s| onus_core::text::Text::from(*s))
                    .collect(),
            },
        }
    }

    use Origination::*;

    #[test]
    fn classes_and_origination() {
        let p = holder("codat", Role::Provider, &[]);
        let c = holder("customer", Role::Customer, &[]);
        let u = holder("azure/microsoft", Role::Provider, &["azure"]);
        let t = holder("auditor", Role::ThirdParty, &[]);
        assert_eq!(classify("ac-2", &[]), (Class::Unassigned, vec![]));
        assert_eq!(
            classify("ac-2", std::slice::from_ref(&p)),
            (Class::Provider, vec![SpSystem])
        );
        assert_eq!(
            classify("ac-1", std::slice::from_ref(&p)),
            (Class::Provider, vec![SpCorporate])
        );
        assert_eq!(
            classify("ac-2", &[t]),
            (Class::Provider, vec![SpSystem]),
            "a third party is on the provider's side"
        );
        assert_eq!(
            classify("ac-2", std::slice::from_ref(&c)),
            (Class::Customer, vec![CustomerProvided])
        );
        assert_eq!(
            classify("ac-1", std::slice::from_ref(&c)),
            (Class::Customer, vec![CustomerConfigured]),
            "a -1 control is never customer-provided"
        );
        assert_eq!(
            classify("ac-2", &[p.clone(), c.clone()]),
            (Class::Shared, vec![SpSystem, CustomerConfigured])
        );
        assert_eq!(
            classify("ac-2", &[u.clone(), c]),
            (Class::Shared, vec![CustomerConfigured, Inherited])
        );
        assert_eq!(
            classify("ac-2", &[u.clone(), p]),
            (Class::Provider, vec![SpSystem, Inherited])
        );
        assert_eq!(
            classify("ac-2", &[u]),
            (
                Class::Inherited {
                    upstream: "azure".into()
                },
                vec![Inherited]
            )
        );
    }

    #[test]
    fn labels_follow_sp_800_53() {
        assert_eq!(control_label("ac-2"), "AC-2");
        assert_eq!(control_label("ac-2.11"), "AC-2(11)");
        assert!(is_policy_control("ac-1"));
        assert!(!is_policy_control("ac-11"));
        assert!(!is_policy_control("ac-1.1"));
    }
}
