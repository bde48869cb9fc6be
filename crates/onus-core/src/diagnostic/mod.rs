//! Findings as values. Checks build [`Diagnostic`]s; the renderers beside
//! this module (text, json, sarif) turn them into output. Nothing here
//! knows where the output goes.

mod code;
pub mod json;
pub mod sarif;
pub mod text;

pub use code::{Code, CodeDoc};

use crate::source::{SourceMap, Span};

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Severity {
    Error,
    Warning,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Error => "error",
            Severity::Warning => "warning",
        }
    }
}

/// One finding: what is wrong, where, and what to do about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    pub code: Code,
    pub message: String,
    /// The offending key or value. `None` only for findings about a whole run.
    pub span: Option<Span>,
    /// Other places worth showing, e.g. the first of two duplicate keys.
    pub related: Vec<(Span, String)>,
    /// A suggestion the user can act on.
    pub help: Option<String>,
}

impl Diagnostic {
    /// A finding with the code's default severity.
    pub fn new(code: Code, span: Span, message: impl Into<String>) -> Diagnostic {
        Diagnostic {
            severity: code.severity(),
            code,
            message: cut_quotes(message.into()),
            span: Some(span),
            related: Vec::new(),
            help: None,
        }
    }

    pub fn with_help(mut self, help: impl Into<String>) -> Diagnostic {
        self.help = Some(help.into());
        self
    }

    pub fn with_help_opt(mut self, help: Option<String>) -> Diagnostic {
        self.help = help;
        self
    }

    pub fn with_related(mut self, span: Span, note: impl Into<String>) -> Diagnostic {
        self.related.push((span, note.into()));
        self
    }

    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// Sorts diagnostics by file, position and code and drops exact repeats, so
/// output is deterministic whatever order the checks ran in.
pub fn sort_and_dedup(diagnostics: &mut Vec<Diagnostic>, sources: &SourceMap) {
    diagnostics.sort_by_key(|d| {
        let at = d.span.map(|s| (sources.get(s.file).path.clone(), s.start));
        (at, d.code.name(), d.message.clone())
    });
    diagnostics.dedup();
}

/// A text quoted in a message (between backticks) is cut to this many
/// characters: the snippet shows where it is, and a 100,000-digit number
/// or a megabyte of id must not fill the terminal.
const MAX_QUOTED: usize = 80;

/// `message` with every backtick-quoted part longer than [`MAX_QUOTED`]
/// characters cut, with `…` for what is left out.
fn cut_quotes(message: String) -> String {
    if message.len() <= MAX_QUOTED {
        return message;
    }
    let parts: Vec<&str> = message.split('`').collect();
    // An odd part is quoted only if a closing backtick follows it.
    let long = |(i, part): (usize, &&str)| {
        i % 2 == 1 && i + 1 < parts.len() && part.chars().count() > MAX_QUOTED
    };
    if !parts.iter().enumerate().any(long) {
        return message;
    }
    let cut: Vec<String> = parts
        .iter()
        .enumerate()
        .map(|(i, part)| match long((i, part)) {
            true => part.chars().take(MAX_QUOTED).chain(['…']).collect(),
            false => part.to_string(),
        })
        .collect();
    cut.join("`")
}

/// Counts of errors and warnings.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// "did you mean `x`?" for the closest candidate within a small edit distance.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// Words longer than this (in characters) get no suggestion.
const MAX_SUGGEST_LEN: usize = 64;
/// At most this many candidates (of a plausible length) are compared with a
/// word, so that thousands of unknown ids against thousands of declared ones
/// cost milliseconds, not minutes.
const MAX_CANDIDATES: usize = 500;

/// The candidate closest to `word` by edit distance (optimal string
/// alignment: insertions, deletions, substitutions and transpositions of
/// neighbours), if it is close enough to be a plausible typo: at most a
/// third of the word's length, at least 1. Bounded: long words get none,
/// and only the first [`MAX_CANDIDATES`] candidates of a length within
/// reach are compared.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let word: Vec<char> = word.chars().collect();
    let len = word.len();
    if len > MAX_SUGGEST_LEN {
        return None;
    }
    // Two edits for words of four letters or more (`dutys` -> `duties`).
    let limit = if len < 4 { 1 } else { (len / 3).max(2) };
    let mut other = Vec::new();
    let mut rows = Rows::default();
    let mut best: Option<(usize, &str)> = None;
    let mut compared = 0;
    for c in candidates {
        if compared == MAX_CANDIDATES {
            break;
        }
        // A character is at most four bytes: most candidates out of reach
        // are skipped without reading them.
        if c.len() > (len + limit) * 4 || c.len() + limit < len {
            continue;
        }
        other.clear();
        other.extend(c.chars());
        if other.len().abs_diff(len) > limit {
            continue;
        }
        compared += 1;
        if other == word {
            continue;
        }
        if let Some(d) = rows.distance(&word, &other, limit) {
            if best.is_none_or(|b| (d, c) < b) {
                best = Some((d, c));
            }
        }
    }
    best.map(|(_, c)| c)
}

