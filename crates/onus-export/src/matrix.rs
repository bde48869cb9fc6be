//! `onus matrix`: who holds each area, per offering.

use comfy_table::Attribute;
use onus_core::terminal::printable;
use serde::Serialize;

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

/// The JSON of docs/format.md ("Machine-readable output"), written straight
/// from the matrix: a big matrix is millions of values.
pub fn to_json(matrix: &Matrix, offerings: &[&ResolvedOffering]) -> String {
    serde_json::to_string_pretty(&json_doc(matrix, offerings)).unwrap_or_default() + "\n"
}

/// [`to_json`], written to `out` as it is made rather than built in memory
/// first: the JSON of a big chain is a hundred MB.
pub fn write_json(
    matrix: &Matrix,
    offerings: &[&ResolvedOffering],
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &json_doc(matrix, offerings))?;
    out.write_all(b"\n")
}

fn json_doc<'a>(matrix: &'a Matrix, offerings: &'a [&'a ResolvedOffering]) -> impl Serialize + 'a {
    MatrixJson {
        model: &matrix.model,
        offerings: seq(offerings, |o| OfferingJson {
            id: &o.id,
            name: &o.name,
            areas: seq(&o.areas, |a| AreaJson {
                id: &a.id,
                name: &a.name,
                holders: seq(&a.holders, |h| HolderJson {
                    party: &h.party,
                    name: &h.name,
                    role: h.role.as_str(),
                    scope: h.scope(),
                    duties: &h.duties,
                    how: &h.how,
                    evidence: &h.evidence,
                    via: &h.via,
                }),
            }),
        }),
    }
}

#[derive(Serialize)]
struct MatrixJson<'a, O> {
    model: &'a str,
    offerings: O,
}

#[derive(Serialize)]
struct OfferingJson<'a, A> {
    id: &'a str,
    name: &'a str,
    areas: A,
}

#[derive(Serialize)]
struct AreaJson<'a, H> {
    id: &'a str,
    name: &'a str,
    holders: H,
}

#[derive(Serialize)]
struct HolderJson<'a> {
    party: &'a str,
    name: &'a str,
    role: &'static str,
    scope: Option<Text>,
    duties: &'a [Text],
    how: &'a [Text],
    evidence: &'a [Text],
    via: &'a [Text],
}

/// A JSON array of `f` of each item, made as it is written.
struct Seq<'a, T, F>(&'a [T], F);

fn seq<'a, T, J: Serialize>(
    items: &'a [T],
    f: impl Fn(&'a T) -> J,
) -> Seq<'a, T, impl Fn(&'a T) -> J> {
    Seq(items, f)
}

impl<'a, T, F, J> Serialize for Seq<'a, T, F>
where
    F: Fn(&'a T) -> J,
    J: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(&self.1))
    }
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
