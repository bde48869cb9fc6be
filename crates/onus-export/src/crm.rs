//! `onus crm`: the Customer Responsibility Matrix of one or more offerings
//! ([`onus_oscal::crm::Crm`]) as a terminal table, Markdown, CSV, JSON or
//! an XLSX workbook. One row per control of the baseline; the controls the
//! model maps outside the baseline and the counts per class follow.

use comfy_table::Attribute;
use onus_core::terminal::printable;
use serde_json::{json, Value};

use onus_core::model::RefKind;
use onus_core::resolve::{Matrix, RefIds};
use onus_oscal::crm::{Class, Coverage, Crm, Row};

use crate::render::xlsx::{sheet, workbook, ABOUT, ABOUT_HEADERS};
use crate::render::RenderError;
use crate::{csv, reference_label, terminal_table, Format};

/// Columns of the CSV and of the workbook's "CRM" sheet.
pub const HEADERS: [&str; 13] = [
    "offering",
    "control",
    "label",
    "title",
    "family",
    "class",
    "inherited_from",
    "origination",
    "areas",
    "holders",
    "duties",
    "how",
    "evidence",
];

/// The class a CSV or workbook row has for a control the model maps
/// outside the baseline.
pub const NOT_IN_BASELINE: &str = "not-in-baseline";

/// Renders the CRMs (one per offering) in a text format.
pub fn render(matrix: &Matrix, crms: &[Crm], format: Format) -> String {
    match format {
        Format::Json => {
            serde_json::to_string_pretty(&to_json(matrix, crms)).unwrap_or_default() + "\n"
        }
        Format::Csv => csv::render(&rows(matrix, crms)),
        Format::Markdown => markdown(matrix, crms),
        Format::Table { width } => printable(&table(matrix, crms, width)).into_owned(),
    }
}

