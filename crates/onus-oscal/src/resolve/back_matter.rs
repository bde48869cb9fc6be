//! Back matter: keep the resources the resolved catalog still cites.
//!
//! Controls cite resources as `#uuid`, in link hrefs and inside Markdown
//! prose (`[Section 2.1](#c3397cc9-...)`). NIST's resolved baselines keep
//! exactly the cited ones, e.g. 135 of the catalog's 192 for LOW.

use std::collections::{HashMap, HashSet};

use crate::catalog::{BackMatter, Catalog, Resource};
use crate::object::VisitStrings;

const UUID_LEN: usize = 36;

/// Sets the back matter of `catalog` to those of `candidates` it cites
/// (first one per uuid, in the given order).
pub(super) fn keep_cited(catalog: &mut Catalog, candidates: Vec<Resource>) {
    if candidates.is_empty() {
        catalog.back_matter = None;
        return;
    }
    let known: HashMap<&str, usize> = candidates
        .iter()
        .enumerate()
        .rev()
        .map(|(i, r)| (r.uuid.as_str(), i))
        .collect();
    let mut cited = vec![false; candidates.len()];
    let mut visit = |text: &str| {
        for (at, _) in text.match_indices('#') {
            let rest = &text[at + 1..];
            let len = rest
                .bytes()
                .take(UUID_LEN + 1)
                .take_while(|b| b.is_ascii_hexdigit() || *b == b'-')
                .count();
            // Only a UUID (36 characters) can name a resource; skip `#ac-3`.
            if len == UUID_LEN {
                if let Some(&i) = known.get(&rest[..len]) {
                    cited[i] = true;
                }
            }
        }
    };
    // The metadata cites resources too (FedRAMP's parties link their logo).
    catalog.metadata.visit_strings(&mut visit);
    catalog.params.visit_strings(&mut visit);
    catalog.controls.visit_strings(&mut visit);
    catalog.groups.visit_strings(&mut visit);
    let mut seen = HashSet::new();
    let resources: Vec<Resource> = candidates
        .into_iter()
        .zip(cited)
        .filter(|(r, cited)| *cited && seen.insert(r.uuid.clone()))
        .map(|(r, _)| r)
        .collect();
    catalog.back_matter = (!resources.is_empty()).then(|| BackMatter {
        resources,
        ..BackMatter::default()
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_resources_cited_by_links_or_prose() {
        let mut catalog = Catalog::from_json(
            r##"{"catalog": {"uuid": "u", "metadata": {"title": "t"}, "controls": [
                {"id": "c-1", "title": "One", "links": [{"href": "#aaaaaaaa-0000-4000-8000-000000000001", "rel": "reference"}],
                 "parts": [{"name": "guidance", "prose": "See [this](#aaaaaaaa-0000-4000-8000-000000000002)."}]}
            ]}}"##,
        )
        .unwrap();
        let resource = |n: u8| Resource {
            uuid: format!("aaaaaaaa-0000-4000-8000-00000000000{n}"),
            ..Resource::default()
        };
        keep_cited(
            &mut catalog,
            vec![resource(1), resource(3), resource(2), resource(1)],
        );
        let kept: Vec<_> = catalog
            .back_matter
            .unwrap()
            .resources
            .iter()
            .map(|r| r.uuid.chars().last().unwrap())
            .collect();
        assert_eq!(kept, ['1', '2']);
    }
}
