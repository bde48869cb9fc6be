//! `duplicate-holder`: a holder appears once per cell.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    for cell in cx.model.responsibilities.values() {
        for holders in cell.body.all_holders() {
            for (i, holder) in holders.list.iter().enumerate() {
                if let Some(first) = holders.list[..i]
                    .iter()
                    .find(|h| h.id.value == holder.id.value)
                {
                    out.push(
                        Diagnostic::new(
                            Code::DuplicateHolder,
                            holder.id.span,
                            format!("`{}` is listed twice in this cell", holder.id.value),
                        )
                        .with_related(first.id.span, "first listed here")
                        .with_help("remove the repeat, or name the party you meant"),
                    );
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{codes, model};

    #[test]
    fn repeated_holder() {
        let text = model("", "  data: [customer, customer]\n  hosts: acme");
        assert!(codes(&text).contains(&"duplicate-holder"));
        assert!(
            !codes(&model("", "  data: [acme, customer]\n  hosts: acme"))
                .contains(&"duplicate-holder")
        );
    }
}
