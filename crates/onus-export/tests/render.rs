//! `onus_export::render` on every example model: snapshots of the Markdown
//! page and the SVG diagram, the SVG and HTML read back with real parsers,
//! the XLSX workbook read back with a real reader, and the seed pages'
//! rows found in the rendered Markdown.

use std::collections::HashSet;
use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use calamine::{Data, Reader, Xlsx};
use onus_core::check::check;
use onus_core::diagnostic;
use onus_core::load::ModelSet;
use onus_core::model::RefKind;
use onus_core::resolve::{resolve, Matrix};
use onus_export::render::{self, text_width, xlsx, Target};

fn examples_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples")
}

/// Every example, by name (`codat` for `codat.onus.yaml`), sorted.
fn examples() -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(examples_dir())
        .expect("the examples folder")
        .filter_map(|e| {
            let path = e.ok()?.path();
            let name = path.file_name()?.to_str()?.strip_suffix(".onus.yaml")?;
            Some((name.to_string(), path))
        })
        .collect();
    out.sort();
    assert!(out.len() >= 5, "expected the five examples, found {out:?}");
    out
}

fn load(path: &Path) -> Arc<Matrix> {
    let set = ModelSet::load(&[path.to_path_buf()], &onus_fs::OsFiles).expect("readable model");
    let (errors, _) = diagnostic::counts(&check(&set));
    assert_eq!(errors, 0, "{} has errors", path.display());
    resolve(&set, set.roots[0]).expect("resolved model")
}

fn example(name: &str) -> Arc<Matrix> {
    load(&examples_dir().join(format!("{name}.onus.yaml")))
}

#[test]
fn markdown_snapshots() {
    for (name, path) in examples() {
        let md = render::markdown::render(&load(&path));
        insta::assert_snapshot!(format!("markdown-{name}"), md);
    }
}

#[test]
fn svg_snapshots() {
    for (name, path) in examples() {
        let svg = render::svg::render(&load(&path));
        insta::assert_snapshot!(format!("svg-{name}"), svg);
    }
}

#[test]
fn every_target_is_deterministic() {
    for (_, path) in examples() {
        let m = load(&path);
        for target in [Target::Markdown, Target::Html, Target::Svg, Target::Xlsx] {
            let a = render::render(&m, target).unwrap();
            let b = render::render(&load(&path), target).unwrap();
            assert!(
                a == b,
                "{target:?} of {} differs between runs",
                path.display()
            );
        }
    }
}

fn attr(node: roxmltree::Node, name: &str) -> f64 {
    node.attribute(name)
        .unwrap_or_else(|| panic!("<{}> has no {name}", node.tag_name().name()))
        .parse()
        .unwrap()
}

/// Every line of every box's text fits inside its box, and every text inside the picture.
#[test]
fn svg_parses_and_no_text_overflows_its_box() {
    for (name, path) in examples() {
        let m = load(&path);
        let text = render::svg::render(&m);
        let doc = roxmltree::Document::parse(&text)
            .unwrap_or_else(|e| panic!("{name}: the SVG is not well-formed XML: {e}"));
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        assert_eq!(
            root.tag_name().namespace(),
            Some("http://www.w3.org/2000/svg")
        );
        let width = attr(root, "width");
        let height = attr(root, "height");
        assert_eq!(
            root.attribute("viewBox"),
            Some(
                format!(
                    "0 0 {} {}",
                    root.attribute("width").unwrap(),
                    root.attribute("height").unwrap()
                )
                .as_str()
            )
        );
        let title = root
            .children()
            .find(|n| n.has_tag_name("title"))
            .and_then(|t| t.text())
            .unwrap_or_default();
        assert_eq!(title, render::page_title(&m), "{name}: the diagram's title");

        let mut boxes = 0;
        for g in root.descendants().filter(|n| {
            n.has_tag_name("g")
                && n.attribute("class")
                    .is_some_and(|c| c.split(' ').any(|w| w == "box"))
        }) {
            boxes += 1;
            let rect = g
                .children()
                .find(|n| n.has_tag_name("rect"))
                .expect("a box has a rect");
            let (x, y, w, h) = (
                attr(rect, "x"),
                attr(rect, "y"),
                attr(rect, "width"),
                attr(rect, "height"),
            );
            for t in g.children().filter(|n| n.has_tag_name("text")) {
                let size = attr(t, "font-size");
                let bold = t.attribute("font-weight") == Some("bold");
                let centred = t.attribute("text-anchor") == Some("middle");
                for span in t.children().filter(|n| n.has_tag_name("tspan")) {
                    let line = span.text().unwrap_or_default();
                    let lw = text_width::width(line, size, bold);
                    let tx = attr(span, "x");
                    let (left, right) = if centred {
                        (tx - lw / 2.0, tx + lw / 2.0)
                    } else {
                        (tx, tx + lw)
                    };
                    assert!(
                        left >= x - 0.05 && right <= x + w + 0.05,
                        "{name}: {line:?} ({left:.1}..{right:.1}) overflows its box ({x}..{})",
                        x + w
                    );
                    let baseline = attr(span, "y");
                    assert!(
                        baseline - 0.8 * size >= y - 0.05 && baseline + 0.25 * size <= y + h + 0.05,
                        "{name}: {line:?} sticks out of its box vertically"
                    );
                }
            }
        }
        let offerings = m.offerings.len();
        let areas = m.offerings[0].areas.len();
        let cells: Vec<_> = root
            .descendants()
            .filter(|n| {
                n.has_tag_name("g") && n.attribute("class").is_some_and(|c| c.starts_with("cell "))
            })
            .collect();
        assert_eq!(
            cells.len(),
            offerings * areas,
            "{name}: one cell per area and offering"
        );
        assert!(cells
            .iter()
            .all(|c| c.children().any(|n| n.has_tag_name("title"))));
        assert!(boxes > cells.len());
        // Every line, boxed or not (title, legend), stays inside the picture.
        for t in root.descendants().filter(|n| n.has_tag_name("text")) {
            let size = attr(t, "font-size");
            let bold = t.attribute("font-weight") == Some("bold");
            let centred = t.attribute("text-anchor") == Some("middle");
            for span in t.children().filter(|n| n.has_tag_name("tspan")) {
                let line = span.text().unwrap_or_default();
                let lw = text_width::width(line, size, bold);
                let x = attr(span, "x");
                let (left, right) = if centred {
                    (x - lw / 2.0, x + lw / 2.0)
                } else {
                    (x, x + lw)
                };
                assert!(
                    left >= 0.0 && right <= width,
                    "{name}: {line:?} runs off the picture"
                );
                let y = attr(span, "y");
                assert!(
                    y - size >= 0.0 && y <= height,
                    "{name}: {line:?} runs off the picture"
                );
            }
        }
    }
}

