//! `onus crm --template fedramp`: the CRM in FedRAMP's shape, on the real
//! FedRAMP Rev. 5 LOW profile (resolved through its catalog import mapped
//! to NIST's 5.1.1 HIGH resolved catalog) and the bundled examples.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use onus_core::check::check;
use onus_core::diagnostic;
use onus_core::load::ModelSet;
use onus_core::resolve::{resolve, Matrix};
use onus_export::crm_fedramp::{self, HEADERS, NOT_IN_BASELINE};
use onus_oscal::crm::{self, Crm};
use onus_oscal::load::{resolve_file, HrefMap};
use onus_oscal::Baseline;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(name: &str) -> Arc<Matrix> {
    let path = root().join(format!("examples/{name}.onus.yaml"));
    let set =
        ModelSet::load(std::slice::from_ref(&path), &onus_fs::OsFiles).expect("readable model");
    let (errors, _) = diagnostic::counts(&check(&set));
    assert_eq!(errors, 0, "{} has errors", path.display());
    resolve(&set, set.roots[0]).expect("resolved model")
}

/// FedRAMP's LOW profile, its NIST catalog import mapped to NIST's 5.1.1
/// HIGH resolved catalog (which holds every control LOW selects).
fn fedramp_low() -> Baseline {
    let data = root().join("data/oscal");
    let mut map = HrefMap::new();
    map.insert(
        "NIST_SP-800-53_rev5_catalog.json",
        data.join(
            "nist-800-53-rev5-5.1.1/NIST_SP-800-53_rev5_HIGH-baseline-resolved-profile_catalog-min.json",
        ),
    );
    let resolved = resolve_file(
        &data.join("fedramp-rev5/FedRAMP_rev5_LOW-baseline_profile.json"),
        &map,
    )
    .unwrap();
    Baseline::of(&resolved)
}

fn crms(matrix: &Matrix, baseline: &Baseline) -> Vec<Crm> {
    let framework = crm::choose_framework(matrix, None).unwrap();
    matrix
        .offerings
        .iter()
        .map(|o| crm::build(matrix, o, baseline, &framework))
        .collect()
}

/// The CSV's rows as cells (RFC 4180: quoted cells may hold commas, quotes
/// and line breaks).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut rows = vec![];
    let mut row = vec![];
    let mut cell = String::new();
    let mut quoted = false;
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match (c, quoted) {
            ('"', true) if chars.peek() == Some(&'"') => {
                cell.push('"');
                chars.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => row.push(std::mem::take(&mut cell)),
            ('\r', false) => {}
            ('\n', false) => {
                row.push(std::mem::take(&mut cell));
                rows.push(std::mem::take(&mut row));
            }
            (c, _) => cell.push(c),
        }
    }
    rows
}

fn column(name: &str) -> usize {
    // CSV columns: "Offering" first.
    1 + HEADERS.iter().position(|h| *h == name).unwrap()
}

#[test]
fn fedramp_low_crm_fills_statements_with_fedramp_values() {
    let baseline = fedramp_low();
    let matrix = example("codat");
    let crms = crms(&matrix, &baseline);
    let rows = parse_csv(&crm_fedramp::csv(&crms));
    let header: Vec<&str> = rows[0].iter().map(String::as_str).collect();
    assert_eq!(header[0], "Offering");
    assert_eq!(&header[1..], HEADERS);
    let body = &rows[1..];
    let in_baseline: Vec<&Vec<String>> = body
        .iter()
        .filter(|r| !r[column("Responsibility")].starts_with(NOT_IN_BASELINE))
        .collect();
    assert_eq!(in_baseline.len(), 156 * crms.len());
    let ac1 = in_baseline
        .iter()
        .find(|r| r[column("Control ID")] == "AC-1")
        .unwrap();
    let statement = &ac1[column("Control Statement")];
    // FedRAMP LOW sets ac-01_odp.05 and .07 (as constraints); the rest
    // reads as NIST asks for it.
    assert!(
        statement.contains("Policy at least every 3 years and following [Assignment: events]"),
        "{statement}"
    );
    assert!(statement.contains("Procedures at least annually and following significant changes"));
    assert!(ac1[column("Parameter Values")].contains("ac-01_odp.05: at least every 3 years"));
    // Every statement is filled in: no placeholder left.
    for r in &in_baseline {
        assert!(!r[column("Control Statement")].is_empty(), "{r:?}");
        assert!(!r[column("Control Statement")].contains("{{"), "{r:?}");
    }
}

