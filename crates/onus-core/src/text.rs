//! [`Text`] and [`Texts`]: the strings and lists of strings of resolved
//! matrices.

use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// Immutable text, cheap to clone: a resolved matrix repeats the same few
/// strings (parties, areas, duties) in thousands of cells, and each model
/// of a chain repeats its upstream's, so they are shared rather than copied.
/// Reads as a `&str` (`Deref`, `as_str`) and compares with strings.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Text(Arc<str>);

impl Text {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl Deref for Text {
    type Target = str;
    fn deref(&self) -> &str {
        &self.0
    }
}

impl Borrow<str> for Text {
    fn borrow(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from("")
    }
}

impl fmt::Display for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&*self.0, f)
    }
}

impl fmt::Debug for Text {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&*self.0, f)
    }
}

impl From<&str> for Text {
    fn from(s: &str) -> Text {
        Text(Arc::from(s))
    }
}

impl From<String> for Text {
    fn from(s: String) -> Text {
        Text(Arc::from(s))
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        String::from(&*t.0)
    }
}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        *self.0 == *other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<String> for Text {
    fn eq(&self, other: &String) -> bool {
        *self.0 == **other
    }
}

impl PartialEq<Text> for str {
    fn eq(&self, other: &Text) -> bool {
        *self == *other.0
    }
}

impl PartialEq<Text> for &str {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl PartialEq<Text> for String {
    fn eq(&self, other: &Text) -> bool {
        **self == *other.0
    }
}

impl serde::Serialize for Text {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&self.0)
    }
}

/// An immutable list of [`Text`], cheap to clone: an inherited holder
/// shares its upstream's duties rather than copying them. Reads as a slice.
#[derive(Clone, Default, PartialEq, Eq, Hash)]
pub struct Texts(Arc<[Text]>);

impl Texts {
    /// The address of the list, which identifies it while it lives.
    pub(crate) fn address(&self) -> usize {
        self.0.as_ptr() as usize
    }
}

impl Deref for Texts {
    type Target = [Text];
    fn deref(&self) -> &[Text] {
        &self.0
    }
}

impl<'a> IntoIterator for &'a Texts {
    type Item = &'a Text;
    type IntoIter = std::slice::Iter<'a, Text>;
    fn into_iter(self) -> Self::IntoIter {
        self.0.iter()
    }
}

impl FromIterator<Text> for Texts {
    fn from_iter<I: IntoIterator<Item = Text>>(iter: I) -> Texts {
        Texts(iter.into_iter().collect())
    }
}

impl From<Vec<Text>> for Texts {
    fn from(list: Vec<Text>) -> Texts {
        Texts(list.into())
    }
}

impl fmt::Debug for Texts {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

impl serde::Serialize for Texts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter())
    }
}

#[cfg(test)]
mod tests {
    use super::{Text, Texts};

    #[test]
    fn clones_share_and_compare_as_strings() {
        let a = Text::from("azure/microsoft");
        let b = a.clone();
        assert!(std::ptr::eq(a.as_str(), b.as_str()));
        assert_eq!(a, "azure/microsoft");
        assert_eq!("azure/microsoft", a);
        assert_eq!(a, String::from("azure/microsoft"));
        assert_ne!(a, Text::from("azure"));
        assert_eq!(format!("{a} {a:?}"), "azure/microsoft \"azure/microsoft\"");
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"azure/microsoft\"");
        let list = [Text::from("a"), Text::from("b")];
        assert_eq!(list.join("/"), "a/b");
    }

    #[test]
    fn lists_share_and_read_as_slices() {
        let list: Texts = ["a", "b"].into_iter().map(Text::from).collect();
        let copy = list.clone();
        assert_eq!(copy.address(), list.address());
        assert_eq!(list.join(", "), "a, b");
        assert_eq!((&list).into_iter().count(), 2);
        assert_eq!(format!("{list:?}"), "[\"a\", \"b\"]");
        assert_eq!(serde_json::to_string(&list).unwrap(), "[\"a\",\"b\"]");
        // The empty list allocates nothing: every holder may have one.
        assert!(Texts::default().is_empty());
        assert_eq!(Texts::default().address(), Texts::default().address());
    }
}
