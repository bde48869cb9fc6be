//! `unsafe-url` (warning): a `url` whose scheme is not http, https or
//! mailto. Pages and exports carry these links to readers: a `javascript:`
//! or `data:` link there is an attack, a `file:` link a leak.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::RefKind;
use crate::source::Span;

pub fn check(cx: &Context, out: &mut Vec<Diagnostic>) {
    let m = cx.model;
    let urls = std::iter::once((m.meta.id.span, "the model", m.meta.url.as_deref()))
        .chain(
            m.parties
                .values()
                .map(|p| (p.span, "a party", p.url.as_deref())),
        )
        .chain(
            m.offerings
                .values()
                .map(|o| (o.span, "an offering", o.url.as_deref())),
        )
        .chain(
            m.references
                .of(RefKind::Practice)
                .values()
                .map(|p| (p.span, "a practice", p.url.as_deref())),
        )
        .chain(
            m.references
                .of(RefKind::Evidence)
                .values()
                .map(|e| (e.span, "evidence", e.url.as_deref())),
        )
        .chain(
            m.frameworks
                .values()
                .map(|f| (f.span, "a framework", f.url.as_deref())),
        );
    for (span, what, url) in urls {
        let Some(url) = url else { continue };
        if let Some(scheme) = unsafe_scheme(url) {
            out.push(unsafe_url(span, what, url, scheme));
        }
    }
}

fn unsafe_url(span: Span, what: &str, url: &str, scheme: &str) -> Diagnostic {
    let shown: String = url.chars().take(60).collect();
    Diagnostic::new(
        Code::UnsafeUrl,
        span,
        format!("the url of {what} uses the scheme `{scheme}:` ({shown})"),
    )
    .with_help("use an http(s) or mailto address, or a path relative to the published page; onus leaves other links out of what it renders")
}

/// The scheme of `url` when it is one readers should not be sent to.
fn unsafe_scheme(url: &str) -> Option<&str> {
    let (scheme, _) = url.trim_start().split_once(':')?;
    let is_scheme = scheme
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
    let safe = ["http", "https", "mailto"]
        .iter()
        .any(|s| scheme.eq_ignore_ascii_case(s));
    (is_scheme && !safe).then_some(scheme)
}

#[cfg(test)]
mod tests {
    use super::unsafe_scheme;
    use crate::check::test_support::{codes, model};

    #[test]
    fn schemes() {
        assert_eq!(unsafe_scheme("javascript:alert(1)"), Some("javascript"));
        assert_eq!(unsafe_scheme(" JavaScript:x"), Some("JavaScript"));
        assert_eq!(unsafe_scheme("data:text/html,x"), Some("data"));
        for ok in [
            "https://a.b/c?d=e:f",
            "HTTP://x",
            "mailto:a@b",
            "/enterprise/x",
            "docs/a:b.html",
            "#top",
        ] {
            assert_eq!(unsafe_scheme(ok), None, "{ok}");
        }
    }

    #[test]
    fn warns_on_a_practice_link() {
        let text = model(
            "practices:\n  p: { name: P, url: \"javascript:alert(1)\" }",
            "  data: { customer: { how: [p] } }\n  hosts: acme",
        );
        assert_eq!(codes(&text), ["unsafe-url"]);
    }
}
