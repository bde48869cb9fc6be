//! `shared-without-split` (warning): a shared cell whose holders have
//! neither a scope nor duties.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for (area, cell) in &cx.model.responsibilities {
        for holders in cell.body.all_holders() {
            // A holder that is unknown (or could not be read) is reported already.
            if !holders.list.iter().all(|h| cx.model.is_holder(&h.id.value)) {
                continue;
            }
            let parties: Vec<_> = holders
                .list
                .iter()
                .filter(|h| cx.model.parties.contains_key(&h.id.value))
                .collect();
            // Inheriting alongside a party counts as shared too: the upstream's part is split by the upstream.
            let mut distinct: Vec<&str> =
                holders.list.iter().map(|h| h.id.value.as_str()).collect();
            distinct.sort_unstable();
            distinct.dedup();
            if distinct.len() < 2 || parties.is_empty() {
                continue;
            }
            let split = parties
                .iter()
                .any(|h| h.holding.as_ref().is_some_and(|x| x.is_split()));
            if !split {
                let mut names: Vec<&str> = Vec::new();
                for h in &holders.list {
                    if !names.contains(&h.id.value.as_str()) {
                        names.push(&h.id.value);
                    }
                }
                out.push(
                    Diagnostic::new(
                        Code::SharedWithoutSplit,
                        holders.span,
                        format!(
                            "`{area}` is shared by {} without saying who does what",
                            names.join(" and ")
                        ),
                    )
                    .with_help(format!(
                        "give each holder a scope or duties: `{{ {}: {{ scope: ... }}, ... }}`",
                        names[0]
                    )),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{codes, model};

    #[test]
    fn shared_needs_a_split() {
        assert_eq!(
            codes(&model("", "  data: [acme, customer]\n  hosts: acme")),
            ["shared-without-split"]
        );
        assert!(codes(&model(
            "",
            "  data: { acme: { scope: platform }, customer: ~ }\n  hosts: acme"
        ))
        .is_empty());
        assert!(codes(&model(
            "",
            "  data: { acme: ~, customer: { duties: [Back up] } }\n  hosts: acme"
        ))
        .is_empty());
    }
}
