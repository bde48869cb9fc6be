//! `onus render`: the documents people read, built from the resolved model
//! only: a Markdown page a provider can publish ([`markdown`]), the stack
//! diagram as SVG ([`svg`]), a self-contained HTML trust page ([`html`]) and
//! an XLSX workbook for auditors ([`xlsx`]).
//!
//! Every renderer is deterministic: the same matrix gives the same bytes.
//! What they share (who a holder is for colouring, the rows of a party's
//! duties, links) lives here, so each document says the same thing.

pub mod html;
pub mod markdown;
pub mod svg;
pub mod text_width;
pub mod xlsx;

use std::ops::Range;

use onus_core::model::{Access, RefKind, Role};
use onus_core::resolve::{Matrix, ResolvedArea, ResolvedHolder, ResolvedOffering};

/// The documents `onus render` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Target {
    Markdown,
    Html,
    Svg,
    Xlsx,
}

impl Target {
    /// Whether the output is binary (not fit for a terminal).
    pub fn is_binary(self) -> bool {
        self == Target::Xlsx
    }
}

/// A document that could not be built.
#[derive(Debug)]
pub enum RenderError {
    /// The XLSX writer refused the workbook.
    Xlsx(rust_xlsxwriter::XlsxError),
}

impl std::fmt::Display for RenderError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            RenderError::Xlsx(e) => write!(f, "cannot build the XLSX workbook: {e}"),
        }
    }
}

impl std::error::Error for RenderError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            RenderError::Xlsx(e) => Some(e),
        }
    }
}

impl From<rust_xlsxwriter::XlsxError> for RenderError {
    fn from(e: rust_xlsxwriter::XlsxError) -> RenderError {
        RenderError::Xlsx(e)
    }
}

/// Renders the whole model as `target`, with the default [`Options`].
pub fn render(matrix: &Matrix, target: Target) -> Result<Vec<u8>, RenderError> {
    render_with(matrix, target, &Options::default())
}

/// Renders the whole model as `target`. (To render one offering, pass a
/// matrix that holds only it: [`crate::select::only_offering`].)
pub fn render_with(
    matrix: &Matrix,
    target: Target,
    options: &Options,
) -> Result<Vec<u8>, RenderError> {
    Ok(match target {
        Target::Markdown => markdown::render_with(matrix, options).into_bytes(),
        Target::Html => html::render_with(matrix, options).into_bytes(),
        Target::Svg => svg::diagram(matrix, options).svg.into_bytes(),
        Target::Xlsx => xlsx::render_with(matrix, options)?,
    })
}

/// What the caller decides about a document. The renderers read no clock
/// and no environment: the same matrix and options give the same bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Options {
    /// Name a party reached through upstreams with them, `Microsoft (via
    /// azure)`, as the terminal views do. Off: `Microsoft`, the name people
    /// know (the upstreams are still named where two parties share a name).
    pub show_via: bool,
    /// When the document was made, in seconds since the Unix epoch (the
    /// workbook's creation date); `None`: 2000-01-01, a fixed date.
    pub created: Option<i64>,
    /// What made the document, for the workbook's "About" sheet.
    pub generator: String,
}

impl Default for Options {
    fn default() -> Options {
        Options {
            show_via: false,
            created: None,
            generator: format!("onus {}", env!("CARGO_PKG_VERSION")),
        }
    }
}

impl Options {
    /// A holder's name in a document: its name, or [`ResolvedHolder::label`]
    /// (with the upstreams) when asked for, or when another party of the
    /// model has the same name (two "Customer"s must be told apart).
    pub fn label(&self, matrix: &Matrix, h: &ResolvedHolder) -> String {
        let ambiguous = || {
            matrix
                .parties
                .iter()
                .any(|(id, p)| p.name == h.name && *id != *h.party)
        };
        if self.show_via || (!h.via.is_empty() && ambiguous()) {
            h.label()
        } else {
            h.name.to_string()
        }
    }
}

/// An area's controls, per framework in the order first written:
/// `nist-800-53-rev5: ac-2, ia-2`.
pub fn controls_by_framework(area: &ResolvedArea) -> Vec<String> {
    let mut out: Vec<(&str, Vec<&str>)> = Vec::new();
    for c in &area.controls {
        match out.iter_mut().find(|(f, _)| *f == c.framework) {
            Some((_, list)) => list.push(&c.control),
            None => out.push((&c.framework, vec![&c.control])),
        }
    }
    out.into_iter()
        .map(|(f, list)| format!("{f}: {}", list.join(", ")))
        .collect()
}

/// The heading of a document: "Codat: Shared responsibility model", or the
/// title alone when it already names the publisher.
pub fn page_title(matrix: &Matrix) -> String {
    match &matrix.title {
        Some(t) if t.to_lowercase().contains(&matrix.name.to_lowercase()) => t.clone(),
        Some(t) => format!("{}: {t}", matrix.name),
        None => format!("{}: shared responsibility model", matrix.name),
    }
}

