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

/// The whole page, holders named as `options` says.
pub fn render_with(matrix: &Matrix, options: &Options) -> String {
    let title = super::page_title(matrix);
    let page = Page {
        matrix,
        sides: sides(matrix),
        options,
    };
    let sides = &page.sides;
    let mut out = String::new();
    let _ = write!(
        out,
        r##"<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="generator" content="onus">
<title>{}</title>
<style>
{}</style>
</head>
<body>
<a class="skip" href="#main">Skip to content</a>
"##,
        esc(&title),
        stylesheet(sides)
    );
    header(matrix, &title, &mut out);
    out.push_str("<main id=\"main\">\n");
    diagram(&page, &mut out);
    who_holds_what(&page, &mut out);
    by_party(&page, &mut out);
    checklist(matrix, &mut out);
    references(&page, &mut out);
    let _ = write!(
        out,
        "</main>\n<footer>\n<p>Rendered by onus from the model <code>{}</code>.</p>\n</footer>\n</body>\n</html>\n",
        esc(&matrix.model)
    );
    out
}

fn stylesheet(sides: &[Side]) -> String {
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

const STYLE: &str = r#":root { color-scheme: light; --ink: #1b1f24; --muted: #4b5563; --line: #d1d5db; --link: #0b57d0; --head: #f3f4f6; --group: #e5e7eb; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", Arial, sans-serif; color: var(--ink); background: #ffffff; }
.skip { position: absolute; left: -10000px; top: 0; }
.skip:focus { left: 1rem; top: 1rem; background: #ffffff; padding: .5rem .75rem; outline: 3px solid var(--link); z-index: 1; }
header, main, footer { max-width: 76rem; margin: 0 auto; padding: 0 1.5rem; }
header { padding-top: 2rem; }
h1 { font-size: 2rem; line-height: 1.2; margin: 0 0 .75rem; }
h2 { font-size: 1.5rem; line-height: 1.25; margin: 2.75rem 0 .75rem; padding-bottom: .3rem; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.2rem; line-height: 1.3; margin: 1.75rem 0 .5rem; }
p { max-width: 65rem; }
.lead { font-size: 1.1rem; }
.meta, .muted, figcaption { color: var(--muted); }
a { color: var(--link); text-underline-offset: .15em; }
a:focus-visible, input:focus-visible { outline: 3px solid var(--link); outline-offset: 2px; }
nav ul { list-style: none; margin: 1rem 0 0; padding: .75rem 0; display: flex; flex-wrap: wrap; gap: .25rem 1.5rem; border-top: 1px solid var(--line); border-bottom: 1px solid var(--line); }
figure { margin: 1rem 0 0; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: .9rem; margin-top: .5rem; }
.table-wrap { overflow-x: auto; margin: .5rem 0 1.5rem; }
table { border-collapse: collapse; width: 100%; font-size: .95rem; }
caption { text-align: left; caption-side: top; padding: 0 0 .4rem; color: var(--muted); }
th, td { border: 1px solid var(--line); padding: .5rem .65rem; vertical-align: top; text-align: left; overflow-wrap: break-word; }
thead th { background: var(--head); }
tbody th[scope="row"] { font-weight: 600; min-width: 11rem; }
tr.group th { background: var(--group); font-weight: 700; }
td ul, .checklist ul { margin: 0; padding-left: 1.1rem; }
td ul.holders { list-style: none; padding: 0; }
td ul.holders li + li { margin-top: .3rem; }
.badge { display: inline-block; padding: .05rem .45rem; border-radius: .25rem; border: 1px solid rgba(0, 0, 0, .3); font-size: .875rem; font-weight: 600; line-height: 1.4; }
.scope { color: var(--muted); }
.chip { display: inline-block; width: .9em; height: .9em; margin-right: .45em; border-radius: .15em; border: 1px solid rgba(0, 0, 0, .3); vertical-align: -.05em; }
td.refs { min-width: 15rem; }
table.split { table-layout: fixed; min-width: 40rem; }
table.split col.area { width: 14rem; }
.checklist fieldset { border: 1px solid var(--line); border-radius: .375rem; margin: 0 0 1rem; padding: .5rem 1rem .75rem; }
.checklist legend { font-weight: 700; padding: 0 .3rem; }
.checklist .item { display: flex; gap: .6rem; align-items: flex-start; padding: .2rem 0; }
.checklist input { width: 1.15rem; height: 1.15rem; margin: .2rem 0 0; flex: none; }
.checklist .refs { font-size: .9rem; margin: .35rem 0 0; }
footer { color: var(--muted); font-size: .9rem; margin-top: 3rem; padding-top: .5rem; padding-bottom: 2rem; border-top: 1px solid var(--line); }
@media print {
  .skip, nav { display: none; }
  body { font-size: 10.5pt; }
  header, main, footer { max-width: none; padding: 0; }
  a { color: inherit; }
  a[href^="http"]::after { content: " (" attr(href) ")"; font-size: .85em; overflow-wrap: anywhere; }
  h2, h3 { break-after: avoid; }
  tr, fieldset, figure { break-inside: avoid; }
  .table-wrap { overflow: visible; }
  figure { overflow: visible; }
  figure svg { min-width: 0 !important; }
  .badge, .chip { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"#;

fn header(matrix: &Matrix, title: &str, out: &mut String) {
    let _ = writeln!(out, "<header>\n<h1>{}</h1>", esc(title));
    if let Some(d) = &matrix.description {
        let _ = writeln!(out, "<p class=\"lead\">{}</p>", esc(d.trim()));
    }
    let mut meta = Vec::new();
    if let Some(p) = matrix.parties.get(&matrix.publisher) {
        meta.push(format!("Published by {}.", esc(&p.name)));
    }
    if let Some(v) = &matrix.version {
        meta.push(format!("Version {}.", esc(v)));
    }
    if let Some(u) = matrix.url.as_deref().and_then(|u| super::href(matrix, u)) {
        meta.push(format!("<a href=\"{}\">Source document</a>.", esc(&u)));
    }
    if !meta.is_empty() {
        let _ = writeln!(out, "<p class=\"meta\">{}</p>", meta.join(" "));
    }
    out.push_str("<nav aria-label=\"Contents\">\n<ul>\n<li><a href=\"#diagram\">At a glance</a></li>\n<li><a href=\"#matrix\">Who holds what</a></li>\n<li><a href=\"#parties\">Duties by party</a></li>\n");
    if matrix.customer().is_some() {
        out.push_str("<li><a href=\"#checklist\">Customer checklist</a></li>\n");
    }
    if !matrix.practices.is_empty() {
        out.push_str("<li><a href=\"#practices\">Practices</a></li>\n");
    }
    if !matrix.evidence.is_empty() {
        out.push_str("<li><a href=\"#evidence\">Evidence</a></li>\n");
    }
    out.push_str("</ul>\n</nav>\n</header>\n");
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

fn checklist(matrix: &Matrix, out: &mut String) {
    let Some(customer) = matrix.customer() else {
        return;
    };
    let name = matrix
        .parties
        .get(customer)
        .map_or(customer, |p| p.name.as_str());
    let _ = writeln!(
        out,
        "<section id=\"checklist\" aria-labelledby=\"checklist-h\">\n<h2 id=\"checklist-h\">Customer checklist</h2>\n<p>What is left to {} in each offering: one box per duty. Ticks are not saved; print the page to keep a record.</p>",
        esc(name)
    );
    for o in &matrix.offerings {
        let _ = writeln!(
            out,
            "<h3 id=\"checklist-{}\">{}</h3>",
            esc(&o.id),
            esc(&o.name)
        );
        let mine: Vec<_> = o
            .areas
            .iter()
            .filter_map(|a| a.customer_part().next().map(|h| (a, h)))
            .collect();
        if mine.is_empty() {
            let _ = writeln!(
                out,
                "<p>Nothing in this offering is left to {}.</p>",
                esc(name)
            );
            continue;
        }
        out.push_str("<div class=\"checklist\">\n");
        for (a, h) in mine {
            let legend = match &h.scope {
                Some(s) => format!("{} <span class=\"scope\">({})</span>", esc(&a.name), esc(s)),
                None => esc(&a.name),
            };
            let _ = writeln!(out, "<fieldset>\n<legend>{legend}</legend>");
            let duties: Vec<String> = if h.duties.is_empty() {
                vec![format!("The whole area: {}", a.name)]
            } else {
                h.duties.iter().map(Text::to_string).collect()
            };
            for (k, d) in duties.iter().enumerate() {
                let id = format!("check-{}-{}-{}", o.id, a.id, k + 1);
                let _ = writeln!(
                    out,
                    "<div class=\"item\"><input type=\"checkbox\" id=\"{}\"><label for=\"{}\">{}</label></div>",
                    esc(&id),
                    esc(&id),
                    esc(d)
                );
            }
            let mut refs = Vec::new();
            if !h.how.is_empty() {
                refs.push(format!(
                    "How: {}",
                    references_html(matrix, &h.how).join(", ")
                ));
            }
            if !h.evidence.is_empty() {
                refs.push(format!(
                    "Evidence: {}",
                    references_html(matrix, &h.evidence).join(", ")
                ));
            }
            if let Some(n) = &h.note {
                refs.push(esc(n));
            }
            if !refs.is_empty() {
                let _ = writeln!(out, "<p class=\"refs\">{}</p>", refs.join(" · "));
            }
            out.push_str("</fieldset>\n");
        }
        out.push_str("</div>\n");
    }
    out.push_str("</section>\n");
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
