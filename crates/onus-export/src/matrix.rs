//! `onus matrix`: who holds each area, per offering.

use comfy_table::{presets::UTF8_FULL_CONDENSED, Attribute, Cell, ContentArrangement, Table};
use serde_json::{json, Value};

use crate::{csv, holder_label, Format};
use onus_core::resolve::{Matrix, ResolvedArea, ResolvedHolder, ResolvedOffering};
use onus_core::text::Text;

pub fn render(matrix: &Matrix, offerings: &[&ResolvedOffering], format: Format) -> String {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(&to_json(matrix, offerings)).unwrap_or_default() + "\n"
        }
        Format::Csv => csv::render(&csv_rows(offerings)),
        Format::Markdown => markdown(offerings),
        Format::Table { width } => table(offerings, width),
    }
}

/// The JSON of FORMAT.md ("Machine-readable output").
pub fn to_json(matrix: &Matrix, offerings: &[&ResolvedOffering]) -> Value {
    json!({
        "model": matrix.model,
        "offerings": offerings.iter().map(|o| json!({
            "id": o.id,
            "name": o.name,
            "areas": o.areas.iter().map(|a| json!({
                "id": a.id,
                "name": a.name,
                "holders": a.holders.iter().map(holder_json).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    })
}

fn holder_json(h: &ResolvedHolder) -> Value {
    json!({
        "party": h.party,
        "name": h.name,
        "role": h.role.as_str(),
        "scope": h.scope,
        "duties": h.duties,
        "how": h.how,
        "evidence": h.evidence,
        "via": h.via,
    })
}

fn csv_rows(offerings: &[&ResolvedOffering]) -> Vec<Vec<String>> {
    let mut rows = vec![[
        "offering",
        "area",
        "area_name",
        "party",
        "name",
        "role",
        "scope",
        "duties",
        "how",
        "evidence",
        "via",
    ]
    .map(String::from)
    .to_vec()];
    for o in offerings {
        for a in &o.areas {
            for h in &a.holders {
                rows.push(vec![
                    o.id.clone(),
                    a.id.to_string(),
                    a.name.to_string(),
                    h.party.to_string(),
                    h.name.to_string(),
                    h.role.as_str().to_string(),
                    h.scope.as_deref().unwrap_or_default().to_string(),
                    // One item per line: a duty may itself contain "; ".
                    h.duties.join("\n"),
                    h.how.join("\n"),
                    h.evidence.join("\n"),
                    h.via.join("/"),
                ]);
            }
        }
    }
    rows
}

/// The holders of one area, one per line, with scope.
fn cell_lines(a: &ResolvedArea) -> Vec<String> {
    if a.holders.is_empty() {
        return vec!["(nobody)".to_string()];
    }
    a.holders
        .iter()
        .map(|h| match &h.scope {
            Some(scope) => format!("{} [{scope}]", holder_label(h)),
            None => holder_label(h),
        })
        .collect()
}

/// Rows of (group heading or None, area index) in area order, a heading
/// row before each change of group.
fn rows(offerings: &[&ResolvedOffering]) -> Vec<(Option<String>, usize)> {
    let Some(first) = offerings.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let mut group: Option<&str> = None;
    for (i, a) in first.areas.iter().enumerate() {
        if a.group.is_some() && a.group.as_deref() != group {
            group = a.group.as_deref();
            out.push((a.group.as_ref().map(Text::to_string), i));
        }
        out.push((None, i));
    }
    out
}

fn table(offerings: &[&ResolvedOffering], width: Option<u16>) -> String {
    let mut t = Table::new();
    t.load_preset(UTF8_FULL_CONDENSED)
        .set_content_arrangement(ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
    let mut header = vec![Cell::new("Area").add_attribute(Attribute::Bold)];
    header.extend(
        offerings
            .iter()
            .map(|o| Cell::new(&o.name).add_attribute(Attribute::Bold)),
    );
    t.set_header(header);
    for (group, i) in rows(offerings) {
        let first = &offerings[0].areas[i];
        let mut row = Vec::new();
        if let Some(g) = group {
            row.push(Cell::new(g).add_attribute(Attribute::Italic));
            row.extend(offerings.iter().map(|_| Cell::new("")));
        } else {
            row.push(Cell::new(&first.name));
            row.extend(
                offerings
                    .iter()
                    .map(|o| Cell::new(cell_lines(&o.areas[i]).join("\n"))),
            );
        }
        t.add_row(row);
    }
    format!("{t}\n")
}

fn markdown(offerings: &[&ResolvedOffering]) -> String {
    let mut out = String::new();
    let head: Vec<String> = std::iter::once("Area".to_string())
        .chain(offerings.iter().map(|o| md_escape(&o.name)))
        .collect();
    out.push_str(&format!("| {} |\n", head.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(head.len())));
    for (group, i) in rows(offerings) {
        let row: Vec<String> = match group {
            Some(g) => std::iter::once(format!("**{}**", md_escape(&g)))
                .chain(offerings.iter().map(|_| String::new()))
                .collect(),
            None => std::iter::once(md_escape(&offerings[0].areas[i].name))
                .chain(offerings.iter().map(|o| {
                    cell_lines(&o.areas[i])
                        .iter()
                        .map(|l| md_escape(l))
                        .collect::<Vec<_>>()
                        .join("<br>")
                }))
                .collect(),
        };
        out.push_str(&format!("| {} |\n", row.join(" | ")));
    }
    out
}

/// Escapes text for a Markdown table cell.
pub fn md_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    // A text's own line break ends it: no trailing `<br>` (a YAML `|` block ends in one).
    for c in s.trim_end_matches('\n').chars() {
        match c {
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '\n' => out.push_str("<br>"),
            c => out.push(c),
        }
    }
    out
}
