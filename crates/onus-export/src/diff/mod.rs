//! `onus diff`: the changes between two versions of a model
//! ([`onus_core::diff`]) as terminal text, a Markdown changelog a provider
//! can publish, or JSON for tools (documented in `docs/diff.md`), each
//! change in the words of [`message`].

pub mod message;

use onus_core::terminal::printable;
use std::fmt::Write;

use serde_json::{json, Value};

use crate::matrix::md_escape;
pub use message::Wording;
use onus_core::diff::{counts, Change, Class, Kind};
use onus_core::model::RefKind;
use onus_core::resolve::Matrix;

/// One of the two versions compared.
#[derive(Clone, Copy, Debug)]
pub struct Version<'a> {
    pub matrix: &'a Matrix,
    /// Where it was read from, as the user named it (`HEAD~1:models/x.onus.yaml`).
    pub source: &'a str,
}

/// Output formats of `onus diff`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DiffFormat {
    /// Lines for a terminal, grouped by where the changes happen; `color`
    /// paints the classes with ANSI colours.
    Text {
        color: bool,
    },
    /// A changelog: breaking, notable and cosmetic changes in sections.
    Markdown,
    Json,
}

pub fn render(old: Version, new: Version, changes: &[Change], format: DiffFormat) -> String {
    match format {
        DiffFormat::Text { color } => text(old, new, changes, color),
        DiffFormat::Markdown => markdown(old, new, changes),
        DiffFormat::Json => {
            serde_json::to_string_pretty(&to_json(old, new, changes)).unwrap_or_default() + "\n"
        }
    }
}

/// The JSON of `docs/diff.md`.
pub fn to_json(old: Version, new: Version, changes: &[Change]) -> Value {
    let [cosmetic, notable, breaking] = counts(changes);
    let wording = Wording::new(old.matrix, new.matrix);
    let value = |v: &Option<onus_core::diff::Value>| v.as_ref().map(|v| v.joined());
    let version = |v: Version| {
        json!({
            "source": v.source,
            "model": v.matrix.model,
            "version": v.matrix.version,
        })
    };
    json!({
        "old": version(old),
        "new": version(new),
        "summary": { "breaking": breaking, "notable": notable, "cosmetic": cosmetic },
        "changes": changes.iter().map(|c| json!({
            "class": c.class.as_str(),
            "kind": c.kind.as_str(),
            "offering": c.offering,
            "area": c.area,
            "party": c.party,
            "reference": c.reference,
            "field": c.field,
            "before": value(&c.before),
            "after": value(&c.after),
            "message": wording.message(c),
        })).collect::<Vec<_>>(),
    })
}

fn summary(changes: &[Change]) -> String {
    let [cosmetic, notable, breaking] = counts(changes);
    format!("{breaking} breaking, {notable} notable, {cosmetic} cosmetic")
}

/// Where a change happens, by ids: `o11-cloud / encryption`, `area encryption`,
/// `evidence soc2`, `model`.
fn location(c: &Change) -> String {
    match (&c.offering, &c.area, &c.reference) {
        (Some(o), Some(a), _) => format!("{o} / {a}"),
        (Some(o), None, _) => o.clone(),
        (None, Some(a), _) => format!("area {a}"),
        (None, None, Some(r)) if c.kind == Kind::EvidenceChanged => format!("evidence {r}"),
        (None, None, Some(r)) if c.kind == Kind::PracticeChanged => format!("practice {r}"),
        _ => "model".to_string(),
    }
}

fn text(old: Version, new: Version, changes: &[Change], color: bool) -> String {
    // Model text is shown with its control characters escaped: only
    // `paint` puts escape sequences on the terminal.
    let paint = |code: &str, s: &str| {
        let s = printable(s);
        if color {
            format!("\x1b[{code}m{s}\x1b[0m")
        } else {
            s.into_owned()
        }
    };
    let mut out = format!(
        "{} -> {}: {}\n",
        printable(old.source),
        printable(new.source),
        if changes.is_empty() {
            "no changes".to_string()
        } else {
            summary(changes)
        }
    );
    let wording = Wording::new(old.matrix, new.matrix);
    let mut current = None;
    for c in changes {
        let here = location(c);
        if current.as_ref() != Some(&here) {
            let _ = write!(out, "\n{}\n", paint("1", &here));
            current = Some(here);
        }
        let class = format!("{:<8}", c.class.as_str());
        let code = match c.class {
            Class::Breaking => "1;31",
            Class::Notable => "33",
            Class::Cosmetic => "2",
        };
        let _ = writeln!(
            out,
            "  {}  {}",
            paint(code, &class),
            printable(&wording.message(c))
        );
    }
    out
}

