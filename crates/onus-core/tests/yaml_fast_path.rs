//! The fast YAML path (`syntax::yaml_paths::fast`) against the slow one
//! (yaml-rust2): whenever the fast path answers, its tree is the one the
//! slow path gives with no findings, values and spans byte for byte; and it
//! does answer for every model of the repository, the synthetic benchmark
//! chains and most generated documents in its subset.

#[allow(dead_code)]
#[path = "../benches/synthetic/mod.rs"]
mod synthetic;

use std::path::{Path, PathBuf};

use onus_core::source::FileId;
use onus_core::syntax::yaml_paths::{fast, slow};
use onus_core::syntax::Node;

/// The fast path's answer for `text`, checked against the slow path.
fn differential(text: &str) -> Option<Node> {
    let fast = fast(FileId(0), text);
    if let Some(root) = &fast {
        let (slow_root, findings) = slow(FileId(0), text);
        assert!(
            findings.is_empty(),
            "the fast path answers for {text:?}, the slow path finds {findings:?}"
        );
        assert_eq!(Some(root), slow_root.as_ref(), "{text:?}");
    }
    fast
}

fn model_files(dir: &Path, found: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            model_files(&path, found);
        } else if path.to_string_lossy().ends_with(".onus.yaml") {
            found.push(path);
        }
    }
}

#[test]
fn answers_for_every_model_of_the_repository() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let mut files = Vec::new();
    model_files(&root.join("examples"), &mut files);
    for krate in std::fs::read_dir(root.join("crates")).unwrap().flatten() {
        model_files(&krate.path().join("tests"), &mut files);
        model_files(&krate.path().join("src"), &mut files);
    }
    files.sort();
    assert!(files.len() >= 45, "found only {files:?}");
    let mut answered = 0;
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap();
        let (_, findings) = slow(FileId(0), &text);
        let fast = differential(&text);
        if findings.is_empty() {
            assert!(
                fast.is_some(),
                "the fast path gives up on {}",
                path.display()
            );
            answered += 1;
        } else {
            assert!(fast.is_none(), "{}", path.display());
        }
    }
    // Every file but the one with a syntax error (and the upstream it breaks).
    assert!(answered + 2 >= files.len(), "{answered} of {}", files.len());
}

#[test]
fn answers_for_the_synthetic_chains() {
    for size in ["100x5x1", "60x4x3", "2000x20x5"] {
        let size = synthetic::Size::parse(size).unwrap();
        for (name, text) in synthetic::generate(size) {
            assert!(differential(&text).is_some(), "{}", name.display());
        }
    }
}

// ---------------------------------------------------------------------------
// Generated documents

use proptest::prelude::*;

fn config() -> ProptestConfig {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(512);
    ProptestConfig {
        cases,
        max_shrink_iters: 8192,
        ..ProptestConfig::default()
    }
}

const PLAIN: &[&str] = &[
    "a",
    "name",
    "Area 1",
    "o-1",
    "nist:ac-2",
    "http://x.y/z?q=1&r",
    "-x",
    "1",
    "-1",
    "+2",
    "1.5",
    "0x1f",
    "0o17",
    ".inf",
    "-.Inf",
    ".nan",
    "1e3",
    "true",
    "False",
    "~",
    "null",
    "NULL",
    "é ü",
    "日本 語",
    "a#b",
    "a]",
    "a,b",
    "a}{",
    "it's",
    "say \"hi\"",
    "2024-06",
    "yes",
    ".",
    "a :b",
    "a - b",
    "x- y",
    "--x",
    "...x",
    "a  b",
    "k\u{a0}v",
];

/// Plain scalars the fast path gives up on (yaml-rust2 may accept them).
const PLAIN_EXOTIC: &[&str] = &[
    "?x",
    ":x",
    "&a x",
    "*a",
    "!t x",
    "!!str 1",
    "@x",
    "`x",
    "%x",
    "a: b",
    "a:",
    "- x",
    "-",
    "|",
    ">",
    "? x",
    "[a",
    "{a",
    "a\u{feff}b",
    "a\tb",
    "a\0b",
    "&a",
];