#[test]
fn inheritance_and_origination_read_as_fedramp_writes_them() {
    let baseline = Baseline::builtin("fedramp-rev5-low").unwrap();
    let mut seen = std::collections::HashSet::new();
    for name in ["azure", "aws", "codat", "outsystems", "coherent"] {
        let matrix = example(name);
        let crms = crms(&matrix, &baseline);
        let rows = parse_csv(&crm_fedramp::csv(&crms));
        let csv_rows = rows[1..]
            .iter()
            .filter(|r| !r[column("Responsibility")].starts_with(NOT_IN_BASELINE));
        let pairs = crms
            .iter()
            .flat_map(|c| c.rows.iter().map(move |row| (c, row)));
        for ((c, row), r) in pairs.zip(csv_rows) {
            assert_eq!(r[0], c.offering);
            assert_eq!(r[column("Control ID")], row.label);
            let can = r[column("Can Be Inherited from CSP")].as_str();
            let expected = match row.class.as_str() {
                "provider" | "inherited" => "Yes",
                "shared" => "Partial",
                _ => "No",
            };
            assert_eq!(can, expected, "{name} {r:?}");
            seen.insert(can.to_owned());
            let origination = &r[column("Control Origination")];
            // `customer-provided` is never given to a family's -1 control.
            let id = &r[column("Control ID")];
            if id.ends_with("-1") {
                assert!(
                    !origination.contains("Provided by Customer"),
                    "{name} {r:?}"
                );
            }
            for value in origination.split("; ").filter(|v| !v.is_empty()) {
                assert!(
                    [
                        "Service Provider Corporate",
                        "Service Provider System Specific",
                        "Configured by Customer (Customer System Specific)",
                        "Provided by Customer (Customer System Specific)",
                        "Inherited from pre-existing FedRAMP Authorization"
                    ]
                    .contains(&value),
                    "{name}: {value}"
                );
            }
            // The customer's part and the provider's are apart.
            let class = &r[column("Responsibility")];
            if class == "customer" {
                assert!(r[column("CSP Responsibility")].is_empty(), "{r:?}");
                assert!(!r[column("Customer Responsibility")].is_empty(), "{r:?}");
            }
            if class == "provider" {
                assert!(r[column("Customer Responsibility")].is_empty(), "{r:?}");
                assert!(!r[column("CSP Responsibility")].is_empty(), "{r:?}");
            }
        }
    }
    assert_eq!(seen.len(), 3, "{seen:?}");
}

#[test]
fn controls_outside_the_baseline_keep_their_catalog_title() {
    let baseline = Baseline::builtin("fedramp-rev5-low").unwrap();
    let matrix = example("outsystems");
    let rows = parse_csv(&crm_fedramp::csv(&crms(&matrix, &baseline)));
    let outside: Vec<&Vec<String>> = rows
        .iter()
        .filter(|r| r[column("Responsibility")].starts_with(NOT_IN_BASELINE))
        .collect();
    assert!(!outside.is_empty());
    let sa11 = outside
        .iter()
        .find(|r| r[column("Control ID")] == "SA-11(4)")
        .unwrap();
    assert_eq!(sa11[column("Control Name")], "Manual Code Reviews");
    assert!(outside
        .iter()
        .all(|r| !r[column("Control Name")].is_empty()));
}

#[test]
fn the_workbook_has_a_sheet_per_offering() {
    let baseline = Baseline::builtin("fedramp-rev5-low").unwrap();
    let matrix = example("outsystems");
    let crms = crms(&matrix, &baseline);
    let bytes = crm_fedramp::xlsx(&matrix, &crms).unwrap();
    assert_eq!(
        bytes,
        crm_fedramp::xlsx(&matrix, &crms).unwrap(),
        "same CRM, same bytes"
    );
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    assert_eq!(names.len(), crms.len() + 1, "{names:?}");
    assert_eq!(names.last().map(String::as_str), Some("About"));
    for (c, sheet) in crms.iter().zip(&names) {
        assert!(c.offering_name.starts_with(sheet.as_str()), "{sheet}");
        let range = book.worksheet_range(sheet).unwrap();
        let header: Vec<String> = (0..HEADERS.len())
            .map(|col| range.get((0, col)).map(Data::to_string).unwrap_or_default())
            .collect();
        assert_eq!(header, HEADERS);
        assert_eq!(range.height(), 1 + c.rows.len() + c.not_in_baseline.len());
        let first = range.get((1, 0)).map(Data::to_string).unwrap_or_default();
        assert_eq!(first, c.rows[0].label);
    }
}