/// Each holder is named in its band, and bands take their side's colour or pattern.
#[test]
fn svg_cells_name_their_holders() {
    let m = example("azure");
    let svg = render::svg::render(&m);
    let doc = roxmltree::Document::parse(&svg).unwrap();
    let cell = doc
        .descendants()
        .find(|n| {
            n.attribute("data-offering") == Some("paas")
                && n.attribute("data-area") == Some("applications")
        })
        .expect("the PaaS applications cell");
    assert_eq!(cell.attribute("class"), Some("cell shared"));
    let bands: Vec<(String, String)> = cell
        .children()
        .filter(|n| n.has_tag_name("g"))
        .map(|g| {
            let fill = g
                .children()
                .find(|n| n.has_tag_name("rect"))
                .unwrap()
                .attribute("fill")
                .unwrap()
                .to_string();
            let text: String = g
                .descendants()
                .filter(|n| n.is_text())
                .filter_map(|n| n.text())
                .collect::<Vec<_>>()
                .join(" ");
            (text, fill)
        })
        .collect();
    assert_eq!(
        bands,
        vec![
            (
                "Microsoft".to_string(),
                render::swatch("provider").fill.to_string()
            ),
            (
                "Customer".to_string(),
                render::swatch("customer").fill.to_string()
            ),
        ]
    );
    // Inherited bands are hatched, and the legend says where from.
    let codat = render::svg::render(&example("codat"));
    assert!(codat.contains(r#"fill="url(#onus-fill-upstream-0)""#));
    assert!(codat.contains("Microsoft, inherited"), "{codat}");
    assert!(
        !codat.contains("(via azure)"),
        "named as the other documents name it"
    );
}

#[test]
fn html_is_self_contained_and_accessible() {
    use scraper::{Html, Selector};
    let sel = |s: &str| Selector::parse(s).unwrap();
    for (name, path) in examples() {
        let m = load(&path);
        let text = render::html::render(&m);
        let page = Html::parse_document(&text);
        assert!(
            page.errors.is_empty(),
            "{name}: HTML parse errors: {:?}",
            page.errors
        );
        assert_eq!(
            page.select(&sel("html[lang=en]")).count(),
            1,
            "{name}: lang"
        );
        assert_eq!(page.select(&sel("h1")).count(), 1, "{name}: one h1");
        assert_eq!(page.select(&sel("main#main")).count(), 1);
        assert_eq!(page.select(&sel("head > title")).count(), 1);
        // Nothing is fetched: no scripts, stylesheets, images, frames or objects.
        for banned in [
            "script", "link", "img", "iframe", "object", "embed", "[src]", "[srcset]",
        ] {
            assert_eq!(
                page.select(&sel(banned)).count(),
                0,
                "{name}: found {banned}"
            );
        }
        assert_eq!(page.select(&sel("style")).count(), 1);
        assert!(!text.contains("url(http"), "{name}: a URL in CSS");
        // The diagram, inline.
        assert_eq!(
            page.select(&sel("figure > svg[role=img]")).count(),
            1,
            "{name}: inline SVG"
        );
        // The matrix: one table per offering, with a caption and header cells.
        let matrix_tables = page.select(&sel("#matrix table")).count();
        assert_eq!(
            matrix_tables,
            m.offerings.len(),
            "{name}: a matrix per offering"
        );
        for table in page.select(&sel("table")) {
            assert!(
                table.select(&sel("caption")).next().is_some(),
                "{name}: table without caption"
            );
            assert!(
                table.select(&sel("thead th[scope=col]")).next().is_some(),
                "{name}: table without column headers"
            );
        }
        let rows_per_table = m.offerings[0].areas.len();
        for table in page.select(&sel("#matrix table")) {
            assert_eq!(
                table.select(&sel("tbody th[scope=row]")).count(),
                rows_per_table
            );
        }
        // Each holding party has its section.
        assert_eq!(
            page.select(&sel("#parties h3[id^=party-]")).count(),
            render::holding_parties(&m).len(),
            "{name}: a duties table per party"
        );
        // The checklist: one box per customer duty (or per area without listed duties), each labelled.
        let customer = m.customer().unwrap();
        let expected: usize = m
            .offerings
            .iter()
            .flat_map(|o| &o.areas)
            .filter_map(|a| a.holders.iter().find(|h| h.party == customer))
            .map(|h| h.duties.len().max(1))
            .sum();
        let boxes: Vec<_> = page
            .select(&sel("#checklist input[type=checkbox]"))
            .collect();
        assert_eq!(boxes.len(), expected, "{name}: checklist boxes");
        for b in &boxes {
            let id = b.value().id().expect("a checkbox has an id");
            let label = format!("label[for=\"{id}\"]");
            assert_eq!(
                page.select(&sel(&label)).count(),
                1,
                "{name}: {id} has no label"
            );
        }
        // Ids are unique (the inline SVG's included).
        let mut ids = HashSet::new();
        for el in page.select(&sel("[id]")) {
            let id = el.value().id().unwrap();
            assert!(ids.insert(id.to_string()), "{name}: duplicate id {id}");
        }
        // In-page links point at something.
        for a in page.select(&sel("a[href^='#']")) {
            let target = &a.value().attr("href").unwrap()[1..];
            assert!(ids.contains(target), "{name}: link to missing #{target}");
        }
        // Links leave the page only to http(s) or mailto.
        for a in page.select(&sel("a[href]")) {
            let href = a.value().attr("href").unwrap();
            assert!(
                href.starts_with('#')
                    || href.starts_with("https://")
                    || href.starts_with("http://")
                    || href.starts_with("mailto:"),
                "{name}: unexpected link {href}"
            );
        }
        assert!(text.contains("@media print"), "{name}: print stylesheet");
    }
}

fn cell(range: &calamine::Range<Data>, row: usize, col: usize) -> String {
    range
        .get((row, col))
        .map(|d| d.to_string())
        .unwrap_or_default()
}

#[test]
fn xlsx_reads_back() {
    for (name, path) in examples() {
        let m = load(&path);
        let options = render::Options {
            created: Some(1_796_079_900),
            ..render::Options::default()
        };
        let bytes = xlsx::render_with(&m, &options).unwrap();
        let mut book: Xlsx<_> =
            Xlsx::new(Cursor::new(bytes)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let names = book.sheet_names();
        assert_eq!(
            names.len(),
            m.offerings.len() + 4,
            "{name}: sheets {names:?}"
        );
        assert_eq!(
            &names[m.offerings.len()..],
            [
                xlsx::CUSTOMER_DUTIES,
                xlsx::PRACTICES,
                xlsx::EVIDENCE,
                xlsx::ABOUT
            ]
        );
        // The offerings' sheets are named after them, cut between words.
        for (o, sheet) in m.offerings.iter().zip(&names) {
            assert!(o.name.starts_with(sheet.as_str()), "{name}: {sheet}");
            let rest = &o.name[sheet.len()..];
            assert!(
                rest.is_empty() || rest.starts_with([' ', ',', '(']),
                "{name}: {sheet} | {rest}"
            );
        }
        // What the workbook is, what made it and when.
        let about = book.worksheet_range(xlsx::ABOUT).unwrap();
        let about: Vec<(String, String)> = (1..about.height())
            .map(|r| (cell(&about, r, 0), cell(&about, r, 1)))
            .collect();
        let value = |k: &str| {
            about
                .iter()
                .find(|(key, _)| key == k)
                .map(|(_, v)| v.clone())
                .unwrap_or_else(|| panic!("{name}: no {k} in {about:?}"))
        };
        assert_eq!(value("Model"), m.model);
        assert_eq!(
            value("Generated by"),
            format!("onus {}", env!("CARGO_PKG_VERSION"))
        );
        assert_eq!(value("Created"), "2026-11-30 23:05 UTC");
        if let Some(v) = &m.version {
            assert_eq!(value("Version"), *v);
        }

        for (o, sheet) in m.offerings.iter().zip(&names) {
            let range = book.worksheet_range(sheet).unwrap();
            let header: Vec<String> = (0..xlsx::MATRIX_HEADERS.len())
                .map(|c| cell(&range, 0, c))
                .collect();
            assert_eq!(header, xlsx::MATRIX_HEADERS);
            let holders: usize = o.areas.iter().map(|a| a.holders.len().max(1)).sum();
            assert_eq!(
                range.height(),
                holders + 1,
                "{name}/{sheet}: one row per area and holder"
            );
            // Row by row, the same holders as the resolved model, in order.
            let mut r = 1;
            for a in &o.areas {
                for h in &a.holders {
                    assert_eq!(cell(&range, r, 1), a.name);
                    assert_eq!(cell(&range, r, 2), a.split());
                    // The party's name, not "Name (via upstream)".
                    assert_eq!(cell(&range, r, 3), h.name);
                    assert_eq!(cell(&range, r, 5), h.scope().unwrap_or_default());
                    let controls: Vec<String> =
                        a.controls.iter().map(|c| c.control.clone()).collect();
                    let written = cell(&range, r, 10);
                    assert!(
                        controls.iter().all(|c| written.contains(c.as_str())),
                        "{name}: {written}"
                    );
                    r += 1;
                }
            }
        }

        let duties = book.worksheet_range(xlsx::CUSTOMER_DUTIES).unwrap();
        let header: Vec<String> = (0..xlsx::DUTY_HEADERS.len())
            .map(|c| cell(&duties, 0, c))
            .collect();
        assert_eq!(header, xlsx::DUTY_HEADERS);
        let customer = m.customer().unwrap();
        let expected: Vec<(String, String, String)> = m
            .offerings
            .iter()
            .flat_map(|o| o.areas.iter().map(move |a| (o, a)))
            .filter_map(|(o, a)| {
                a.holders
                    .iter()
                    .find(|h| h.party == customer)
                    .map(|h| (o, a, h))
            })
            .flat_map(|(o, a, h)| {
                let list = if h.duties.is_empty() {
                    vec![String::new()]
                } else {
                    h.duties.iter().map(|d| d.to_string()).collect()
                };
                list.into_iter()
                    .map(move |d| (o.name.clone(), a.name.to_string(), d))
            })
            .collect();
        let found: Vec<(String, String, String)> = (1..duties.height())
            .map(|r| {
                (
                    cell(&duties, r, 0),
                    cell(&duties, r, 1),
                    cell(&duties, r, 3),
                )
            })
            .collect();
        assert_eq!(found, expected, "{name}: customer duties");

        let practices = book.worksheet_range(xlsx::PRACTICES).unwrap();
        let (m_practices, m_evidence) = (
            m.references.of(RefKind::Practice),
            m.references.of(RefKind::Evidence),
        );
        assert_eq!(practices.height().saturating_sub(1), m_practices.len());
        let evidence = book.worksheet_range(xlsx::EVIDENCE).unwrap();
        assert_eq!(evidence.height().saturating_sub(1), m_evidence.len());
        for (r, (id, e)) in m_evidence.iter().enumerate() {
            assert_eq!(cell(&evidence, r + 1, 0), *id);
            assert_eq!(cell(&evidence, r + 1, 1), e.name);
            assert_eq!(cell(&evidence, r + 1, 3), e.access.as_str());
        }
    }
}

// ---- The seeds' tables, in the rendered Markdown ----

/// The cells of a Markdown table row (`\|` is a pipe inside a cell).
fn cells(line: &str) -> Vec<String> {
    let inner = line.trim().trim_start_matches('|');
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut escaped = false;
    for c in inner.chars() {
        match (c, escaped) {
            ('\\', false) => escaped = true,
            ('|', false) => out.push(std::mem::take(&mut cur).trim().to_string()),
            (c, _) => {
                if escaped && c != '|' {
                    cur.push('\\');
                }
                cur.push(c);
                escaped = false;
            }
        }
    }
    out
}

/// The lines of the section under `heading` (up to the next heading of the same or a higher level).
fn section<'a>(md: &'a str, heading: &str) -> Vec<&'a str> {
    let level = heading.chars().take_while(|c| *c == '#').count();
    let mut lines = md.lines().skip_while(|l| *l != heading);
    assert!(lines.next().is_some(), "no section {heading:?} in:\n{md}");
    lines
        .take_while(|l| {
            let hashes = l.chars().take_while(|c| *c == '#').count();
            hashes == 0 || hashes > level || !l[hashes..].starts_with(' ')
        })
        .collect()
}

/// The table rows of a section, by their first cell.
fn rows(lines: &[&str]) -> Vec<Vec<String>> {
    lines
        .iter()
        .filter(|l| l.starts_with('|') && !l.starts_with("| ---"))
        .map(|l| cells(l))
        .collect()
}

fn column(header: &[String], name: &str) -> usize {
    header
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name:?} in {header:?}"))
}

