//! `unused-practice`, `unused-evidence`, `unused-framework` (warnings):
//! declared, never referenced.

use std::collections::HashSet;

use crate::check::Context;
use crate::diagnostic::{closest, Code, Diagnostic};
use crate::model::RefKind;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for kind in RefKind::ALL {
        let declared = m.references.of(kind);
        let mut used: HashSet<&str> = HashSet::new();
        for cell in m.responsibilities.values() {
            for holders in cell.body.all_holders() {
                for holding in holders.list.iter().filter_map(|h| h.holding.as_ref()) {
                    used.extend(holding.refs(kind).iter().map(|s| s.value.as_str()));
                }
            }
        }
        // A misspelt reference is reported as unknown, with the declared id it
        // was probably meant for: that one is not "unused" too.
        let meant: Vec<&str> = used
            .iter()
            .filter(|r| !declared.contains_key(**r))
            .filter_map(|r| closest(r, declared.keys().map(String::as_str)))
            .collect();
        used.extend(meant);
        let (code, field, what) = match kind {
            RefKind::Practice => (Code::UnusedPractice, "how", "describes"),
            RefKind::Evidence => (Code::UnusedEvidence, "evidence", "proves"),
        };
        for (id, r) in declared
            .iter()
            .filter(|(id, _)| !used.contains(id.as_str()))
        {
            out.push(
                Diagnostic::new(
                    code,
                    r.span,
                    format!("{} `{id}` is not used by any cell", kind.noun()),
                )
                .with_help(format!(
                    "add it to the `{field}:` of the holding it {what}, or remove it"
                )),
            );
        }
    }
    let frameworks: HashSet<&str> = m
        .areas
        .values()
        .flat_map(|a| a.controls.iter().map(|c| c.framework.as_str()))
        .collect();
    for (id, f) in m
        .frameworks
        .iter()
        .filter(|(id, _)| !frameworks.contains(id.as_str()))
    {
        out.push(
            Diagnostic::new(
                Code::UnusedFramework,
                f.span,
                format!("framework `{id}` is not used by any area"),
            )
            .with_help(format!(
                "map areas to it with `controls: [{id}:CONTROL]`, or remove it"
            )),
        );
    }
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{codes, model};

    #[test]
    fn unused_declarations_warn() {
        let text = model(
            "practices:\n  p: { name: P }\nevidence:\n  e: { name: E }\nframeworks:\n  f: { name: F }",
            "  data: customer\n  hosts: acme",
        );
        assert_eq!(
            codes(&text),
            ["unused-practice", "unused-evidence", "unused-framework"]
        );
    }
}
