//! Checking: every rule of docs/format.md over a [`ModelSet`], one rule per file
//! under `rules/`. Codes and their documentation are in
//! [`crate::diagnostic::Code`].
//!
//! Rules about one model run on every model that decoded. Rules about the
//! chain (inheritance, coverage) run only when every upstream is free of
//! errors; otherwise the model gets one `upstream-broken` finding and the
//! upstream's own findings are shown with the upstream's path.

mod rules;

use std::collections::HashMap;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::diagnostic::{sort_and_dedup, Code, Diagnostic};
use crate::load::{ModelId, ModelSet};
use crate::model::Model;
use crate::resolve::{Matrix, Resolver};

/// What a rule sees: one model and its healthy, resolved upstreams.
pub struct Context<'a> {
    pub set: &'a ModelSet,
    pub id: ModelId,
    pub model: &'a Model,
    /// Upstream id -> the upstream, for upstreams that loaded without errors.
    pub upstreams: IndexMap<&'a str, UpstreamView<'a>>,
    /// Whether every upstream loaded without errors (chain rules need it).
    pub chain_ok: bool,
    /// The upstreams for which [`Context::mapping_broken`] holds.
    broken_mappings: Vec<&'a str>,
}

pub struct UpstreamView<'a> {
    pub model: &'a Model,
    /// The upstream resolved (at least its customer parts,
    /// [`Resolver::customer_parts`]): read it through
    /// [`crate::resolve::ResolvedArea::customer_part`].
    pub matrix: Arc<Matrix>,
}

type Rule = fn(&Context, &mut Vec<Diagnostic>);

impl Context<'_> {
    /// Whether the `upstream:` maps of the model name an upstream it does not
    /// declare, or an area that `upstream` does not have: reported already,
    /// and what they were meant to claim cannot be known, so the chain rules
    /// say nothing more about that upstream.
    pub fn mapping_broken(&self, upstream: &str) -> bool {
        self.broken_mappings.contains(&upstream)
    }
}

/// The upstreams of `model` whose claims cannot be known ([`Context::mapping_broken`]).
fn broken_mappings<'a>(
    model: &'a Model,
    upstreams: &IndexMap<&'a str, UpstreamView<'a>>,
) -> Vec<&'a str> {
    let names = model.upstreams.keys().map(String::as_str);
    let claims = || model.areas.values().flat_map(|a| &a.upstream);
    if claims().any(|(u, _)| !model.upstreams.contains_key(u)) {
        return names.collect();
    }
    names
        .filter(|name| {
            let Some(up) = upstreams.get(name) else {
                return false;
            };
            claims().any(|(u, list)| {
                u == name && list.iter().any(|x| !up.model.areas.contains_key(&x.value))
            })
        })
        .collect()
}

/// Rules on a model by itself.
const MODEL_RULES: &[Rule] = &[
    rules::parties::check,
    rules::duplicate_id::check,
    rules::unknown_reference::check,
    rules::duplicate_holder::check,
    rules::duplicate_duty_id::check,
    rules::missing_holder::check,
    rules::unused_default::check,
    rules::shared_without_split::check,
    rules::unused::check,
    rules::unsafe_url::check,
];

/// Rules that read the upstreams.
const CHAIN_RULES: &[Rule] = &[
    rules::upstream_reference::check,
    rules::inheritance::check,
    rules::coverage::check,
];

/// Checks every model of the set (roots and upstreams). Findings are
/// sorted by file and position.
pub fn check(set: &ModelSet) -> Vec<Diagnostic> {
    // The chain rules read only the upstreams' customer parts.
    check_with(set, &mut Resolver::customer_parts(set))
}

/// [`check`], resolving the upstreams with `resolver`: a caller that goes
/// on to resolve the model passes its own [`Resolver::new`], so that each
/// upstream is resolved once in the run (for the chain rules and for the
/// matrix). The chain rules read only each cell's customer part, which both
/// kinds of resolver give the same.
pub fn check_with<'a>(set: &'a ModelSet, resolver: &mut Resolver<'a>) -> Vec<Diagnostic> {
    let mut checker = Checker {
        set,
        resolver,
        done: HashMap::new(),
        diagnostics: Vec::new(),
    };
    for i in 0..set.models.len() {
        checker.healthy(ModelId(i));
    }
    let mut diagnostics = checker.diagnostics;
    sort_and_dedup(&mut diagnostics, &set.sources);
    diagnostics
}

struct Checker<'a, 'r> {
    set: &'a ModelSet,
    resolver: &'r mut Resolver<'a>,
    /// Model -> whether it has no errors (itself and its chain).
    done: HashMap<ModelId, bool>,
    diagnostics: Vec<Diagnostic>,
}

