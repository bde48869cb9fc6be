//! The trust page: one self-contained HTML file (inline CSS and SVG, no
//! script, no external request; a Content-Security-Policy that forbids
//! them) with the diagram, the matrix per offering, each party's duties,
//! the customer's checklist per offering, practices and evidence.
//!
//! Semantic and accessible: landmarks, one `h1`, real tables with captions
//! and header cells, group headings as `rowgroup` headers, checkboxes with
//! labels inside a `fieldset` per area; text colours at WCAG AA contrast or
//! better; a print stylesheet.
//!
//! The markup is in compile-time-checked, auto-escaping askama templates
//! (`crates/onus-export/templates/trust_*.html`, `trust.css`); this file
//! gathers what they show. [`body`] and [`stylesheet`] let a site embed
//! the page in its own layout.

use std::fmt::Write;

use askama::Template;

use onus_core::model::RefKind;
use onus_core::resolve::{Matrix, RefIds, ResolvedHolder};
use onus_core::text::Text;

use super::{
    area_groups, detailed_areas, holding_parties, party_rows, reference, sides, swatch, Options,
    PartyColumn, Side,
};

/// The whole page, with the default [`Options`].
pub fn render(matrix: &Matrix) -> String {
    render_with(matrix, &Options::default())
}

/// What every part of the page reads: the model, the sides in legend
/// order, and how holders are named.
struct Page<'m> {
    matrix: &'m Matrix,
    sides: Vec<Side>,
    options: &'m Options,
}

impl Page<'_> {
    /// A holder's name, as every document names it ([`Options::label`]).
    fn label(&self, h: &ResolvedHolder) -> String {
        self.options.label(self.matrix, h)
    }
}

/// The whole page, holders named as `options` says: the [`Parts`] in the
/// frame of `templates/trust_page.html`.
pub fn render_with(matrix: &Matrix, options: &Options) -> String {
    let parts = parts(matrix, options);
    let page = TrustPage {
        title: &super::page_title(matrix),
        css: &parts.stylesheet,
        body: &parts.body,
    };
    page.render().unwrap_or_default()
}

/// The frame of the page (`templates/trust_page.html`).
#[derive(askama::Template)]
#[template(path = "trust_page.html")]
struct TrustPage<'a> {
    title: &'a str,
    css: &'a str,
    body: &'a str,
}

/// The page as a site embeds it in its own layout: the body
/// (`templates/trust_body.html`; the skip link to its `#main` is the
/// frame's) and the stylesheet for its head. The body
/// carries no `style` attribute (what depends on the model, the side
/// colours and the diagram's width, is a rule of the stylesheet), so it
/// passes a Content-Security-Policy without `'unsafe-inline'`.
pub struct Parts {
    pub body: String,
    pub stylesheet: String,
}

/// The [`Parts`] of the page, holders named as `options` says.
pub fn parts(matrix: &Matrix, options: &Options) -> Parts {
    let title = super::page_title(matrix);
    let page = Page {
        matrix,
        sides: sides(matrix),
        options,
    };
    let mut sections = String::new();
    let diagram_width = diagram(&page, &mut sections);
    who_holds_what(&page, &mut sections);
    by_party(&page, &mut sections);
    checklist(matrix, &mut sections);
    references(&page, &mut sections);
    let body = TrustBody {
        header: &header(matrix, &title).unwrap_or_default(),
        sections: &sections,
        model: &matrix.model,
    }
    .render()
    .unwrap_or_default();
    let mut stylesheet = css(&page.sides);
    // A wide diagram (many offerings) scrolls sideways rather than
    // shrinking its text below reading size: never narrower than 3/4 of
    // its size, which the diagram says.
    let _ = writeln!(
        stylesheet,
        "#diagram svg {{ min-width: {}px; }}",
        (diagram_width * 0.75).round()
    );
    Parts { body, stylesheet }
}

/// The body of the page (`templates/trust_body.html`).
#[derive(askama::Template)]
#[template(path = "trust_body.html")]
struct TrustBody<'a> {
    header: &'a str,
    sections: &'a str,
    model: &'a str,
}

