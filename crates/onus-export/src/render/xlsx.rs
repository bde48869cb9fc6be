//! The workbook auditors filter: one sheet per offering (the matrix, one
//! row per area and holder), "Customer duties" (one row per duty),
//! "Practices" and "Evidence". Every sheet has a frozen, filterable header
//! row and columns sized to their content. The creation date is fixed, so
//! the same matrix gives the same bytes.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use onus_core::resolve::Matrix;
use onus_core::text::Text;

use super::{reference, RenderError};
use crate::{duties, reference_labels};

/// Names of the fixed sheets (offering sheets must not take them).
pub const CUSTOMER_DUTIES: &str = "Customer duties";
pub const PRACTICES: &str = "Practices";
pub const EVIDENCE: &str = "Evidence";

/// Headers of an offering's sheet.
pub const MATRIX_HEADERS: [&str; 11] = [
    "Group",
    "Area",
    "Split",
    "Holder",
    "Role",
    "Inherited via",
    "Scope",
    "Duties",
    "How is it done?",
    "Evidence",
    "Note",
];

/// Headers of the "Customer duties" sheet.
pub const DUTY_HEADERS: [&str; 6] = ["Offering", "Area", "Scope", "Duty", "How", "Evidence"];

/// Headers of the "Practices" and "Evidence" sheets (the last is "Used for" or "Backs").
const REFERENCE_HEADERS: [&str; 5] = ["Id", "Name", "Kind", "Access", "URL"];

/// Widest a column gets, in characters; longer text wraps.
const MAX_WIDTH: usize = 60;

/// The workbook's bytes.
pub fn render(matrix: &Matrix) -> Result<Vec<u8>, RenderError> {
    let mut book = workbook(&super::page_title(matrix), &matrix.name)?;
    let mut names: Vec<String> = vec![CUSTOMER_DUTIES.into(), PRACTICES.into(), EVIDENCE.into()];
    for o in &matrix.offerings {
        let name = sheet_name(&o.name, &names);
        names.push(name.clone());
        let mut rows = Vec::new();
        for a in &o.areas {
            for h in &a.holders {
                rows.push(vec![
                    a.group.as_ref().map(Text::to_string).unwrap_or_default(),
                    a.name.to_string(),
                    a.split().to_string(),
                    h.label(),
                    h.role.as_str().to_string(),
                    h.via.join("/"),
                    h.scope.as_deref().unwrap_or_default().to_string(),
                    h.duties.join("\n"),
                    reference_labels(matrix, &h.how).join("\n"),
                    reference_labels(matrix, &h.evidence).join("\n"),
                    h.note.as_deref().unwrap_or_default().to_string(),
                ]);
            }
            if a.holders.is_empty() {
                let mut row = vec![String::new(); MATRIX_HEADERS.len()];
                row[0] = a.group.as_deref().unwrap_or_default().to_string();
                row[1] = a.name.to_string();
                row[2] = a.split().to_string();
                row[3] = "Nobody".into();
                rows.push(row);
            }
        }
        sheet(book.add_worksheet(), &name, &MATRIX_HEADERS, &rows)?;
    }

    let mut rows = Vec::new();
    if let Some(customer) = matrix.customer() {
        let offerings: Vec<_> = matrix.offerings.iter().collect();
        for d in duties::of(&offerings, customer) {
            for duty in d.rows() {
                rows.push(vec![
                    d.offering.name.clone(),
                    d.area.name.to_string(),
                    d.holder.scope.as_deref().unwrap_or_default().to_string(),
                    duty.to_string(),
                    reference_labels(matrix, &d.holder.how).join("\n"),
                    reference_labels(matrix, &d.holder.evidence).join("\n"),
                ]);
            }
        }
    }
    sheet(book.add_worksheet(), CUSTOMER_DUTIES, &DUTY_HEADERS, &rows)?;

    for (name, last, ids) in [
        (
            PRACTICES,
            "Used for",
            matrix.practices.keys().collect::<Vec<_>>(),
        ),
        (EVIDENCE, "Backs", matrix.evidence.keys().collect()),
    ] {
        let rows: Vec<Vec<String>> = ids
            .into_iter()
            .map(|id| {
                let r = reference(matrix, id);
                let name = matrix
                    .practices
                    .get(id)
                    .map(|p| p.name.clone())
                    .or_else(|| matrix.evidence.get(id).map(|e| e.name.clone()))
                    .unwrap_or_default();
                vec![
                    id.clone(),
                    name,
                    r.kind.unwrap_or_default(),
                    r.access.as_str().to_string(),
                    r.href.unwrap_or_default(),
                    super::uses(matrix, id).join("\n"),
                ]
            })
            .collect();
        let mut headers = REFERENCE_HEADERS.to_vec();
        headers.push(last);
        sheet(book.add_worksheet(), name, &headers, &rows)?;
    }
    Ok(book.save_to_buffer()?)
}

