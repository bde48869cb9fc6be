//! `duplicate-duty-id`: a duty id names one duty of the model. The same
//! id may be written again only for the same duty (the same text, in
//! another offering, area or holder), and never twice in one holding.

use std::collections::HashMap;

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::Duty;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    // Id -> where it was first written, with its text.
    let mut first: HashMap<&str, &Duty> = HashMap::new();
    for cell in cx.model.responsibilities.values() {
        for holders in cell.body.all_holders() {
            for holding in holders.list.iter().filter_map(|h| h.holding.as_ref()) {
                for (i, duty) in holding.duties.iter().enumerate() {
                    let Some(id) = &duty.id else { continue };
                    let same_id = |d: &&Duty| d.id.as_ref().is_some_and(|x| x.value == id.value);
                    if let Some(twin) = holding.duties[..i].iter().find(same_id) {
                        out.push(
                            Diagnostic::new(
                                Code::DuplicateDutyId,
                                id.span,
                                format!("`{}` is the id of two duties of this holding", id.value),
                            )
                            .with_related(
                                twin.id.as_ref().map_or(twin.text.span, |x| x.span),
                                "first here",
                            )
                            .with_help("give each duty its own id, or remove the repeat"),
                        );
                        continue;
                    }
                    let seen = *first.entry(id.value.as_str()).or_insert(duty);
                    if seen.text.value != duty.text.value {
                        out.push(
                            Diagnostic::new(
                                Code::DuplicateDutyId,
                                id.span,
                                format!(
                                    "`{}` is already the id of another duty: `{}`",
                                    id.value, seen.text.value
                                ),
                            )
                            .with_related(seen.id.as_ref().map_or(seen.text.span, |x| x.span), "that duty")
                            .with_help(
                                "one id names one duty: give this one its own id, or, if it is the same duty, write the same text",
                            ),
                        );
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{check_files, codes, model};

    fn cells(data: &str, hosts: &str) -> String {
        model("", &format!("  data:\n{data}\n  hosts:\n{hosts}"))
    }

    #[test]
    fn one_id_names_one_duty() {
        // The same duty, with the same id, in two areas, two holders and
        // per offering: one duty.
        let same = cells(
            "    acme: { duties: [{ id: backup, text: Backs up }] }\n    customer: { duties: [{ id: backup, text: Backs up }] }",
            "    saas: { acme: { duties: [{ id: backup, text: Backs up }, Patches] } }\n    default: acme",
        );
        assert_eq!(codes(&same), Vec::<&str>::new());

        // Another text under the same id, anywhere in the model.
        let other = cells(
            "    acme: { duties: [{ id: backup, text: Backs up the database }] }",
            "    saas: acme\n    default: { acme: { duties: [{ id: backup, text: Backs up the hosts }] } }",
        );
        let found = check_files(&[("m.onus.yaml", &other)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].code.name(), "duplicate-duty-id");
        assert_eq!(
            found[0].message,
            "`backup` is already the id of another duty: `Backs up the database`"
        );
        assert_eq!(found[0].related.len(), 1);

        // Twice in one holding, even for one text.
        let twice = cells(
            "    acme: { duties: [{ id: backup, text: Backs up }, { id: backup, text: Backs up }] }",
            "    acme",
        );
        let found = check_files(&[("m.onus.yaml", &twice)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`backup` is the id of two duties of this holding"
        );
    }

    #[test]
    fn ids_and_texts_are_separate() {
        // A duty without an id whose text is another duty's id is fine.
        let text = cells(
            "    acme: { duties: [{ id: backup, text: Backs up }, backup] }",
            "    acme",
        );
        assert_eq!(codes(&text), Vec::<&str>::new());
    }
}
