//! `unknown-party`, `unknown-offering`, `unknown-area`, `unknown-upstream`,
//! `unknown-practice`, `unknown-evidence`, `unknown-framework`: every
//! reference names something the model declares, with a suggestion for
//! near misses.

use std::collections::HashSet;

use crate::check::Context;
use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::{is_valid_id, CellBody, RefKind, DEFAULT_OFFERING};
use crate::source::Spanned;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let unknown =
        |out: &mut Vec<Diagnostic>, id: Spanned<&str>, known: &Known, code, context: &str, kind| {
            if !m.broken.iter().any(|b| b == id.value) {
                unknown(out, id, known, code, context, kind);
            }
        };
    // Declarations that could not be read (reported already) are still
    // what a near miss most likely meant.
    let broken = m.broken.iter().filter(|b| is_valid_id(b));
    let holders = Known::new(
        m.parties
            .keys()
            .chain(m.upstreams.keys())
            .chain(broken.clone()),
    );
    let parties = Known::new(m.parties.keys().chain(broken));
    let upstreams = Known::new(m.upstreams.keys());
    let practices = Known::new(m.references.of(RefKind::Practice).keys());
    let evidence = Known::new(m.references.of(RefKind::Evidence).keys());
    let areas = Known::new(m.areas.keys());
    let default = DEFAULT_OFFERING.to_string();
    let offerings = Known::new(m.offerings.keys().chain([&default]));

    for (name, upstream) in &m.upstreams {
        if let Some(party) = upstream
            .as_party
            .as_ref()
            .filter(|p| m.upstreams.contains_key(&p.value))
        {
            out.push(
                Diagnostic::new(Code::UnknownParty, party.span, format!("`as` of upstream `{name}` names the upstream `{}`, not a party", party.value))
                    .with_help("`as` names the party of this model that is the upstream's customer (default: the publisher)"),
            );
            continue;
        }
        if let Some(party) = &upstream.as_party {
            unknown(
                out,
                written(party),
                &parties,
                Code::UnknownParty,
                &format!("`as` of upstream `{name}` names"),
                "party",
            );
        }
    }
    for offering in m.offerings.values() {
        for (upstream, runs_on) in &offering.runs_on {
            let id = Spanned::new(upstream.clone(), runs_on.span);
            unknown(
                out,
                written(&id),
                &upstreams,
                Code::UnknownUpstream,
                "`runs-on` names",
                "upstream",
            );
        }
    }
    for area in m.areas.values() {
        for (upstream, list) in &area.upstream {
            let id = Spanned::new(upstream.clone(), list.span);
            unknown(
                out,
                written(&id),
                &upstreams,
                Code::UnknownUpstream,
                "`upstream` names",
                "upstream",
            );
        }
        for control in &area.controls {
            if !m.frameworks.contains_key(&control.framework) {
                let id = Spanned::new(control.framework.clone(), control.span);
                let known = Known::new(m.frameworks.keys());
                unknown(
                    out,
                    written(&id),
                    &known,
                    Code::UnknownFramework,
                    &format!("control `{}:{}` names", control.framework, control.control),
                    "framework",
                );
            }
        }
    }
    for (area, cell) in &m.responsibilities {
        if !m.areas.contains_key(area) {
            let id = Spanned::new(area.clone(), cell.span);
            unknown(
                out,
                written(&id),
                &areas,
                Code::UnknownArea,
                "`responsibilities` has a cell for",
                "area",
            );
        }
        if let CellBody::PerOffering(cells) = &cell.body {
            for c in cells {
                unknown(
                    out,
                    written(&c.offering),
                    &offerings,
                    Code::UnknownOffering,
                    "the cell names",
                    "offering",
                );
            }
        }
        for list in cell.body.all_holders() {
            for holder in &list.list {
                if let Some(d) = misplaced_holder(m, &holder.id) {
                    out.push(d);
                    continue;
                }
                unknown(
                    out,
                    written(&holder.id),
                    &holders,
                    Code::UnknownParty,
                    "the cell names",
                    "party or upstream",
                );
                if let Some(holding) = &holder.holding {
                    for p in &holding.how {
                        unknown(
                            out,
                            written(p),
                            &practices,
                            Code::UnknownPractice,
                            "`how` names",
                            "practice",
                        );
                    }
                    for e in &holding.evidence {
                        unknown(
                            out,
                            written(e),
                            &evidence,
                            Code::UnknownEvidence,
                            "`evidence` names",
                            "evidence",
                        );
                    }
                }
            }
        }
    }
}

