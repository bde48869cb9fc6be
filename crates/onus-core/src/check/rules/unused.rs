//! `unused-practice`, `unused-evidence`, `unused-framework` (warnings):
//! declared, never referenced.

use std::collections::HashSet;

use crate::check::Context;
use crate::diagnostic::{closest, Code, Diagnostic};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut how = HashSet::new();
    let mut evidence = HashSet::new();
    for cell in m.responsibilities.values() {
        for holders in cell.body.all_holders() {
            for holding in holders.list.iter().filter_map(|h| h.holding.as_ref()) {
                how.extend(holding.how.iter().map(|s| s.value.as_str()));
                evidence.extend(holding.evidence.iter().map(|s| s.value.as_str()));
            }
        }
    }
    // A misspelt reference is reported as unknown, with the declared id it
    // was probably meant for: that one is not "unused" too.
    let meant = |refs: &HashSet<&str>, declared: Vec<&str>| -> Vec<String> {
        refs.iter()
            .filter(|r| !declared.contains(r))
            .filter_map(|r| closest(r, declared.iter().copied()).map(str::to_string))
            .collect()
    };
    let meant_how = meant(&how, m.practices.keys().map(String::as_str).collect());
    let meant_evidence = meant(&evidence, m.evidence.keys().map(String::as_str).collect());
    how.extend(meant_how.iter().map(String::as_str));
    evidence.extend(meant_evidence.iter().map(String::as_str));
    let frameworks: HashSet<&str> = m
        .areas
        .values()
        .flat_map(|a| a.controls.iter().map(|c| c.framework.as_str()))
        .collect();
    for (id, p) in m
        .practices
        .iter()
        .filter(|(id, _)| !how.contains(id.as_str()))
    {
        out.push(
            Diagnostic::new(
                Code::UnusedPractice,
                p.span,
                format!("practice `{id}` is not used by any cell"),
            )
            .with_help("add it to the `how:` of the holding it describes, or remove it"),
        );
    }
    for (id, e) in m
        .evidence
        .iter()
        .filter(|(id, _)| !evidence.contains(id.as_str()))
    {
        out.push(
            Diagnostic::new(
                Code::UnusedEvidence,
                e.span,
                format!("evidence `{id}` is not used by any cell"),
            )
            .with_help("add it to the `evidence:` of the holding it proves, or remove it"),
        );
    }
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