const QUOTED: &[&str] = &[
    "'x'",
    "'it''s'",
    "''",
    "' a  b '",
    "'a # b'",
    "'é'",
    "'\"'",
    "'a\\n'",
    "\"x\"",
    "\"a\\\"b\"",
    "\"\\\\\"",
    "\"\\n\\t\\r\"",
    "\"\\x41\\u00e9\\U0001F600\"",
    "\"\"",
    "\" a # b \"",
    "\"\\/\\0\\a\\b\\e\\f\\v\\ \\N\\_\\L\\P\"",
    "\"'\"",
    "\"日本\"",
    "\"1\"",
    "'true'",
];

const QUOTED_EXOTIC: &[&str] = &[
    "\"\\q\"",
    "\"\\ud800\"",
    "\"\\x4\"",
    "'unterminated",
    "\"a\\\n  b\"",
    "'a\n  b'",
    "\"a\tb\"",
    "'x'y",
    "\"x\"#c",
];

const GARBAGE: &[&str] = &[
    "---",
    "--- x",
    "...",
    "%YAML 1.2",
    "? x",
    "]",
    "}",
    ": x",
    "key: value: x",
    "\t",
    "\"unterminated",
    "- - x",
    "&anchor",
    "!tag",
    "*alias",
    "\r",
    "x",
    "#",
    "  - a",
    "k: [a,\n  b]",
    "k: >2\n   x",
    "\u{feff}",
];

/// Writes a YAML-ish document from a byte string of choices. A zero byte
/// (or the end of the bytes) is always the plain choice in the fast path's
/// subset; the others mix in what it must give up on (`exotic`: anchors,
/// tags, block scalars it does not read, tabs, bad indentation, text over
/// several lines, garbage), so proptest shrinks toward a small document.
/// Half the documents are `clean`: every choice stays in the subset, so the
/// fast path must answer for them if they are valid at all.
struct Gen<'a> {
    bytes: &'a [u8],
    at: usize,
    out: String,
    clean: bool,
    /// A construct outside the subset was written: the fast path may give up.
    exotic: bool,
    nl: &'static str,
    depth: usize,
    /// The column of the block scalar just written: a blank or comment
    /// line deeper than it belongs to it, as text the fast path gives up on.
    block_column: Option<usize>,
}