impl<'a> Checker<'a, '_> {
    /// Checks a model (after its upstreams) once; true when it has no errors.
    fn healthy(&mut self, id: ModelId) -> bool {
        if let Some(&ok) = self.done.get(&id) {
            return ok;
        }
        self.done.insert(id, false);
        let loaded = self.set.get(id);
        let mut found = loaded.diagnostics.clone();
        if let Some(model) = &loaded.model {
            let mut upstreams = IndexMap::new();
            let mut chain_ok = true;
            for (name, target) in &loaded.upstreams {
                let Some(target) = *target else {
                    chain_ok = false;
                    continue;
                };
                if !self.healthy(target) {
                    chain_ok = false;
                    let up = &model.upstreams[name];
                    found.push(
                        Diagnostic::new(
                            Code::UpstreamBroken,
                            up.model.span,
                            format!(
                                "upstream `{name}` ({}) has errors",
                                self.set.get(target).path.display()
                            ),
                        )
                        .with_help("fix the upstream's errors, shown with its own path, first"),
                    );
                    continue;
                }
                if let (Some(up_model), Some(matrix)) =
                    (self.set.model(target), self.resolver.resolve(target))
                {
                    upstreams.insert(
                        name.as_str(),
                        UpstreamView {
                            model: up_model,
                            matrix,
                        },
                    );
                }
            }
            let cx = Context {
                set: self.set,
                id,
                model,
                broken_mappings: broken_mappings(model, &upstreams),
                upstreams,
                chain_ok,
            };
            for rule in MODEL_RULES {
                rule(&cx, &mut found);
            }
            if cx.chain_ok {
                for rule in CHAIN_RULES {
                    rule(&cx, &mut found);
                }
            }
        }
        let ok = !found.iter().any(Diagnostic::is_error) && loaded.model.is_some();
        self.diagnostics.extend(found);
        self.done.insert(id, ok);
        ok
    }
}

#[cfg(test)]
pub(crate) mod test_support {
    use std::collections::HashMap;
    use std::path::PathBuf;

    use crate::diagnostic::Diagnostic;
    use crate::load::ModelSet;

    /// Loads and checks in-memory files; the first is the root.
    pub fn check_files(files: &[(&str, &str)]) -> Vec<Diagnostic> {
        let map: HashMap<PathBuf, String> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        let set = ModelSet::load(&[PathBuf::from(files[0].0)], &map).unwrap();
        super::check(&set)
    }

    /// The codes found for a single model file.
    pub fn codes(text: &str) -> Vec<&'static str> {
        check_files(&[("m.onus.yaml", text)])
            .iter()
            .map(|d| d.code.name())
            .collect()
    }

    /// A valid model to start tests from: `{extra}` is spliced into the
    /// top level, `{cells}` under `responsibilities:`.
    pub fn model(extra: &str, cells: &str) -> String {
        format!(
            "onus: 1
model: {{ id: acme, name: Acme, publisher: acme }}
parties:
  acme: {{ name: Acme, role: provider }}
  customer: {{ name: Customer, role: customer }}
offerings:
  saas: {{ name: SaaS }}
  paas: {{ name: PaaS }}
areas:
  data: {{ name: Data }}
  hosts: {{ name: Hosts }}
{extra}
responsibilities:
{cells}
"
        )
    }
}

/// Defects a new user found by following the format's reference to the letter.
#[cfg(test)]
mod regressions {
    use super::test_support::{check_files, codes, model};

    #[test]
    fn required_sections_declare_something() {
        let text = model("", "  data: customer\n  hosts: acme")
            .replace("  saas: { name: SaaS }\n  paas: { name: PaaS }", "");
        let found = check_files(&[("m.onus.yaml", &text)]);
        assert!(
            found
                .iter()
                .any(|d| d.message == "`offerings` declares nothing"),
            "{found:?}"
        );
    }

