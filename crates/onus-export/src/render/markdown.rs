//! The Markdown page, GitHub-flavoured, that a provider can publish as is:
//! title and description, the matrix (areas as rows, offerings as columns),
//! each party's "Responsibility | How is it done?" table, the parties'
//! scopes and duties side by side, and the evidence.

use onus_core::model::{RefKind, Role};
use onus_core::resolve::{Matrix, ResolvedHolder};

use super::{
    controls_by_framework, detailed_areas, holding_parties, party_rows, reference, Options,
    PartyColumn, Reference,
};
use crate::matrix::md_escape;

/// The whole page, with the default [`Options`].
pub fn render(matrix: &Matrix) -> String {
    render_with(matrix, &Options::default())
}

/// The whole page.
pub fn render_with(matrix: &Matrix, options: &Options) -> String {
    let mut out = format!("# {}\n", md_escape(&super::page_title(matrix)));
    if let Some(d) = &matrix.description {
        out.push_str(&format!("\n{}\n", md_escape(d.trim())));
    }
    out.push_str(&meta(matrix));
    offerings(matrix, options, &mut out);

    out.push_str("\n## Who holds what\n\n");
    let all: Vec<_> = matrix.offerings.iter().collect();
    out.push_str(&crate::matrix::markdown(&all, |h| options.label(matrix, h)));

    by_party(matrix, options, &mut out);
    side_by_side(matrix, options, &mut out);
    controls(matrix, &mut out);
    evidence(matrix, options, &mut out);
    out.push_str(&format!(
        "\n---\n\n_Rendered by onus from the model `{}`._\n",
        md_escape(&matrix.model)
    ));
    out
}

fn meta(matrix: &Matrix) -> String {
    let mut parts = Vec::new();
    if let Some(p) = matrix.parties.get(&matrix.publisher) {
        parts.push(super::sentence(&format!(
            "Published by {}",
            md_escape(&p.name)
        )));
    }
    if let Some(v) = &matrix.version {
        parts.push(super::sentence(&format!("Version {}", md_escape(v))));
    }
    if let Some(u) = matrix.url.as_deref().and_then(|u| super::href(matrix, u)) {
        parts.push(format!("Source: <{}>.", md_url(&u)));
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!("\n{}\n", parts.join(" "))
    }
}

fn offerings(matrix: &Matrix, options: &Options, out: &mut String) {
    let worth_a_list = matrix.offerings.len() > 1
        || matrix
            .offerings
            .iter()
            .any(|o| o.description.is_some() || !o.runs_on.is_empty());
    if !worth_a_list {
        return;
    }
    out.push_str("\n## Offerings\n\n");
    for o in &matrix.offerings {
        let mut line = format!("- **{}**", md_escape(&o.name));
        if let Some(d) = &o.description {
            line.push_str(&format!(": {}", md_escape(&super::sentence(d))));
        }
        if !o.runs_on.is_empty() {
            let on: Vec<String> = o
                .runs_on
                .iter()
                .map(|(u, off)| match options.show_via {
                    true => format!("`{u}` (offering `{off}`)"),
                    false => md_escape(&upstream_name(matrix, u)),
                })
                .collect();
            line.push_str(&format!(" Runs on {}.", on.join(", ")));
        }
        out.push_str(&line);
        out.push('\n');
    }
}

/// An upstream as people know it: the names of its providers (the parties
/// reached through it alone), or its id when none holds anything here.
fn upstream_name(matrix: &Matrix, upstream: &str) -> String {
    let names: Vec<&str> = matrix
        .parties
        .values()
        .filter(|p| p.role == Role::Provider && p.via.len() == 1 && p.via[0] == upstream)
        .map(|p| &*p.name)
        .collect();
    match names.is_empty() {
        true => upstream.to_string(),
        false => names.join(" and "),
    }
}

/// Per party, a "Responsibility | How is it done?" table like the seeds'
/// (with scope, duties, evidence and notes when the model has them).
fn by_party(matrix: &Matrix, options: &Options, out: &mut String) {
    let parties = holding_parties(matrix);
    if parties.is_empty() {
        return;
    }
    out.push_str("\n## Responsibilities by party\n");
    for party in parties {
        let rows = party_rows(matrix, party);
        let Some(first) = rows.first() else { continue };
        out.push_str(&format!(
            "\n### {}\n\n",
            md_escape(&options.label(matrix, first.holder))
        ));
        let columns = PartyColumn::for_rows(matrix, &rows);
        table_head(
            out,
            &columns.iter().map(|c| c.heading()).collect::<Vec<_>>(),
        );
        for r in &rows {
            let h = r.holder;
            let row: Vec<String> = columns
                .iter()
                .map(|c| match c {
                    PartyColumn::Responsibility => md_escape(&r.area.name),
                    PartyColumn::Offerings => md_escape(&r.offerings_label(matrix)),
                    PartyColumn::Scope => md_escape(h.scope().as_deref().unwrap_or("")),
                    PartyColumn::Duties => bullets(h.duties.iter().map(|d| md_escape(d))),
                    PartyColumn::How => bullets(
                        h.how
                            .iter()
                            .map(|id| link(&reference(matrix, RefKind::Practice, id))),
                    ),
                    PartyColumn::Evidence => bullets(
                        h.evidence
                            .iter()
                            .map(|id| link(&reference(matrix, RefKind::Evidence, id))),
                    ),
                    PartyColumn::Note => md_escape(h.note.as_deref().unwrap_or("")),
                })
                .collect();
            out.push_str(&format!("| {} |\n", row.join(" | ")));
        }
    }
}

