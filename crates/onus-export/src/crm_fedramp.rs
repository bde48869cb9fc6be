//! `onus crm --template fedramp`: the CRM in the shape of FedRAMP's
//! Customer Responsibility Matrix (the CRM sheet of the SSP's appendix):
//! one sheet per offering, a row per control with its Control ID, "Can Be
//! Inherited from CSP" (`Yes` / `Partial` / `No`), the control origination
//! in FedRAMP's wording, the customer's responsibility apart from the
//! provider's, the parameter values and the statement with them filled in.
//! Controls the model maps outside the baseline follow, with their catalog
//! title. As CSV: the same columns after "Offering", lists joined by `; `.

use onus_core::resolve::Matrix;
use onus_oscal::crm::{control_label, Coverage, Crm, Row};

use crate::render::xlsx::{sheet, sheet_name, workbook, ABOUT, ABOUT_HEADERS};
use crate::render::RenderError;

/// The columns of an offering's sheet (CSV: "Offering" first).
pub const HEADERS: [&str; 9] = [
    "Control ID",
    "Control Name",
    "Can Be Inherited from CSP",
    "Control Origination",
    "Customer Responsibility",
    "CSP Responsibility",
    "Parameter Values",
    "Control Statement",
    "Responsibility",
];

/// The responsibility of a control the model maps outside the baseline.
pub const NOT_IN_BASELINE: &str = "not in the baseline";

/// One offering's rows, each cell's items as separate strings (joined by
/// the caller: `; ` in CSV, a line each in XLSX).
fn rows(crm: &Crm) -> Vec<Vec<Vec<String>>> {
    let mut out = Vec::with_capacity(crm.rows.len() + crm.not_in_baseline.len());
    for r in &crm.rows {
        out.push(vec![
            vec![r.label.clone()],
            vec![r.title.clone()],
            vec![r.class.can_be_inherited().to_owned()],
            r.origination
                .iter()
                .map(|o| o.fedramp_label().to_owned())
                .collect(),
            duties(r, |cv| cv.holder.is_customer_part()),
            duties(r, |cv| !cv.holder.is_customer_part()),
            r.params
                .iter()
                .map(|(id, value)| format!("{id}: {value}"))
                .collect(),
            r.statement.iter().cloned().collect(),
            vec![r.responsibility()],
        ]);
    }
    for u in &crm.not_in_baseline {
        let id = onus_oscal::control_id::normalise(&u.control).unwrap_or_else(|| u.control.clone());
        let mut row = vec![Vec::new(); HEADERS.len()];
        row[0] = vec![control_label(&id)];
        row[1] = u.title.iter().cloned().collect();
        row[8] = vec![format!("{NOT_IN_BASELINE} (areas: {})", u.areas.join(", "))];
        out.push(row);
    }
    out
}

/// The duties of the holders `which` selects, a line each:
/// `Holder — Area: duty` (the area alone when the holder lists no duty).
fn duties(r: &Row, which: impl Fn(&Coverage) -> bool) -> Vec<String> {
    let mut out = Vec::new();
    for cv in r.coverage.iter().filter(|cv| which(cv)) {
        let who = if cv.holder.is_customer_part() {
            cv.area_name.to_string()
        } else {
            format!("{} — {}", cv.holder.label(), cv.area_name)
        };
        if cv.holder.duties.is_empty() {
            out.push(who.clone());
        }
        out.extend(cv.holder.duties.iter().map(|d| format!("{who}: {d}")));
    }
    out
}

/// The CSV: "Offering" and [`HEADERS`], one row per control per offering.
pub fn csv(crms: &[Crm]) -> String {
    let mut all = vec![std::iter::once("Offering")
        .chain(HEADERS)
        .map(String::from)
        .collect::<Vec<_>>()];
    for c in crms {
        for row in rows(c) {
            let mut line = vec![c.offering.clone()];
            line.extend(row.iter().map(|cell| cell.join("; ")));
            all.push(line);
        }
    }
    crate::csv::render(&all)
}

/// The workbook: a sheet per offering (named after it) with [`HEADERS`],
/// then "About". Same CRM, same bytes.
pub fn xlsx(matrix: &Matrix, crms: &[Crm]) -> Result<Vec<u8>, RenderError> {
    let title = crate::crm::workbook_title(matrix, crms, " (FedRAMP)");
    let mut book = workbook(&title, &matrix.name)?;
    let mut names = vec![ABOUT.to_string()];
    for c in crms {
        let name = sheet_name(&c.offering_name, &names);
        names.push(name.clone());
        let cells: Vec<Vec<String>> = rows(c)
            .into_iter()
            .map(|row| row.iter().map(|cell| cell.join("\n")).collect())
            .collect();
        sheet(book.add_worksheet(), &name, &HEADERS, &cells)?;
    }
    let about: Vec<Vec<String>> = [
        ("Title", Some(title.clone())),
        ("Model", Some(matrix.model.clone())),
        ("Version", matrix.version.clone()),
        ("Baseline", crms.first().map(|c| c.baseline.clone())),
        (
            "Statements",
            Some(
                if crms
                    .iter()
                    .flat_map(|c| &c.rows)
                    .any(|r| r.statement.is_some())
                {
                    "with the profile's parameter values filled in".to_owned()
                } else {
                    "not included: a built-in baseline carries no prose; resolve the profile \
                     (--profile) to include them"
                        .to_owned()
                },
            ),
        ),
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
