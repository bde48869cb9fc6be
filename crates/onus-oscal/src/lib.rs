//! NIST OSCAL for onus: read catalogs and profiles, resolve a profile into
//! the baseline it describes.
//!
//! ```no_run
//! use std::path::Path;
//!
//! // The NIST HIGH baseline imports the catalog by an `.xml` href; the
//! // `.json` file beside it is used instead.
//! let high = onus_oscal::load::resolve_file(
//!     Path::new("NIST_SP-800-53_rev5_HIGH-baseline_profile.json"),
//!     &onus_oscal::load::HrefMap::new(),
//! )?;
//! for control in high.controls() {
//!     let family = control.group.map_or("", |g| g.title.as_str());
//!     println!("{} {} ({family})", control.id(), control.title());
//! }
//! # Ok::<(), onus_oscal::Error>(())
//! ```
//!
//! # Map
//!
//! - [`catalog`]: the catalog model ([`Catalog`], [`Control`], [`Param`] ...).
//!   Members onus uses are typed; all others are kept as JSON in each
//!   object's `extra`, so nothing is lost when a document is written back.
//! - [`profile`]: the profile model ([`Profile`], [`Import`], [`Modify`] ...).
//! - [`mod@resolve`]: profile resolution, [`ResolvedCatalog`]. No I/O: the
//!   caller passes a closure that loads an import's href.
//! - [`statement`]: a control's statement with its parameters filled in
//!   (the values set, else `[Assignment: label]`), as a CRM prints it.
//! - [`control_id`]: control ids as people write them, checked against the
//!   catalog their framework names (NIST 800-53 Rev. 5's is bundled).
//! - [`baseline`]: what a CRM reads of a baseline ([`Baseline`]), and the
//!   built-in baselines bundled in the binary (NIST 5.1.1, FedRAMP Rev. 5).
//! - [`crm`]: the Customer Responsibility Matrix of a resolved onus model
//!   against a baseline; choosing the framework it reads.
//! - [`export`]: a resolved onus model as an OSCAL component definition or
//!   SSP fragment (deterministic, v5 UUIDs).
//! - [`import`]: an OSCAL component definition or SSP back to onus model YAML.
//! - [`load`]: the only I/O: reading files, mapping hrefs to paths.
//! - [`validate`]: a document (JSON, YAML or XML) against NIST's bundled
//!   schema, each error with its JSON pointer and position.
//! - [`xml`]: OSCAL's XML syntax read into the JSON form (OSCAL's
//!   XML-to-JSON mapping; prose to Markdown), located errors.
//! - [`Error`]: every failure, with what to do about it.
//!
//! Invariants: parsing never panics on bad input; resolution does no I/O and
//! keeps catalog order; a catalog read and written back is the same JSON.

pub mod baseline;
pub mod catalog;
pub mod control_id;
pub mod crm;
mod document;
mod error;
pub mod export;
pub mod import;
pub mod load;
mod object;
pub mod profile;
pub mod resolve;
pub mod statement;
pub mod validate;
pub mod xml;

pub use baseline::{Baseline, BaselineControl};
pub use catalog::{Catalog, Control, Group, Param, Part};
pub use document::Document;
pub use error::{Error, FrameworkMismatch, UnknownId};
pub use profile::{Import, Modify, Profile};
pub use resolve::{
    resolve, resolve_against, resolve_owned, ControlGroup, Imported, Request, ResolvedCatalog,
    ResolvedControl, Warning,
};