/// Free text as a sentence: trimmed, ending with a full stop (or other
/// closing punctuation), so more can follow it.
pub fn sentence(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.ends_with(['.', '!', '?', ':', ')']) {
        t.to_string()
    } else {
        format!("{t}.")
    }
}

/// Which side of the model a holder is on: what the diagram colours by.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Side {
    /// A provider of this model (the publisher, usually).
    Provider,
    /// A holder reached through this upstream (its id).
    Upstream(String),
    /// A third party of this model.
    ThirdParty,
    /// This model's customer.
    Customer,
}

impl Side {
    pub fn of(h: &ResolvedHolder) -> Side {
        match (h.via.first(), h.role) {
            (Some(upstream), _) => Side::Upstream(upstream.to_string()),
            (None, Role::Customer) => Side::Customer,
            (None, Role::ThirdParty) => Side::ThirdParty,
            (None, Role::Provider) => Side::Provider,
        }
    }

    /// A class name for styling: `provider`, `customer`, `third-party`, `upstream-N`.
    pub fn class(&self, sides: &[Side]) -> String {
        match self {
            Side::Provider => "provider".into(),
            Side::Customer => "customer".into(),
            Side::ThirdParty => "third-party".into(),
            Side::Upstream(_) => {
                let n = sides
                    .iter()
                    .filter(|s| matches!(s, Side::Upstream(_)))
                    .position(|s| s == self)
                    .unwrap_or(0);
                format!("upstream-{}", n % UPSTREAM_COLOURS)
            }
        }
    }
}

/// How many distinct upstream colours the palette has.
pub const UPSTREAM_COLOURS: usize = 3;

/// A colour of the palette: fill, and the text colour that reads on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Swatch {
    pub fill: &'static str,
    pub text: &'static str,
}

/// The palette (Okabe and Ito's, safe for colour-blind readers), by side
/// class. Every fill takes near-black text at a contrast above 6:1.
pub fn swatch(class: &str) -> Swatch {
    let fill = match class {
        "provider" => "#56B4E9",
        "customer" => "#E69F00",
        "third-party" => "#BBBBBB",
        "upstream-0" => "#009E73",
        "upstream-1" => "#CC79A7",
        "upstream-2" => "#F0E442",
        _ => "#FFFFFF",
    };
    Swatch {
        fill,
        text: "#111111",
    }
}

/// The sides that hold something anywhere in the model, in legend order:
/// provider, upstreams (as first met), third party, customer.
pub fn sides(matrix: &Matrix) -> Vec<Side> {
    let mut found: Vec<Side> = Vec::new();
    for o in &matrix.offerings {
        for a in &o.areas {
            for h in &a.holders {
                let s = Side::of(h);
                if !found.contains(&s) {
                    found.push(s);
                }
            }
        }
    }
    // Stable: upstreams keep the order they were met in.
    found.sort_by_key(|s| match s {
        Side::Provider => 0,
        Side::Upstream(_) => 1,
        Side::ThirdParty => 2,
        Side::Customer => 3,
    });
    found
}

/// The qualified ids of every party that holds something, in the order of
/// [`sides`] (provider first, customer last), then model order.
pub fn holding_parties(matrix: &Matrix) -> Vec<&str> {
    let holds = |id: &str| {
        matrix
            .offerings
            .iter()
            .flat_map(|o| &o.areas)
            .flat_map(|a| &a.holders)
            .find(|h| h.party == id)
    };
    let mut out: Vec<(Side, &str)> = matrix
        .parties
        .keys()
        .filter_map(|id| holds(id).map(|h| (Side::of(h), id.as_str())))
        .collect();
    let order = sides(matrix);
    out.sort_by_key(|(s, _)| order.iter().position(|o| o == s));
    out.into_iter().map(|(_, id)| id).collect()
}

/// The first holder entry of `party` anywhere in the model: its label and side.
pub fn party_holder<'m>(matrix: &'m Matrix, party: &str) -> Option<&'m ResolvedHolder> {
    matrix
        .offerings
        .iter()
        .flat_map(|o| &o.areas)
        .flat_map(|a| &a.holders)
        .find(|h| h.party == party)
}

/// A run of consecutive areas under one group heading (or none).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AreaGroup<'m> {
    pub name: Option<&'m str>,
    /// Indexes into every offering's `areas` (all offerings list the model's
    /// areas in the same order).
    pub areas: Range<usize>,
}

