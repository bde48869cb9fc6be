//! Loading, checking, resolving and rendering never panic, whatever the input.
//!
//! Three properties, each run through the whole pipeline (`syntax::parse`,
//! `load::decode`, `ModelSet::load`, `check::check`, `resolve::resolve`, the
//! text/JSON/SARIF renderers) with invariants that can fail:
//!
//! - `arbitrary_text`: arbitrary bytes (lossy UTF-8) and YAML-ish character soup;
//! - `structured_models`: plausible model chains of 1-3 in-memory files, built
//!   valid by construction from a stream of choices and then mutated (keys
//!   dropped, renamed, duplicated; values replaced by nulls, lists, maps, ids
//!   from the wrong namespace; upstream references turned into cycles; text cut);
//! - `mutated_examples`: the example models of the repository with byte edits.
//!
//! The generator draws every decision from a byte string, and a zero byte (or
//! running out of bytes) always means "the simple, valid choice", so proptest
//! shrinks a failure toward a small valid model plus the mutation that breaks it.
//!
//! Cases per property: 256, or `PROPTEST_CASES`. Long runs are recorded in
//! `docs/fuzzing.md`.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use onus_core::check::check;
use onus_core::diagnostic::{json, sarif, text, Diagnostic};
use onus_core::load::{decode, ModelSet};
use onus_core::resolve::{resolve, Matrix, Resolver};
use onus_core::source::{SourceMap, Span};
use onus_core::syntax::{parse, Syntax};
use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(256);
    ProptestConfig {
        cases,
        max_shrink_iters: 4096,
        ..ProptestConfig::default()
    }
}

// ---------------------------------------------------------------------------
// The pipeline and its invariants

/// Every span lies inside its file, and points at a line and column from 1.
fn assert_span(sources: &SourceMap, span: Span, d: &Diagnostic) {
    let count = sources.files().count();
    assert!(
        (span.file.0 as usize) < count,
        "span in file {} of {count}: {d:?}",
        span.file.0
    );
    let file = sources.get(span.file);
    let len = file.text.len();
    assert!(
        span.start <= span.end && span.end as usize <= len,
        "span {}..{} outside {} ({len} bytes): {d:?}",
        span.start,
        span.end,
        file.path.display()
    );
    let (line, col) = sources.line_col(span);
    assert!(line >= 1 && col >= 1, "line {line} col {col}: {d:?}");
}

fn assert_diagnostics(sources: &SourceMap, diagnostics: &[Diagnostic]) {
    for d in diagnostics {
        for span in d.span.iter().chain(d.related.iter().map(|(s, _)| s)) {
            assert_span(sources, *span, d);
        }
        assert!(!d.message.is_empty(), "empty message: {d:?}");
    }
}

/// Parses and decodes one text directly, in both syntaxes.
fn parse_and_decode(text: &str) {
    let mut sources = SourceMap::new();
    for (name, syntax) in [("m.onus.yaml", Syntax::Yaml), ("m.onus.json", Syntax::Json)] {
        let file = sources.add(name, text);
        let (root, mut found) = parse(file, text, syntax);
        if let Some(root) = root {
            let (_model, more) = decode(file, &root);
            found.extend(more);
        }
        assert_diagnostics(&sources, &found);
    }
}

/// Loads `roots` (and their upstreams) from `files`, checks, renders and resolves.
fn pipeline(files: &HashMap<PathBuf, String>, roots: &[PathBuf]) {
    let set = ModelSet::load(roots, files).expect("every root is in the map");
    let found = check(&set);
    assert_diagnostics(&set.sources, &found);
    for loaded in &set.models {
        // Every finding of loading is reported by check.
        for d in &loaded.diagnostics {
            assert!(found.contains(d), "lost by check: {d:?}");
        }
    }

    let _ = text::render(&found, &set.sources, false);
    let _ = text::render(&found, &set.sources, true);
    let value = json::to_value(&found, &set.sources);
    let back: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&value).unwrap()).expect("JSON parses back");
    let items = back.as_array().expect("JSON output is an array");
    assert_eq!(items.len(), found.len());
    for item in items {
        for key in ["line", "column"] {
            if let Some(n) = item[key].as_u64() {
                assert!(n >= 1, "{key} {n} in {item}");
            }
        }
    }
    let sarif = sarif::to_value(&found, &set.sources, "0.0.0");
    let back: serde_json::Value =
        serde_json::from_str(&serde_json::to_string(&sarif).unwrap()).expect("SARIF parses back");
    assert_eq!(
        back["runs"][0]["results"].as_array().map(Vec::len),
        Some(found.len())
    );

    let clean = !found.iter().any(Diagnostic::is_error);
    for i in 0..set.models.len() {
        let id = onus_core::load::ModelId(i);
        let matrix = resolve(&set, id);
        assert_customer_parts(&set, id, matrix.as_deref());
        if !clean {
            continue;
        }
        let matrix = matrix.unwrap_or_else(|| {
            panic!(
                "no errors, but {} does not resolve",
                set.get(id).path.display()
            )
        });
        let model = set.model(id).expect("a resolved model decoded");
        assert_eq!(matrix.offerings.len(), model.offerings.len());
        for offering in &matrix.offerings {
            assert_eq!(offering.areas.len(), model.areas.len());
            for area in &offering.areas {
                assert!(
                    !area.holders.is_empty(),
                    "no errors, but nobody holds `{}` in `{}` of {}",
                    area.id,
                    offering.id,
                    set.get(id).path.display()
                );
            }
        }
    }
}

