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
            message: message.into(),
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

/// Counts of errors and warnings.
pub fn counts(diagnostics: &[Diagnostic]) -> (usize, usize) {
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    (errors, diagnostics.len() - errors)
}

/// "did you mean `x`?" for the closest candidate within a small edit distance.
pub fn suggest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<String> {
    closest(word, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate closest to `word` by edit distance, if it is close enough
/// to be a plausible typo (at most a third of the word's length, at least 1).
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    // Two edits for words of four letters or more (`dutys` -> `duties`).
    let len = word.chars().count();
    let limit = if len < 4 { 1 } else { (len / 3).max(2) };
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(word, c), c))
        .filter(|&(d, c)| d <= limit && c != word)
        .min_by_key(|&(d, c)| (d, c))
        .map(|(_, c)| c)
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
    }
}
