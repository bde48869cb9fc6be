//! The OSCAL loaders on arbitrary bytes: the input, split at the first NUL,
//! is a profile and a catalog (each read as any OSCAL document). Parsing
//! must not panic; a profile is then resolved with every import answered
//! by the catalog, except hrefs ending in `.p`, answered by the profile
//! itself (a cycle, or a chain through its other imports), and the result
//! must write out as JSON that parses back as a catalog.

#![no_main]

use libfuzzer_sys::fuzz_target;
use onus_oscal::resolve::{resolve, Imported, Request};
use onus_oscal::{Catalog, Document};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (first, second) = text.split_once('\0').unwrap_or((&text, ""));
    let first = Document::from_json(first);
    let second = Document::from_json(second);
    let Ok(Document::Profile(profile)) = first else {
        return;
    };
    let catalog = match second {
        Ok(Document::Catalog(catalog)) => catalog,
        _ => Catalog::default(),
    };
    let resolved = resolve(&profile, |request: Request<'_>| {
        Ok(match request.href.ends_with(".p") {
            true => Imported::from(profile.clone()),
            false => Imported::from(&catalog),
        })
    });
    if let Ok(resolved) = resolved {
        let json = resolved.to_json_pretty();
        assert!(
            Catalog::from_json(&json).is_ok(),
            "the resolved catalog does not read back: {json}"
        );
    }
});