/// The areas in model order, cut where the group changes.
pub fn area_groups(matrix: &Matrix) -> Vec<AreaGroup<'_>> {
    let Some(first) = matrix.offerings.first() else {
        return Vec::new();
    };
    let mut out: Vec<AreaGroup> = Vec::new();
    for (i, a) in first.areas.iter().enumerate() {
        match out.last_mut() {
            Some(g) if g.name == a.group.as_deref() => g.areas.end = i + 1,
            _ => out.push(AreaGroup {
                name: a.group.as_deref(),
                areas: i..i + 1,
            }),
        }
    }
    out
}

/// One row of a party's duties: an area and what the party does there, in
/// every offering where it does exactly that.
pub struct PartyRow<'m> {
    pub area: &'m ResolvedArea,
    pub holder: &'m ResolvedHolder,
    pub offerings: Vec<&'m ResolvedOffering>,
}

impl PartyRow<'_> {
    /// The offerings of the row, for people: "All offerings" when it is every one.
    pub fn offerings_label(&self, matrix: &Matrix) -> String {
        if self.offerings.len() == matrix.offerings.len() && matrix.offerings.len() > 1 {
            "All offerings".to_string()
        } else {
            self.offerings
                .iter()
                .map(|o| o.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        }
    }
}

/// What `party` holds, area by area; identical holdings in several
/// offerings fold into one row.
pub fn party_rows<'m>(matrix: &'m Matrix, party: &str) -> Vec<PartyRow<'m>> {
    let mut rows: Vec<PartyRow> = Vec::new();
    let Some(first) = matrix.offerings.first() else {
        return rows;
    };
    for i in 0..first.areas.len() {
        let start = rows.len();
        for o in &matrix.offerings {
            let Some(area) = o.areas.get(i) else { continue };
            let Some(holder) = area.holders.iter().find(|h| h.party == party) else {
                continue;
            };
            match rows[start..]
                .iter_mut()
                .find(|r| same_holding(r.holder, holder))
            {
                Some(row) => row.offerings.push(o),
                None => rows.push(PartyRow {
                    area,
                    holder,
                    offerings: vec![o],
                }),
            }
        }
    }
    rows
}

/// The columns of a party's duties table: "Responsibility" always, the
/// others when some row has something to put there.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PartyColumn {
    Responsibility,
    Offerings,
    Scope,
    Duties,
    How,
    Evidence,
    Note,
}

impl PartyColumn {
    pub fn heading(self) -> &'static str {
        match self {
            PartyColumn::Responsibility => "Responsibility",
            PartyColumn::Offerings => "Offerings",
            PartyColumn::Scope => "Scope",
            PartyColumn::Duties => "Duties",
            PartyColumn::How => "How is it done?",
            PartyColumn::Evidence => "Evidence",
            PartyColumn::Note => "Note",
        }
    }

    /// The columns worth showing for these rows.
    pub fn for_rows(matrix: &Matrix, rows: &[PartyRow]) -> Vec<PartyColumn> {
        let has = |f: fn(&ResolvedHolder) -> bool| rows.iter().any(|r| f(r.holder));
        [
            (PartyColumn::Responsibility, true),
            (PartyColumn::Offerings, matrix.offerings.len() > 1),
            (PartyColumn::Scope, has(|h| !h.scopes.is_empty())),
            (PartyColumn::Duties, has(|h| !h.duties.is_empty())),
            (PartyColumn::How, has(|h| !h.how.is_empty())),
            (PartyColumn::Evidence, has(|h| !h.evidence.is_empty())),
            (PartyColumn::Note, has(|h| h.note.is_some())),
        ]
        .into_iter()
        .filter(|c| c.1)
        .map(|c| c.0)
        .collect()
    }
}

/// The areas of an offering worth a row in the side-by-side table: shared,
/// or with a holder that says what it does (a scope or duties; a note alone
/// is not a duty).
pub fn detailed_areas(o: &ResolvedOffering) -> Vec<&ResolvedArea> {
    o.areas
        .iter()
        .filter(|a| {
            a.holders.len() > 1
                || a.holders
                    .iter()
                    .any(|h| !h.scopes.is_empty() || !h.duties.is_empty())
        })
        .collect()
}

fn same_holding(a: &ResolvedHolder, b: &ResolvedHolder) -> bool {
    a.scopes == b.scopes
        && a.duties == b.duties
        && a.how == b.how
        && a.evidence == b.evidence
        && a.note == b.note
}

/// A practice or evidence item as a link target.
pub struct Reference {
    /// Its name, and access level when not public ([`crate::reference_label`]).
    pub label: String,
    /// Where it is, when the model says so and the address is safe to link.
    pub href: Option<String>,
    pub access: Access,
    pub kind: Option<String>,
}

