//! One rule per file. Each file's `check` adds its findings for one model.

pub mod coverage;
pub mod duplicate_duty_id;
pub mod duplicate_holder;
pub mod duplicate_id;
pub mod inheritance;
pub mod missing_holder;
pub mod parties;
pub mod shared_without_split;
pub mod unknown_reference;
pub mod unsafe_url;
pub mod unused;
pub mod unused_default;
pub mod upstream_reference;