/// A holder that is not a holder but something recognisable: an offering,
/// or a holding key that lost its indentation.
fn misplaced_holder(m: &crate::model::Model, id: &Spanned<String>) -> Option<Diagnostic> {
    if m.is_holder(&id.value) {
        return None;
    }
    if m.offerings.contains_key(&id.value) {
        return Some(
            Diagnostic::new(Code::UnknownParty, id.span, format!("`{}` is an offering, not a party or upstream", id.value))
                .with_help(format!("holders are parties or upstreams; to give `{}` its own holders, write the cell per offering: `{{ {}: HOLDER, default: HOLDER }}`", id.value, id.value)),
        );
    }
    if ["scope", "duties", "how", "evidence", "note"].contains(&id.value.as_str()) {
        return Some(
            Diagnostic::new(Code::UnknownParty, id.span, format!("`{}` is a holding key, not a party or upstream", id.value))
                .with_help("indent it under the holder it describes: `HOLDER:` then, one level deeper, `scope: ...`"),
        );
    }
    None
}

/// The ids a reference may name: in declared order (for messages) and
/// hashed (a model of 8,000 parties has as many references to look up).
struct Known<'m> {
    list: Vec<&'m str>,
    set: HashSet<&'m str>,
}

impl<'m> Known<'m> {
    fn new(ids: impl Iterator<Item = &'m String>) -> Self {
        let list: Vec<&str> = ids.map(String::as_str).collect();
        let set = list.iter().copied().collect();
        Known { list, set }
    }
}

/// At most this many declared ids are listed in a help line.
const LISTED: usize = 12;

/// An id as written, whether the model keeps it as a `String` or a `Text`.
fn written<T: AsRef<str>>(id: &Spanned<T>) -> Spanned<&str> {
    Spanned::new(id.value.as_ref(), id.span)
}

fn unknown(
    out: &mut Vec<Diagnostic>,
    id: Spanned<&str>,
    known: &Known,
    code: Code,
    context: &str,
    kind: &str,
) {
    if known.set.contains(id.value) {
        return;
    }
    let help = suggest(id.value, known.list.iter().copied()).unwrap_or_else(|| {
        match known.list.as_slice() {
            [] => format!("the model declares no {kind}"),
            all if all.len() > LISTED => format!(
                "declared: {} and {} more",
                all[..LISTED].join(", "),
                all.len() - LISTED
            ),
            all => format!("declared: {}", all.join(", ")),
        }
    });
    out.push(
        Diagnostic::new(
            code,
            id.span,
            format!("{context} an unknown {kind} `{}`", id.value),
        )
        .with_help(help),
    );
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{check_files, codes, model};

    #[test]
    fn unknown_references_get_suggestions() {
        let text = model(
            "practices:\n  policy: { name: Policy }\nevidence:\n  soc2: { name: SOC 2 }",
            "  data: { custmer: { how: [polcy], evidence: [soc3] } }\n  hosts: { sass: acme, default: acme }\n  dat: acme",
        );
        let found = check_files(&[("m.onus.yaml", &text)]);
        let by_code = |c: &str| {
            found
                .iter()
                .find(|d| d.code.name() == c)
                .unwrap_or_else(|| panic!("{c}: {found:?}"))
        };
        assert_eq!(
            by_code("unknown-party").help.as_deref(),
            Some("did you mean `customer`?")
        );
        assert_eq!(
            by_code("unknown-practice").help.as_deref(),
            Some("did you mean `policy`?")
        );
        assert_eq!(
            by_code("unknown-evidence").help.as_deref(),
            Some("did you mean `soc2`?")
        );
        assert_eq!(
            by_code("unknown-offering").help.as_deref(),
            Some("did you mean `saas`?")
        );
        assert_eq!(
            by_code("unknown-area").help.as_deref(),
            Some("did you mean `data`?")
        );
    }

    #[test]
    fn a_long_list_of_declared_ids_is_cut() {
        let practices: String = (0..20)
            .map(|i| format!("  practice-{i}: {{ name: P }}\n"))
            .collect();
        let text = model(
            &format!("practices:\n{practices}"),
            "  data: { customer: { how: [zzz] } }\n  hosts: acme",
        );
        let found = check_files(&[("m.onus.yaml", &text)]);
        let d = found
            .iter()
            .find(|d| d.code.name() == "unknown-practice")
            .unwrap();
        let listed: Vec<String> = (0..12).map(|i| format!("practice-{i}")).collect();
        assert_eq!(
            d.help.as_deref(),
            Some(format!("declared: {} and 8 more", listed.join(", ")).as_str())
        );
    }

    #[test]
    fn unknown_upstream_and_framework() {
        let text = model("", "  data: customer\n  hosts: acme")
            .replace(
                "  saas: { name: SaaS }",
                "  saas: { name: SaaS, runs-on: { azure: paas } }",
            )
            .replace(
                "  data: { name: Data }",
                "  data: { name: Data, controls: [nist:ac-2] }",
            );
        assert_eq!(codes(&text), ["unknown-upstream", "unknown-framework"]);
    }
}