/// A "How is it done?" item of the seed: its text, and its link if it has one.
type How = (&'static str, Option<&'static str>);

/// The seed's "Codat's scope" table (000, docs.codat.io shared responsibility
/// model), row by row. "Security Operations & Network Security Policy
/// (workplace tech)" is the practice with a note on the row.
const CODAT_SCOPE: &[(&str, &[How])] = &[
    (
        "Information and data",
        &[
            ("Codat Control Framework", None),
            ("Data Retention Policy", None),
            ("Encryption Policy", None),
            ("Access Control Policy", None),
            ("Security & Data Protection", None),
            (
                "Information Security Policy",
                Some("https://trust.codat.io/"),
            ),
            ("Acceptable Use Policy", Some("https://trust.codat.io/")),
            (
                "Data Security",
                Some("/enterprise/tech-overview/security/data-security"),
            ),
        ],
    ),
    (
        "Devices (mobile and PCs)",
        &[
            ("People Operations Security Policy", None),
            ("Security Operations & Network Security Policy", None),
            ("Security & Data Protection", None),
            ("Acceptable Use Policy", Some("https://trust.codat.io/")),
        ],
    ),
    (
        "Accounts and identities",
        &[
            ("Password Policy", None),
            ("Access Control Policy", None),
            (
                "Information Security Policy",
                Some("https://trust.codat.io/"),
            ),
            ("People Operations Security Policy", None),
            ("Security & Data Protection", None),
            ("Acceptable Use Policy", Some("https://trust.codat.io/")),
        ],
    ),
    (
        "Identity and directory infrastructure",
        &[
            ("Access Control Policy", None),
            (
                "Information Security Policy",
                Some("https://trust.codat.io/"),
            ),
        ],
    ),
    (
        "Applications",
        &[
            ("Codat Control Framework", None),
            ("Change Management Policy", Some("https://trust.codat.io/")),
            ("Secure SDLC Policy", Some("https://trust.codat.io/")),
        ],
    ),
    (
        "Network controls",
        &[
            ("Security Operations & Network Security Policy", None),
            ("Codat Control Framework", None),
            (
                "Information Security Policy",
                Some("https://trust.codat.io/"),
            ),
            (
                "Network Security",
                Some("/enterprise/tech-overview/security/network-security"),
            ),
        ],
    ),
];

