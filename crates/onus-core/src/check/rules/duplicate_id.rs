//! `duplicate-id`: parties, upstreams and offerings share one namespace.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::DEFAULT_OFFERING;
use std::collections::HashMap;

use crate::source::Span;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // By hash: a model of 300,000 parties has as many ids to compare.
    let mut seen: HashMap<&str, (&str, Span)> = HashMap::new();
    let ids = m
        .parties
        .iter()
        .map(|(id, p)| (id, "party", p.span))
        .chain(m.upstreams.iter().map(|(id, u)| (id, "upstream", u.span)))
        .chain(m.offerings.iter().map(|(id, o)| (id, "offering", o.span)));
    for (id, kind, span) in ids {
        if let Some((first_kind, first)) = seen.get(id.as_str()) {
            out.push(
                Diagnostic::new(
                    Code::DuplicateId,
                    span,
                    format!(
                        "`{id}` names both {} and {}",
                        article(first_kind),
                        article(kind)
                    ),
                )
                .with_related(*first, format!("the {first_kind} `{id}`"))
                .with_help(
                    "parties, upstreams and offerings share one namespace: rename one of them",
                ),
            );
        } else {
            seen.insert(id, (kind, span));
        }
    }
    if let Some(o) = m.offerings.get(DEFAULT_OFFERING) {
        out.push(
            Diagnostic::new(
                Code::InvalidId,
                o.span,
                "`default` is reserved in per-offering cells",
            )
            .with_help("give the offering another id"),
        );
    }
}

fn article(kind: &str) -> String {
    match kind.chars().next() {
        Some('a' | 'e' | 'i' | 'o' | 'u') => format!("an {kind}"),
        _ => format!("a {kind}"),
    }
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{codes, model};

    #[test]
    fn parties_and_offerings_share_ids() {
        let m = model("", "  data: customer\n  hosts: acme").replace(
            "  paas: { name: PaaS }",
            "  customer: { name: Customer offering }",
        );
        assert!(codes(&m).contains(&"duplicate-id"));
    }

    #[test]
    fn a_duplicate_among_thousands_of_ids_is_found_once() {
        let parties: String = (0..20_000)
            .map(|i| format!("  p-{i}: {{ name: P, role: provider }}\n"))
            .collect();
        let m = model("", "  data: customer\n  hosts: acme")
            .replace("parties:\n", &format!("parties:\n{parties}"))
            .replace("  paas: { name: PaaS }", "  p-19999: { name: PaaS }");
        let found = codes(&m);
        assert_eq!(found.iter().filter(|c| **c == "duplicate-id").count(), 1);
    }
}