/// The customer-parts resolver gives exactly the customer part of every
/// cell that full resolution gives, and nothing else.
fn assert_customer_parts(set: &ModelSet, id: onus_core::load::ModelId, full: Option<&Matrix>) {
    let parts = Resolver::customer_parts(set).resolve(id);
    assert_eq!(parts.is_some(), full.is_some());
    let (Some(parts), Some(full)) = (parts, full) else {
        return;
    };
    assert_eq!(parts.offerings.len(), full.offerings.len());
    for (p, f) in parts.offerings.iter().zip(&full.offerings) {
        assert_eq!(p.areas.len(), f.areas.len());
        for (pa, fa) in p.areas.iter().zip(&f.areas) {
            let expected: Vec<_> = fa.customer_part().collect();
            let got: Vec<_> = pa.holders.iter().collect();
            assert_eq!(
                got,
                expected,
                "`{}` in `{}` of {}",
                fa.id,
                f.id,
                set.get(id).path.display()
            );
        }
    }
}

fn one_file(name: &str, text: String) {
    let path = PathBuf::from(name);
    let files = HashMap::from([(path.clone(), text)]);
    pipeline(&files, &[path]);
}

// ---------------------------------------------------------------------------
// 1. Arbitrary text

fn arbitrary_text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::collection::vec(any::<u8>(), 0..512)
            .prop_map(|b| String::from_utf8_lossy(&b).into_owned()),
        // Characters that mean something to YAML or JSON, and a few ids.
        prop::collection::vec(
            prop::sample::select(vec![
                "a",
                "b",
                "1",
                "-",
                "_",
                ":",
                ": ",
                ",",
                "[",
                "]",
                "{",
                "}",
                "'",
                "\"",
                "\\",
                "&a",
                "*a",
                "!",
                "!!str ",
                "|",
                ">",
                "#",
                "%",
                "@",
                "`",
                "?",
                "~",
                " ",
                "  ",
                "\t",
                "\n",
                "\r\n",
                "---\n",
                "...\n",
                "é",
                "\u{feff}",
                "onus: 1\n",
                "model:",
                "id",
                "parties:",
                "areas:",
                "null",
                "true",
                "0x1f",
                "\\u00e9",
                "\\ud800",
            ]),
            0..160,
        )
        .prop_map(|parts| parts.concat()),
    ]
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn arbitrary_text_never_panics(text in arbitrary_text()) {
        parse_and_decode(&text);
        one_file("m.onus.yaml", text.clone());
        one_file("m.onus.json", text);
    }
}

// ---------------------------------------------------------------------------
// 2. Structured models

/// A document before it is written out: keys may repeat and be of any kind.
#[derive(Clone, Debug, PartialEq)]
enum Y {
    Null,
    Bool(bool),
    Num(i64),
    Str(String),
    Seq(Vec<Y>),
    Map(Vec<(Y, Y)>),
}

fn s(text: &str) -> Y {
    Y::Str(text.to_string())
}

fn map(entries: Vec<(&str, Y)>) -> Y {
    Y::Map(entries.into_iter().map(|(k, v)| (s(k), v)).collect())
}

fn list(items: &[&str]) -> Y {
    Y::Seq(items.iter().map(|i| s(i)).collect())
}

/// Decisions drawn from bytes; zero (and the end of the bytes) is the simple choice.
struct Choices<'a> {
    bytes: &'a [u8],
    pos: usize,
}

impl Choices<'_> {
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.pos).copied().unwrap_or(0);
        self.pos += 1;
        b
    }

    fn below(&mut self, n: usize) -> usize {
        match n {
            0 | 1 => 0,
            2..=256 => self.byte() as usize % n,
            _ => (usize::from(self.byte()) << 8 | usize::from(self.byte())) % n,
        }
    }

    /// True about `pct` percent of the time on random bytes, never on zeros.
    fn chance(&mut self, pct: u32) -> bool {
        u32::from(self.byte()) * 100 >= (100 - pct.min(100)) * 256 && pct > 0
    }

    fn pick<'p>(&mut self, items: &[&'p str]) -> &'p str {
        items[self.below(items.len())]
    }

    /// A subset of `items` in their order, at least `min` long.
    fn subset<'p>(&mut self, items: &[&'p str], min: usize) -> Vec<&'p str> {
        items
            .iter()
            .enumerate()
            .filter(|(i, _)| *i < min || !self.chance(35))
            .map(|(_, x)| *x)
            .collect()
    }
}

