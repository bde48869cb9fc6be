//! `unused-default` (warning): a `default` that no offering falls to.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{CellBody, DEFAULT_OFFERING};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    for cell in m.responsibilities.values() {
        let CellBody::PerOffering(cells) = &cell.body else {
            continue;
        };
        let Some(default) = cells.iter().find(|c| c.offering.value == DEFAULT_OFFERING) else {
            continue;
        };
        let falls = m
            .offerings
            .keys()
            .any(|o| !cells.iter().any(|c| &c.offering.value == o));
        if !falls {
            out.push(
                Diagnostic::new(
                    Code::UnusedDefault,
                    default.offering.span,
                    "no offering falls to this `default`",
                )
                .with_help("every offering is listed in the cell: remove the `default`"),
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{codes, model};

    #[test]
    fn default_that_never_applies() {
        assert_eq!(
            codes(&model(
                "",
                "  data: customer\n  hosts: { saas: acme, paas: acme, default: customer }"
            )),
            ["unused-default"]
        );
        assert!(codes(&model(
            "",
            "  data: customer\n  hosts: { saas: acme, default: customer }"
        ))
        .is_empty());
    }
}