/// The page's stylesheet: `templates/trust.css` and the colours of the
/// model's sides.
fn css(sides: &[Side]) -> String {
    let mut css = String::from(STYLE);
    for s in sides {
        let class = s.class(sides);
        let sw = swatch(&class);
        let _ = writeln!(
            css,
            ".badge.{class}, .chip.{class} {{ background: {}; color: {}; }}",
            sw.fill, sw.text
        );
    }
    css
}

/// The page's stylesheet before the side colours (`templates/trust.css`).
const STYLE: &str = include_str!("../../templates/trust.css");

/// The page's header: title, lead, what it is, and the contents.
#[derive(askama::Template)]
#[template(path = "trust_header.html")]
struct Header<'a> {
    title: &'a str,
    description: Option<&'a str>,
    /// "Published by NAME.", one full stop even when the name ends in one.
    publisher: Option<String>,
    /// "Version V."
    version: Option<String>,
    source: Option<String>,
    checklist: bool,
    practices: bool,
    evidence: bool,
}

fn header(matrix: &Matrix, title: &str) -> Result<String, askama::Error> {
    Header {
        title,
        description: matrix.description.as_deref().map(str::trim),
        publisher: matrix
            .parties
            .get(&matrix.publisher)
            .map(|p| super::sentence(&format!("Published by {}", p.name))),
        version: matrix
            .version
            .as_deref()
            .map(|v| super::sentence(&format!("Version {v}"))),
        source: matrix.url.as_deref().and_then(|u| super::href(matrix, u)),
        checklist: matrix.customer().is_some(),
        practices: !matrix.references.of(RefKind::Practice).is_empty(),
        evidence: !matrix.references.of(RefKind::Evidence).is_empty(),
    }
    .render()
}

/// The diagram section (`templates/trust_diagram.html`).
#[derive(askama::Template)]
#[template(path = "trust_diagram.html")]
struct DiagramSection {
    svg: String,
}

/// Writes the diagram section; gives the diagram's width.
fn diagram(page: &Page, out: &mut String) -> f64 {
    let diagram = super::svg::diagram(page.matrix, page.options);
    out.push_str(
        &DiagramSection { svg: diagram.svg }
            .render()
            .unwrap_or_default(),
    );
    diagram.width
}

/// "Who holds what" (`templates/trust_matrix.html`).
#[derive(askama::Template)]
#[template(path = "trust_matrix.html")]
struct MatrixSection<'a> {
    offerings: Vec<MatrixOffering<'a>>,
}

struct MatrixOffering<'a> {
    id: &'a str,
    name: &'a str,
    description: Option<String>,
    /// Upstream and offering.
    runs_on: Vec<(&'a str, &'a str)>,
    groups: Vec<MatrixGroup<'a>>,
}

struct MatrixGroup<'a> {
    name: Option<&'a str>,
    areas: Vec<MatrixArea<'a>>,
}

struct MatrixArea<'a> {
    name: &'a str,
    holders: Vec<Badge>,
    split: &'static str,
}

/// A holder as a coloured badge, with its scope.
struct Badge {
    class: String,
    label: String,
    scope: Option<Text>,
}