/// Per offering, one row per area where some holder says what it does or
/// the area is shared: each party's scope and duties side by side.
fn side_by_side(matrix: &Matrix, options: &Options, out: &mut String) {
    let parties = holding_parties(matrix);
    let mut section = String::new();
    for o in &matrix.offerings {
        let rows = detailed_areas(o);
        if rows.is_empty() {
            continue;
        }
        let columns: Vec<&str> = parties
            .iter()
            .copied()
            .filter(|p| rows.iter().any(|a| a.holders.iter().any(|h| h.party == *p)))
            .collect();
        if matrix.offerings.len() > 1 {
            section.push_str(&format!("\n### {}\n", md_escape(&o.name)));
        }
        section.push('\n');
        let mut head = vec!["Responsibility area".to_string()];
        head.extend(columns.iter().map(|p| {
            super::party_holder(matrix, p)
                .map_or_else(|| md_escape(p), |h| md_escape(&options.label(matrix, h)))
        }));
        table_head(
            &mut section,
            &head.iter().map(String::as_str).collect::<Vec<_>>(),
        );
        for a in rows {
            let mut row = vec![md_escape(&a.name)];
            row.extend(columns.iter().map(|p| {
                a.holders
                    .iter()
                    .find(|h| h.party == *p)
                    .map_or_else(String::new, holding_cell)
            }));
            section.push_str(&format!("| {} |\n", row.join(" | ")));
        }
    }
    if !section.is_empty() {
        out.push_str("\n## Scope and duties\n");
        out.push_str(&section);
    }
}

/// "✅ **scope**", the note, then the duties as bullets.
fn holding_cell(h: &ResolvedHolder) -> String {
    let mut lines = vec!["✅".to_string()];
    match (h.scope(), &h.note) {
        (Some(s), Some(n)) => {
            lines[0].push_str(&format!(" **{}**", md_escape(&s)));
            lines.push(md_escape(n));
        }
        (Some(s), None) => lines[0].push_str(&format!(" **{}**", md_escape(&s))),
        (None, Some(n)) => lines[0].push_str(&format!(" {}", md_escape(n))),
        (None, None) => lines[0].push_str(" Responsible"),
    }
    lines.extend(h.duties.iter().map(|d| format!("• {}", md_escape(d))));
    lines.join("<br>")
}

/// The controls each area maps to (`controls:`), when some area has any.
fn controls(matrix: &Matrix, out: &mut String) {
    let Some(first) = matrix.offerings.first() else {
        return;
    };
    if first.areas.iter().all(|a| a.controls.is_empty()) {
        return;
    }
    out.push_str("\n## Controls\n\n");
    table_head(out, &["Responsibility area", "Controls"]);
    for a in first.areas.iter().filter(|a| !a.controls.is_empty()) {
        out.push_str(&format!(
            "| {} | {} |\n",
            md_escape(&a.name),
            controls_by_framework(a)
                .iter()
                .map(|l| md_escape(l))
                .collect::<Vec<_>>()
                .join("<br>")
        ));
    }
}

fn evidence(matrix: &Matrix, options: &Options, out: &mut String) {
    let evidence = matrix.references.of(RefKind::Evidence);
    if evidence.is_empty() {
        return;
    }
    out.push_str("\n## Evidence\n\n");
    table_head(out, &["Evidence", "Kind", "Access", "Backs"]);
    for id in evidence.keys() {
        let r = reference(matrix, RefKind::Evidence, id);
        out.push_str(&format!(
            "| {} | {} | {} | {} |\n",
            link(&r),
            md_escape(r.kind.as_deref().unwrap_or("")),
            r.access.as_str(),
            super::uses_with(matrix, RefKind::Evidence, id, options)
                .iter()
                .map(|u| md_escape(u))
                .collect::<Vec<_>>()
                .join("<br>")
        ));
    }
}

fn table_head(out: &mut String, columns: &[&str]) {
    out.push_str(&format!("| {} |\n", columns.join(" | ")));
    out.push_str(&format!("|{}\n", " --- |".repeat(columns.len())));
}

fn bullets(items: impl Iterator<Item = String>) -> String {
    items
        .map(|i| format!("• {i}"))
        .collect::<Vec<_>>()
        .join("<br>")
}

/// A reference as a Markdown link (or plain text when it has no safe address).
fn link(r: &Reference) -> String {
    let text = md_escape(&r.label);
    match &r.href {
        Some(u) => format!("[{text}]({})", md_url(u)),
        None => text,
    }
}

/// Percent-encodes what would end a link or a table cell early.
fn md_url(u: &str) -> String {
    u.replace(' ', "%20")
        .replace('(', "%28")
        .replace(')', "%29")
        .replace('<', "%3C")
        .replace('>', "%3E")
        .replace('|', "%7C")
}
