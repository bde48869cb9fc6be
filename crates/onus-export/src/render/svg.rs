//! The stack diagram: areas as rows (under their group headings), offerings
//! as columns, each cell split into one band per holder and coloured by its
//! side (provider, customer, the upstream it is inherited from, third party),
//! with the holder's name written in the band, a hatch or dot pattern for
//! inherited and third-party bands, a legend and the model's title.
//!
//! Text is measured with [`super::text_width`] and wrapped to its box, so it
//! never overflows; every box is a `<g class="box">` whose first `<rect>`
//! holds its `<text>`. Coordinates are rounded to 0.1 px: the same matrix
//! gives the same bytes.

use std::fmt::Write;

use onus_core::resolve::{Matrix, ResolvedArea, ResolvedHolder};

use super::text_width::{width, wrap};
use super::{area_groups, sides, swatch, Options, Side};

const FONT: &str = "'DejaVu Sans', Verdana, Arial, Helvetica, sans-serif";
const MARGIN: f64 = 24.0;
const PAD: f64 = 8.0;
/// The white gutter between tiles.
const GAP: f64 = 2.0;
/// Line height, as a multiple of the font size.
const LEADING: f64 = 1.3;
const TITLE: f64 = 20.0;
const HEAD: f64 = 13.0;
const LABEL: f64 = 13.0;
const CELL: f64 = 12.0;
const GROUP: f64 = 12.0;
const LEGEND: f64 = 12.0;
const MIN_ROW: f64 = 34.0;
/// Vertical padding of a holder's band (top and bottom together).
const BAND_PAD: f64 = 14.0;
const MIN_TABLE: f64 = 560.0;
const INK: &str = "#111111";
const HEADER_FILL: &str = "#1F2937";
const GROUP_FILL: &str = "#E5E7EB";
const LABEL_FILL: &str = "#F3F4F6";

/// The diagram of the whole model, with the default [`Options`].
pub fn render(matrix: &Matrix) -> String {
    diagram(matrix, &Options::default()).svg
}

/// The diagram as drawn: the SVG text and its size in pixels (what a page
/// embedding it lays out by, without reading the text back).
#[derive(Clone, Debug, PartialEq)]
pub struct Diagram {
    pub svg: String,
    pub width: f64,
    pub height: f64,
}

/// The diagram of the whole model, holders named as `options` says.
pub fn diagram(matrix: &Matrix, options: &Options) -> Diagram {
    Layout::new(matrix, options).draw()
}

/// A box with wrapped text in it.
struct TextBox {
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    fill: String,
    lines: Vec<String>,
    size: f64,
    bold: bool,
    colour: &'static str,
    centred: bool,
    class: &'static str,
}

impl TextBox {
    fn draw(&self, out: &mut String) {
        let _ = write!(
            out,
            r#"<g class="box {}"><rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>"#,
            self.class,
            n(self.x),
            n(self.y),
            n(self.w),
            n(self.h),
            self.fill
        );
        let x = if self.centred {
            self.x + self.w / 2.0
        } else {
            self.x + PAD
        };
        text_block(
            out,
            x,
            self.y + self.h / 2.0,
            &self.lines,
            self.size,
            self.bold,
            self.colour,
            self.centred,
        );
        out.push_str("</g>\n");
    }
}