fn who_holds_what(page: &Page, out: &mut String) {
    let matrix = page.matrix;
    let groups = area_groups(matrix);
    let offerings = matrix
        .offerings
        .iter()
        .map(|o| MatrixOffering {
            id: &o.id,
            name: &o.name,
            description: o.description.as_deref().map(super::sentence),
            runs_on: o
                .runs_on
                .iter()
                .map(|(u, off)| (u.as_str(), off.as_str()))
                .collect(),
            groups: groups
                .iter()
                .map(|g| MatrixGroup {
                    name: g.name,
                    areas: o.areas[g.areas.clone()]
                        .iter()
                        .map(|a| MatrixArea {
                            name: &a.name,
                            holders: a
                                .holders
                                .iter()
                                .map(|h| Badge {
                                    class: Side::of(h).class(&page.sides),
                                    label: page.label(h),
                                    scope: h.scope(),
                                })
                                .collect(),
                            split: a.split(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    out.push_str(&MatrixSection { offerings }.render().unwrap_or_default());
}

/// "Duties by party" (`templates/trust_parties.html`): each party's
/// table, then the parties side by side per offering.
#[derive(askama::Template)]
#[template(path = "trust_parties.html")]
struct Parties<'a> {
    parties: Vec<PartyTable<'a>>,
    splits: Vec<Split<'a>>,
}

struct PartyTable<'a> {
    anchor: String,
    class: String,
    label: String,
    headings: Vec<&'static str>,
    rows: Vec<Vec<PartyCell<'a>>>,
}

/// A cell of a party's table.
enum PartyCell<'a> {
    /// The row's header: the area.
    Head(&'a str),
    Text(String),
    List(Vec<&'a str>),
    Refs(Vec<Link>),
}

struct Split<'a> {
    id: &'a str,
    name: &'a str,
    heads: Vec<SplitHead<'a>>,
    rows: Vec<SplitRow<'a>>,
}

/// A party column: its badge, or its id when it holds nothing here.
struct SplitHead<'a> {
    id: &'a str,
    badge: Option<Badge>,
}

struct SplitRow<'a> {
    area: &'a str,
    cells: Vec<Option<&'a ResolvedHolder>>,
}

fn by_party(page: &Page, out: &mut String) {
    let matrix = page.matrix;
    let badge = |h: &'_ ResolvedHolder| Badge {
        class: Side::of(h).class(&page.sides),
        label: page.label(h),
        scope: None,
    };
    let mut parties = Vec::new();
    for party in holding_parties(matrix) {
        let rows = party_rows(matrix, party);
        let Some(first) = rows.first() else { continue };
        let columns = PartyColumn::for_rows(matrix, &rows);
        let cells = rows
            .iter()
            .map(|r| {
                let h = r.holder;
                columns
                    .iter()
                    .map(|c| match c {
                        PartyColumn::Responsibility => PartyCell::Head(&r.area.name),
                        PartyColumn::Offerings => PartyCell::Text(r.offerings_label(matrix)),
                        PartyColumn::Scope => {
                            PartyCell::Text(h.scope().map(|s| s.to_string()).unwrap_or_default())
                        }
                        PartyColumn::Duties => {
                            PartyCell::List(h.duties.iter().map(|d| d.as_str()).collect())
                        }
                        PartyColumn::How => PartyCell::Refs(links(matrix, &h.how)),
                        PartyColumn::Evidence => PartyCell::Refs(links(matrix, &h.evidence)),
                        PartyColumn::Note => {
                            PartyCell::Text(h.note.as_deref().unwrap_or("").to_string())
                        }
                    })
                    .collect()
            })
            .collect();
        let b = badge(first.holder);
        parties.push(PartyTable {
            anchor: party.replace('/', "-"),
            class: b.class,
            label: b.label,
            headings: columns.iter().map(|c| c.heading()).collect(),
            rows: cells,
        });
    }
    let holding = holding_parties(matrix);
    let splits = matrix
        .offerings
        .iter()
        .filter_map(|o| {
            let rows = detailed_areas(o);
            if rows.is_empty() {
                return None;
            }
            let columns: Vec<&str> = holding
                .iter()
                .copied()
                .filter(|p| rows.iter().any(|a| a.holders.iter().any(|h| h.party == *p)))
                .collect();
            Some(Split {
                id: &o.id,
                name: &o.name,
                heads: columns
                    .iter()
                    .map(|p| SplitHead {
                        id: p,
                        badge: super::party_holder(matrix, p).map(badge),
                    })
                    .collect(),
                rows: rows
                    .iter()
                    .map(|a| SplitRow {
                        area: &a.name,
                        cells: columns
                            .iter()
                            .map(|p| a.holders.iter().find(|h| h.party == *p))
                            .collect(),
                    })
                    .collect(),
            })
        })
        .collect();
    out.push_str(&Parties { parties, splits }.render().unwrap_or_default());
}

/// A practice or evidence item as the templates show it: a link when it
/// has a safe address.
struct Link {
    label: String,
    href: Option<String>,
}

fn links(matrix: &Matrix, ids: &RefIds) -> Vec<Link> {
    ids.iter()
        .map(|id| {
            let r = reference(matrix, ids.kind(), id);
            Link {
                label: r.label,
                href: r.href,
            }
        })
        .collect()
}

/// The customer's checklist (`templates/trust_checklist.html`).
#[derive(askama::Template)]
#[template(path = "trust_checklist.html")]
struct Checklist<'a> {
    customer: &'a str,
    offerings: Vec<ChecklistOffering<'a>>,
}

struct ChecklistOffering<'a> {
    id: &'a str,
    name: &'a str,
    areas: Vec<ChecklistArea<'a>>,
}

