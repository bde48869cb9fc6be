//! How OSCAL JSON objects map to Rust structs.
//!
//! OSCAL objects have many optional members and grow new ones with each
//! release. The `oscal_object!` macro declares a struct whose members we use
//! as typed fields and keeps every other member verbatim in `extra`, so that
//! reading and writing a document loses nothing. It writes the `Deserialize`
//! impl by hand instead of using `#[serde(flatten)]`: flatten buffers every
//! object into an intermediate tree first, which costs about as much as the
//! whole parse again on a 3 MB catalog.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde_json::{Map, Value};

/// An object key, borrowed from the input when it has no escapes.
pub(crate) struct Key<'de>(pub(crate) Cow<'de, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Whether an optional member is absent and so left out when writing.
pub(crate) trait IsAbsent {
    fn is_absent(&self) -> bool;
}

impl<T> IsAbsent for Option<T> {
    fn is_absent(&self) -> bool {
        self.is_none()
    }
}

impl<T> IsAbsent for Vec<T> {
    fn is_absent(&self) -> bool {
        self.is_empty()
    }
}

/// Visits every string value held by a document fragment (not the keys).
///
/// Used to find which back-matter resources the resolved controls still
/// reference, whether by a link (`#uuid`) or inside Markdown prose.
pub(crate) trait VisitStrings {
    fn visit_strings(&self, f: &mut dyn FnMut(&str));
}

impl VisitStrings for String {
    fn visit_strings(&self, f: &mut dyn FnMut(&str)) {
        f(self)
    }
}

impl VisitStrings for bool {
    fn visit_strings(&self, _: &mut dyn FnMut(&str)) {}
}

impl<T: VisitStrings> VisitStrings for Option<T> {
    fn visit_strings(&self, f: &mut dyn FnMut(&str)) {
        if let Some(v) = self {
            v.visit_strings(f)
        }
    }
}

impl<T: VisitStrings> VisitStrings for Vec<T> {
    fn visit_strings(&self, f: &mut dyn FnMut(&str)) {
        for v in self {
            v.visit_strings(f)
        }
    }
}

impl VisitStrings for Value {
    fn visit_strings(&self, f: &mut dyn FnMut(&str)) {
        match self {
            Value::String(s) => f(s),
            Value::Array(items) => items.iter().for_each(|v| v.visit_strings(f)),
            Value::Object(map) => map.visit_strings(f),
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
}

impl VisitStrings for Map<String, Value> {
    fn visit_strings(&self, f: &mut dyn FnMut(&str)) {
        self.values().for_each(|v| v.visit_strings(f))
    }
}

/// Declares an OSCAL object: typed members plus `extra` for the rest.
///
/// Each member is `"json-name" required|optional field: Type`. A `required`
/// member missing from the input is a parse error; an `optional` one takes
/// `Default::default()` and is left out when written if absent (`None` or an
/// empty list). Members are written in the declared order, then `extra`.
macro_rules! oscal_object {
    (
        $(#[$meta:meta])*
        pub struct $name:ident {
            $(
                $(#[$fmeta:meta])*
                $json:literal $kind:ident $field:ident : $ty:ty
            ),* $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        pub struct $name {
            $( $(#[$fmeta])* pub $field: $ty, )*
            /// Members this crate does not model, kept verbatim so that
            /// nothing is lost when the document is written back.
            pub extra: serde_json::Map<String, serde_json::Value>,
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct ObjectVisitor;
                impl<'de> serde::de::Visitor<'de> for ObjectVisitor {
                    type Value = $name;
                    fn expecting(&self, f: &mut std::fmt::Formatter) -> std::fmt::Result {
                        f.write_str(concat!("an OSCAL ", stringify!($name), " object"))
                    }
                    fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<$name, A::Error> {
                        $( let mut $field: Option<$ty> = None; )*
                        let mut extra = serde_json::Map::new();
                        while let Some(key) = map.next_key::<$crate::object::Key<'de>>()? {
                            match &*key.0 {
                                $(
                                    $json => {
                                        if $field.is_some() {
                                            return Err(serde::de::Error::duplicate_field($json));
                                        }
                                        $field = Some(map.next_value()?);
                                    }
                                )*
                                _ => {
                                    let value = map.next_value()?;
                                    extra.insert(key.0.into_owned(), value);
                                }
                            }
                        }
                        Ok($name {
                            $( $field: oscal_object!(@take $kind $field $json), )*
                            extra,
                        })
                    }
                }
                deserializer.deserialize_map(ObjectVisitor)
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                use serde::ser::SerializeMap;
                let mut map = serializer.serialize_map(None)?;
                $(
                    if !oscal_object!(@absent $kind self.$field) {
                        map.serialize_entry($json, &self.$field)?;
                    }
                )*
                for (key, value) in &self.extra {
                    map.serialize_entry(key, value)?;
                }
                map.end()
            }
        }

        impl $crate::object::VisitStrings for $name {
            fn visit_strings(&self, f: &mut dyn FnMut(&str)) {
                $( $crate::object::VisitStrings::visit_strings(&self.$field, f); )*
                $crate::object::VisitStrings::visit_strings(&self.extra, f);
            }
        }
    };
    (@take required $field:ident $json:literal) => {
        $field.ok_or_else(|| serde::de::Error::missing_field($json))?
    };
    (@take optional $field:ident $json:literal) => {
        $field.unwrap_or_default()
    };
    (@absent required $value:expr) => {
        false
    };
    (@absent optional $value:expr) => {
        $crate::object::IsAbsent::is_absent(&$value)
    };
}

pub(crate) use oscal_object;
