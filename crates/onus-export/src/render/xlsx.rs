//! The workbook auditors filter: one sheet per offering (the matrix, one
//! row per area and holder, with the area's controls), "Customer duties"
//! (one row per duty), "Practices", "Evidence", and "About" (the model,
//! its version, what made the workbook and when). Every sheet has a
//! frozen, filterable header row and columns sized to their content. The
//! creation date is the caller's ([`Options::created`]), or a fixed one:
//! the same matrix and options give the same bytes.

use rust_xlsxwriter::{
    DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Workbook, Worksheet, XlsxError,
};

use onus_core::model::RefKind;
use onus_core::resolve::Matrix;
use onus_core::text::Text;

use super::{controls_by_framework, reference, Options, RenderError};
use crate::{duties, reference_labels};

/// Names of the fixed sheets (offering sheets must not take them).
pub const CUSTOMER_DUTIES: &str = "Customer duties";
pub const PRACTICES: &str = "Practices";
pub const EVIDENCE: &str = "Evidence";
pub const ABOUT: &str = "About";

/// Headers of an offering's sheet; with [`Options::show_via`], "Inherited
/// via" follows (the upstream ids a holder is reached through).
pub const MATRIX_HEADERS: [&str; 11] = [
    "Group",
    "Area",
    "Split",
    "Holder",
    "Role",
    "Scope",
    "Duties",
    "How is it done?",
    "Evidence",
    "Note",
    "Controls",
];

/// The header of the column [`Options::show_via`] adds to an offering's sheet.
pub const VIA_HEADER: &str = "Inherited via";

/// Headers of the "Customer duties" sheet.
pub const DUTY_HEADERS: [&str; 6] = [
    "Offering",
    "Area",
    "Scope",
    "Duty",
    "How is it done?",
    "Evidence",
];

/// Headers of the "Practices" and "Evidence" sheets (the last is "Used for" or "Backs").
const REFERENCE_HEADERS: [&str; 5] = ["Id", "Name", "Kind", "Access", "Address"];

/// Headers of the "About" sheet.
pub const ABOUT_HEADERS: [&str; 2] = ["About", "Value"];

/// Widest a column gets, in characters; longer text wraps.
const MAX_WIDTH: usize = 60;

/// The workbook's bytes, with the default [`Options`].
pub fn render(matrix: &Matrix) -> Result<Vec<u8>, RenderError> {
    render_with(matrix, &Options::default())
}

/// The workbook's bytes.
pub fn render_with(matrix: &Matrix, options: &Options) -> Result<Vec<u8>, RenderError> {
    let mut book = workbook_at(&super::page_title(matrix), &matrix.name, options.created)?;
    let mut names: Vec<String> = [CUSTOMER_DUTIES, PRACTICES, EVIDENCE, ABOUT]
        .map(String::from)
        .to_vec();
    let mut headers = MATRIX_HEADERS.to_vec();
    if options.show_via {
        headers.push(VIA_HEADER);
    }
    for o in &matrix.offerings {
        let name = sheet_name(&o.name, &names);
        names.push(name.clone());
        let mut rows = Vec::new();
        for a in &o.areas {
            let controls = controls_by_framework(a).join("\n");
            for h in &a.holders {
                let mut row = vec![
                    a.group.as_ref().map(Text::to_string).unwrap_or_default(),
                    a.name.to_string(),
                    a.split().to_string(),
                    options.label(matrix, h),
                    h.role.as_str().to_string(),
                    h.scope().as_deref().unwrap_or_default().to_string(),
                    h.duties.join("\n"),
                    reference_labels(matrix, &h.how).join("\n"),
                    reference_labels(matrix, &h.evidence).join("\n"),
                    h.note.as_deref().unwrap_or_default().to_string(),
                    controls.clone(),
                ];
                if options.show_via {
                    row.push(h.via.join("/"));
                }
                rows.push(row);
            }
            if a.holders.is_empty() {
                let mut row = vec![String::new(); headers.len()];
                row[0] = a.group.as_deref().unwrap_or_default().to_string();
                row[1] = a.name.to_string();
                row[2] = a.split().to_string();
                row[3] = "Nobody".into();
                row[10] = controls.clone();
                rows.push(row);
            }
        }
        sheet(book.add_worksheet(), &name, &headers, &rows)?;
    }

    let mut rows = Vec::new();
    if let Some(customer) = matrix.customer() {
        let offerings: Vec<_> = matrix.offerings.iter().collect();
        for d in duties::of(&offerings, customer) {
            for duty in d.rows() {
                rows.push(vec![
                    d.offering.name.clone(),
                    d.area.name.to_string(),
                    d.holder.scope().as_deref().unwrap_or_default().to_string(),
                    duty.to_string(),
                    reference_labels(matrix, &d.holder.how).join("\n"),
                    reference_labels(matrix, &d.holder.evidence).join("\n"),
                ]);
            }
        }
    }
    sheet(book.add_worksheet(), CUSTOMER_DUTIES, &DUTY_HEADERS, &rows)?;

    for (name, last, kind) in [
        (PRACTICES, "Used for", RefKind::Practice),
        (EVIDENCE, "Backs", RefKind::Evidence),
    ] {
        let rows: Vec<Vec<String>> = matrix
            .references
            .of(kind)
            .iter()
            .map(|(id, found)| {
                let r = reference(matrix, kind, id);
                let name = found.name.clone();
                vec![
                    id.clone(),
                    name,
                    r.kind.unwrap_or_default(),
                    r.access.as_str().to_string(),
                    r.href.unwrap_or_default(),
                    super::uses_with(matrix, kind, id, options).join("\n"),
                ]
            })
            .collect();
        let mut headers = REFERENCE_HEADERS.to_vec();
        headers.push(last);
        sheet(book.add_worksheet(), name, &headers, &rows)?;
    }
    sheet(
        book.add_worksheet(),
        ABOUT,
        &ABOUT_HEADERS,
        &about(matrix, options),
    )?;
    Ok(book.save_to_buffer()?)
}