const FILES: &[&str] = &["a.onus.yaml", "b.onus.yaml", "c.onus.json"];
const OFFERINGS: &[&str] = &["saas", "paas", "iaas"];
const AREAS: &[&str] = &["data", "apps", "os", "hosts", "net"];
const OWN_AREAS: &[&str] = &["people", "config"];
const PRACTICES: &[&str] = &["policy", "mfa"];
const EVIDENCE: &[&str] = &["soc2", "iso"];
/// Scalars a mutation may put anywhere: ids of every namespace, near misses,
/// keys of the format, paths, and values that are not ids at all.
const WORDS: &[&str] = &[
    "acme",
    "customer",
    "auditor",
    "up",
    "saas",
    "paas",
    "default",
    "data",
    "os",
    "stack",
    "policy",
    "soc2",
    "nist",
    "nist:ac-2",
    "custmer",
    "Acme",
    "a b",
    "",
    "-x",
    "é",
    "provider",
    "third-party",
    "a.onus.yaml",
    "b.onus.yaml",
    "./c.onus.json",
    "../a.onus.yaml",
    "missing.onus.yaml",
];

/// [`WORDS`] and every key of the format, as the model types declare them.
static JUNK: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    use onus_core::model::{
        Area, Framework, Holding, Meta, Model, Offering, Party, Reference, Upstream,
    };
    let keys = [
        Model::KEYS,
        Meta::KEYS,
        Party::KEYS,
        Upstream::KEYS,
        Offering::KEYS,
        Area::KEYS,
        Reference::KEYS,
        Framework::KEYS,
        Holding::KEYS,
    ];
    WORDS.iter().chain(keys.concat().iter()).copied().collect()
});

/// What a downstream model needs to know about the model it runs on.
struct Upstream {
    file: &'static str,
    offerings: Vec<&'static str>,
    areas: Vec<&'static str>,
}

