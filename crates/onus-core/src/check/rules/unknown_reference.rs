//! `unknown-party`, `unknown-offering`, `unknown-area`, `unknown-upstream`,
//! `unknown-practice`, `unknown-evidence`, `unknown-framework`: every
//! reference names something the model declares, with a suggestion for
//! near misses.

use crate::check::Context;
use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::{is_valid_id, CellBody, RefKind, DEFAULT_OFFERING};
use crate::source::Spanned;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let unknown = |out: &mut Vec<Diagnostic>,
                   id: &Spanned<String>,
                   known: &[&str],
                   code,
                   context: &str,
                   kind| {
        if !m.broken.contains(&id.value) {
            unknown(out, id, known, code, context, kind);
        }
    };
    // Declarations that could not be read (reported already) are still
    // what a near miss most likely meant.
    let broken = m
        .broken
        .iter()
        .map(String::as_str)
        .filter(|b| is_valid_id(b));
    let holders: Vec<&str> = m
        .parties
        .keys()
        .chain(m.upstreams.keys())
        .map(String::as_str)
        .chain(broken.clone())
        .collect();
    let parties: Vec<&str> = m.parties.keys().map(String::as_str).chain(broken).collect();
    let upstreams: Vec<&str> = m.upstreams.keys().map(String::as_str).collect();
    let practices: Vec<&str> = m
        .references
        .of(RefKind::Practice)
        .keys()
        .map(String::as_str)
        .collect();
    let evidence: Vec<&str> = m
        .references
        .of(RefKind::Evidence)
        .keys()
        .map(String::as_str)
        .collect();
    let areas: Vec<&str> = m.areas.keys().map(String::as_str).collect();
    let mut offerings: Vec<&str> = m.offerings.keys().map(String::as_str).collect();
    offerings.push(DEFAULT_OFFERING);

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
                party,
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
                &id,
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
                &id,
                &upstreams,
                Code::UnknownUpstream,
                "`upstream` names",
                "upstream",
            );
        }
        for control in &area.controls {
            if !m.frameworks.contains_key(&control.framework) {
                let id = Spanned::new(control.framework.clone(), control.span);
                let known: Vec<&str> = m.frameworks.keys().map(String::as_str).collect();
                unknown(
                    out,
                    &id,
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
                &id,
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
                    &c.offering,
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
                    &holder.id,
                    &holders,
                    Code::UnknownParty,
                    "the cell names",
                    "party or upstream",
                );
                if let Some(holding) = &holder.holding {
                    for p in &holding.how {
                        unknown(
                            out,
                            p,
                            &practices,
                            Code::UnknownPractice,
                            "`how` names",
                            "practice",
                        );
                    }
                    for e in &holding.evidence {
                        unknown(
                            out,
                            e,
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

fn unknown(
    out: &mut Vec<Diagnostic>,
    id: &Spanned<String>,
    known: &[&str],
    code: Code,
    context: &str,
    kind: &str,
) {
    if known.contains(&id.value.as_str()) {
        return;
    }
    let help = suggest(&id.value, known.iter().copied()).unwrap_or_else(|| match known {
        [] => format!("the model declares no {kind}"),
        _ => format!("declared: {}", known.join(", ")),
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
