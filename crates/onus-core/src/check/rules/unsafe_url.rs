//! `unsafe-url` (error): a `url` that [`crate::url::classify`] refuses, the
//! one rule the renderers and exports also follow. Pages and exports carry
//! these links to readers: a `javascript:` or `data:` link there is an
//! attack, a `file:` link a leak.

use crate::check::Context;
use crate::diagnostic::{Code, Diagnostic};
use crate::model::RefKind;
use crate::source::Span;
use crate::url::{classify, Safety};

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
        if let Safety::Unsafe(why) = classify(url) {
            out.push(unsafe_url(span, what, url, &why));
        }
    }
}

fn unsafe_url(span: Span, what: &str, url: &str, why: &str) -> Diagnostic {
    let shown: String = url.chars().take(60).collect();
    Diagnostic::new(
        Code::UnsafeUrl,
        span,
        format!("the url of {what} is not safe to link: {why} ({shown})"),
    )
    .with_help("use an http(s) or mailto address, or a path starting with `/` (joined onto the model's own http(s) `url`)")
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{codes, model};

    #[test]
    fn refuses_a_practice_link() {
        let text = model(
            "practices:\n  p: { name: P, url: \"javascript:alert(1)\" }",
            "  data: { customer: { how: [p] } }\n  hosts: acme",
        );
        assert_eq!(codes(&text), ["unsafe-url"]);
    }

    #[test]
    fn refuses_a_script_base_and_a_hidden_scheme() {
        // Issue 15.3: this base turned `/security` into a live script link.
        for url in [
            "javascript://%0aalert(document.domain);1/x",
            "java\\tscript:x",
            "//evil.example/",
        ] {
            let text = model(
                &format!("practices:\n  p: {{ name: P, url: \"{url}\" }}"),
                "  data: { customer: { how: [p] } }\n  hosts: acme",
            );
            assert_eq!(codes(&text), ["unsafe-url"], "{url}");
        }
        let text = model(
            "practices:\n  p: { name: P, url: /security }",
            "  data: { customer: { how: [p] } }\n  hosts: acme",
        );
        assert!(codes(&text).is_empty());
    }
}