/// The seed's "Azure's scope" table.
const AZURE_SCOPE: &[(&str, &[How])] = &[
    ("Operating System", &[
        ("Firmware security", Some("https://learn.microsoft.com/en-us/azure/security/fundamentals/firmware")),
        ("Security in Azure App Services", Some("https://learn.microsoft.com/en-us/azure/app-service/overview-security")),
        ("Securing PaaS deployments", Some("https://learn.microsoft.com/en-us/azure/security/fundamentals/paas-deployments")),
    ]),
    ("Physical hosts", &[(
        "Azure information system components and boundaries",
        Some("https://learn.microsoft.com/en-us/azure/security/fundamentals/infrastructure-components"),
    )]),
    ("Physical network", &[(
        "Azure information system components and boundaries",
        Some("https://learn.microsoft.com/en-us/azure/security/fundamentals/infrastructure-components"),
    )]),
    ("Physical data centre", &[(
        "Datacenter security overview",
        Some("https://learn.microsoft.com/en-us/compliance/assurance/assurance-datacenter-security"),
    )]),
];

fn assert_seed_rows(md: &str, heading: &str, seed: &[(&str, &[How])]) {
    let table = rows(&section(md, heading));
    let header = &table[0];
    let how = column(header, "How is it done?");
    for (area, items) in seed {
        let row = table
            .iter()
            .find(|r| r[0] == *area)
            .unwrap_or_else(|| panic!("{heading}: no row {area:?}"));
        let bullets: Vec<&str> = row[how].split("<br>").collect();
        assert_eq!(
            bullets.len(),
            items.len(),
            "{heading} / {area}: {bullets:?}"
        );
        for ((text, link), bullet) in items.iter().zip(&bullets) {
            let bullet = bullet.strip_prefix("• ").expect("a bullet");
            match link {
                Some(url) => {
                    assert!(
                        bullet.starts_with(&format!("[{text}")),
                        "{area}: {bullet:?} is not a link to {text:?}"
                    );
                    let href = bullet
                        .rsplit_once("](")
                        .map(|(_, h)| h.trim_end_matches(')'))
                        .unwrap();
                    assert!(
                        href.ends_with(url),
                        "{area}: {text} links to {href}, not {url}"
                    );
                }
                None => assert_eq!(bullet, *text, "{area}"),
            }
            // Access marks: the seed's trust.codat.io documents are on request.
            if link == &Some("https://trust.codat.io/") {
                assert!(
                    bullet.contains("(on-request)"),
                    "{area}: {text} is not marked on request"
                );
            }
        }
    }
}

