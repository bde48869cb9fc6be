//! `duplicate-id`: parties, upstreams and offerings share one namespace.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::DEFAULT_OFFERING;
use crate::source::Span;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let mut seen: Vec<(&str, &str, Span)> = Vec::new();
    let ids = m
        .parties
        .iter()
        .map(|(id, p)| (id, "party", p.span))
        .chain(m.upstreams.iter().map(|(id, u)| (id, "upstream", u.span)))
        .chain(m.offerings.iter().map(|(id, o)| (id, "offering", o.span)));
    for (id, kind, span) in ids {
        if let Some((_, first_kind, first)) = seen.iter().find(|(s, _, _)| *s == id) {
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
            seen.push((id, kind, span));
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
}