/// The rows of the "About" sheet: what the workbook is of, what made it, when.
fn about(matrix: &Matrix, options: &Options) -> Vec<Vec<String>> {
    let publisher = matrix
        .parties
        .get(&matrix.publisher)
        .map_or_else(|| matrix.publisher.clone(), |p| p.name.to_string());
    let offerings: Vec<&str> = matrix.offerings.iter().map(|o| o.name.as_str()).collect();
    [
        ("Title", Some(super::page_title(matrix))),
        ("Model", Some(matrix.model.clone())),
        ("Version", matrix.version.clone()),
        ("Publisher", Some(publisher)),
        (
            "Source",
            matrix.url.as_deref().and_then(|u| super::href(matrix, u)),
        ),
        ("Offerings", Some(offerings.join("\n"))),
        ("Generated by", Some(options.generator.clone())),
        (
            "Created",
            Some(utc_date(options.created.unwrap_or(FIXED_DATE))),
        ),
    ]
    .into_iter()
    .filter_map(|(k, v)| v.map(|v| vec![k.to_string(), v]))
    .collect()
}

/// 2000-01-01T00:00:00Z: the creation date when the caller gives none.
const FIXED_DATE: i64 = 946_684_800;

/// `2026-11-30 23:05 UTC` for seconds since the Unix epoch.
pub fn utc_date(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let minutes = secs.rem_euclid(86_400) / 60;
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        minutes / 60,
        minutes % 60
    )
}

/// A workbook with a fixed creation date: [`workbook_at`] with none.
pub(crate) fn workbook(title: &str, author: &str) -> Result<Workbook, XlsxError> {
    workbook_at(title, author, None)
}

/// A workbook whose properties carry `title`, `author` and the creation
/// date `created` (seconds since the Unix epoch; `None`: 2000-01-01), so
/// the same content and date give the same bytes.
pub(crate) fn workbook_at(
    title: &str,
    author: &str,
    created: Option<i64>,
) -> Result<Workbook, XlsxError> {
    let mut book = Workbook::new();
    let created = ExcelDateTime::from_timestamp(created.unwrap_or(FIXED_DATE))?;
    book.set_properties(
        &DocProperties::new()
            .set_title(title)
            .set_author(author)
            .set_creation_datetime(&created),
    );
    Ok(book)
}

/// A sheet for [`sheets`]: its name, headers and rows.
pub type Sheet<'a> = (&'a str, &'a [&'a str], &'a [Vec<String>]);

