//! `customer-party-count`, `missing-provider`, `invalid-publisher`: the
//! model has exactly one customer, at least one provider, and is published
//! by a provider.

use crate::check::Context;
use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::Role;
use crate::source::Span;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let at_parties = m.parties.values().next().map_or(m.meta.id.span, |p| p.span);
    let customers: Vec<(&String, Span)> = m
        .parties
        .iter()
        .filter(|(_, p)| p.role == Role::Customer)
        .map(|(id, p)| (id, p.span))
        .collect();
    match customers.as_slice() {
        [_] => {}
        // A party that could not be read may be the customer: already reported.
        [] if !m.broken.is_empty() => {}
        [] => out.push(
            Diagnostic::new(
                Code::CustomerPartyCount,
                at_parties,
                "the model has no party with the role `customer`",
            )
            .with_help("declare the party who consumes the offerings: `customer: { name: Customer, role: customer }`"),
        ),
        [_, rest @ ..] => {
            for (id, span) in rest {
                out.push(
                    Diagnostic::new(
                        Code::CustomerPartyCount,
                        *span,
                        format!("`{id}` is a second party with the role `customer`"),
                    )
                    .with_related(customers[0].1, "the first customer")
                    .with_help("exactly one party is the customer; give the others the role `third-party`"),
                );
            }
        }
    }
    if !m.parties.values().any(|p| p.role == Role::Provider)
        && !m.parties.is_empty()
        && m.broken.is_empty()
    {
        out.push(
            Diagnostic::new(
                Code::MissingProvider,
                at_parties,
                "no party has the role `provider`",
            )
            .with_help("declare the publisher with `role: provider`"),
        );
    }
    let publisher = &m.meta.publisher;
    match m.parties.get(&publisher.value) {
        // An empty publisher was missing or invalid, and is reported as such.
        None if publisher.value.is_empty() || m.broken.contains(&publisher.value) => {}
        None => out.push(
            Diagnostic::new(
                Code::UnknownParty,
                publisher.span,
                format!("the publisher `{}` is not a declared party", publisher.value),
            )
            .with_help(
                suggest(&publisher.value, m.parties.keys().map(String::as_str))
                    .unwrap_or_else(|| format!("declare `{}` under `parties:` with `role: provider`", publisher.value)),
            ),
        ),
        Some(p) if p.role != Role::Provider => out.push(
            Diagnostic::new(
                Code::InvalidPublisher,
                publisher.span,
                format!("the publisher `{}` has the role `{}`", publisher.value, p.role.as_str()),
            )
            .with_related(p.span, "declared here")
            .with_help("the publisher is the provider the model speaks for: name a party with `role: provider`"),
        ),
        Some(_) => {}
    }
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::codes;

    const CELLS: &str = "  data: customer\n  hosts: acme";

    #[test]
    fn one_customer_and_a_provider_publisher() {
        let ok = crate::check::test_support::model("", CELLS);
        assert_eq!(codes(&ok), Vec::<&str>::new());

        let two = ok.replace(
            "  acme: { name: Acme, role: provider }",
            "  acme: { name: Acme, role: provider }\n  other: { name: O, role: customer }",
        );
        assert_eq!(codes(&two), ["customer-party-count"]);

        let none = ok.replace("role: customer", "role: third-party");
        assert_eq!(codes(&none), ["customer-party-count"]);

        let publisher = ok.replace("publisher: acme", "publisher: customer");
        assert_eq!(codes(&publisher), ["invalid-publisher"]);

        let typo = ok.replace("publisher: acme", "publisher: acmee");
        assert_eq!(codes(&typo), ["unknown-party"]);

        let no_provider = ok.replace("role: provider", "role: third-party");
        assert_eq!(
            codes(&no_provider),
            ["invalid-publisher", "missing-provider"]
        );
    }
}
