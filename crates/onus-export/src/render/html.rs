//! The trust page: one self-contained HTML file (inline CSS and SVG, no
//! script, no external request; a Content-Security-Policy that forbids
//! them) with the diagram, the matrix per offering, each party's duties,
//! the customer's checklist per offering, practices and evidence.
//!
//! Semantic and accessible: landmarks, one `h1`, real tables with captions
//! and header cells, group headings as `rowgroup` headers, checkboxes with
//! labels inside a `fieldset` per area; text colours at WCAG AA contrast or
//! better; a print stylesheet.

use std::fmt::Write;

use askama::Template;

use onus_core::resolve::{Matrix, ResolvedHolder, ResolvedOffering};
use onus_core::text::Text;

use super::svg::xml_escape as esc;
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

/// The whole page, holders named as `options` says: [`body`] in the
/// frame of `templates/trust_page.html`, with [`stylesheet`].
pub fn render_with(matrix: &Matrix, options: &Options) -> String {
    let page = TrustPage {
        title: &super::page_title(matrix),
        css: &css(&sides(matrix)),
        body: &body(matrix, options),
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

/// The page's body (`templates/trust_body.html`): what a site embeds in
/// its own layout, with [`stylesheet`] in its head.
pub fn body(matrix: &Matrix, options: &Options) -> String {
    let title = super::page_title(matrix);
    let page = Page {
        matrix,
        sides: sides(matrix),
        options,
    };
    let mut sections = String::new();
    diagram(&page, &mut sections);
    who_holds_what(&page, &mut sections);
    by_party(&page, &mut sections);
    checklist(matrix, &mut sections);
    references(&page, &mut sections);
    TrustBody {
        header: &header(matrix, &title).unwrap_or_default(),
        sections: &sections,
        model: &matrix.model,
    }
    .render()
    .unwrap_or_default()
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
pub fn stylesheet(matrix: &Matrix) -> String {
    css(&sides(matrix))
}

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
    publisher: Option<&'a str>,
    version: Option<&'a str>,
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
            .map(|p| p.name.as_str()),
        version: matrix.version.as_deref(),
        source: matrix.url.as_deref().and_then(|u| super::href(matrix, u)),
        checklist: matrix.customer().is_some(),
        practices: !matrix.practices.is_empty(),
        evidence: !matrix.evidence.is_empty(),
    }
    .render()
}

fn diagram(page: &Page, out: &mut String) {
    out.push_str("<section id=\"diagram\" aria-labelledby=\"diagram-h\">\n<h2 id=\"diagram-h\">At a glance</h2>\n<figure>\n");
    // A wide diagram (many offerings) scrolls sideways rather than shrinking
    // its text below reading size: it never gets narrower than 3/4 of its size.
    let diagram = super::svg::diagram(page.matrix, page.options);
    let width = diagram.width;
    let svg = diagram.svg.replacen(
        "<svg ",
        &format!("<svg style=\"min-width: {}px\" ", (width * 0.75).round()),
        1,
    );
    out.push_str(&svg);
    out.push_str("<figcaption>Areas as rows, offerings as columns; each cell names who holds the area. The tables below say the same in full.</figcaption>\n</figure>\n</section>\n");
}

fn badge(h: &ResolvedHolder, page: &Page) -> String {
    format!(
        "<span class=\"badge {}\">{}</span>",
        Side::of(h).class(&page.sides),
        esc(&page.label(h))
    )
}

fn who_holds_what(page: &Page, out: &mut String) {
    let matrix = page.matrix;
    out.push_str("<section id=\"matrix\" aria-labelledby=\"matrix-h\">\n<h2 id=\"matrix-h\">Who holds what</h2>\n");
    let groups = area_groups(matrix);
    for o in &matrix.offerings {
        let _ = writeln!(
            out,
            "<h3 id=\"matrix-{}\">{}</h3>",
            esc(&o.id),
            esc(&o.name)
        );
        offering_intro(o, out);
        let _ = writeln!(
            out,
            "<div class=\"table-wrap\"><table>\n<caption>Who holds each area in {}</caption>\n<thead><tr><th scope=\"col\">Area</th><th scope=\"col\">Held by</th><th scope=\"col\">Split</th></tr></thead>",
            esc(&o.name)
        );
        for g in &groups {
            out.push_str("<tbody>\n");
            if let Some(name) = g.name {
                let _ = writeln!(
                    out,
                    "<tr class=\"group\"><th scope=\"rowgroup\" colspan=\"3\">{}</th></tr>",
                    esc(name)
                );
            }
            for a in &o.areas[g.areas.clone()] {
                let holders: Vec<String> = a
                    .holders
                    .iter()
                    .map(|h| {
                        let scope = h
                            .scope
                            .as_ref()
                            .map(|s| format!(" <span class=\"scope\">{}</span>", esc(s)))
                            .unwrap_or_default();
                        format!("<li>{}{scope}</li>", badge(h, page))
                    })
                    .collect();
                let held = if holders.is_empty() {
                    "Nobody".to_string()
                } else {
                    format!("<ul class=\"holders\">{}</ul>", holders.concat())
                };
                let _ = writeln!(
                    out,
                    "<tr><th scope=\"row\">{}</th><td>{held}</td><td>{}</td></tr>",
                    esc(&a.name),
                    a.split()
                );
            }
            out.push_str("</tbody>\n");
        }
        out.push_str("</table></div>\n");
    }
    out.push_str("</section>\n");
}

fn offering_intro(o: &ResolvedOffering, out: &mut String) {
    let mut parts = Vec::new();
    if let Some(d) = &o.description {
        parts.push(esc(&super::sentence(d)));
    }
    if !o.runs_on.is_empty() {
        let on: Vec<String> = o
            .runs_on
            .iter()
            .map(|(u, off)| {
                format!(
                    "<code>{}</code> (offering <code>{}</code>)",
                    esc(u),
                    esc(off)
                )
            })
            .collect();
        parts.push(format!("Runs on {}.", on.join(", ")));
    }
    if !parts.is_empty() {
        let _ = writeln!(out, "<p class=\"muted\">{}</p>", parts.join(" "));
    }
}

fn list(items: Vec<String>) -> String {
    if items.is_empty() {
        String::new()
    } else {
        format!("<ul><li>{}</li></ul>", items.join("</li><li>"))
    }
}

fn reference_html(matrix: &Matrix, id: &str) -> String {
    let r = reference(matrix, id);
    match &r.href {
        Some(u) => format!("<a href=\"{}\">{}</a>", esc(u), esc(&r.label)),
        None => esc(&r.label),
    }
}

fn references_html(matrix: &Matrix, ids: &[Text]) -> Vec<String> {
    ids.iter().map(|id| reference_html(matrix, id)).collect()
}

fn by_party(page: &Page, out: &mut String) {
    let (matrix, sides) = (page.matrix, &page.sides[..]);
    out.push_str("<section id=\"parties\" aria-labelledby=\"parties-h\">\n<h2 id=\"parties-h\">Duties by party</h2>\n");
    for party in holding_parties(matrix) {
        let rows = party_rows(matrix, party);
        let Some(first) = rows.first() else { continue };
        let _ = writeln!(
            out,
            "<h3 id=\"party-{}\"><span class=\"chip {}\" aria-hidden=\"true\"></span>{}</h3>",
            esc(&party.replace('/', "-")),
            Side::of(first.holder).class(sides),
            esc(&page.label(first.holder))
        );
        let columns = PartyColumn::for_rows(matrix, &rows);
        let _ = write!(
            out,
            "<div class=\"table-wrap\"><table>\n<caption>What {} does, area by area</caption>\n<thead><tr>",
            esc(&page.label(first.holder))
        );
        for c in &columns {
            let _ = write!(out, "<th scope=\"col\">{}</th>", c.heading());
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for r in &rows {
            let h = r.holder;
            out.push_str("<tr>");
            for c in &columns {
                let cell = match c {
                    PartyColumn::Responsibility => {
                        let _ = write!(out, "<th scope=\"row\">{}</th>", esc(&r.area.name));
                        continue;
                    }
                    PartyColumn::Offerings => esc(&r.offerings_label(matrix)),
                    PartyColumn::Scope => esc(h.scope.as_deref().unwrap_or("")),
                    PartyColumn::Duties => list(h.duties.iter().map(|d| esc(d)).collect()),
                    PartyColumn::How => {
                        let _ = write!(
                            out,
                            "<td class=\"refs\">{}</td>",
                            list(references_html(matrix, &h.how))
                        );
                        continue;
                    }
                    PartyColumn::Evidence => {
                        let _ = write!(
                            out,
                            "<td class=\"refs\">{}</td>",
                            list(references_html(matrix, &h.evidence))
                        );
                        continue;
                    }
                    PartyColumn::Note => esc(h.note.as_deref().unwrap_or("")),
                };
                let _ = write!(out, "<td>{cell}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
    side_by_side(page, out);
    out.push_str("</section>\n");
}

/// The parties' scopes and duties side by side, per offering, for the
/// areas where someone says what it does.
fn side_by_side(page: &Page, out: &mut String) {
    let matrix = page.matrix;
    let parties = holding_parties(matrix);
    for o in &matrix.offerings {
        let rows = detailed_areas(o);
        let columns: Vec<&str> = parties
            .iter()
            .copied()
            .filter(|p| rows.iter().any(|a| a.holders.iter().any(|h| h.party == *p)))
            .collect();
        if rows.is_empty() {
            continue;
        }
        let _ = write!(
            out,
            "<h3 id=\"split-{}\">Scope and duties in {}</h3>\n<div class=\"table-wrap\"><table class=\"split\">\n<caption>Each party's part of the areas it shares or details, in {}</caption>\n<colgroup><col class=\"area\"></colgroup>\n<thead><tr><th scope=\"col\">Responsibility area</th>",
            esc(&o.id),
            esc(&o.name),
            esc(&o.name)
        );
        for p in &columns {
            let head = super::party_holder(matrix, p).map_or_else(|| esc(p), |h| badge(h, page));
            let _ = write!(out, "<th scope=\"col\">{head}</th>");
        }
        out.push_str("</tr></thead>\n<tbody>\n");
        for a in rows {
            let _ = write!(out, "<tr><th scope=\"row\">{}</th>", esc(&a.name));
            for p in &columns {
                let cell = a.holders.iter().find(|h| h.party == *p).map_or_else(
                    || "<span class=\"muted\">—</span>".to_string(),
                    holding_html,
                );
                let _ = write!(out, "<td>{cell}</td>");
            }
            out.push_str("</tr>\n");
        }
        out.push_str("</tbody>\n</table></div>\n");
    }
}

fn holding_html(h: &ResolvedHolder) -> String {
    let mut s = String::new();
    if let Some(scope) = &h.scope {
        let _ = write!(s, "<strong>{}</strong>", esc(scope));
    }
    if let Some(note) = &h.note {
        if !s.is_empty() {
            s.push_str("<br>");
        }
        s.push_str(&esc(note));
    }
    if s.is_empty() && h.duties.is_empty() {
        s.push_str("Responsible");
    }
    s + &list(h.duties.iter().map(|d| esc(d)).collect())
}

/// A practice or evidence item as the templates show it: a link when it
/// has a safe address.
struct Link {
    label: String,
    href: Option<String>,
}

fn links(matrix: &Matrix, ids: &[Text]) -> Vec<Link> {
    ids.iter()
        .map(|id| {
            let r = reference(matrix, id);
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
    scope: Option<&'a str>,
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
                    scope: h.scope.as_deref(),
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

/// The practices and evidence tables.
fn references(page: &Page, out: &mut String) {
    let matrix = page.matrix;
    let sections = [
        (
            "practices",
            "Practices",
            "How each party does its part",
            "Practice",
            "Used for",
            matrix.practices.keys().collect::<Vec<_>>(),
        ),
        (
            "evidence",
            "Evidence",
            "What proves it",
            "Evidence",
            "Backs",
            matrix.evidence.keys().collect(),
        ),
    ];
    for (id, heading, caption, first, uses, ids) in sections {
        if ids.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "<section id=\"{id}\" aria-labelledby=\"{id}-h\">\n<h2 id=\"{id}-h\">{heading}</h2>\n<div class=\"table-wrap\"><table>\n<caption>{caption}</caption>\n<thead><tr><th scope=\"col\">{first}</th><th scope=\"col\">Kind</th><th scope=\"col\">Access</th><th scope=\"col\">{uses}</th></tr></thead>\n<tbody>"
        );
        for rid in ids {
            let r = reference(matrix, rid);
            let name = match &r.href {
                Some(u) => format!("<a href=\"{}\">{}</a>", esc(u), esc(&r.label)),
                None => esc(&r.label),
            };
            let _ = writeln!(
                out,
                "<tr><th scope=\"row\">{name}</th><td>{}</td><td>{}</td><td>{}</td></tr>",
                esc(r.kind.as_deref().unwrap_or("")),
                r.access.as_str(),
                list(
                    super::uses_with(matrix, rid, page.options)
                        .iter()
                        .map(|u| esc(u))
                        .collect()
                )
            );
        }
        out.push_str("</tbody>\n</table></div>\n</section>\n");
    }
}
