//! `missing-holder`: every area has a holder in every offering.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::{CellBody, DEFAULT_OFFERING};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    // A cell that could not be read is reported already.
    for (id, area) in m.areas.iter().filter(|(id, _)| !m.broken.contains(id)) {
        let Some(cell) = m.responsibilities.get(id) else {
            out.push(
                Diagnostic::new(
                    Code::MissingHolder,
                    area.span,
                    format!("area `{id}` has no cell under `responsibilities`"),
                )
                .with_help(format!("add `{id}: PARTY` under `responsibilities:`")),
            );
            continue;
        };
        match &cell.body {
            CellBody::Holders(h) if h.list.is_empty() => out.push(
                Diagnostic::new(
                    Code::MissingHolder,
                    h.span,
                    format!("area `{id}` has no holder"),
                )
                .with_help("name at least one party or upstream"),
            ),
            CellBody::Holders(_) => {}
            CellBody::PerOffering(cells) => {
                let missing: Vec<&str> = m
                    .offerings
                    .keys()
                    .filter(|o| cell.body.for_offering(o).is_none())
                    .map(String::as_str)
                    .collect();
                if !missing.is_empty() {
                    out.push(
                        Diagnostic::new(
                            Code::MissingHolder,
                            cell.span,
                            format!("area `{id}` has no holder in {}", list(&missing)),
                        )
                        .with_help(format!(
                            "add {} or `{DEFAULT_OFFERING}:` to the cell",
                            list(&missing)
                        )),
                    );
                }
                for c in cells.iter().filter(|c| c.holders.list.is_empty()) {
                    out.push(
                        Diagnostic::new(
                            Code::MissingHolder,
                            c.offering.span,
                            format!("area `{id}` has no holder in `{}`", c.offering.value),
                        )
                        .with_help("name at least one party or upstream"),
                    );
                }
            }
        }
    }
}

fn list(ids: &[&str]) -> String {
    ids.iter()
        .map(|i| format!("`{i}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{check_files, codes, model};

    #[test]
    fn every_area_every_offering() {
        assert_eq!(codes(&model("", "  data: customer")), ["missing-holder"]);
        assert_eq!(
            codes(&model("", "  data: customer\n  hosts: ~")),
            ["missing-holder"]
        );
        assert_eq!(
            codes(&model("", "  data: customer\n  hosts: []")),
            ["missing-holder"]
        );
        let per = model("", "  data: customer\n  hosts: { saas: acme }");
        let found = check_files(&[("m.onus.yaml", &per)]);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].message, "area `hosts` has no holder in `paas`");
        assert_eq!(
            codes(&model(
                "",
                "  data: customer\n  hosts: { saas: acme, paas: ~ }"
            )),
            ["missing-holder"]
        );
    }
}