/// What the cells of one model may name.
struct Scope {
    parties: Vec<&'static str>,
    offerings: Vec<(&'static str, bool)>,
    has_upstream: bool,
    practices: Vec<&'static str>,
    evidence: Vec<&'static str>,
}

fn holding(c: &mut Choices, scope: &Scope) -> Y {
    let mut entries = Vec::new();
    if c.chance(50) {
        entries.push((
            "scope",
            s(["platform", "tenant", "Mixed: both"][c.below(3)]),
        ));
    }
    if c.chance(50) {
        let n = 1 + c.below(3);
        let duties: Vec<Y> = (0..n)
            .map(|i| s(&format!("Duty {i}: do \"things\" #{i}")))
            .collect();
        entries.push(("duties", Y::Seq(duties)));
    }
    if !scope.practices.is_empty() && c.chance(30) {
        entries.push(("how", list(&c.subset(&scope.practices, 1))));
    }
    if !scope.evidence.is_empty() && c.chance(30) {
        entries.push(("evidence", list(&c.subset(&scope.evidence, 1))));
    }
    if c.chance(20) {
        entries.push(("note", s("A note\nover two lines")));
    }
    if entries.is_empty() && c.chance(50) {
        return Y::Null;
    }
    map(entries)
}

/// Forms 1, 2, 3 and (when `inherit`) 5: holders of one area in every offering it covers.
fn holders(c: &mut Choices, scope: &Scope, inherit: bool) -> Y {
    let form = c.below(if inherit { 5 } else { 3 });
    match form {
        0 => s(c.pick(&scope.parties)),
        1 => {
            let parties = c.subset(&scope.parties, 1);
            if parties.len() == 1 && c.chance(50) {
                s(parties[0])
            } else {
                list(&parties)
            }
        }
        2 => Y::Map(
            c.subset(&scope.parties, 1)
                .into_iter()
                .map(|p| (s(p), holding(c, scope)))
                .collect(),
        ),
        // Inheriting: with a party beside the upstream, so the upstream's
        // customer part is covered (alone now and then: an error, not a panic).
        _ => {
            if c.chance(10) {
                return if c.chance(50) {
                    s("up")
                } else {
                    map(vec![("up", holding(c, scope))])
                };
            }
            let mut entries = vec![(s("up"), holding(c, scope))];
            for p in c.subset(&scope.parties, 1) {
                entries.push((s(p), holding(c, scope)));
            }
            if c.chance(50) {
                entries.reverse();
            }
            if form == 3 && entries.iter().all(|(_, v)| *v == Y::Null) {
                Y::Seq(entries.into_iter().map(|(k, _)| k).collect())
            } else {
                Y::Map(entries)
            }
        }
    }
}

/// One cell, in any of the five forms.
fn cell(c: &mut Choices, scope: &Scope, backed: bool) -> Y {
    let inherit_everywhere =
        scope.has_upstream && backed && scope.offerings.iter().all(|(_, runs)| *runs);
    if !c.chance(35) {
        return holders(c, scope, inherit_everywhere);
    }
    // Form 4: per offering, with `default` for the rest.
    let mut entries = Vec::new();
    let mut missing = false;
    for &(offering, runs) in &scope.offerings {
        if c.chance(30) {
            missing = true;
            continue;
        }
        let inherit = scope.has_upstream && backed && runs;
        entries.push((s(offering), holders(c, scope, inherit)));
    }
    if missing || entries.is_empty() || c.chance(15) {
        let inherit = scope.has_upstream && backed && scope.offerings.iter().all(|(_, r)| *r);
        entries.push((s("default"), holders(c, scope, inherit)));
    }
    Y::Map(entries)
}

/// A model valid by construction, running on `upstream` when there is one.
fn model(c: &mut Choices, index: usize, upstream: Option<&Upstream>) -> (Y, Upstream) {
    let mut top = vec![("onus", Y::Num(1))];
    let mut meta = vec![
        ("id", s(&format!("m{index}"))),
        ("name", s(&format!("Model {index}"))),
        (
            "publisher",
            s(if c.chance(3) { "customer" } else { "acme" }),
        ),
    ];
    if c.chance(30) {
        meta.push(("version", s("2024-06")));
    }
    if c.chance(20) {
        meta.push(("description", s("Runs: on things, \"quoted\" & more")));
    }
    top.push(("model", map(meta)));

    let mut parties = vec![
        (
            "acme",
            map(vec![("name", s("Acme")), ("role", s("provider"))]),
        ),
        (
            "customer",
            map(vec![("name", s("Customer")), ("role", s("customer"))]),
        ),
    ];
    if c.chance(30) {
        parties.push((
            "auditor",
            map(vec![("name", s("Auditor")), ("role", s("third-party"))]),
        ));
    }
    let party_ids: Vec<&'static str> = ["acme", "customer", "auditor"][..parties.len()].to_vec();
    if c.chance(50) {
        parties.reverse();
    }
    top.push(("parties", map(parties)));

    if let Some(up) = upstream {
        let path = match c.below(4) {
            0 | 1 => up.file.to_string(),
            2 => format!("./{}", up.file),
            _ => format!("sub/../{}", up.file),
        };
        let mut entry = vec![("model", s(&path))];
        if c.chance(30) {
            entry.push(("as", s(if c.chance(50) { "customer" } else { "acme" })));
        }
        top.push(("upstreams", map(vec![("up", map(entry))])));
    }

    let offering_ids = c.subset(OFFERINGS, 1);
    let mut offerings = Vec::new();
    let mut scope_offerings = Vec::new();
    for &id in &offering_ids {
        let mut fields = vec![("name", s(&id.to_uppercase()))];
        let runs = match upstream {
            Some(up) if !c.chance(15) => {
                let target = up.offerings[c.below(up.offerings.len())];
                fields.push(("runs-on", map(vec![("up", s(target))])));
                true
            }
            _ => false,
        };
        if c.chance(20) {
            fields.push(("description", s("An offering")));
        }
        offerings.push((id, map(fields)));
        scope_offerings.push((id, runs));
    }
    top.push(("offerings", map(offerings)));

    let practices = if c.chance(40) {
        c.subset(PRACTICES, 1)
    } else {
        Vec::new()
    };
    let evidence = if c.chance(40) {
        c.subset(EVIDENCE, 1)
    } else {
        Vec::new()
    };
    let framework = c.chance(30);

    // Areas: every upstream area is claimed, by an area of the same id or
    // through an explicit `upstream:` list on the area `stack`.
    let mut areas: Vec<(&'static str, bool, Option<Vec<&'static str>>)> = Vec::new();
    let mut stack = Vec::new();
    match upstream {
        Some(up) => {
            for &a in &up.areas {
                if c.chance(25) {
                    stack.push(a);
                } else {
                    areas.push((a, true, None));
                }
            }
            for a in c.subset(OWN_AREAS, 0).into_iter().filter(|_| c.chance(40)) {
                areas.push((a, false, None));
            }
        }
        None => {
            for a in c.subset(AREAS, 1) {
                areas.push((a, false, None));
            }
        }
    }
    if upstream.is_some() && c.chance(5) {
        // Deviations: an area standing for nothing, or for an area the upstream lacks.
        stack.push(["nowhere", "data"][c.below(2)]);
        if c.chance(50) {
            stack.clear();
        }
        areas.push(("stack", true, Some(stack)));
    } else if !stack.is_empty() {
        areas.push(("stack", true, Some(stack)));
    }
    let area_ids: Vec<&'static str> = areas.iter().map(|(a, _, _)| *a).collect();
    let mut area_map = Vec::new();
    for (id, _, stands_for) in &areas {
        let mut fields = vec![("name", s(&format!("Area {id}")))];
        if c.chance(30) {
            fields.push(("group", s("Group one")));
        }
        if let Some(list_) = stands_for {
            fields.push(("upstream", map(vec![("up", list(list_))])));
        }
        if framework && c.chance(50) {
            fields.push(("controls", list(&["nist:ac-2", "nist:sc-7.1"])));
        }
        area_map.push((*id, map(fields)));
    }
    top.push(("areas", map(area_map)));

    if !practices.is_empty() {
        let entries = practices
            .iter()
            .map(|&p| {
                (
                    p,
                    map(vec![
                        ("name", s(&format!("Practice {p}"))),
                        ("kind", s("policy")),
                        ("access", s("nda")),
                    ]),
                )
            })
            .collect();
        top.push(("practices", map(entries)));
    }
    if !evidence.is_empty() {
        let entries = evidence
            .iter()
            .map(|&e| {
                (
                    e,
                    map(vec![
                        ("name", s(&format!("Evidence {e}"))),
                        ("kind", s("report")),
                    ]),
                )
            })
            .collect();
        top.push(("evidence", map(entries)));
    }
    if framework {
        top.push((
            "frameworks",
            map(vec![("nist", map(vec![("name", s("NIST SP 800-53"))]))]),
        ));
    }

    let scope = Scope {
        parties: party_ids,
        offerings: scope_offerings,
        has_upstream: upstream.is_some(),
        practices,
        evidence,
    };
    let mut cells: Vec<(&str, Y)> = areas
        .iter()
        // Now and then an area that stands for nothing upstream inherits anyway.
        .map(|(id, backed, _)| {
            let backed = *backed || c.chance(5);
            (*id, cell(c, &scope, backed))
        })
        .collect();
    if c.chance(30) {
        cells.reverse();
    }
    top.push(("responsibilities", map(cells)));

    if c.chance(30) {
        // The top-level order does not matter.
        let n = top.len();
        top.swap(c.below(n), c.below(n));
    }
    let built = Upstream {
        file: FILES[index],
        offerings: offering_ids,
        areas: area_ids,
    };
    (map(top), built)
}

fn count(y: &Y) -> usize {
    1 + match y {
        Y::Seq(items) => items.iter().map(count).sum(),
        Y::Map(entries) => entries.iter().map(|(k, v)| count(k) + count(v)).sum(),
        _ => 0,
    }
}

/// The `n`th node in preorder, keys included.
fn node_at(y: &mut Y, n: usize) -> &mut Y {
    if n == 0 {
        return y;
    }
    let mut n = n - 1;
    match y {
        Y::Seq(items) => {
            for item in items {
                let size = count(item);
                if n < size {
                    return node_at(item, n);
                }
                n -= size;
            }
        }
        Y::Map(entries) => {
            for (k, v) in entries {
                for node in [k, v] {
                    let size = count(node);
                    if n < size {
                        return node_at(node, n);
                    }
                    n -= size;
                }
            }
        }
        _ => {}
    }
    unreachable!("node index past the end")
}

fn junk(c: &mut Choices) -> Y {
    match c.below(10) {
        0 => Y::Null,
        1 => Y::Bool(c.chance(50)),
        2 => Y::Num(i64::from(c.byte()) - 64),
        3 => Y::Seq(Vec::new()),
        4 => Y::Map(Vec::new()),
        5 => Y::Seq(vec![s(c.pick(&JUNK)), s(c.pick(&JUNK))]),
        6 => Y::Map(vec![(s(c.pick(&JUNK)), s(c.pick(&JUNK)))]),
        7 => Y::Map(vec![(s(c.pick(&JUNK)), Y::Null)]),
        _ => s(c.pick(&JUNK)),
    }
}

/// One random edit somewhere in the document.
fn mutate(c: &mut Choices, root: &mut Y) {
    let n = c.below(count(root));
    let node = node_at(root, n);
    match c.below(8) {
        0 => *node = junk(c),
        1 => *node = Y::Null,
        2 => *node = Y::Seq(vec![node.clone()]),
        3 => *node = Y::Map(vec![(s(c.pick(&JUNK)), node.clone())]),
        _ => match node {
            Y::Map(entries) if !entries.is_empty() => {
                let i = c.below(entries.len());
                match c.below(5) {
                    0 => {
                        entries.remove(i);
                    }
                    1 => {
                        let e = entries[i].clone();
                        entries.push(e);
                    }
                    2 => entries[i].0 = s(c.pick(&JUNK)),
                    3 => {
                        let k = entries.len();
                        entries.swap(i, c.below(k));
                    }
                    _ => {
                        let k = s(c.pick(&JUNK));
                        let v = junk(c);
                        entries.insert(i, (k, v));
                    }
                }
            }
            Y::Seq(items) if !items.is_empty() => {
                let i = c.below(items.len());
                match c.below(3) {
                    0 => {
                        items.remove(i);
                    }
                    1 => {
                        let e = items[i].clone();
                        items.push(e);
                    }
                    _ => items[i] = junk(c),
                }
            }
            Y::Str(text) => match c.below(4) {
                0 => text.push('x'),
                1 => {
                    text.pop();
                }
                2 => *text = text.to_uppercase(),
                _ => *text = c.pick(&JUNK).to_string(),
            },
            other => *other = junk(c),
        },
    }
}

/// Writes a document as YAML, choosing block or flow style and quoting as it goes.
struct YamlWriter<'c, 'b> {
    c: &'c mut Choices<'b>,
    out: String,
}

fn plain_ok(text: &str) -> bool {
    let first_ok = text
        .chars()
        .next()
        .is_some_and(|ch| ch.is_ascii_alphabetic());
    first_ok
        && !text.ends_with(' ')
        && text
            .chars()
            .all(|ch| ch.is_ascii_alphanumeric() || " ._/-".contains(ch))
        && !matches!(
            text,
            "null" | "Null" | "NULL" | "true" | "True" | "TRUE" | "false" | "False" | "FALSE"
        )
}

impl YamlWriter<'_, '_> {
    fn scalar(&mut self, y: &Y) {
        match y {
            Y::Null => self.out.push('~'),
            Y::Bool(b) => self.out.push_str(if *b { "true" } else { "false" }),
            Y::Num(n) => self.out.push_str(&n.to_string()),
            Y::Str(text) => {
                if plain_ok(text) && !self.c.chance(15) {
                    self.out.push_str(text);
                } else if !text.contains('\n') && self.c.chance(40) {
                    self.out.push('\'');
                    self.out.push_str(&text.replace('\'', "''"));
                    self.out.push('\'');
                } else {
                    self.out.push_str(&serde_json::to_string(text).unwrap());
                }
            }
            Y::Seq(_) | Y::Map(_) => self.flow(y),
        }
    }