#[test]
fn codat_page_holds_the_seed_rows_with_their_holders() {
    let md = render::markdown::render(&example("codat"));
    assert!(md.starts_with("# Codat: Shared responsibility model\n"));
    assert!(md.contains("Operations at Codat are performed entirely on cloud hosted platforms."));
    // Codat's scope is Codat's; Azure's scope is Microsoft's, named as
    // people know it (the upstream's id is not for the public page).
    assert_seed_rows(&md, "### Codat", CODAT_SCOPE);
    assert_seed_rows(&md, "### Microsoft", AZURE_SCOPE);
    assert!(!md.contains("(via azure)"), "{md}");
    assert!(md.contains("Runs on Microsoft."), "{md}");
    // And the matrix says so too, under the seed's group headings.
    let matrix = rows(&section(&md, "## Who holds what"));
    let holder = |area: &str| {
        matrix
            .iter()
            .find(|r| r[0] == area)
            .unwrap_or_else(|| panic!("matrix row {area}"))[1]
            .clone()
    };
    for (area, _) in CODAT_SCOPE {
        assert!(
            holder(area).split("<br>").any(|h| h.starts_with("Codat")),
            "{area}: {}",
            holder(area)
        );
    }
    for (area, _) in AZURE_SCOPE {
        assert_eq!(holder(area), "Microsoft");
    }
    assert!(matrix.iter().any(|r| r[0] == "**Codat's scope**"));
    assert!(matrix.iter().any(|r| r[0] == "**Azure's scope**"));
    // The evidence the seed points to for Azure's scope.
    let evidence = rows(&section(&md, "## Evidence"));
    for (name, url) in [
        (
            "Microsoft Trust Center",
            "https://www.microsoft.com/en-us/trustcenter/",
        ),
        (
            "Shared responsibility in the cloud",
            "https://learn.microsoft.com/en-us/azure/security/fundamentals/shared-responsibility",
        ),
    ] {
        assert!(
            evidence.iter().any(|r| r[0] == format!("[{name}]({url})")),
            "evidence {name}"
        );
    }
}