impl Gen<'_> {
    fn pick(&mut self, n: usize) -> usize {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        usize::from(b) % n.max(1)
    }

    /// True one time in `n` (never for a zero byte).
    fn chance(&mut self, n: usize) -> bool {
        self.pick(n) == n - 1
    }

    /// True one time in `n` when exotic constructs are allowed: the caller
    /// then writes one.
    fn odd(&mut self, n: usize) -> bool {
        let odd = self.chance(n) && !self.clean;
        self.exotic |= odd;
        odd
    }

    /// One of `n` choices, of which those from `exotic_from` on are exotic
    /// (and replaced by choice 0 in a clean document).
    fn choose(&mut self, n: usize, exotic_from: usize) -> usize {
        let choice = self.pick(n);
        if choice < exotic_from {
            choice
        } else if self.clean {
            0
        } else {
            self.exotic = true;
            choice
        }
    }

    fn from<'s>(&mut self, list: &[&'s str]) -> &'s str {
        list[self.pick(list.len())]
    }

    fn push(&mut self, text: &str) {
        self.out.push_str(text);
    }

    fn spaces(&mut self, n: usize) {
        self.out.extend(std::iter::repeat_n(' ', n));
    }

    fn newline(&mut self) {
        self.out.push_str(self.nl);
    }

    fn end_line(&mut self) {
        if self.chance(8) {
            let n = 1 + self.pick(3);
            self.spaces(n);
        }
        if self.chance(6) {
            let comment = self.from(&[" # note", " #", "  # a: [b", " # 'x", " #é"]);
            self.push(comment);
        }
        if self.odd(64) {
            self.push("\r");
        }
        self.newline();
    }

    /// Blank and comment lines, now and then, and garbage in mixed documents.
    fn decor(&mut self, indent: usize) {
        while self.chance(6) {
            match self.choose(4, 3) {
                0 => {}
                1 | 2 => {
                    let n = self.pick(indent + 3);
                    if self.block_column.is_some_and(|c| n > c) {
                        self.exotic = true;
                    }
                    self.spaces(n);
                    if self.pick(2) == 1 {
                        self.push("# comment: [x");
                    }
                }
                _ => {
                    let garbage = self.from(GARBAGE);
                    self.push(garbage);
                }
            }
            self.newline();
        }
    }

    fn indent(&mut self, indent: usize) {
        self.block_column = None;
        let mut indent = indent;
        if self.odd(24) {
            // Off by one: sometimes still valid, and then the fast path may give up.
            indent = if self.pick(2) == 0 {
                indent + 1
            } else {
                indent.saturating_sub(1)
            };
        }
        self.spaces(indent);
        if self.odd(48) {
            self.push("\t");
        }
    }

    fn scalar(&mut self, flow: bool) {
        match self.choose(20, 18) {
            0..=11 => {
                let word = self.from(PLAIN);
                // In flow context, flow indicators end a plain scalar.
                if flow && word.contains([',', '[', ']', '{', '}', '#']) {
                    self.push("b");
                } else {
                    self.push(word);
                }
            }
            12..=17 => {
                let quoted = self.from(QUOTED);
                self.push(quoted);
            }
            18 => {
                let plain = self.from(PLAIN_EXOTIC);
                self.push(plain);
            }
            _ => {
                let quoted = self.from(QUOTED_EXOTIC);
                self.push(quoted);
            }
        }
    }

    fn key(&mut self, used: &mut Vec<&'static str>) {
        if !used.is_empty() && self.chance(10) {
            // A duplicate key: both paths keep both entries.
            let again = used[self.pick(used.len())];
            self.push(again);
            return;
        }
        match self.choose(16, 15) {
            0..=11 => {
                let mut key = self.from(PLAIN);
                if key.contains(" #") {
                    key = "a";
                }
                used.push(key);
                self.push(key);
            }
            12..=14 => {
                let quoted = self.from(QUOTED);
                self.push(quoted);
            }
            _ => {
                let key = self.from(&["? x", "[a]", "{a: b}", "&k a", "!t a", "*k", "?"]);
                self.push(key);
            }
        }
    }

    fn flow(&mut self) {
        self.depth += 1;
        let deep = self.depth > 5;
        let map = self.pick(2) == 1;
        self.push(if map { "{" } else { "[" });
        let spaced = self.pick(2) == 1;
        if spaced {
            self.push(" ");
        }
        let n = self.pick(5);
        for i in 0..n {
            if i > 0 {
                let comma = self.from(&[", ", ",", " , "]);
                self.push(comma);
            }
            if map {
                let key = self.from(PLAIN);
                let key = if key.contains([',', '[', ']', '{', '}', '#', ':']) {
                    "k"
                } else {
                    key
                };
                self.push(key);
                match self.choose(16, 14) {
                    14 => {} // `{a}`: no value
                    15 => self.push(": , "),
                    _ => self.push(": "),
                }
            }
            match self.pick(4) {
                3 if !deep => self.flow(),
                _ => self.scalar(true),
            }
            if !map && self.odd(24) {
                self.push(": v");
            }
            if self.odd(48) {
                let nl = format!("{}  ", self.nl);
                self.push(&nl);
            }
        }
        if n > 0 && self.chance(8) {
            if map {
                if self.odd(1) {
                    self.push(",");
                }
            } else {
                self.push(",");
            }
        }
        if spaced {
            self.push(" ");
        }
        if !self.odd(48) {
            self.push(if map { "}" } else { "]" });
        }
        self.depth -= 1;
    }

    fn block_scalar(&mut self, indent: usize) {
        if self.odd(8) {
            let header = self.from(&["|+", ">+", "|2", ">1-", "|-x", ">#c"]);
            self.push(header);
        } else {
            let header = self.from(&["|", "|-", ">", ">-"]);
            self.push(header);
        }
        if self.chance(6) {
            self.push(" # folded");
        }
        self.newline();
        let column = indent + 1 + self.pick(3);
        let lines = 1 + self.pick(4);
        for i in 0..lines {
            if i > 0 && self.chance(4) {
                // An empty line, maybe with a few spaces.
                let n = self.pick(column + 1);
                self.spaces(n);
                self.newline();
            }
            let mut col = column;
            if self.odd(12) {
                col += 1 + self.pick(2);
            }
            self.spaces(col);
            let text = self.from(&["Line of text", "# not a comment", "a: b", "- x", "é", "x  "]);
            self.push(text);
            self.newline();
        }
        self.block_column = Some(column);
    }

    fn value(&mut self, indent: usize) {
        let deep = self.depth > 5;
        match self.choose(14, 13) {
            0..=2 => {
                self.push(" ");
                self.scalar(false);
                self.end_line();
            }
            3 => {
                self.push(" ");
                self.flow();
                self.end_line();
            }
            4 => self.end_line(), // empty
            5..=8 if !deep => {
                self.end_line();
                let child = indent + 1 + self.pick(3);
                self.map(child);
            }
            9 | 10 if !deep => {
                self.end_line();
                let child = indent + 1 + self.pick(3);
                self.seq(child);
            }
            11 if !deep => {
                // A list at the key's own indentation.
                self.end_line();
                self.seq(indent);
            }
            12 => {
                self.push(" ");
                self.block_scalar(indent);
            }
            13 => {
                let odd = self.from(&[
                    " &a x",
                    " *a",
                    " !!str 1",
                    " !t x",
                    " first\n  continued",
                    "\n  on the next line",
                    " [a,\n  b]",
                    " 'a\n  b'",
                    " a\n   b: c",
                    " - x",
                    "\n  - x\n - y",
                ]);
                self.push(odd);
                self.end_line();
            }
            _ => {
                self.push(" ");
                self.scalar(false);
                self.end_line();
            }
        }
    }

    fn map(&mut self, indent: usize) {
        self.depth += 1;
        let n = 1 + self.pick(6);
        let mut used = Vec::new();
        for _ in 0..n {
            self.decor(indent);
            self.indent(indent);
            self.entry(indent, &mut used);
        }
        self.depth -= 1;
    }

    /// `key:` and its value, the indentation already written.
    fn entry(&mut self, indent: usize, used: &mut Vec<&'static str>) {
        self.key(used);
        let colon = match self.choose(16, 14) {
            13 => "  :",
            14 => ": :",
            15 => ":\t",
            _ => ":",
        };
        self.push(colon);
        self.value(indent);
    }

    fn seq(&mut self, indent: usize) {
        self.depth += 1;
        let n = 1 + self.pick(5);
        for _ in 0..n {
            self.decor(indent);
            self.indent(indent);
            self.push("-");
            let deep = self.depth > 5;
            match self.choose(10, 9) {
                0..=3 => {
                    self.push(" ");
                    self.scalar(false);
                    self.end_line();
                }
                4 => {
                    self.push(" ");
                    self.flow();
                    self.end_line();
                }
                5..=7 if !deep => {
                    // A map in the entry: its next keys line up with the first.
                    let gap = 1 + self.pick(2);
                    self.spaces(gap);
                    let column = indent + 1 + gap;
                    let mut used = Vec::new();
                    self.depth += 1;
                    self.entry(column, &mut used);
                    for _ in 0..self.pick(3) {
                        self.decor(column);
                        self.indent(column);
                        self.entry(column, &mut used);
                    }
                    self.depth -= 1;
                }
                9 => {
                    let odd =
                        self.from(&[" - x", "", " # empty", "\n  x", " |\n  x", " &a x", "\tx"]);
                    self.push(odd);
                    self.end_line();
                }
                _ => {
                    self.push(" ");
                    self.scalar(false);
                    self.end_line();
                }
            }
        }
        self.depth -= 1;
    }

    fn document(mut self) -> (String, bool) {
        self.clean = self.pick(2) == 0;
        if self.chance(8) {
            self.nl = "\r\n";
        }
        if self.chance(8) {
            self.push("\u{feff}");
        }
        self.decor(0);
        if self.chance(6) {
            self.push("---");
            self.end_line();
        }
        match self.pick(10) {
            0..=6 => self.map(0),
            7 => self.seq(0),
            8 => {
                self.flow();
                self.end_line();
            }
            _ => {
                let indent = 1 + self.pick(2);
                self.map(indent);
            }
        }
        self.decor(0);
        if self.chance(8) {
            // No final line break (after a block scalar, blank lines at its
            // column make one more break for yaml-rust2: the fast path gives up).
            while self.out.ends_with(['\n', '\r']) {
                self.out.pop();
            }
            if self.block_column.is_some() && self.out.ends_with(' ') {
                self.exotic = true;
            }
        }
        if self.odd(24) {
            let cut = self.pick(self.out.len() + 1).min(self.out.len());
            let cut = (0..=cut)
                .rev()
                .find(|&c| self.out.is_char_boundary(c))
                .unwrap_or(0);
            self.out.truncate(cut);
        }
        (self.out, self.exotic)
    }
}

