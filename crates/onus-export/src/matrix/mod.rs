//! `onus matrix`: who holds each area, per offering.

mod json;

use comfy_table::Attribute;
use onus_core::terminal::printable;

use crate::{csv, terminal_table, Format};
use onus_core::resolve::{Matrix, ResolvedArea, ResolvedHolder, ResolvedOffering};
use onus_core::text::Text;

pub fn render(matrix: &Matrix, offerings: &[&ResolvedOffering], format: Format) -> String {
    match format {
        Format::Json => to_json(matrix, offerings),
        Format::Csv => csv::render(&csv_rows(offerings)),
        Format::Markdown => markdown(offerings, ResolvedHolder::label),
        Format::Table { width } => printable(&table(offerings, width)).into_owned(),
    }
}

/// The JSON of docs/format.md ("Machine-readable output"), in memory.
pub fn to_json(matrix: &Matrix, offerings: &[&ResolvedOffering]) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, and the writer writes only UTF-8.
    let _ = json::write(matrix, offerings, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// [`to_json`], written to `out` as it is made rather than built in memory
/// first: the JSON of a big chain is a hundred MB.
pub fn write_json(
    matrix: &Matrix,
    offerings: &[&ResolvedOffering],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    json::write(matrix, offerings, out)
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
                    h.scope().as_deref().unwrap_or_default().to_string(),
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

/// The holders of one area, one per line, named by `label`, with scope.
fn cell_lines(a: &ResolvedArea, label: impl Fn(&ResolvedHolder) -> String) -> Vec<String> {
    if a.holders.is_empty() {
        return vec!["(nobody)".to_string()];
    }
    a.holders
        .iter()
        .map(|h| match h.scope() {
            Some(scope) => format!("{} [{scope}]", label(h)),
            None => label(h),
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
    let mut t = terminal_table(width);
    let mut header = vec![crate::cell("Area").add_attribute(Attribute::Bold)];
    header.extend(
        offerings
            .iter()
            .map(|o| crate::cell(&o.name).add_attribute(Attribute::Bold)),
    );
    t.set_header(header);
    for (group, i) in rows(offerings) {
        let first = &offerings[0].areas[i];
        let mut row = Vec::new();
        if let Some(g) = group {
            row.push(crate::cell(g).add_attribute(Attribute::Italic));
            row.extend(offerings.iter().map(|_| crate::cell("")));
        } else {
            row.push(crate::cell(&first.name));
            row.extend(
                offerings.iter().map(|o| {
                    crate::cell(cell_lines(&o.areas[i], ResolvedHolder::label).join("\n"))
                }),
            );
        }
        t.add_row(row);
    }
    format!("{t}\n")
}

/// The matrix as a Markdown table, holders named by `label` (the page
/// `onus render` writes names them as its options say).
pub fn markdown(
    offerings: &[&ResolvedOffering],
    label: impl Fn(&ResolvedHolder) -> String,
) -> String {
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
                    cell_lines(&o.areas[i], &label)
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
    let mut chars = s.trim_end_matches(['\n', '\r']).chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            // Markdown ends a line at CR as at LF: a CR must not start a
            // heading or a list. CRLF is one break.
            '\r' => {
                chars.next_if_eq(&'\n');
                out.push_str("<br>");
            }
            '\\' | '|' | '*' | '_' | '`' | '[' | ']' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '\n' => out.push_str("<br>"),
            // Shown, not obeyed, when the page is printed on a terminal.
            c if onus_core::terminal::is_hidden_control(c) => {
                onus_core::terminal::push_printable(&mut out, c)
            }
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::md_escape;

    #[test]
    fn markdown_escape_treats_cr_as_a_line_break_and_shows_controls() {
        // Issue 15.4: a CR started a heading; markup went through raw.
        assert_eq!(md_escape("a\r# H"), "a<br># H");
        assert_eq!(md_escape("a\r\nb\nc\r\n"), "a<br>b<br>c");
        assert_eq!(
            md_escape("[x](javascript:alert(1)) <img onerror=x>"),
            "\\[x\\](javascript:alert(1)) &lt;img onerror=x>"
        );
        assert_eq!(md_escape("a\x1b]0;t\x07|b"), "a\\u{1b}\\]0;t\\u{7}\\|b");
    }
}