/// A workbook whose properties carry `title` and `author` and a fixed
/// creation date, so the same content gives the same bytes.
pub(crate) fn workbook(title: &str, author: &str) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_ymd(2000, 1, 1)?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author(author)
            .set_creation_datetime(&created),
    );
    Ok(book)
}

/// Writes a header and rows (whole numbers as numbers, so they sort and
/// sum), freezes and filters the header, sizes the columns.
pub(crate) fn sheet(
    ws: &mut Worksheet,
    name: &str,
    headers: &[&str],
    rows: &[Vec<String>],
) -> Result<(), XlsxError> {
    ws.set_name(name)?;
    let head = Format::new()
        .set_bold()
        .set_background_color("#E5E7EB")
        .set_border_bottom(FormatBorder::Thin)
        .set_align(FormatAlign::Top);
    let body = Format::new().set_align(FormatAlign::Top).set_text_wrap();
    for (c, h) in headers.iter().enumerate() {
        ws.write_string_with_format(0, col(c), *h, &head)?;
    }
    for (r, row) in rows.iter().enumerate() {
        let r = u32::try_from(r + 1).unwrap_or(u32::MAX);
        for (c, v) in row.iter().enumerate() {
            if v.is_empty() {
                continue;
            }
            match v.parse::<u32>() {
                Ok(n) => ws.write_number_with_format(r, col(c), n, &body)?,
                Err(_) => ws.write_string_with_format(r, col(c), v, &body)?,
            };
        }
    }
    for (c, h) in headers.iter().enumerate() {
        let longest = rows
            .iter()
            .filter_map(|r| r.get(c))
            .flat_map(|v| v.lines())
            .map(|l| l.chars().count())
            .chain(std::iter::once(h.chars().count() + 3))
            .max()
            .unwrap_or(8);
        ws.set_column_width(col(c), (longest.clamp(8, MAX_WIDTH) + 2) as f64)?;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.autofilter(
        0,
        0,
        u32::try_from(rows.len()).unwrap_or(u32::MAX),
        col(headers.len().saturating_sub(1)),
    )?;
    Ok(())
}

fn col(c: usize) -> u16 {
    u16::try_from(c).unwrap_or(u16::MAX)
}

/// A valid, unused sheet name for an offering: at most 31 characters,
/// none of `[]:*?/\`, not starting or ending with `'`, unique ignoring case.
pub fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let clean: String = wanted
        .chars()
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'').trim();
    let clean = if clean.is_empty() { "Offering" } else { clean };
    let is_taken = |n: &str| {
        taken.iter().any(|t| t.eq_ignore_ascii_case(n)) || n.eq_ignore_ascii_case("History")
    };
    let cut = |s: &str, max: usize| {
        s.chars()
            .take(max)
            .collect::<String>()
            .trim_end()
            .to_string()
    };
    let first = cut(clean, 31);
    if !is_taken(&first) {
        return first;
    }
    (2..)
        .map(|k| {
            let suffix = format!(" ({k})");
            format!("{}{suffix}", cut(clean, 31 - suffix.len()))
        })
        .find(|n| !is_taken(n))
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::sheet_name;

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let taken = vec!["Evidence".to_string(), "Spark".to_string()];
        assert_eq!(sheet_name("a/b: c?", &taken), "a-b- c-");
        assert_eq!(sheet_name("evidence", &taken), "evidence (2)");
        assert_eq!(sheet_name("'x'", &taken), "x");
        let long = sheet_name("OutSystems 11 self-managed (including on premises)", &taken);
        assert_eq!(long.chars().count(), 31);
        assert_eq!(sheet_name("History", &taken), "History (2)");
    }
}