/// The seed's first table (002, docs.coherent.global shared responsibility
/// model): area, Coherent's cell, the customer's cell ("" for none).
const COHERENT_TABLE: &[(&str, &str, &str)] = &[
    ("Infrastructure and cloud security", "Responsible", ""),
    ("Platform encryption", "Responsible", ""),
    (
        "Privileged Access Management (PAM)",
        "Responsible for platform",
        "Responsible for tenant",
    ),
    (
        "Logging and monitoring",
        "Responsible for platform logging and monitoring",
        "Responsible for tenant monitoring and log review",
    ),
    (
        "Incident response",
        "Responsible for platform-level incidents",
        "Responsible for customer tenant incidents",
    ),
    (
        "Compliance",
        "Responsible for platform-level compliance",
        "Responsible for customer-specific compliance",
    ),
];

/// The bullets of the seed's two duty tables, by party.
const COHERENT_DUTIES: &[&str] = &[
    "Secure hosting and platform availability.",
    "Patch management and vulnerability remediation.",
    "Encryption, tenant isolation, and network security.",
    "Centralized logging and monitoring.",
    "Platform-level IAM governance and JIT privileged access.",
    "Investigates and responds to platform security incidents.",
    "Manages incidents involving privileged platform access.",
    "Remediate vulnerabilities affecting the SaaS infrastructure.",
    "Maintains compliance controls applicable to the platform.",
];
const CUSTOMER_DUTIES: &[&str] = &[
    "Authentication and MFA configuration.",
    "User and role management.",
    "Identity federation and integration security.",
    "Tenant monitoring and compliance obligations.",
    "Respond to user access misuse or configuration-related incidents.",
    "Review and manage privileged access within their tenant.",
    "Ensure tenant configurations meet their legal, regulatory, and organizational requirements.",
    "Maintain compliance obligations specific to their industry and jurisdiction.",
];