    #[test]
    fn one_mistake_one_finding() {
        // An offering used as a holder says so, and nothing else.
        let found = check_files(&[(
            "m.onus.yaml",
            &model("", "  data: [saas, customer]\n  hosts: acme"),
        )]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(
            found[0].message,
            "`saas` is an offering, not a party or upstream"
        );

        // A misspelt role is reported once, not again at each use of the party.
        let text = model("", "  data: { acme: ~, auditor: { duties: [Audit] } }\n  hosts: acme")
            .replace("  customer: { name: Customer, role: customer }", "  customer: { name: Customer, role: customer }\n  auditor: { name: Auditor, role: thirdparty }");
        assert_eq!(codes(&text), ["invalid-value"]);

        // An invalid holder id suggests the declared one and reports no missing cell.
        let found = check_files(&[("m.onus.yaml", &model("", "  data: custömer\n  hosts: acme"))]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert_eq!(found[0].help.as_deref(), Some("did you mean `customer`?"));
    }

    #[test]
    fn a_file_named_twice_is_checked_once() {
        use std::collections::HashMap;
        use std::path::PathBuf;
        let text = model("", "  data: [acme, custmer]\n  hosts: acme");
        let files: HashMap<PathBuf, String> = [(PathBuf::from("m.onus.yaml"), text)].into();
        let set = crate::load::ModelSet::load(
            &[PathBuf::from("m.onus.yaml"), PathBuf::from("./m.onus.yaml")],
            &files,
        )
        .unwrap();
        assert_eq!(set.models.len(), 1);
        assert_eq!(super::check(&set).len(), 1);
    }

    #[test]
    fn an_area_upstream_typo_points_at_the_upstream_id() {
        let text = model(
            "upstreams:\n  base: { model: base.onus.yaml }",
            "  data: customer\n  hosts: acme",
        )
        .replace(
            "  hosts: { name: Hosts }",
            "  hosts: { name: Hosts, upstream: { bsae: [hosts] } }",
        );
        let found = check_files(&[
            ("m.onus.yaml", &text),
            (
                "base.onus.yaml",
                &model("", "  data: customer\n  hosts: acme"),
            ),
        ]);
        let d = found
            .iter()
            .find(|d| d.code.name() == "unknown-upstream")
            .unwrap();
        let start = text.find("bsae").unwrap() as u32;
        assert_eq!(d.span.unwrap().start, start);
    }

    #[test]
    fn second_trial() {
        // A flow list is underlined through its closing bracket.
        let text = model("", "  data: [acme, customer]\n  hosts: acme");
        let found = check_files(&[("m.onus.yaml", &text)]);
        let span = found[0].span.unwrap();
        assert_eq!(
            &text[span.start as usize..span.end as usize],
            "[acme, customer]"
        );

        // Not a model at all, or a version that is not there: one finding.
        assert_eq!(codes("foo: bar\n"), ["not-a-model"]);
        assert_eq!(codes("onus: ~\nmodel: { id: x }\n"), ["invalid-type"]);

        // `default` is not a valid offering id.
        let text = model("", "  data: customer\n  hosts: acme")
            .replace("  paas: { name: PaaS }", "  default: { name: PaaS }");
        assert!(codes(&text).contains(&"invalid-id"));

        // A misspelt upstream area is reported once, without coverage or inheritance findings.
        let up = model(
            "",
            "  data: { customer: { duties: [Back up] } }\n  hosts: acme",
        );
        let down = model(
            "upstreams:\n  up: { model: up.onus.yaml }",
            "  data: acme\n  hosts: { up: ~, acme: { scope: racks } }",
        )
        .replace("{ name: SaaS }", "{ name: SaaS, runs-on: { up: saas } }")
        .replace("{ name: PaaS }", "{ name: PaaS, runs-on: { up: paas } }")
        .replace(
            "  data: { name: Data }",
            "  data: { name: Data, upstream: { up: [dta] } }",
        );
        let found = check_files(&[("d.onus.yaml", &down), ("up.onus.yaml", &up)]);
        let codes: Vec<&str> = found.iter().map(|d| d.code.name()).collect();
        assert_eq!(codes, ["unknown-upstream-area"]);
    }

    #[test]
    fn third_trial() {
        // An empty cell is reported at its key, not at the next line.
        let text = model("", "  data:\n  hosts: acme");
        let found = check_files(&[("m.onus.yaml", &text)]);
        assert_eq!(found.len(), 1, "{found:?}");
        let span = found[0].span.unwrap();
        assert_eq!(&text[span.start as usize..span.end as usize], "data");

        // A tab after `key:` is shown and named.
        let text = model("", "  data: customer\n  hosts:\tacme");
        let found = check_files(&[("m.onus.yaml", &text)]);
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].message.contains("a tab (`\\t`) after `hosts:`"),
            "{found:?}"
        );
        assert_eq!(
            found[0].span.unwrap().start as usize,
            text.find('\t').unwrap()
        );

        // A qualified id in a cell points at the upstream's id.
        let found = check_files(&[(
            "m.onus.yaml",
            &model("", "  data: aws/amazon\n  hosts: acme"),
        )]);
        assert!(
            found[0].help.as_deref().unwrap().contains("write `aws`"),
            "{found:?}"
        );

        // A party that could not be read is still what a typo meant, and
        // an invalid party id is reported once, not at each use.
        let text = model("", "  data: custome\n  hosts: Auditor")
            .replace("role: customer", "role: custmer")
            .replace(
                "  acme: {",
                "  Auditor: { name: Auditor, role: thirdparty }\n  acme: {",
            );
        let found = check_files(&[("m.onus.yaml", &text)]);
        let codes: Vec<&str> = found.iter().map(|d| d.code.name()).collect();
        assert_eq!(
            codes,
            ["invalid-id", "invalid-value", "unknown-party"],
            "{found:?}"
        );
        assert_eq!(found[2].help.as_deref(), Some("did you mean `customer`?"));
    }
}