struct ChecklistArea<'a> {
    name: &'a str,
    scope: Option<Text>,
    /// Each duty with its checkbox's id.
    items: Vec<(String, String)>,
    how: Vec<Link>,
    evidence: Vec<Link>,
    note: Option<&'a str>,
}

fn checklist(matrix: &Matrix, out: &mut String) {
    let Some(customer) = matrix.customer() else {
        return;
    };
    let offerings = matrix
        .offerings
        .iter()
        .map(|o| ChecklistOffering {
            id: &o.id,
            name: &o.name,
            areas: o
                .areas
                .iter()
                .filter_map(|a| a.customer_part().next().map(|h| (a, h)))
                .map(|(a, h)| ChecklistArea {
                    name: &a.name,
                    scope: h.scope(),
                    items: if h.duties.is_empty() {
                        vec![format!("The whole area: {}", a.name)]
                    } else {
                        h.duties.iter().map(Text::to_string).collect()
                    }
                    .into_iter()
                    .enumerate()
                    .map(|(k, d)| (format!("check-{}-{}-{}", o.id, a.id, k + 1), d))
                    .collect(),
                    how: links(matrix, &h.how),
                    evidence: links(matrix, &h.evidence),
                    note: h.note.as_deref(),
                })
                .collect(),
        })
        .collect();
    let page = Checklist {
        customer: matrix
            .parties
            .get(customer)
            .map_or(customer, |p| p.name.as_str()),
        offerings,
    };
    out.push_str(&page.render().unwrap_or_default());
}

/// The practices and evidence tables (`templates/trust_references.html`).
#[derive(askama::Template)]
#[template(path = "trust_references.html")]
struct References<'a> {
    tables: Vec<ReferenceTable<'a>>,
}

struct ReferenceTable<'a> {
    id: &'static str,
    heading: &'static str,
    caption: &'static str,
    first: &'static str,
    uses: &'static str,
    rows: Vec<ReferenceRow<'a>>,
}

struct ReferenceRow<'a> {
    link: Link,
    kind: Option<String>,
    access: &'a str,
    uses: Vec<String>,
}

/// The practices and evidence tables.
fn references(page: &Page, out: &mut String) {
    let matrix = page.matrix;
    let rows = |kind: RefKind| -> Vec<ReferenceRow> {
        matrix
            .references
            .of(kind)
            .keys()
            .map(|rid| {
                let r = reference(matrix, kind, rid);
                ReferenceRow {
                    access: r.access.as_str(),
                    kind: r.kind,
                    link: Link {
                        label: r.label,
                        href: r.href,
                    },
                    uses: super::uses_with(matrix, kind, rid, page.options),
                }
            })
            .collect()
    };
    let tables = vec![
        ReferenceTable {
            id: "practices",
            heading: "Practices",
            caption: "How each party does its part",
            first: "Practice",
            uses: "Used for",
            rows: rows(RefKind::Practice),
        },
        ReferenceTable {
            id: "evidence",
            heading: "Evidence",
            caption: "What proves it",
            first: "Evidence",
            uses: "Backs",
            rows: rows(RefKind::Evidence),
        },
    ];
    out.push_str(&References { tables }.render().unwrap_or_default());
}