/// Lines of text centred vertically on `middle`.
#[allow(clippy::too_many_arguments)]
fn text_block(
    out: &mut String,
    x: f64,
    middle: f64,
    lines: &[String],
    size: f64,
    bold: bool,
    colour: &str,
    centred: bool,
) {
    let lh = size * LEADING;
    let top = middle - lh * lines.len() as f64 / 2.0;
    let _ = write!(
        out,
        r#"<text x="{}" font-size="{}"{}{} fill="{colour}">"#,
        n(x),
        n(size),
        if bold { r#" font-weight="bold""# } else { "" },
        if centred {
            r#" text-anchor="middle""#
        } else {
            ""
        },
    );
    for (i, line) in lines.iter().enumerate() {
        // 0.35 em below the middle of a line box puts the middle of the capitals there.
        let baseline = top + lh * i as f64 + lh / 2.0 + 0.35 * size;
        let _ = write!(
            out,
            r#"<tspan x="{}" y="{}">{}</tspan>"#,
            n(x),
            n(baseline),
            xml_escape(line)
        );
    }
    out.push_str("</text>");
}

fn block_height(lines: usize, size: f64) -> f64 {
    lines as f64 * size * LEADING
}

struct Layout<'m> {
    matrix: &'m Matrix,
    options: &'m Options,
    sides: Vec<Side>,
    label_w: f64,
    col_w: f64,
    width: f64,
}

