//! The JSON Schema of the model format (draft-07, as editors expect), for
//! `onus schema` and editor completion. The checker is the authority: the
//! schema catches shape and spelling, the checker every rule.

/// The schema, as JSON text.
pub const JSON_SCHEMA: &str = include_str!("schema.json");

#[cfg(test)]
mod tests {
    use serde_json::Value;

    use super::JSON_SCHEMA;
    use crate::model::{
        Area, Duty, Framework, Holding, Meta, Model, Offering, Party, RefKind, Reference, Upstream,
    };

    fn schema() -> Value {
        serde_json::from_str(JSON_SCHEMA).expect("the schema is JSON")
    }

    /// The property names of the object at `pointer`, sorted.
    fn properties(schema: &Value, pointer: &str) -> Vec<String> {
        let object = schema
            .pointer(pointer)
            .and_then(Value::as_object)
            .unwrap_or_else(|| panic!("no object at {pointer}"));
        let mut keys: Vec<String> = object.keys().cloned().collect();
        keys.sort();
        keys
    }

    fn sorted(keys: &[&str]) -> Vec<String> {
        let mut keys: Vec<String> = keys.iter().map(|k| k.to_string()).collect();
        keys.sort();
        keys
    }

    /// The keys the decoder accepts (each model type's `KEYS`) are the
    /// properties the schema gives editors, and no other.
    #[test]
    fn every_type_declares_the_keys_the_schema_has() {
        let schema = schema();
        let each = "additionalProperties/properties";
        for (what, keys, pointer) in [
            ("Model", Model::KEYS, "/properties".to_string()),
            ("Meta", Meta::KEYS, "/properties/model/properties".into()),
            ("Party", Party::KEYS, format!("/properties/parties/{each}")),
            (
                "Upstream",
                Upstream::KEYS,
                format!("/properties/upstreams/{each}"),
            ),
            (
                "Offering",
                Offering::KEYS,
                format!("/properties/offerings/{each}"),
            ),
            ("Area", Area::KEYS, format!("/properties/areas/{each}")),
            (
                "Framework",
                Framework::KEYS,
                format!("/properties/frameworks/{each}"),
            ),
            (
                "Reference",
                Reference::KEYS,
                "/definitions/documented/properties".into(),
            ),
            (
                "Holding",
                Holding::KEYS,
                "/definitions/holding/properties".into(),
            ),
            ("Duty", Duty::KEYS, "/definitions/duty/properties".into()),
        ] {
            assert_eq!(sorted(keys), properties(&schema, &pointer), "{what}");
        }
    }

    /// Practices and evidence are both "documented", each with its own
    /// kinds (under `allOf`: in draft-07 a `$ref` ignores its siblings).
    #[test]
    fn references_are_documented_with_their_own_kinds() {
        let schema = schema();
        for kind in RefKind::ALL {
            let entry = &schema["properties"][kind.section()]["additionalProperties"]["allOf"];
            assert_eq!(entry[0]["$ref"], "#/definitions/documented", "{kind:?}");
            let kinds: Vec<&str> = entry[1]["properties"]["kind"]["enum"]
                .as_array()
                .unwrap_or_else(|| panic!("{kind:?}: no kind enum"))
                .iter()
                .filter_map(Value::as_str)
                .collect();
            assert_eq!(kinds, kind.kinds(), "{kind:?}");
        }
    }
}