    fn flow(&mut self, y: &Y) {
        match y {
            Y::Seq(items) => {
                self.out.push('[');
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    self.flow(item);
                }
                self.out.push(']');
            }
            Y::Map(entries) => {
                self.out.push('{');
                for (i, (k, v)) in entries.iter().enumerate() {
                    if i > 0 {
                        self.out.push_str(", ");
                    }
                    if matches!(k, Y::Seq(_) | Y::Map(_)) {
                        self.out.push_str("? ");
                        self.flow(k);
                        self.out.push(' ');
                    } else {
                        self.scalar(k);
                    }
                    self.out.push_str(": ");
                    self.flow(v);
                }
                self.out.push('}');
            }
            _ => self.scalar(y),
        }
    }

    fn is_block(&mut self, y: &Y) -> bool {
        match y {
            Y::Seq(items) => !items.is_empty() && !self.c.chance(20),
            Y::Map(entries) => !entries.is_empty() && !self.c.chance(20),
            _ => false,
        }
    }

    /// A block map at `indent`; the first key goes where the cursor is.
    fn block_map(&mut self, entries: &[(Y, Y)], indent: usize) {
        for (i, (k, v)) in entries.iter().enumerate() {
            if i > 0 {
                self.out.push_str(&" ".repeat(indent));
            }
            if matches!(k, Y::Seq(_) | Y::Map(_)) {
                self.out.push_str("? ");
                self.flow(k);
                self.out.push('\n');
                self.out.push_str(&" ".repeat(indent));
                self.out.push(':');
            } else {
                self.scalar(k);
                self.out.push(':');
            }
            self.value(v, indent);
        }
    }

