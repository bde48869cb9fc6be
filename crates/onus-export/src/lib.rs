//! onus-export: what people and tools read, built from the resolved model
//! ([`onus_core::resolve::Matrix`]) only. No renderer re-derives who holds
//! what. Functions return the output as a string; writing it is the
//! caller's business.

pub mod crm;
pub mod crm_fedramp;
pub mod csv;
pub mod diff;
pub mod duties;
pub mod matrix;
pub mod render;
mod select;

pub use select::{only_offering, select_offerings, select_party, SelectError};

use onus_core::model::RefKind;
use onus_core::resolve::{Matrix, RefIds};

/// A terminal table cell: model, catalog or profile text with its
/// control characters shown escaped ([`onus_core::terminal::printable`]),
/// so no text drives the terminal and the widths are what is shown.
fn cell(text: impl AsRef<str>) -> comfy_table::Cell {
    comfy_table::Cell::new(onus_core::terminal::printable(text.as_ref()))
}

/// An empty terminal table in the one style of every view, wrapped to
/// `width` columns when given.
fn terminal_table(width: Option<u16>) -> comfy_table::Table {
    let mut t = comfy_table::Table::new();
    t.load_preset(comfy_table::presets::UTF8_FULL_CONDENSED)
        .set_content_arrangement(comfy_table::ContentArrangement::Dynamic);
    if let Some(w) = width {
        t.set_width(w);
    }
    t
}

/// Formats of the `matrix` and `duties` views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// A terminal table, wrapped to `width` columns.
    Table {
        width: Option<u16>,
    },
    Markdown,
    Csv,
    Json,
}

/// [`reference_label`] of each id.
pub fn reference_labels(matrix: &Matrix, ids: &RefIds) -> Vec<String> {
    ids.iter()
        .map(|id| reference_label(matrix, ids.kind(), id))
        .collect()
}

/// A practice or evidence reference shown to people: its name (and access level when not public).
pub fn reference_label(matrix: &Matrix, kind: RefKind, id: &str) -> String {
    let Some(r) = matrix.references.get(kind, id) else {
        return id.to_string();
    };
    let (name, access) = (r.name.as_str(), r.access);
    match access {
        onus_core::model::Access::Public => name.to_string(),
        other => format!("{name} ({})", other.as_str()),
    }
}
