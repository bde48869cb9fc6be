//! onus-core: the domain of onus, with no I/O.
//!
//! - [`source`]: files, spans, line/column.
//! - [`syntax`]: YAML and JSON to a position-keeping tree.
//! - [`load`]: the tree to a [`model::Model`], and a model's upstream chain
//!   into a [`load::ModelSet`] (files come through the [`load::Files`] trait).
//! - [`check`]: every rule of docs/format.md, one per file.
//! - [`resolve`]: the effective holders per offering and area, across the chain.
//! - [`diagnostic`]: findings as values, and their text/JSON/SARIF renderings.

pub mod check;
pub mod diagnostic;
pub mod diff;
pub mod identity;
pub mod load;
pub mod model;
pub mod resolve;
pub mod schema;
pub mod source;
pub mod syntax;
pub mod terminal;
pub mod text;
pub mod url;