#[test]
fn coherent_page_holds_the_seed_rows_with_their_scopes() {
    let md = render::markdown::render(&example("coherent"));
    let table = rows(&section(&md, "## Scope and duties"));
    assert_eq!(table[0], ["Responsibility area", "Coherent", "Customer"]);
    assert_eq!(
        table.len(),
        1 + COHERENT_TABLE.len(),
        "the six rows of the seed"
    );
    for (area, coherent, customer) in COHERENT_TABLE {
        let row = table
            .iter()
            .find(|r| r[0] == *area)
            .unwrap_or_else(|| panic!("no row {area}"));
        let lines = |c: &str| c.split("<br>").map(str::to_string).collect::<Vec<_>>();
        let first_lines = |c: &str| {
            lines(c)
                .into_iter()
                .take_while(|l| !l.starts_with("• "))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert!(row[1].starts_with("✅"), "{area}: Coherent holds it");
        assert!(
            first_lines(&row[1]).contains(coherent),
            "{area}: {:?}",
            row[1]
        );
        if customer.is_empty() {
            assert_eq!(row[2], "", "{area}: the customer holds nothing");
        } else {
            assert!(row[2].starts_with("✅"), "{area}: the customer holds part");
            assert!(
                first_lines(&row[2]).contains(customer),
                "{area}: {:?}",
                row[2]
            );
        }
        // The scopes: platform and tenant for the shared rows.
        if !customer.is_empty() {
            assert!(
                row[1].starts_with("✅ **platform**") && row[2].starts_with("✅ **tenant**"),
                "{area}"
            );
        }
    }
    let bullets = |col: usize| -> Vec<String> {
        table[1..]
            .iter()
            .flat_map(|r| {
                r[col]
                    .split("<br>")
                    .filter_map(|l| l.strip_prefix("• "))
                    .map(str::to_string)
                    .collect::<Vec<_>>()
            })
            .collect()
    };
    let (coherent, customer) = (bullets(1), bullets(2));
    for d in COHERENT_DUTIES {
        assert!(coherent.iter().any(|b| b == d), "Coherent's duty {d:?}");
    }
    for d in CUSTOMER_DUTIES {
        assert!(customer.iter().any(|b| b == d), "the customer's duty {d:?}");
    }
    assert_eq!(coherent.len(), COHERENT_DUTIES.len());
    assert_eq!(customer.len(), CUSTOMER_DUTIES.len());
}

/// The diagram the README shows is the current rendering of its example.
#[test]
fn docs_diagram_is_current() {
    let committed = std::fs::read_to_string(examples_dir().join("../docs/outsystems-stack.svg"))
        .expect("docs/outsystems-stack.svg");
    let current = render::svg::render(&example("outsystems"));
    assert!(
        committed == current,
        "docs/outsystems-stack.svg is stale: run `onus render examples/outsystems.onus.yaml --to svg -o docs/outsystems-stack.svg`"
    );
}

#[test]
fn show_via_names_the_upstreams_on_request() {
    let m = example("codat");
    let options = render::Options {
        show_via: true,
        ..render::Options::default()
    };
    let md = render::markdown::render_with(&m, &options);
    assert!(md.contains("\n### Microsoft (via azure)\n"), "{md}");
    assert!(md.contains("Runs on `azure` (offering `paas`)."), "{md}");
    let bytes = xlsx::render_with(&m, &options).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.sheet_names()[0].clone();
    let range = book.worksheet_range(&sheet).unwrap();
    assert_eq!(
        cell(&range, 0, xlsx::MATRIX_HEADERS.len()),
        xlsx::VIA_HEADER
    );
    let microsoft = (1..range.height())
        .find(|&r| cell(&range, r, 3) == "Microsoft (via azure)")
        .expect("a row of Microsoft");
    assert_eq!(cell(&range, microsoft, xlsx::MATRIX_HEADERS.len()), "azure");
    // The diagram and the HTML page name holders the same way.
    let svg = render::svg::diagram(&m, &options).svg;
    assert!(svg.contains("Microsoft (via azure), inherited"), "{svg}");
    let html = render::html::render_with(&m, &options);
    assert!(html.contains(">Microsoft (via azure)</span>"), "{html}");
    let plain = render::html::render(&m);
    assert!(!plain.contains("(via azure)"));
}

/// The diagram says its size; the page lays it out by that, not by
/// reading the SVG text back.
#[test]
fn the_diagram_gives_its_size() {
    for (name, path) in examples() {
        let d = render::svg::diagram(&load(&path), &render::Options::default());
        let doc = roxmltree::Document::parse(&d.svg).unwrap();
        let root = doc.root_element();
        assert_eq!(attr(root, "width"), d.width, "{name}");
        assert_eq!(attr(root, "height"), d.height, "{name}");
        let html = render::html::render(&load(&path));
        let min = format!("min-width: {}px", (d.width * 0.75).round());
        assert!(html.contains(&min), "{name}");
    }
}

#[test]
fn one_offering_renders_alone() {
    let m = example("outsystems");
    let odc = onus_export::only_offering((*m).clone(), "odc").unwrap();
    assert_eq!(odc.offerings.len(), 1);
    assert_eq!(odc.offerings[0], *m.offering("odc").unwrap());
    let md = render::markdown::render(&odc);
    assert!(md.contains("| Area | OutSystems Developer Cloud |"), "{md}");
    assert!(!md.contains("OutSystems 11 Cloud"), "{md}");
    // Only what backs this offering is listed.
    assert!(!odc.references.is_empty());
    for kind in RefKind::ALL {
        for id in odc.references.of(kind).keys() {
            assert!(odc.offerings[0]
                .areas
                .iter()
                .flat_map(|a| &a.holders)
                .any(|h| h.refs(kind).iter().any(|x| x == id)));
        }
    }
    let e = onus_export::only_offering((*m).clone(), "od").unwrap_err();
    assert_eq!(
        e.to_string(),
        "the model has no offering `od`; did you mean `odc`?"
    );
}

/// Practices and evidence have separate namespaces: a practice `soc2` and
/// an evidence `soc2` each render as themselves, in every format, never
/// one for the other (the NDA-gated report must not read as the public
/// procedure, nor the procedure as the report).
#[test]
fn a_practice_and_an_evidence_of_one_id_each_render_as_themselves() {
    let model = "onus: 1
model: { id: acme, name: Acme, publisher: acme }
parties:
  acme: { name: Acme, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  app: { name: App }
areas:
  data: { name: Data }
practices:
  soc2: { name: Access review procedure, kind: process, url: \"https://acme.example/review\" }
evidence:
  soc2: { name: SOC 2 Type II report, kind: report, access: nda }
responsibilities:
  data:
    acme: { scope: platform }
    customer: { scope: tenant, duties: [Review access], how: [soc2], evidence: [soc2] }
";
    let files: std::collections::HashMap<PathBuf, String> =
        [(PathBuf::from("m.onus.yaml"), model.to_string())].into();
    let set = ModelSet::load(&[PathBuf::from("m.onus.yaml")], &files).unwrap();
    assert!(check(&set).is_empty(), "{:?}", check(&set));
    let m = resolve(&set, set.roots[0]).unwrap();
    let (practice, report) = ("Access review procedure", "SOC 2 Type II report (nda)");

    // Markdown: the holder's practice links to the procedure; the evidence
    // table and the holder's evidence name the report.
    let md = render::markdown::render(&m);
    assert!(
        md.contains(&format!("[{practice}](https://acme.example/review)")),
        "{md}"
    );
    let evidence = section(&md, "## Evidence");
    assert!(evidence.iter().any(|l| l.contains(report)), "{md}");
    assert!(!evidence.iter().any(|l| l.contains(practice)), "{md}");

    // HTML: both, each once in its own table.
    let html = render::html::render(&m);
    let practices_at = html.find("id=\"practices\"").expect("a practices table");
    let evidence_at = html.find("id=\"evidence\"").expect("an evidence table");
    assert!(html[practices_at..evidence_at].contains(practice), "{html}");
    assert!(!html[practices_at..evidence_at].contains("SOC 2"), "{html}");
    assert!(html[evidence_at..].contains(report), "{html}");
    assert!(!html[evidence_at..].contains(practice), "{html}");

    // CSV (the customer's duties): the how column and the evidence column.
    let offerings: Vec<_> = m.offerings.iter().collect();
    let csv = onus_export::duties::render(&m, &offerings, "customer", onus_export::Format::Csv);
    let row = csv.lines().nth(1).expect("a duty row");
    assert!(row.ends_with(&format!("{practice},{report},")), "{csv}");

    // XLSX: the offering's sheet, and the "Evidence" sheet.
    let bytes = xlsx::render(&m).unwrap();
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).unwrap();
    let sheet = book.worksheet_range("App").unwrap();
    let how = xlsx::MATRIX_HEADERS
        .iter()
        .position(|h| *h == "How is it done?");
    let customer = (1..sheet.height())
        .find(|&r| cell(&sheet, r, 3) == "Customer")
        .expect("the customer's row");
    assert_eq!(cell(&sheet, customer, how.unwrap()), practice);
    assert_eq!(cell(&sheet, customer, how.unwrap() + 1), report);
    let sheet = book.worksheet_range(xlsx::EVIDENCE).unwrap();
    assert_eq!(cell(&sheet, 1, 1), "SOC 2 Type II report");
    let sheet = book.worksheet_range(xlsx::PRACTICES).unwrap();
    assert_eq!(cell(&sheet, 1, 1), practice);
}

/// `onus matrix --format json` streams the JSON: byte for byte what
/// `to_json` builds in memory, and what serde_json's pretty printer makes
/// of the same document (the writer is hand-made for speed).
#[test]
fn matrix_json_streamed_is_the_json_built() {
    use serde_json::json;
    for (name, path) in examples() {
        let m = load(&path);
        let offerings: Vec<_> = m.offerings.iter().collect();
        let mut streamed = Vec::new();
        onus_export::matrix::write_json(&m, &offerings, &mut streamed).unwrap();
        let built = onus_export::matrix::to_json(&m, &offerings);
        assert!(built.len() > 100, "{name}");
        assert_eq!(String::from_utf8(streamed).unwrap(), built, "{name}");
        let doc = json!({
            "model": m.model,
            "offerings": m.offerings.iter().map(|o| json!({
                "id": o.id,
                "name": o.name,
                "areas": o.areas.iter().map(|a| json!({
                    "id": a.id,
                    "name": a.name,
                    "holders": a.holders.iter().map(|h| {
                        let mut holder = json!({
                            "party": h.party,
                            "name": h.name,
                            "role": h.role.as_str(),
                            "scope": h.scope(),
                            "duties": h.duties,
                        });
                        if h.duties.has_ids() {
                            let ids: Vec<Option<&str>> = (0..h.duties.len())
                                .map(|i| h.duties.id(i).map(|id| id.as_str()))
                                .collect();
                            holder["duty-ids"] = json!(ids);
                        }
                        holder["how"] = json!(h.how);
                        holder["evidence"] = json!(h.evidence);
                        holder["via"] = json!(h.via);
                        holder
                    }).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })).collect::<Vec<_>>(),
        });
        let expected = serde_json::to_string_pretty(&doc).unwrap() + "\n";
        assert_eq!(built, expected, "{name}");
    }
}

/// Issue 15.3: a `javascript:` "base" URL and a relative practice URL made
/// a live script link in HTML and Markdown. Rendered without the check
/// (which refuses the model), no document may carry it.
#[test]
fn a_script_base_url_never_becomes_a_link() {
    let text = "onus: 1
model: { id: acme, name: Acme, publisher: acme, url: \"javascript://%0aalert(document.domain);1/x\" }
parties:
  acme: { name: Acme, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  saas: { name: SaaS }
areas:
  data: { name: Data }
practices:
  policy: { name: Policy, url: /security/policy }
evidence:
  report: { name: Report, url: \"java\\tscript:alert(1)\" }
responsibilities:
  data: { customer: { how: [policy], evidence: [report] } }
";
    let set = ModelSet::load_text(
        Path::new("m.onus.yaml"),
        text.to_string(),
        &std::collections::HashMap::<PathBuf, String>::new(),
    );
    let codes: Vec<_> = check(&set).iter().map(|d| d.code.name()).collect();
    assert_eq!(codes, ["unsafe-url", "unsafe-url"]);
    let matrix = resolve(&set, set.roots[0]).expect("resolved");
    for target in [Target::Markdown, Target::Html, Target::Svg] {
        let out = String::from_utf8(render::render(&matrix, target).unwrap()).unwrap();
        assert!(
            target == Target::Svg || out.contains("Policy"),
            "{target:?}"
        );
        assert!(
            !out.to_ascii_lowercase().contains("script:"),
            "{target:?}: {out}"
        );
    }
    let html = String::from_utf8(render::render(&matrix, Target::Html).unwrap()).unwrap();
    let page = scraper::Html::parse_document(&html);
    let links = scraper::Selector::parse("a[href]").unwrap();
    for a in page.select(&links) {
        assert!(a.value().attr("href").unwrap().starts_with('#'), "{html}");
    }
}
