//! `onus duties`: one party's obligations, per offering.

use comfy_table::Attribute;
use onus_core::terminal::printable;
use onus_core::url::{classify, Safety};
use serde_json::{json, Value};

use crate::matrix::md_escape;
use crate::{csv, reference_labels, terminal_table, Format};
use onus_core::model::Reference;
use onus_core::resolve::{Matrix, RefIds, ResolvedArea, ResolvedHolder, ResolvedOffering};
use onus_core::text::Text;

/// One area a party holds in one offering.
pub struct Duty<'m> {
    pub offering: &'m ResolvedOffering,
    pub area: &'m ResolvedArea,
    pub holder: &'m ResolvedHolder,
}

impl<'m> Duty<'m> {
    /// The duty texts, one row each in a sheet: an area held with no
    /// listed duty still gets one row, with an empty duty.
    pub fn rows(&self) -> Vec<&'m str> {
        if self.holder.duties.is_empty() {
            vec![""]
        } else {
            self.holder.duties.iter().map(Text::as_str).collect()
        }
    }
}

/// What `party` holds, offering by offering, in area order.
pub fn of<'m>(offerings: &[&'m ResolvedOffering], party: &str) -> Vec<Duty<'m>> {
    offerings
        .iter()
        .flat_map(|o| {
            o.areas.iter().filter_map(move |a| {
                a.holders
                    .iter()
                    .find(|h| h.party == party)
                    .map(|holder| Duty {
                        offering: o,
                        area: a,
                        holder,
                    })
            })
        })
        .collect()
}

pub fn render(
    matrix: &Matrix,
    offerings: &[&ResolvedOffering],
    party: &str,
    format: Format,
) -> String {
    let duties = of(offerings, party);
    if duties.is_empty() && matches!(format, Format::Table { .. }) {
        let name = matrix.parties.get(party).map_or(party, |p| p.name.as_str());
        let names: Vec<&str> = offerings.iter().map(|o| o.name.as_str()).collect();
        return format!("{name} holds no area in {}.\n", names.join(", "));
    }
    match format {
        Format::Json => {
            serde_json::to_string_pretty(&to_json(matrix, party, offerings, &duties))
                .unwrap_or_default()
                + "\n"
        }
        Format::Csv => csv::render(&csv_rows(matrix, &duties)),
        Format::Markdown => markdown(matrix, party, offerings, &duties),
        Format::Table { width } => printable(&table(matrix, &duties, width)).into_owned(),
    }
}

fn to_json(
    matrix: &Matrix,
    party: &str,
    offerings: &[&ResolvedOffering],
    duties: &[Duty],
) -> Value {
    let reference = |id: &Text, found: Option<&Reference>| {
        let (name, url, access) = match found {
            Some(r) => (r.name.clone(), r.url.clone(), r.access),
            None => (id.to_string(), None, Default::default()),
        };
        // A URL the one rule refuses is left out, as every renderer does.
        let url = url.filter(|u| classify(u) == Safety::Safe);
        json!({ "id": id, "name": name, "url": url, "access": access.as_str() })
    };
    let references = |ids: &RefIds| {
        ids.lookup(&matrix.references)
            .map(|(id, found)| reference(id, found))
            .collect::<Vec<_>>()
    };
    let info = matrix.parties.get(party);
    json!({
        "model": matrix.model,
        "party": party,
        "name": info.map(|p| p.name.clone()),
        "offerings": offerings.iter().map(|o| json!({
            "id": o.id,
            "name": o.name,
            "areas": duties.iter().filter(|d| d.offering.id == o.id).map(|d| json!({
                "id": d.area.id,
                "name": d.area.name,
                "scope": d.holder.scope(),
                "duties": d.holder.duties,
                "how": references(&d.holder.how),
                "evidence": references(&d.holder.evidence),
                "note": d.holder.note,
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

/// One row per duty (an area with no listed duty still gets a row).
fn csv_rows(matrix: &Matrix, duties: &[Duty]) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "offering",
        "area",
        "area_name",
        "scope",
        "duty",
        "how",
        "evidence",
        "note",
    ]
    .map(String::from)
    .to_vec()];
    for d in duties {
        for duty in d.rows() {
            rows.push(vec![
                d.offering.id.clone(),
                d.area.id.to_string(),
                d.area.name.to_string(),
                d.holder.scope().as_deref().unwrap_or_default().to_string(),
                duty.to_string(),
                reference_labels(matrix, &d.holder.how).join("\n"),
                reference_labels(matrix, &d.holder.evidence).join("\n"),
                d.holder.note.as_deref().unwrap_or_default().to_string(),
            ]);
        }
    }
    rows
}

fn table(matrix: &Matrix, duties: &[Duty], width: Option<u16>) -> String {
    let mut t = terminal_table(width);
    t.set_header(
        ["Offering", "Area", "Scope", "Duties", "How", "Evidence"]
            .map(|h| crate::cell(h).add_attribute(Attribute::Bold)),
    );
    for d in duties {
        t.add_row(vec![
            d.offering.name.clone(),
            d.area.name.to_string(),
            d.holder.scope().as_deref().unwrap_or_default().to_string(),
            d.holder
                .duties
                .iter()
                .map(|x| format!("• {x}"))
                .chain(d.holder.note.iter().map(|n| format!("Note: {n}")))
                .collect::<Vec<_>>()
                .join("\n"),
            reference_labels(matrix, &d.holder.how).join("\n"),
            reference_labels(matrix, &d.holder.evidence).join("\n"),
        ]);
    }
    format!("{t}\n")
}

fn markdown(
    matrix: &Matrix,
    party: &str,
    offerings: &[&ResolvedOffering],
    duties: &[Duty],
) -> String {
    let name = matrix.parties.get(party).map_or(party, |p| p.name.as_str());
    let mut out = format!("# Duties of {}\n", md_escape(name));
    for o in offerings {
        out.push_str(&format!("\n## {}\n\n", md_escape(&o.name)));
        let mine: Vec<&Duty> = duties.iter().filter(|d| d.offering.id == o.id).collect();
        if mine.is_empty() {
            out.push_str("Nothing.\n");
            continue;
        }
        out.push_str("| Area | Scope | Duties | How is it done? | Evidence |\n| --- | --- | --- | --- | --- |\n");
        for d in mine {
            let list = |items: Vec<String>| {
                items
                    .iter()
                    .map(|i| format!("• {}", md_escape(i)))
                    .collect::<Vec<_>>()
                    .join("<br>")
            };
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                md_escape(&d.area.name),
                md_escape(d.holder.scope().as_deref().unwrap_or("")),
                list(d.holder.duties.iter().map(Text::to_string).collect())
                    + &d.holder
                        .note
                        .as_ref()
                        .map(|n| format!("<br>*Note: {}*", md_escape(n)))
                        .unwrap_or_default(),
                list(reference_labels(matrix, &d.holder.how)),
                list(reference_labels(matrix, &d.holder.evidence)),
            ));
        }
    }
    out
}