/// The JSON document: per offering, every control with its class,
/// origination and holders, the controls outside the baseline, the counts.
pub fn to_json(matrix: &Matrix, crms: &[Crm]) -> Value {
    let first = crms.first();
    json!({
        "model": matrix.model,
        "framework": first.map(|c| c.framework.as_str()),
        "baseline": first.map(|c| c.baseline.as_str()),
        "warnings": first.map_or(&[][..], |c| &c.warnings[..]),
        "offerings": crms.iter().map(|c| json!({
            "id": c.offering,
            "name": c.offering_name,
            "controls": c.rows.iter().map(|r| json!({
                "id": r.control,
                "label": r.label,
                "title": r.title,
                "family": r.family,
                "class": r.class.as_str(),
                "parent": r.parent.as_ref().map(|(label, class)| json!({
                    "label": label,
                    "class": class.as_str(),
                })),
                "inherited_from": r.class.upstream(),
                "origination": r.origination.iter().map(|o| o.as_str()).collect::<Vec<_>>(),
                "areas": r.areas,
                "holders": r.coverage.iter().map(|cv| json!({
                    "area": cv.area,
                    "party": cv.holder.party,
                    "name": cv.holder.name,
                    "role": cv.holder.role.as_str(),
                    "via": cv.holder.via,
                    "scope": cv.holder.scope(),
                    "duties": cv.holder.duties,
                    "how": cv.holder.how,
                    "evidence": cv.holder.evidence,
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
            "not_in_baseline": c.not_in_baseline.iter().map(|u| json!({
                "id": u.control,
                "title": u.title,
                "areas": u.areas,
            })).collect::<Vec<_>>(),
            "counts": {
                "provider": c.counts.provider,
                "customer": c.counts.customer,
                "shared": c.counts.shared,
                "inherited": c.counts.inherited,
                "unassigned": c.counts.unassigned,
                "total": c.counts.total(),
                "not_in_baseline": c.not_in_baseline.len(),
            },
        })).collect::<Vec<_>>(),
    })
}

/// The rows of the CSV and of the workbook: a header, one row per control
/// and per offering, then the controls outside the baseline.
pub fn rows(matrix: &Matrix, crms: &[Crm]) -> Vec<Vec<String>> {
    let mut out = vec![HEADERS.map(String::from).to_vec()];
    for c in crms {
        for r in &c.rows {
            out.push(vec![
                c.offering.clone(),
                r.control.clone(),
                r.label.clone(),
                r.title.clone(),
                r.family.clone().unwrap_or_default(),
                r.class.as_str().to_string(),
                r.class.upstream().unwrap_or_default().to_string(),
                origination(r),
                r.areas.join("; "),
                holders(r).join("; "),
                r.coverage
                    .iter()
                    .flat_map(|cv| {
                        cv.holder
                            .duties
                            .iter()
                            .map(move |d| format!("{}: {d}", cv.holder.label()))
                    })
                    .collect::<Vec<_>>()
                    .join("; "),
                references(matrix, r, |cv| &cv.holder.how).join("; "),
                references(matrix, r, |cv| &cv.holder.evidence).join("; "),
            ]);
        }
        for u in &c.not_in_baseline {
            let mut row = vec![String::new(); HEADERS.len()];
            row[0] = c.offering.clone();
            row[1] = u.control.clone();
            row[5] = NOT_IN_BASELINE.to_string();
            row[8] = u.areas.join("; ");
            out.push(row);
        }
    }
    out
}

/// The origination values joined by `; `, as every list of the CSV.
fn origination(r: &Row) -> String {
    r.origination
        .iter()
        .map(|o| o.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

/// The holders of a control, each once, as people read them.
fn holders(r: &Row) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cv in &r.coverage {
        let label = cv.holder.label();
        if !out.contains(&label) {
            out.push(label);
        }
    }
    out
}

/// The practices (or evidence) of every holder of a control, each once, by name.
fn references(matrix: &Matrix, r: &Row, ids: impl Fn(&Coverage) -> &RefIds) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for cv in &r.coverage {
        let ids = ids(cv);
        for id in ids {
            let label = reference_label(matrix, ids.kind(), id);
            if !out.contains(&label) {
                out.push(label);
            }
        }
    }
    out
}

/// One line per holder and area (`Codat — Accounts and identities [scope]`),
/// each followed by its duties and practices.
fn coverage_lines(matrix: &Matrix, r: &Row) -> Vec<String> {
    if r.coverage.is_empty() {
        return vec![if r.areas.is_empty() {
            "(no area maps to it)".to_string()
        } else {
            "(nobody holds its areas)".to_string()
        }];
    }
    let mut lines = Vec::new();
    for cv in &r.coverage {
        let mut head = format!("{} — {}", cv.holder.label(), cv.area_name);
        if let Some(scope) = cv.holder.scope() {
            head.push_str(&format!(" [{scope}]"));
        }
        lines.push(head);
        lines.extend(cv.holder.duties.iter().map(|d| format!("  - {d}")));
        if !cv.holder.how.is_empty() {
            let how: Vec<String> = cv
                .holder
                .how
                .iter()
                .map(|id| reference_label(matrix, RefKind::Practice, id))
                .collect();
            lines.push(format!("  how: {}", how.join(", ")));
        }
    }
    lines
}

fn heading(c: &Crm) -> String {
    format!(
        "{}: {} ({}) against {}",
        c.model_name, c.offering_name, c.offering, c.baseline
    )
}

/// `370 controls: 40 provider, 0 customer, 0 shared, 23 inherited (azure), 307 unassigned`
fn summary(c: &Crm) -> String {
    let mut upstreams: Vec<&str> = Vec::new();
    for u in c.rows.iter().filter_map(|r| r.class.upstream()) {
        if !upstreams.contains(&u) {
            upstreams.push(u);
        }
    }
    let parts: Vec<String> = Class::NAMES
        .iter()
        .map(|name| match *name {
            "inherited" if !upstreams.is_empty() => format!(
                "{} inherited ({})",
                c.counts.inherited,
                upstreams.join("; ")
            ),
            _ => format!("{} {name}", c.counts.get(name)),
        })
        .collect();
    format!("{} controls: {}", c.counts.total(), parts.join(", "))
}

fn not_in_baseline(c: &Crm) -> Option<String> {
    if c.not_in_baseline.is_empty() {
        return None;
    }
    let list: Vec<String> = c
        .not_in_baseline
        .iter()
        .map(|u| format!("{} ({})", u.control, u.areas.join(", ")))
        .collect();
    Some(list.join(", "))
}

fn table(matrix: &Matrix, crms: &[Crm], width: Option<u16>) -> String {
    let mut out = String::new();
    for (i, c) in crms.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&heading(c));
        out.push('\n');
        let mut t = terminal_table(width);
        t.set_header(
            [
                "Control",
                "Title",
                "Responsibility",
                "Origination",
                "Covered by",
            ]
            .map(|h| crate::cell(h).add_attribute(Attribute::Bold)),
        );
        for r in &c.rows {
            t.add_row(vec![
                crate::cell(&r.label),
                crate::cell(&r.title),
                crate::cell(r.responsibility()),
                crate::cell(origination(r).replace("; ", "\n")),
                crate::cell(coverage_lines(matrix, r).join("\n")),
            ]);
        }
        out.push_str(&format!("{t}\n"));
        if let Some(list) = not_in_baseline(c) {
            out.push_str(&format!("Mapped but not in the baseline: {list}\n"));
        }
        out.push_str(&format!("Summary: {}\n", summary(c)));
    }
    out
}

fn markdown(matrix: &Matrix, crms: &[Crm]) -> String {
    let cell = crate::matrix::md_escape;
    let mut out = String::new();
    for (i, c) in crms.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        out.push_str(&format!("## {}\n\n", cell(&heading(c))));
        out.push_str("| Control | Title | Responsibility | Origination | Covered by |\n");
        out.push_str("|---|---|---|---|---|\n");
        for r in &c.rows {
            // One line per holder, its duties as bullets: a table row is one line.
            let covered: Vec<String> = coverage_lines(matrix, r)
                .iter()
                .map(|l| match l.strip_prefix("  - ") {
                    Some(duty) => format!("• {}", cell(duty)),
                    None => cell(l.trim_start()),
                })
                .collect();
            out.push_str(&format!(
                "| {} | {} | {} | {} | {} |\n",
                cell(&r.label),
                cell(&r.title),
                cell(&r.responsibility()),
                cell(&origination(r)),
                covered.join("<br>")
            ));
        }
        if let Some(list) = not_in_baseline(c) {
            out.push_str(&format!(
                "\n**Mapped but not in the baseline:** {}\n",
                cell(&list)
            ));
        }
        out.push_str("\n| Responsibility | Controls |\n|---|---:|\n");
        for name in Class::NAMES {
            out.push_str(&format!("| {name} | {} |\n", c.counts.get(name)));
        }
        out.push_str(&format!("| **total** | **{}** |\n", c.counts.total()));
    }
    out
}

/// Headers of the workbook's "CRM" sheet: [`HEADERS`] in words.
pub const WORKBOOK_HEADERS: [&str; 13] = [
    "Offering",
    "Control",
    "Label",
    "Title",
    "Family",
    "Responsibility",
    "Inherited from",
    "Origination",
    "Areas",
    "Holders",
    "Duties",
    "How is it done?",
    "Evidence",
];

/// Headers of the workbook's "Summary" sheet.
pub const SUMMARY_HEADERS: [&str; 8] = [
    "Offering",
    "Provider",
    "Customer",
    "Shared",
    "Inherited",
    "Unassigned",
    "Total",
    "Not in baseline",
];

/// A workbook's title: the model, what kind of CRM (`kind`, e.g. " (FedRAMP)")
/// and the baseline it is against.
pub(crate) fn workbook_title(matrix: &Matrix, crms: &[Crm], kind: &str) -> String {
    format!(
        "{}: customer responsibility matrix{kind}{}",
        matrix.name,
        crms.first()
            .map(|c| format!(" against {}", c.baseline))
            .unwrap_or_default()
    )
}

/// The workbook: a "CRM" sheet (the CSV's rows, multi-line cells, headers
/// in words), a "Summary" sheet (counts per offering) and an "About" sheet
/// (model, version, baseline, what made it), each with a frozen,
/// filterable header. The creation date is fixed: same CRM, same bytes.
pub fn xlsx(matrix: &Matrix, crms: &[Crm]) -> Result<Vec<u8>, RenderError> {
    let title = workbook_title(matrix, crms, "");
    let mut book = workbook(&title, &matrix.name)?;
    let mut all = rows(matrix, crms);
    // Cells hold one item a line, not `; `-joined.
    for row in all.iter_mut().skip(1) {
        for v in row.iter_mut().skip(7) {
            *v = v.replace("; ", "\n");
        }
    }
    sheet(book.add_worksheet(), "CRM", &WORKBOOK_HEADERS, &all[1..])?;
    let summary: Vec<Vec<String>> = crms
        .iter()
        .map(|c| {
            let mut row = vec![c.offering_name.clone()];
            row.extend(Class::NAMES.iter().map(|n| c.counts.get(n).to_string()));
            row.push(c.counts.total().to_string());
            row.push(c.not_in_baseline.len().to_string());
            row
        })
        .collect();
    sheet(book.add_worksheet(), "Summary", &SUMMARY_HEADERS, &summary)?;
    let about: Vec<Vec<String>> = [
        ("Title", Some(title.clone())),
        ("Model", Some(matrix.model.clone())),
        ("Version", matrix.version.clone()),
        ("Baseline", crms.first().map(|c| c.baseline.clone())),
        (
            "Generated by",
            Some(format!("onus {}", env!("CARGO_PKG_VERSION"))),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| vec![k.to_string(), v]))
    .collect();
    sheet(book.add_worksheet(), ABOUT, &ABOUT_HEADERS, &about)?;
    Ok(book.save_to_buffer()?)
}