impl<'m> Layout<'m> {
    fn new(matrix: &'m Matrix, options: &'m Options) -> Layout<'m> {
        let first = matrix.offerings.first();
        let longest = |items: &mut dyn Iterator<Item = f64>| items.fold(0.0_f64, f64::max);
        let label_w = (longest(
            &mut first
                .into_iter()
                .flat_map(|o| &o.areas)
                .map(|a| width(&a.name, LABEL, false)),
        ) + 2.0 * PAD)
            .clamp(150.0, 260.0);
        let widest_cell = longest(
            &mut matrix
                .offerings
                .iter()
                .flat_map(|o| &o.areas)
                .flat_map(|a| &a.holders)
                .map(|h| width(&options.label(matrix, h), CELL, false)),
        );
        let widest_head = longest(&mut matrix.offerings.iter().map(|o| width(&o.name, HEAD, true)));
        let count = matrix.offerings.len().max(1) as f64;
        let mut col_w = (widest_cell.max(widest_head) + 2.0 * PAD + GAP).clamp(120.0, 190.0);
        if label_w + count * col_w < MIN_TABLE {
            col_w = ((MIN_TABLE - label_w) / count).floor();
        }
        Layout {
            matrix,
            options,
            sides: sides(matrix),
            label_w,
            col_w,
            width: label_w + count * col_w + 2.0 * MARGIN,
        }
    }

    fn table_w(&self) -> f64 {
        self.width - 2.0 * MARGIN
    }

    fn draw(&self) -> Diagram {
        let mut body = String::new();
        let mut y = MARGIN;
        y = self.title(&mut body, y);
        y = self.header(&mut body, y + 12.0);
        for group in area_groups(self.matrix) {
            if let Some(name) = group.name {
                y = self.group_row(&mut body, y, name);
            }
            for i in group.areas {
                y = self.area_row(&mut body, y, i);
            }
        }
        y = self.legend(&mut body, y + 16.0);
        let height = (y + MARGIN).ceil();
        let title = super::page_title(self.matrix);
        let mut out = String::new();
        let _ = write!(
            out,
            r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" role="img" aria-labelledby="onus-svg-title onus-svg-desc" font-family="{FONT}">
<title id="onus-svg-title">{}</title>
<desc id="onus-svg-desc">Stack diagram: areas as rows, offerings as columns. Each cell names who holds the area in that offering; a cell split in bands is shared between its holders.</desc>
"#,
            xml_escape(&title),
            w = n(self.width),
            h = n(height),
        );
        self.defs(&mut out);
        let _ = writeln!(
            out,
            r##"<rect class="background" width="100%" height="100%" fill="#FFFFFF"/>"##
        );
        out.push_str(&body);
        out.push_str("</svg>\n");
        // The size as the SVG says it (to 0.1 px).
        let said = |x: f64| (x * 10.0).round() / 10.0;
        Diagram {
            svg: out,
            width: said(self.width),
            height: said(height),
        }
    }

    /// Patterns for the sides that are not told apart by colour alone.
    fn defs(&self, out: &mut String) {
        out.push_str("<defs>\n");
        for side in &self.sides {
            let class = side.class(&self.sides);
            let fill = swatch(&class).fill;
            match side {
                Side::Upstream(_) => {
                    let _ = writeln!(
                        out,
                        r##"<pattern id="onus-fill-{class}" patternUnits="userSpaceOnUse" width="10" height="10" patternTransform="rotate(45)"><rect width="10" height="10" fill="{fill}"/><rect width="2.5" height="10" fill="#FFFFFF" fill-opacity="0.22"/></pattern>"##
                    );
                }
                Side::ThirdParty => {
                    let _ = writeln!(
                        out,
                        r##"<pattern id="onus-fill-{class}" patternUnits="userSpaceOnUse" width="8" height="8"><rect width="8" height="8" fill="{fill}"/><circle cx="4" cy="4" r="1.5" fill="#FFFFFF" fill-opacity="0.6"/></pattern>"##
                    );
                }
                Side::Provider | Side::Customer => {}
            }
        }
        out.push_str("</defs>\n");
    }

    /// What a band of this side is filled with.
    fn paint(&self, side: &Side) -> String {
        let class = side.class(&self.sides);
        match side {
            Side::Upstream(_) | Side::ThirdParty => format!("url(#onus-fill-{class})"),
            Side::Provider | Side::Customer => swatch(&class).fill.to_string(),
        }
    }

    fn title(&self, out: &mut String, y: f64) -> f64 {
        let lines = wrap(&super::page_title(self.matrix), self.table_w(), TITLE, true);
        let h = block_height(lines.len(), TITLE);
        out.push_str(r#"<g class="title">"#);
        text_block(out, MARGIN, y + h / 2.0, &lines, TITLE, true, INK, false);
        out.push_str("</g>\n");
        y + h
    }

    fn header(&self, out: &mut String, y: f64) -> f64 {
        let inner = self.col_w - GAP - 2.0 * PAD;
        let heads: Vec<Vec<String>> = self
            .matrix
            .offerings
            .iter()
            .map(|o| wrap(&o.name, inner, HEAD, true))
            .collect();
        let lines = heads.iter().map(Vec::len).max().unwrap_or(1);
        let h = block_height(lines, HEAD) + 2.0 * PAD;
        TextBox {
            x: MARGIN,
            y,
            w: self.label_w - GAP,
            h: h - GAP,
            fill: HEADER_FILL.into(),
            lines: wrap("Responsibility", self.label_w - GAP - 2.0 * PAD, HEAD, true),
            size: HEAD,
            bold: true,
            colour: "#FFFFFF",
            centred: false,
            class: "corner",
        }
        .draw(out);
        for (i, lines) in heads.into_iter().enumerate() {
            TextBox {
                x: MARGIN + self.label_w + i as f64 * self.col_w,
                y,
                w: self.col_w - GAP,
                h: h - GAP,
                fill: HEADER_FILL.into(),
                lines,
                size: HEAD,
                bold: true,
                colour: "#FFFFFF",
                centred: true,
                class: "offering",
            }
            .draw(out);
        }
        y + h
    }

    fn group_row(&self, out: &mut String, y: f64, name: &str) -> f64 {
        let lines = wrap(name, self.table_w() - GAP - 2.0 * PAD, GROUP, true);
        let h = block_height(lines.len(), GROUP) + 12.0;
        TextBox {
            x: MARGIN,
            y,
            w: self.table_w() - GAP,
            h: h - GAP,
            fill: GROUP_FILL.into(),
            lines,
            size: GROUP,
            bold: true,
            colour: INK,
            centred: false,
            class: "group",
        }
        .draw(out);
        y + h
    }

    fn area_row(&self, out: &mut String, y: f64, i: usize) -> f64 {
        let offerings = &self.matrix.offerings;
        let Some(area) = offerings.first().and_then(|o| o.areas.get(i)) else {
            return y;
        };
        let label = wrap(&area.name, self.label_w - GAP - 2.0 * PAD, LABEL, false);
        let inner = self.col_w - GAP - 2.0 * PAD;
        let cells: Vec<Vec<Band>> = offerings
            .iter()
            .map(|o| {
                o.areas
                    .get(i)
                    .map_or_else(Vec::new, |a| self.bands(a, inner))
            })
            .collect();
        let natural = |bands: &Vec<Band>| bands.iter().map(|b| b.height).sum::<f64>();
        let h = cells
            .iter()
            .map(natural)
            .fold(block_height(label.len(), LABEL) + 2.0 * PAD, f64::max)
            .max(MIN_ROW)
            + GAP;
        TextBox {
            x: MARGIN,
            y,
            w: self.label_w - GAP,
            h: h - GAP,
            fill: LABEL_FILL.into(),
            lines: label,
            size: LABEL,
            bold: false,
            colour: INK,
            centred: false,
            class: "area",
        }
        .draw(out);
        for (c, (o, bands)) in offerings.iter().zip(cells).enumerate() {
            let x = MARGIN + self.label_w + c as f64 * self.col_w;
            let Some(a) = o.areas.get(i) else { continue };
            let _ = write!(
                out,
                r#"<g class="cell {}" data-offering="{}" data-area="{}"><title>{}</title>"#,
                a.split(),
                xml_escape(&o.id),
                xml_escape(&a.id),
                xml_escape(&cell_title(a, &o.name, |h| self
                    .options
                    .label(self.matrix, h)))
            );
            out.push('\n');
            let extra = (h - GAP - natural(&bands)) / bands.len().max(1) as f64;
            let mut top = y;
            let count = bands.len();
            for (k, band) in bands.into_iter().enumerate() {
                // Bands of one cell touch; the gutter is only between cells.
                let bh = band.height + extra;
                let last = k + 1 == count;
                TextBox {
                    x,
                    y: top,
                    w: self.col_w - GAP,
                    // A hairline of white between the bands of a cell.
                    h: if last { y + h - GAP - top } else { bh - 1.0 },
                    fill: band.fill,
                    lines: band.lines,
                    size: CELL,
                    bold: false,
                    colour: INK,
                    centred: true,
                    class: band.class,
                }
                .draw(out);
                top += bh;
            }
            out.push_str("</g>\n");
        }
        y + h
    }

    fn bands(&self, a: &ResolvedArea, inner: f64) -> Vec<Band> {
        if a.holders.is_empty() {
            let lines = wrap("Nobody", inner, CELL, false);
            return vec![Band {
                height: block_height(lines.len(), CELL) + BAND_PAD,
                lines,
                fill: "#FFFFFF".into(),
                class: "nobody",
            }];
        }
        let mut holders: Vec<&ResolvedHolder> = a.holders.iter().collect();
        holders.sort_by_key(|h| {
            let side = Side::of(h);
            self.sides.iter().position(|s| *s == side)
        });
        holders
            .into_iter()
            .map(|h| {
                let lines = wrap(&self.options.label(self.matrix, h), inner, CELL, false);
                Band {
                    height: block_height(lines.len(), CELL) + BAND_PAD,
                    lines,
                    fill: self.paint(&Side::of(h)),
                    class: "holder",
                }
            })
            .collect()
    }

    fn legend(&self, out: &mut String, y: f64) -> f64 {
        let mut items: Vec<(Vec<String>, String)> = self
            .sides
            .iter()
            .map(|s| (vec![self.paint(s)], self.legend_label(s)))
            .collect();
        let shared = self
            .matrix
            .offerings
            .iter()
            .flat_map(|o| &o.areas)
            .any(|a| a.holders.len() > 1);
        if shared {
            let mut fills: Vec<String> = self.sides.iter().take(2).map(|s| self.paint(s)).collect();
            if fills.len() < 2 {
                fills.push(GROUP_FILL.into());
            }
            items.push((fills, "Shared: one band per holder".into()));
        }
        let sw = 22.0;
        let sh: f64 = 16.0;
        let lh = LEGEND * LEADING;
        let row_h = sh.max(lh) + 8.0;
        let max_x = self.width - MARGIN;
        let mut x = MARGIN;
        let mut y = y;
        out.push_str(r#"<g class="legend">"#);
        let heading = "Held by:";
        text_block(
            out,
            x,
            y + row_h / 2.0,
            &[heading.to_string()],
            LEGEND,
            true,
            INK,
            false,
        );
        x += width(heading, LEGEND, true) + 12.0;
        for (fills, label) in items {
            let room = max_x - x - sw - 6.0;
            let text_w = width(&label, LEGEND, false);
            if text_w > room && x > MARGIN {
                x = MARGIN;
                y += row_h;
            }
            let lines = wrap(&label, max_x - x - sw - 6.0, LEGEND, false);
            let block = block_height(lines.len(), LEGEND).max(sh);
            let part = sh / fills.len() as f64;
            for (k, fill) in fills.iter().enumerate() {
                let _ = write!(
                    out,
                    r##"<rect x="{}" y="{}" width="{}" height="{}" fill="{fill}"/>"##,
                    n(x),
                    n(y + (row_h - sh) / 2.0 + k as f64 * part),
                    n(sw),
                    n(part)
                );
            }
            let _ = write!(
                out,
                r##"<rect x="{}" y="{}" width="{}" height="{}" fill="none" stroke="#6B7280"/>"##,
                n(x),
                n(y + (row_h - sh) / 2.0),
                n(sw),
                n(sh)
            );
            let middle = y + (row_h - sh) / 2.0 + block / 2.0;
            text_block(out, x + sw + 6.0, middle, &lines, LEGEND, false, INK, false);
            let used = lines
                .iter()
                .map(|l| width(l, LEGEND, false))
                .fold(0.0, f64::max);
            x += sw + 6.0 + used + 20.0;
            if lines.len() > 1 {
                x = MARGIN;
                y += block + 8.0;
            }
        }
        out.push_str("</g>\n");
        y + row_h
    }

    fn legend_label(&self, side: &Side) -> String {
        let mut names: Vec<String> = Vec::new();
        for party in super::holding_parties(self.matrix) {
            if let Some(h) = super::party_holder(self.matrix, party) {
                if Side::of(h) == *side {
                    let label = self.options.label(self.matrix, h);
                    if !names.contains(&label) {
                        names.push(label);
                    }
                }
            }
        }
        let names = names.join(", ");
        let role = match side {
            Side::Provider => "provider",
            Side::Customer => "customer",
            Side::ThirdParty => "third party",
            Side::Upstream(_) => return format!("{names}, inherited"),
        };
        if names.eq_ignore_ascii_case(role) {
            names
        } else {
            format!("{names} ({role})")
        }
    }
}

struct Band {
    height: f64,
    lines: Vec<String>,
    fill: String,
    class: &'static str,
}

/// The tooltip of a cell: area, offering, and each holder with its scope.
fn cell_title(
    a: &ResolvedArea,
    offering: &str,
    label: impl Fn(&ResolvedHolder) -> String,
) -> String {
    let holders: Vec<String> = a
        .holders
        .iter()
        .map(|h| match h.scope() {
            Some(s) => format!("{} ({s})", label(h)),
            None => label(h),
        })
        .collect();
    format!(
        "{} in {}: {}",
        a.name,
        offering,
        if holders.is_empty() {
            "nobody".to_string()
        } else {
            holders.join("; ")
        }
    )
}

/// A number as the SVG says it: rounded to 0.1, without a trailing `.0`.
fn n(x: f64) -> String {
    let r = (x * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// Escapes text for XML content and attribute values.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_short_and_stable() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.04), "12");
        assert_eq!(n(12.06), "12.1");
        assert_eq!(n(-0.0), "0");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(xml_escape("a<b & \"c\"\u{1}"), "a&lt;b &amp; &quot;c&quot;");
    }
}
