//! The one URL-safety rule, for the checker (`unsafe-url`), every renderer
//! and the OSCAL export: what may be put before a reader as a link.
//!
//! A URL is read as a browser reads it (WHATWG): leading and trailing
//! spaces and control characters dropped, tabs and line breaks removed
//! anywhere, so `java\nscript:` is `javascript:`. Only `http:`, `https:`
//! and `mailto:` are linked. A path starting with `/` is joined onto the
//! origin of an http(s) base (the model's own `url`), and the joined
//! result is checked again: a `javascript://%0aalert(1)//` base never
//! turns a relative practice URL into a live script.

/// What [`classify`] says of a URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Safety {
    /// An `http:`, `https:` or `mailto:` address, or a relative one
    /// (linked only when it can be joined onto an http(s) base).
    Safe,
    /// Not to be linked, and why (for the `unsafe-url` diagnostic).
    Unsafe(String),
}

/// The schemes a reader may be sent to.
const SAFE_SCHEMES: [&str; 3] = ["http", "https", "mailto"];

/// The URL as a browser reads it: surrounding spaces and C0 controls
/// dropped, tabs and line breaks removed.
fn cleaned(url: &str) -> String {
    url.trim_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

/// The scheme of a cleaned URL, if it has one (`scheme:` with a letter
/// first, then letters, digits, `+`, `-`, `.`).
fn scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.split_once(':')?;
    let mut chars = scheme.chars();
    let first = chars.next()?;
    (first.is_ascii_alphabetic()
        && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.')))
    .then_some(scheme)
}

/// Whether `url` may be linked (absolute with a safe scheme, or relative).
pub fn classify(url: &str) -> Safety {
    let url = cleaned(url);
    match scheme(&url) {
        Some(s) if SAFE_SCHEMES.iter().any(|safe| s.eq_ignore_ascii_case(safe)) => {
            if url.chars().any(char::is_control) {
                Safety::Unsafe("it holds control characters".into())
            } else {
                Safety::Safe
            }
        }
        Some(s) => Safety::Unsafe(format!("it uses the scheme `{s}:`")),
        None if url.starts_with("//") || url.starts_with("/\\") || url.starts_with('\\') => {
            Safety::Unsafe("it names another host without a scheme".into())
        }
        None if url.chars().any(char::is_control) => {
            Safety::Unsafe("it holds control characters".into())
        }
        None => Safety::Safe,
    }
}

/// The link to put in a document for `url`, or `None` when it must not be
/// linked: an absolute `http(s):`/`mailto:` URL as it is (cleaned); a
/// path starting with `/` joined onto the origin of `base` when `base` is
/// an `http(s)://` URL, the result checked again; anything else (another
/// scheme, a bare relative path, no usable base) is not linked.
pub fn link(base: Option<&str>, url: &str) -> Option<String> {
    if classify(url) != Safety::Safe {
        return None;
    }
    let url = cleaned(url);
    if scheme(&url).is_some() {
        return Some(url);
    }
    if !url.starts_with('/') {
        return None;
    }
    let base = cleaned(base?);
    let s = scheme(&base)?;
    if !(s.eq_ignore_ascii_case("http") || s.eq_ignore_ascii_case("https"))
        || classify(&base) != Safety::Safe
    {
        return None;
    }
    let rest = base[s.len() + 1..].strip_prefix("//")?;
    let host_end = rest.find(['/', '?', '#', '\\']).unwrap_or(rest.len());
    let authority = &rest[..host_end];
    if authority.is_empty() {
        return None;
    }
    let joined = format!("{s}://{authority}{url}");
    // The join must still be an http(s) URL with that very origin.
    (classify(&joined) == Safety::Safe && scheme(&joined) == Some(s)).then_some(joined)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_base_never_makes_a_live_link() {
        // The reproduction of issue 15.3.
        let base = "javascript://%0aalert(document.domain);1/x";
        assert_eq!(link(Some(base), "/security/policy"), None);
        assert!(matches!(classify(base), Safety::Unsafe(_)));
        for base in [
            "data://x/",
            "JavaScript://h/",
            "java\nscript://h/",
            "//evil.example/",
            " vbscript://h/",
        ] {
            assert_eq!(link(Some(base), "/p"), None, "{base:?}");
        }
    }

    #[test]
    fn safe_links_and_joins() {
        let base = Some("https://docs.example.com/a/b?q#f");
        assert_eq!(
            link(base, "/x/y").as_deref(),
            Some("https://docs.example.com/x/y")
        );
        assert_eq!(
            link(Some("http://h.example:8080"), "/x").as_deref(),
            Some("http://h.example:8080/x")
        );
        assert_eq!(link(base, "https://a.b/").as_deref(), Some("https://a.b/"));
        assert_eq!(link(base, " mailto:a@b ").as_deref(), Some("mailto:a@b"));
        assert_eq!(link(base, "javascript:alert(1)"), None);
        assert_eq!(link(base, "java\tscript:alert(1)"), None);
        assert_eq!(link(base, "\u{1}javascript:alert(1)"), None);
        assert_eq!(link(base, "//evil.example/"), None);
        assert_eq!(link(base, "/\\evil.example/"), None);
        assert_eq!(link(base, "docs/a.html"), None);
        assert_eq!(link(None, "/x"), None);
        assert_eq!(link(Some("mailto:a@b"), "/x"), None);
        assert_eq!(link(Some("https:///x"), "/y"), None);
    }

    #[test]
    fn classifies_as_a_browser_reads() {
        assert!(
            matches!(classify("javascript:alert(1)"), Safety::Unsafe(r) if r.contains("`javascript:`"))
        );
        assert!(matches!(classify(" JavaScript:x"), Safety::Unsafe(_)));
        assert!(matches!(classify("jav\tascript:x"), Safety::Unsafe(_)));
        assert!(matches!(classify("data:text/html,x"), Safety::Unsafe(_)));
        assert!(matches!(classify("//evil.example"), Safety::Unsafe(_)));
        assert!(matches!(classify("https://a.b/\u{1b}x"), Safety::Unsafe(_)));
        for ok in [
            "https://a.b/c?d=e:f",
            "HTTP://x",
            "mailto:a@b",
            "/enterprise/x",
            "docs/a:b.html",
            "#top",
        ] {
            assert_eq!(classify(ok), Safety::Safe, "{ok}");
        }
    }
}