fn generate(bytes: &[u8]) -> (String, bool) {
    Gen {
        bytes,
        at: 0,
        out: String::new(),
        clean: true,
        exotic: false,
        nl: "\n",
        depth: 0,
        block_column: None,
    }
    .document()
}

/// Choices, zero (the plain one) one time in four.
fn choices() -> impl Strategy<Value = Vec<u8>> {
    proptest::collection::vec(prop_oneof![1 => Just(0u8), 3 => any::<u8>()], 0..1200)
}

proptest! {
    #![proptest_config(config())]

    /// Whenever the fast path answers, it answers as the slow path; and it
    /// answers for every document in its subset that the slow path reads
    /// without findings.
    #[test]
    fn fast_path_agrees_with_the_slow_path(bytes in choices()) {
        let (text, exotic) = generate(&bytes);
        let fast = differential(&text);
        if !exotic && fast.is_none() {
            let (_, findings) = slow(FileId(0), &text);
            prop_assert!(!findings.is_empty(), "the fast path gives up on {text:?}");
        }
    }

    /// Arbitrary text: the fast path never panics, and agrees when it answers.
    #[test]
    fn fast_path_agrees_on_any_text(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        let text = String::from_utf8_lossy(&bytes);
        differential(&text);
    }
}

/// The property is not vacuous: over documents drawn as the property
/// draws them, a fair share are in the subset, and the fast path answers for
/// a fair share, of some size.
#[test]
fn generated_documents_often_take_the_fast_path() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;

    let mut runner = TestRunner::deterministic();
    let (mut in_subset, mut answered, mut total, mut answered_bytes) = (0, 0, 0, 0);
    for _ in 0..2000 {
        let bytes = choices().new_tree(&mut runner).unwrap().current();
        let (text, exotic) = generate(&bytes);
        total += 1;
        in_subset += usize::from(!exotic);
        if differential(&text).is_some() {
            answered += 1;
            answered_bytes += text.len();
        }
    }
    let average = answered_bytes / answered.max(1);
    eprintln!(
        "{total} documents: {in_subset} in the subset, the fast path answers {answered} \
         ({average} bytes on average)"
    );
    assert!(
        in_subset * 4 >= total,
        "{in_subset} of {total} in the subset"
    );
    assert!(
        answered * 4 >= total,
        "the fast path answers {answered} of {total}"
    );
    assert!(
        average >= 80,
        "the fast path answers for {average} bytes on average"
    );
}