/// Where a change happens, by names, for people.
fn place(old: &Matrix, new: &Matrix, c: &Change) -> String {
    let offering = c.offering.as_deref().map(|id| {
        new.offering(id)
            .or_else(|| old.offering(id))
            .map_or(id, |o| o.name.as_str())
    });
    let area = c.area.as_deref().map(|id| {
        [new, old]
            .iter()
            .flat_map(|m| &m.offerings)
            .find_map(|o| o.area(id))
            .map_or(id, |a| a.name.as_str())
    });
    match (offering, area) {
        (Some(o), Some(a)) => format!("{o} — {a}"),
        (Some(o), None) => o.to_string(),
        (None, Some(a)) => format!("{a} (all offerings)"),
        (None, None) => match (c.kind, c.reference.as_deref()) {
            (Kind::EvidenceChanged, Some(r)) => {
                "Evidence".to_string() + &ref_name(new, r, RefKind::Evidence)
            }
            (Kind::PracticeChanged, Some(r)) => {
                "Practice".to_string() + &ref_name(new, r, RefKind::Practice)
            }
            _ => "Model".to_string(),
        },
    }
}

fn ref_name(m: &Matrix, id: &str, kind: RefKind) -> String {
    let name = m.references.get(kind, id).map(|r| r.name.as_str());
    format!(" {}", name.unwrap_or(id))
}

fn markdown(old: Version, new: Version, changes: &[Change]) -> String {
    let (o, n) = (old.matrix, new.matrix);
    let title = n.title.as_deref().unwrap_or(&n.name);
    let mut out = format!("# Changes to {}\n\n", md_escape(title));
    let versions = match (&o.version, &n.version) {
        (Some(a), Some(b)) if a != b => format!("version {} to {}", md_escape(a), md_escape(b)),
        (_, Some(b)) => format!("version {}", md_escape(b)),
        _ => format!("`{}` to `{}`", old.source, new.source),
    };
    let _ = writeln!(out, "{}, {versions}.\n", md_escape(&n.name));
    if changes.is_empty() {
        out.push_str("No changes.\n");
        return out;
    }
    let _ = writeln!(out, "{}.", summary(changes));
    let wording = Wording::new(o, n);
    for (class, heading, intro) in [
        (
            Class::Breaking,
            "Breaking changes",
            "What customers must act on: new or changed customer duties, responsibilities moving to the customer, offerings or areas removed, evidence withdrawn or restricted.",
        ),
        (
            Class::Notable,
            "Notable changes",
            "Nothing for customers to do: the provider takes more (or less) on, new practices and evidence, new offerings.",
        ),
        (
            Class::Cosmetic,
            "Cosmetic changes",
            "Names, descriptions, wording and order.",
        ),
    ] {
        let of_class: Vec<&Change> = changes.iter().filter(|c| c.class == class).collect();
        if of_class.is_empty() {
            continue;
        }
        let _ = write!(out, "\n## {heading}\n\n{intro}\n\n");
        for c in of_class {
            // A message that ends in a quoted sentence has its full stop already.
            let message = md_escape(&wording.message(c));
            let stop = if message.ends_with(".\"") || message.ends_with('.') { "" } else { "." };
            let _ = writeln!(out, "- **{}**: {message}{stop}", md_escape(&place(o, n, c)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn markdown_inline_text_is_escaped() {
        assert_eq!(md_escape("a *b* <c> [d]_e"), "a \\*b\\* &lt;c> \\[d\\]\\_e");
    }
}