    /// What follows `key:` in a block map, up to and including the line break.
    fn value(&mut self, v: &Y, indent: usize) {
        if self.is_block(v) {
            self.out.push('\n');
            match v {
                Y::Map(entries) => {
                    self.out.push_str(&" ".repeat(indent + 2));
                    self.block_map(entries, indent + 2);
                }
                Y::Seq(items) => {
                    let indent = if self.c.chance(50) {
                        indent
                    } else {
                        indent + 2
                    };
                    self.block_seq(items, indent);
                }
                _ => unreachable!(),
            }
        } else if *v == Y::Null && self.c.chance(50) {
            self.out.push('\n');
        } else {
            self.out.push(' ');
            self.flow(v);
            self.out.push('\n');
        }
    }

    fn block_seq(&mut self, items: &[Y], indent: usize) {
        for item in items {
            self.out.push_str(&" ".repeat(indent));
            self.out.push_str("- ");
            match item {
                Y::Map(entries) if !entries.is_empty() && !self.c.chance(30) => {
                    self.block_map(entries, indent + 2);
                }
                _ => {
                    self.flow(item);
                    self.out.push('\n');
                }
            }
        }
    }

    fn document(mut self, root: &Y) -> String {
        if self.c.chance(10) {
            self.out.push_str("# a model\n---\n");
        }
        match root {
            Y::Map(entries) if !entries.is_empty() && !self.c.chance(5) => {
                self.block_map(entries, 0)
            }
            Y::Seq(items) if !items.is_empty() => self.block_seq(items, 0),
            other => {
                self.flow(other);
                self.out.push('\n');
            }
        }
        self.out
    }
}

/// JSON, keeping repeated keys; keys that are not text are written as their text.
fn to_json(y: &Y, out: &mut String) {
    match y {
        Y::Null => out.push_str("null"),
        Y::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Y::Num(n) => out.push_str(&n.to_string()),
        Y::Str(text) => out.push_str(&serde_json::to_string(text).unwrap()),
        Y::Seq(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                to_json(item, out);
            }
            out.push(']');
        }
        Y::Map(entries) => {
            out.push_str("{\n");
            for (i, (k, v)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(",\n");
                }
                let key = match k {
                    Y::Str(text) => text.clone(),
                    other => {
                        let mut t = String::new();
                        to_json(other, &mut t);
                        t
                    }
                };
                out.push_str(&serde_json::to_string(&key).unwrap());
                out.push_str(": ");
                to_json(v, out);
            }
            out.push_str("\n}");
        }
    }
}