/// A workbook of plain sheets, each (name, headers, rows), written as
/// [`sheet`] writes them: every value a string or a whole number, never a
/// formula, so nothing in a cell runs in a spreadsheet.
pub fn sheets(title: &str, author: &str, sheets: &[Sheet<'_>]) -> Result<Vec<u8>, RenderError> {
    let mut book = workbook(title, author)?;
    for (name, headers, rows) in sheets {
        sheet(book.add_worksheet(), name, headers, rows)?;
    }
    Ok(book.save_to_buffer()?)
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
/// none of `[]:*?/\` nor a control character, not starting or ending with
/// `'` (after cutting too), unique ignoring case over all of Unicode (as
/// Excel compares them).
pub fn sheet_name(wanted: &str, taken: &[String]) -> String {
    let clean: String = wanted
        .chars()
        .filter(|c| !onus_core::terminal::is_hidden_control(*c) && !c.is_control())
        .map(|c| if "[]:*?/\\".contains(c) { '-' } else { c })
        .collect();
    let clean = clean.trim().trim_matches('\'').trim();
    let clean = if clean.is_empty() { "Offering" } else { clean };
    let same = |a: &str, b: &str| a.to_lowercase() == b.to_lowercase();
    let is_taken = |n: &str| taken.iter().any(|t| same(t, n)) || same(n, "History");
    let cut = |s: &str, max: usize| {
        let cut = cut_at_word(s, max);
        let cut = cut.trim_end_matches(|c: char| c == '\'' || c.is_whitespace());
        match cut.is_empty() {
            // Nothing left after cutting (`-----…`): the first characters.
            true => s.chars().take(max).collect::<String>().replace('\'', "-"),
            false => cut.to_string(),
        }
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

/// `s` in at most `max` characters, cut after a whole word when it is
/// longer (mid-word only when its first word alone is too long).
fn cut_at_word(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.trim_end().to_string();
    }
    let head: String = s.chars().take(max).collect();
    let next_is_break = s.chars().nth(max).is_some_and(|c| c.is_whitespace());
    let cut = if next_is_break {
        head.as_str()
    } else {
        match head.rfind(char::is_whitespace) {
            Some(i) if i > 0 => &head[..i],
            _ => head.as_str(),
        }
    };
    cut.trim_end_matches(|c: char| c.is_whitespace() || ",;:-(".contains(c))
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::{cut_at_word, sheet_name, utc_date};

    #[test]
    fn sheet_names_are_valid_and_unique() {
        let taken = vec!["Evidence".to_string(), "Spark".to_string()];
        assert_eq!(sheet_name("a/b: c?", &taken), "a-b- c-");
        assert_eq!(sheet_name("evidence", &taken), "evidence (2)");
        assert_eq!(sheet_name("'x'", &taken), "x");
        let long = sheet_name("OutSystems 11 self-managed (including on premises)", &taken);
        assert_eq!(long, "OutSystems 11 self-managed");
        assert_eq!(sheet_name("History", &taken), "History (2)");
        // Issue 15.5: control characters, Unicode case, a cut before `'`.
        assert_eq!(sheet_name("a\x07b\u{202e}c", &taken), "abc");
        let taken_u = vec!["ÉTÉ".to_string()];
        assert_eq!(sheet_name("été", &taken_u), "été (2)");
        let quote = format!("{}'{}", "a".repeat(30), "b".repeat(10));
        assert_eq!(sheet_name(&quote, &taken), "a".repeat(30));
        let dashes = "-".repeat(40);
        assert_eq!(sheet_name(&dashes, &taken), "-".repeat(31));
        let taken = vec![long];
        assert_eq!(
            sheet_name("OutSystems 11 self-managed (including on premises)", &taken),
            "OutSystems 11 self-managed (2)"
        );
    }

    #[test]
    fn long_names_are_cut_between_words() {
        assert_eq!(
            cut_at_word("Platform as a service", 31),
            "Platform as a service"
        );
        assert_eq!(
            cut_at_word("Infrastructure as a service offering", 31),
            "Infrastructure as a service"
        );
        // Exactly at a word's end.
        assert_eq!(cut_at_word("abc def", 3), "abc");
        // One word longer than the limit is cut where it must be.
        assert_eq!(
            cut_at_word("Supercalifragilisticexpialidocious", 31)
                .chars()
                .count(),
            31
        );
        assert_eq!(cut_at_word("Cloud services, hosted", 16), "Cloud services");
    }

    #[test]
    fn dates_are_utc() {
        assert_eq!(utc_date(0), "1970-01-01 00:00 UTC");
        assert_eq!(utc_date(946_684_800), "2000-01-01 00:00 UTC");
        assert_eq!(utc_date(1_796_079_900), "2026-11-30 23:05 UTC");
        assert_eq!(utc_date(951_782_400), "2000-02-29 00:00 UTC");
    }
}