/// The rows of the edit distance table, kept between candidates.
#[derive(Default)]
struct Rows {
    before: Vec<usize>,
    last: Vec<usize>,
    this: Vec<usize>,
}

impl Rows {
    /// The optimal string alignment distance of `a` and `b`, if it is at
    /// most `limit` (the table stops as soon as a row exceeds it).
    fn distance(&mut self, a: &[char], b: &[char], limit: usize) -> Option<usize> {
        let Rows { before, last, this } = self;
        last.clear();
        last.extend(0..=b.len());
        before.clear();
        before.resize(b.len() + 1, 0);
        for i in 1..=a.len() {
            this.clear();
            this.push(i);
            for j in 1..=b.len() {
                let cost = usize::from(a[i - 1] != b[j - 1]);
                let mut d = (last[j - 1] + cost).min(last[j] + 1).min(this[j - 1] + 1);
                if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                    d = d.min(before[j - 2] + 1);
                }
                this.push(d);
            }
            if this.iter().min().is_some_and(|&m| m > limit) {
                return None;
            }
            std::mem::swap(before, last);
            std::mem::swap(last, this);
        }
        let d = last[b.len()];
        (d <= limit).then_some(d)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggests_near_misses_only() {
        assert_eq!(closest("custmer", ["customer", "codat"]), Some("customer"));
        assert_eq!(closest("azure", ["aws", "codat"]), None);
        assert_eq!(
            suggest("parites", ["parties", "areas"]).as_deref(),
            Some("did you mean `parties`?")
        );
        assert_eq!(closest("dutys", ["duties"]), Some("duties"));
        assert_eq!(closest("ab", ["ba", "abc"]), Some("abc"));
        assert_eq!(closest("same", ["same"]), None);
        assert_eq!(closest("épaule", ["epaule"]), Some("epaule"));
    }

    #[test]
    fn long_quoted_texts_are_cut() {
        let span = Span::new(crate::source::FileId(0), 0, 1);
        let number = "9".repeat(100_000);
        let d = Diagnostic::new(
            Code::Syntax,
            span,
            format!("format version `{number}` is not `1`"),
        );
        assert_eq!(
            d.message,
            format!("format version `{}…` is not `1`", "9".repeat(80))
        );
        // A lone backtick quotes nothing.
        let text = format!("a ` then {number}");
        assert_eq!(
            Diagnostic::new(Code::Syntax, span, text.clone()).message,
            text
        );
    }

    #[test]
    fn suggestions_are_bounded_in_length_and_candidates() {
        // A word too long for a suggestion, even against itself plus one.
        let long = "x".repeat(MAX_SUGGEST_LEN + 1);
        let near = format!("{long}y");
        assert_eq!(closest(&long, [near.as_str()]), None);
        // Only the first candidates of a plausible length are compared:
        // thousands of others (and candidates far too long) cost nothing.
        let many: Vec<String> = (0..MAX_CANDIDATES)
            .map(|i| format!("zzzzzz{i:04}"))
            .collect();
        let huge = "q".repeat(1 << 20);
        let after = many
            .iter()
            .map(String::as_str)
            .chain([huge.as_str(), "party-0001"]);
        assert_eq!(closest("party-0002", after.clone()), None);
        assert_eq!(closest("party-0002", after.skip(1)), Some("party-0001"));
    }
}