/// Cuts, splices or garbles the text here and there.
fn garble(c: &mut Choices, text: &mut String) {
    let at = |c: &mut Choices, text: &str| {
        let mut i = c.below(text.len() + 1);
        while !text.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    match c.below(4) {
        0 => {
            let i = at(c, text);
            text.truncate(i);
        }
        1 => {
            let i = at(c, text);
            let bits = [
                "\n", ":", "- ", "{", "]", "'", "\"", "&x ", "*x", "\t", "é", "#",
            ];
            text.insert_str(i, bits[c.below(bits.len())]);
        }
        2 => {
            let i = at(c, text);
            let j = at(c, text);
            let (i, j) = (i.min(j), i.max(j));
            text.replace_range(i..j, "");
        }
        _ => {
            let i = at(c, text);
            let line_start = text[..i].rfind('\n').map_or(0, |p| p + 1);
            let line_end = text[i..].find('\n').map_or(text.len(), |p| i + p + 1);
            let line = text[line_start..line_end].to_string();
            text.insert_str(line_start, &line);
        }
    }
}

/// 1-3 files, `a` running on `b` running on `c`, each valid, then mutated.
fn structured_files(bytes: &[u8]) -> (HashMap<PathBuf, String>, Vec<PathBuf>) {
    let mut c = Choices { bytes, pos: 0 };
    let n = 1 + c.below(3);
    let mut docs: Vec<Y> = vec![Y::Null; n];
    let mut upstream: Option<Upstream> = None;
    for i in (0..n).rev() {
        let (doc, built) = model(&mut c, i, upstream.as_ref());
        docs[i] = doc;
        upstream = Some(built);
    }
    if c.chance(5) {
        // The deepest model runs on the first: a cycle.
        if let Y::Map(entries) = &mut docs[n - 1] {
            let to = map(vec![("model", s(FILES[c.below(n)]))]);
            entries.push((s("upstreams"), map(vec![("loop", to)])));
        }
    }
    if c.chance(55) {
        for _ in 0..1 + c.below(4) {
            let i = c.below(n);
            mutate(&mut c, &mut docs[i]);
        }
    }
    let mut files = HashMap::new();
    for (i, doc) in docs.iter().enumerate() {
        let mut text = if FILES[i].ends_with(".json") {
            let mut out = String::new();
            to_json(doc, &mut out);
            out
        } else {
            YamlWriter {
                c: &mut c,
                out: String::new(),
            }
            .document(doc)
        };
        if c.chance(5) {
            garble(&mut c, &mut text);
        }
        files.insert(PathBuf::from(FILES[i]), text);
    }
    let roots = if c.chance(25) {
        // As `onus check DIR` does: every file is a root, upstreams included.
        let mut all: Vec<PathBuf> = (0..n).rev().map(|i| PathBuf::from(FILES[i])).collect();
        if c.chance(50) {
            all.reverse();
        }
        all
    } else {
        vec![PathBuf::from(FILES[0])]
    };
    (files, roots)
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn structured_models_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..1024)) {
        let (files, roots) = structured_files(&bytes);
        for text in files.values() {
            parse_and_decode(text);
        }
        pipeline(&files, &roots);
    }
}

/// The generator's all-zero path is a valid model with no findings at all,
/// so shrinking lands on small valid models.
#[test]
fn zero_choices_give_a_clean_model() {
    for bytes in [vec![], vec![2u8], vec![1u8]] {
        let (files, roots) = structured_files(&bytes);
        let set = ModelSet::load(&roots, &files).unwrap();
        let found = check(&set);
        assert!(found.is_empty(), "{files:#?}\n{found:#?}");
        pipeline(&files, &roots);
    }
}

/// A sizeable share of the structured cases check without errors, so the
/// "no errors implies a full matrix" invariant is exercised, and the rest
/// cover many codes (`ONUS_COVERAGE_CASES=20000 ... -- --nocapture` to see
/// which over more cases).
#[test]
fn structured_cases_cover_clean_and_broken_models() {
    let cases: usize = std::env::var("ONUS_COVERAGE_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(500);
    let mut rng = 0x2545_f491_4f6c_dd1d_u64;
    let mut clean = 0;
    let mut codes = std::collections::BTreeSet::new();
    for _ in 0..cases {
        let bytes: Vec<u8> = (0..1024)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        let (files, roots) = structured_files(&bytes);
        let set = ModelSet::load(&roots, &files).unwrap();
        let found = check(&set);
        if !found.iter().any(Diagnostic::is_error) {
            clean += 1;
        }
        codes.extend(found.iter().map(|d| d.code.name()));
    }
    eprintln!("{clean} of {cases} clean; {} codes: {codes:?}", codes.len());
    assert!(
        clean >= cases / 5,
        "only {clean} of {cases} cases are clean"
    );
    assert!(codes.len() >= 25, "only {} codes: {codes:?}", codes.len());
}

// ---------------------------------------------------------------------------
// 3. The repository's examples, edited

fn examples() -> HashMap<PathBuf, String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples");
    let mut files = HashMap::new();
    for entry in std::fs::read_dir(&dir).expect("examples folder") {
        let path = entry.unwrap().path();
        if path.to_string_lossy().ends_with(".onus.yaml") {
            let name = PathBuf::from(path.file_name().unwrap());
            files.insert(name, std::fs::read_to_string(&path).unwrap());
        }
    }
    files
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn mutated_examples_never_panic(
        which in any::<prop::sample::Index>(),
        bytes in prop::collection::vec(any::<u8>(), 1..64),
    ) {
        let mut files = examples();
        let mut names: Vec<PathBuf> = files.keys().cloned().collect();
        names.sort();
        let name = which.get(&names).clone();
        let mut c = Choices { bytes: &bytes, pos: 0 };
        let text = files.get_mut(&name).unwrap();
        for _ in 0..1 + c.below(3) {
            garble(&mut c, text);
        }
        parse_and_decode(text);
        pipeline(&files, &names);
    }
}