/// Looks a practice or evidence id up.
pub fn reference(matrix: &Matrix, of: RefKind, id: &str) -> Reference {
    let (url, access, kind) = match matrix.references.get(of, id) {
        Some(r) => (r.url.as_deref(), r.access, r.kind.clone()),
        None => (None, Access::Public, None),
    };
    Reference {
        label: crate::reference_label(matrix, of, id),
        href: url.and_then(|u| href(matrix, u)),
        access,
        kind,
    }
}

/// A link target that is safe to put in a page, by the one URL-safety
/// rule ([`onus_core::url::link`]): `http(s):` and `mailto:` as they are,
/// a path starting with `/` against the origin of the model's own `url`
/// when that is http(s) (so a published page still reaches it). Anything
/// else (`javascript:`, a bare relative path, a base that is not http(s))
/// is not linked.
pub fn href(matrix: &Matrix, url: &str) -> Option<String> {
    onus_core::url::link(matrix.url.as_deref(), url)
}

/// Where practices and evidence are used: "Party: area, area" per party,
/// in party then area order; a party that uses it in only some offerings
/// names them: "OutSystems (ODC, O11 Cloud): Encryption, ...".
pub fn uses(matrix: &Matrix, kind: RefKind, id: &str) -> Vec<String> {
    let options = Options {
        show_via: true,
        ..Options::default()
    };
    uses_with(matrix, kind, id, &options)
}

/// [`uses`], parties named as `options` says.
pub fn uses_with(matrix: &Matrix, kind: RefKind, id: &str, options: &Options) -> Vec<String> {
    let Some(first) = matrix.offerings.first() else {
        return Vec::new();
    };
    // (party label, area index) -> offering names
    let mut found: Vec<(String, usize, Vec<&str>)> = Vec::new();
    for i in 0..first.areas.len() {
        for o in &matrix.offerings {
            let Some(area) = o.areas.get(i) else { continue };
            for h in &area.holders {
                if !h.refs(kind).iter().any(|x| x == id) {
                    continue;
                }
                let label = options.label(matrix, h);
                match found.iter_mut().find(|(p, a, _)| *p == label && *a == i) {
                    Some((_, _, offerings)) => offerings.push(&o.name),
                    None => found.push((label, i, vec![&o.name])),
                }
            }
        }
    }
    // (party label, offerings) -> area names, in first-seen order
    let mut by_party: Vec<(String, Vec<&str>, Vec<&str>)> = Vec::new();
    for (label, i, offerings) in found {
        let name = first.areas[i].name.as_str();
        match by_party
            .iter_mut()
            .find(|(p, o, _)| *p == label && *o == offerings)
        {
            Some((_, _, areas)) => areas.push(name),
            None => by_party.push((label, offerings, vec![name])),
        }
    }
    let all = matrix.offerings.len();
    by_party
        .into_iter()
        .map(|(p, offerings, areas)| match offerings.len() == all {
            true => format!("{p}: {}", areas.join(", ")),
            false => format!("{p} ({}): {}", offerings.join(", "), areas.join(", ")),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sentence_ends_in_one_full_stop() {
        assert_eq!(
            sentence("Published by Example Inc."),
            "Published by Example Inc."
        );
        assert_eq!(sentence("Version 2"), "Version 2.");
        assert_eq!(sentence("Really?"), "Really?");
    }

    fn matrix(url: Option<&str>) -> Matrix {
        Matrix {
            model: "m".into(),
            name: "M".into(),
            title: None,
            version: None,
            description: None,
            url: url.map(str::to_string),
            publisher: "m".into(),
            parties: Default::default(),
            references: Default::default(),
            frameworks: Default::default(),
            offerings: Vec::new(),
        }
    }

    #[test]
    fn links_only_what_is_safe() {
        let m = matrix(Some("https://docs.example.com/a/b"));
        assert_eq!(
            href(&m, "/x/y").as_deref(),
            Some("https://docs.example.com/x/y")
        );
        assert_eq!(href(&m, "https://a.b/").as_deref(), Some("https://a.b/"));
        assert_eq!(href(&m, "javascript:alert(1)"), None);
        assert_eq!(href(&m, "//evil.example/"), None);
        assert_eq!(href(&matrix(None), "/x"), None);
        // Issue 15.3: a script "base" never makes a relative URL live.
        let hostile = matrix(Some("javascript://%0aalert(document.domain);1/x"));
        assert_eq!(href(&hostile, "/security"), None);
        assert_eq!(
            href(&matrix(Some("https://h.example")), "/x").as_deref(),
            Some("https://h.example/x")
        );
    }

    #[test]
    fn titles_name_the_publisher_once() {
        let mut m = matrix(None);
        m.name = "OutSystems".into();
        m.title = Some("OutSystems Cloud model".into());
        assert_eq!(page_title(&m), "OutSystems Cloud model");
        m.title = Some("Shared responsibility model".into());
        assert_eq!(page_title(&m), "OutSystems: Shared responsibility model");
    }
}
