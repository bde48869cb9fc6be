//! The JSON Schema of the model format (draft-07, as editors expect), for
//! `onus schema` and editor completion. The checker is the authority: the
//! schema catches shape and spelling, the checker every rule.

/// The schema, as JSON text.
pub const JSON_SCHEMA: &str = include_str!("schema.json");