#[test]
fn the_examples_are_clean() {
    let files = examples();
    let mut names: Vec<PathBuf> = files.keys().cloned().collect();
    names.sort();
    assert!(names.len() >= 2);
    let set = ModelSet::load(&names, &files).unwrap();
    let errors: Vec<Diagnostic> = check(&set)
        .into_iter()
        .filter(Diagnostic::is_error)
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    pipeline(&files, &names);
}

/// Replays a structured case: `ONUS_REPLAY='[1, 2, 3]' cargo test -p onus-core
/// --test no_panic replay -- --ignored --nocapture` prints the files that the
/// bytes proptest reported as minimal build, then runs the pipeline on them.
#[test]
#[ignore]
fn replay() {
    let spec = std::env::var("ONUS_REPLAY").expect("set ONUS_REPLAY to the failing bytes");
    let bytes: Vec<u8> = spec
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    let (files, roots) = structured_files(&bytes);
    let mut names: Vec<&PathBuf> = files.keys().collect();
    names.sort();
    for name in names {
        eprintln!("--- {}\n{}", name.display(), files[name]);
    }
    eprintln!("--- roots: {roots:?}");
    let set = ModelSet::load(&roots, &files).unwrap();
    eprint!("{}", text::render(&check(&set), &set.sources, false));
    pipeline(&files, &roots);
}

// ---------------------------------------------------------------------------
// 4. Hostile shapes (issue 15): deep nesting, large anchored strings repeated
// through aliases, long chains of upstreams. Each must end in findings (or a
// model), within the stack of a test thread, never in an abort.

/// A text nested `depth` levels deep, one of the ways YAML nests.
fn nested(unit: usize, depth: usize) -> String {
    match unit {
        0 => format!("{}x\n", "- ".repeat(depth)),
        1 => format!("{}x\n", "? ".repeat(depth)),
        2 => format!("{}x{}\n", "[".repeat(depth), "]".repeat(depth)),
        3 => format!("{}x{}\n", "{a: ".repeat(depth), "}".repeat(depth)),
        _ => (0..depth)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect(),
    }
}

/// An anchored string of `len` bytes, repeated through `aliases` aliases
/// (in a flow list, or as block map values).
fn bomb(len: usize, aliases: usize, block: bool) -> String {
    let mut text = format!("onus: 1\na: &s {}\n", "x".repeat(len.max(1)));
    if block {
        text.push_str("b:\n");
        for i in 0..aliases {
            text.push_str(&format!("  k{i}: *s\n"));
        }
    } else {
        text.push_str(&format!("b: [{}]\n", vec!["*s"; aliases].join(", ")));
    }
    text
}

/// A chain of `len` upstreams in memory, the last one running on the first
/// when `cycle`.
fn chain(len: usize, cycle: bool) -> HashMap<PathBuf, String> {
    (0..len)
        .map(|i| {
            let next = if i + 1 < len { i + 1 } else if cycle { 0 } else { len };
            let text = format!(
                "onus: 1\nmodel: {{ id: m{i}, name: M, publisher: p }}\nparties:\n  p: {{ name: P, role: provider }}\nupstreams:\n  up: {{ model: m{next}.onus.yaml }}\n"
            );
            (PathBuf::from(format!("m{i}.onus.yaml")), text)
        })
        .collect()
}

/// Runs `f` on a thread of 2 MB of stack: a parser or loader that recursed
/// once per level of these shapes would not fit.
fn on_small_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(2 << 20)
        .spawn(f)
        .unwrap()
        .join()
        .unwrap();
}

proptest! {
    // Each case is big (megabytes, thousands of files): a 32nd of the cases.
    #![proptest_config(ProptestConfig { cases: (config().cases / 32).max(8), ..config() })]

    #[test]
    fn deep_nesting_is_refused_within_the_stack(unit in 0..5usize, depth in 1..25_000usize) {
        // The indented map grows quadratically with depth: keep it smaller.
        let depth = if unit == 4 { depth % 2_000 + 1 } else { depth };
        on_small_stack(move || {
            let text = nested(unit, depth);
            parse_and_decode(&text);
            one_file("m.onus.yaml", text);
        });
    }

    #[test]
    fn aliases_are_bounded_in_nodes_and_bytes(
        len in 1..(2usize << 20),
        aliases in 1..40_000usize,
        block in any::<bool>(),
    ) {
        let text = bomb(len, aliases, block);
        let (root, found) = parse(onus_core::source::FileId(0), &text, Syntax::Yaml);
        // Whatever parses stays within the budget of 64 MB of repeated text.
        if root.is_some() {
            prop_assert!(len.saturating_mul(aliases) <= 64 << 20);
        } else {
            prop_assert!(found.iter().any(|d| d.message.contains("too large")), "{found:?}");
        }
    }

    #[test]
    fn long_chains_of_upstreams_load_within_the_stack(len in 1..3_000usize, cycle in any::<bool>()) {
        on_small_stack(move || {
            let files = chain(len, cycle);
            pipeline(&files, &[PathBuf::from("m0.onus.yaml")]);
        });
    }
}
