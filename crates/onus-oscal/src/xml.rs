//! OSCAL's XML syntax, read into the JSON form every other module reads.
//!
//! OSCAL defines one model in three syntaxes; its XML-to-JSON mapping is
//! regular, and this module applies it with `roxmltree` (no I/O):
//!
//! - the root element names the model (`<catalog>` → `{"catalog": ...}`);
//! - attributes become members with the same name (strings);
//! - elements that repeat are grouped under their JSON group name
//!   (`<prop>` → `props`, `<part>` → `parts`, `<with-id>` → `with-ids` ...,
//!   [`group_name`]), always as arrays, and `<revisions>` unwraps;
//! - a field with attributes keeps its text under its value key
//!   (`<link>` → `text`, `<document-id>` → `identifier` ...);
//! - markup becomes the Markdown the JSON form carries: inline markup
//!   (`<em>`, `<a>`, `<q>` ...) in titles and choices, and prose blocks
//!   (`<p>`, `<ol>`, `<table>` ...) directly in a `<part>` become its
//!   `prose`, paragraphs separated by a blank line; `<insert type="param"
//!   id-ref="x"/>` becomes `{{ insert: param, x }}`.
//!
//! Errors carry the line and column of the XML they are about.

use roxmltree::{Document, Node, NodeType};
use serde_json::{Map, Value};

/// Deeper nesting than this is refused (no OSCAL document comes close;
/// it bounds the recursion).
const MAX_DEPTH: usize = 200;

/// Why XML text could not be read as OSCAL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct XmlError {
    /// What is wrong.
    pub message: String,
    /// 1-based line.
    pub line: u32,
    /// 1-based column.
    pub column: u32,
}

impl std::fmt::Display for XmlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} at line {} column {}",
            self.message, self.line, self.column
        )
    }
}

impl std::error::Error for XmlError {}

/// Reads an OSCAL XML document as its JSON form: `{"<model>": {...}}`.
pub fn to_json(text: &str) -> Result<Value, XmlError> {
    let document = Document::parse(text).map_err(|e| {
        let pos = e.pos();
        let message = e.to_string();
        let message = message
            .strip_suffix(&format!(" at {pos}"))
            .unwrap_or(&message)
            .to_owned();
        XmlError {
            message,
            line: pos.row,
            column: pos.col,
        }
    })?;
    // Every conversion below recurses along the tree: bound its depth
    // first, without recursing.
    let mut depths = vec![0usize; document.descendants().count()];
    for node in document.descendants() {
        if let Some(parent) = node.parent() {
            let depth = depths[parent.id().get_usize()] + 1;
            if depth > MAX_DEPTH {
                let pos = document.text_pos_at(node.range().start);
                return Err(XmlError {
                    message: format!("the elements nest more than {MAX_DEPTH} deep"),
                    line: pos.row,
                    column: pos.col,
                });
            }
            depths[node.id().get_usize()] = depth;
        }
    }
    let root = document.root_element();
    let converter = Converter {
        document: &document,
    };
    let mut out = Map::new();
    out.insert(root.tag_name().name().to_owned(), converter.assembly(root)?);
    Ok(Value::Object(out))
}

/// The byte range of the XML that the JSON `pointer` (into the document
/// [`to_json`] makes of `text`) is about: the element (or, for a member
/// that is missing, the nearest ancestor written). `None` when `text` is
/// not XML.
pub fn locate(text: &str, pointer: &str) -> Option<std::ops::Range<usize>> {
    let document = Document::parse(text).ok()?;
    let root = document.root_element();
    let mut tokens = pointer
        .split('/')
        .skip(1)
        .map(|t| t.replace("~1", "/").replace("~0", "~"));
    // The first token is the root element's name.
    if tokens.next().as_deref() != Some(root.tag_name().name()) {
        return Some(root.range());
    }
    let mut node = root;
    let mut items: Option<Vec<Node<'_, '_>>> = None;
    for token in tokens {
        if let Some(list) = items.take() {
            match token.parse::<usize>().ok().and_then(|i| list.get(i)) {
                Some(item) => node = *item,
                None => break,
            }
            continue;
        }
        if WRAPPERS.contains(&node.tag_name().name()) {
            items = Some(node.children().filter(Node::is_element).collect());
            match token
                .parse::<usize>()
                .ok()
                .and_then(|i| items.take()?.get(i).copied())
            {
                Some(item) => node = item,
                None => break,
            }
            continue;
        }
        let grouped: Vec<Node<'_, '_>> = node
            .children()
            .filter(|c| c.is_element() && group_name(c.tag_name().name()) == Some(token.as_str()))
            .collect();
        if !grouped.is_empty() {
            items = Some(grouped);
            continue;
        }
        match node
            .children()
            .find(|c| c.is_element() && c.tag_name().name() == token)
        {
            Some(child) => node = child,
            // An attribute, the prose or the text: the element says where.
            None => break,
        }
    }
    Some(node.range())
}

struct Converter<'a, 'input> {
    document: &'a Document<'input>,
}

impl Converter<'_, '_> {
    fn error(&self, node: Node<'_, '_>, message: String) -> XmlError {
        let pos = self.document.text_pos_at(node.range().start);
        XmlError {
            message,
            line: pos.row,
            column: pos.col,
        }
    }

    /// The JSON value of `node`, whichever shape it has.
    fn value(&self, node: Node<'_, '_>) -> Result<Value, XmlError> {
        let name = node.tag_name().name();
        if MULTILINE.contains(&name) && node.attributes().len() == 0 {
            return Ok(Value::String(blocks(node)));
        }
        if WRAPPERS.contains(&name) {
            let items = node
                .children()
                .filter(Node::is_element)
                .map(|child| self.value(child))
                .collect::<Result<Vec<_>, _>>()?;
            return Ok(Value::Array(items));
        }
        let has_elements = node
            .children()
            .any(|c| c.is_element() && !is_inline(c.tag_name().name()));
        if !has_elements {
            let text = inline(node);
            if node.attributes().len() == 0 {
                return Ok(match name {
                    _ if EMPTY_OBJECTS.contains(&name) && text.is_empty() => {
                        Value::Object(Map::new())
                    }
                    "as-is" => Value::Bool(text == "true"),
                    _ => Value::String(text),
                });
            }
            let mut object = attributes(node);
            if !text.is_empty() {
                object.insert(value_key(name).to_owned(), Value::String(text));
            }
            return Ok(Value::Object(object));
        }
        self.assembly(node)
    }

    /// An element with element children: an object of its attributes,
    /// children (grouped) and prose.
    fn assembly(&self, node: Node<'_, '_>) -> Result<Value, XmlError> {
        let mut object = attributes(node);
        let mut prose: Vec<String> = Vec::new();
        for child in node.children() {
            match child.node_type() {
                NodeType::Element => {}
                NodeType::Text => {
                    if let Some(text) = child.text().filter(|t| !t.trim().is_empty()) {
                        return Err(self.error(
                            child,
                            format!(
                                "text `{}` between the elements of <{}>",
                                text.trim(),
                                node.tag_name().name()
                            ),
                        ));
                    }
                    continue;
                }
                _ => continue,
            }
            let name = child.tag_name().name();
            if is_block(name) {
                prose.push(block(child));
                continue;
            }
            let value = self.value(child)?;
            match group_name(name) {
                Some(group) => match object
                    .entry(group)
                    .or_insert_with(|| Value::Array(Vec::new()))
                {
                    Value::Array(items) => items.push(value),
                    _ => {
                        return Err(self.error(
                            child,
                            format!("<{name}> and a `{group}` attribute in the same element"),
                        ))
                    }
                },
                None => {
                    if object.contains_key(name) {
                        return Err(self.error(
                            child,
                            format!(
                                "a second <{name}> in <{}>, where OSCAL allows one",
                                node.tag_name().name()
                            ),
                        ));
                    }
                    object.insert(name.to_owned(), value);
                }
            }
        }
        if !prose.is_empty() {
            object.insert(
                "prose".to_owned(),
                Value::String(prose.join("\n\n").trim().to_owned()),
            );
        }
        Ok(Value::Object(object))
    }
}

fn attributes(node: Node<'_, '_>) -> Map<String, Value> {
    let element = node.tag_name().name();
    node.attributes()
        .filter(|a| a.namespace().is_none())
        .map(|a| {
            let value = match (element, a.name()) {
                // The few attributes OSCAL types as integers.
                ("port-range", "start" | "end") => a
                    .value()
                    .trim()
                    .parse::<u64>()
                    .map_or_else(|_| Value::String(a.value().to_owned()), Value::from),
                _ => Value::String(a.value().to_owned()),
            };
            (a.name().to_owned(), value)
        })
        .collect()
}

/// The JSON group (array) name of an element that may repeat, as OSCAL's
/// metaschemas define it (`group-as`). Elements not listed appear at most
/// once and keep their name.
pub fn group_name(element: &str) -> Option<&'static str> {
    Some(match element {
        // Metadata and back-matter.
        "prop" => "props",
        "link" => "links",
        "role" => "roles",
        "location" => "locations",
        "party" => "parties",
        "responsible-party" => "responsible-parties",
        "responsible-role" => "responsible-roles",
        "party-uuid" => "party-uuids",
        "location-uuid" => "location-uuids",
        "member-of-organization" => "member-of-organizations",
        "document-id" => "document-ids",
        "external-id" => "external-ids",
        "email-address" => "email-addresses",
        "telephone-number" => "telephone-numbers",
        "address" => "addresses",
        "addr-line" => "addr-lines",
        "url" => "urls",
        "action" => "actions",
        "resource" => "resources",
        "rlink" => "rlinks",
        "hash" => "hashes",
        "annotation" => "annotations",
        // Catalog.
        "group" => "groups",
        "control" => "controls",
        "part" => "parts",
        "param" => "params",
        "constraint" => "constraints",
        "guideline" => "guidelines",
        "test" => "tests",
        "value" => "values",
        "choice" => "choice",
        // Profile.
        "import" => "imports",
        "include-controls" => "include-controls",
        "exclude-controls" => "exclude-controls",
        "with-id" => "with-ids",
        "matching" => "matching",
        "insert-controls" => "insert-controls",
        "set-parameter" => "set-parameters",
        "alter" => "alters",
        "add" => "adds",
        "remove" => "removes",
        "keep" => "keep",
        // Component definition and SSP.
        "import-component-definition" => "import-component-definitions",
        "component" => "components",
        "capability" => "capabilities",
        "incorporates-component" => "incorporates-components",
        "control-implementation" => "control-implementations",
        "implemented-requirement" => "implemented-requirements",
        "statement" => "statements",
        "by-component" => "by-components",
        "protocol" => "protocols",
        "port-range" => "port-ranges",
        "provided" => "provided",
        "responsibility" => "responsibilities",
        "inherited" => "inherited",
        "satisfied" => "satisfied",
        "user" => "users",
        "role-id" => "role-ids",
        "authorized-privilege" => "authorized-privileges",
        "function-performed" => "functions-performed",
        "leveraged-authorization" => "leveraged-authorizations",
        "inventory-item" => "inventory-items",
        "implemented-component" => "implemented-components",
        "information-type" => "information-types",
        "categorization" => "categorizations",
        "information-type-id" => "information-type-ids",
        "system-id" => "system-ids",
        "diagram" => "diagrams",
        "component-uuid" => "component-uuids",
        _ => return None,
    })
}

/// Elements whose children XML wraps and JSON does not: the member is the
/// array of the children.
const WRAPPERS: &[&str] = &["revisions"];

/// Markup-multiline fields: the element is a string of Markdown.
const MULTILINE: &[&str] = &["remarks", "description", "usage", "purpose", "text"];

/// Empty elements that are objects in JSON (`<include-all/>` → `{}`).
const EMPTY_OBJECTS: &[&str] = &["include-all", "flat", "include-all-controls"];

/// The member that holds the text of a field that also has attributes.
fn value_key(element: &str) -> &'static str {
    match element {
        "link" | "citation" => "text",
        "document-id" => "identifier",
        "external-id" | "system-id" => "id",
        "telephone-number" => "number",
        _ => "value",
    }
}

fn is_block(name: &str) -> bool {
    matches!(
        name,
        "p" | "ul"
            | "ol"
            | "table"
            | "pre"
            | "blockquote"
            | "hr"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
    )
}

fn is_inline(name: &str) -> bool {
    matches!(
        name,
        "em" | "i" | "strong" | "b" | "code" | "q" | "a" | "insert" | "sub" | "sup" | "img" | "br"
    )
}

/// A markup-multiline element's blocks as Markdown, separated by a blank
/// line (text outside blocks is kept as a paragraph of its own).
fn blocks(node: Node<'_, '_>) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut loose = String::new();
    for child in node.children() {
        if child.is_element() && is_block(child.tag_name().name()) {
            push_paragraph(&mut out, &mut loose);
            out.push(block(child));
        } else {
            inline_into(child, &mut loose);
        }
    }
    push_paragraph(&mut out, &mut loose);
    out.join("\n\n")
}

fn push_paragraph(out: &mut Vec<String>, loose: &mut String) {
    let text = squeeze(loose);
    if !text.is_empty() {
        out.push(text);
    }
    loose.clear();
}

/// One prose block as Markdown.
fn block(node: Node<'_, '_>) -> String {
    let name = node.tag_name().name();
    match name {
        "p" => inline(node),
        "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
            let level = usize::from(name.as_bytes()[1] - b'0');
            format!("{} {}", "#".repeat(level), inline(node))
        }
        "ul" | "ol" => list(node, 0),
        "pre" => format!("```\n{}\n```", node.text().unwrap_or("").trim_matches('\n')),
        "blockquote" => blocks(node)
            .lines()
            .map(|l| format!("> {l}").trim_end().to_owned())
            .collect::<Vec<_>>()
            .join("\n"),
        "hr" => "---".to_owned(),
        "table" => table(node),
        _ => inline(node),
    }
}

fn list(node: Node<'_, '_>, indent: usize) -> String {
    let ordered = node.tag_name().name() == "ol";
    let mut lines = Vec::new();
    for (n, item) in node
        .children()
        .filter(|c| c.is_element() && c.tag_name().name() == "li")
        .enumerate()
    {
        let marker = if ordered {
            format!("{}.", n + 1)
        } else {
            "-".to_owned()
        };
        let mut text = String::new();
        let mut nested = Vec::new();
        for child in item.children() {
            match child.tag_name().name() {
                "ul" | "ol" if child.is_element() => nested.push(list(child, indent + 1)),
                "p" if child.is_element() => {
                    text.push(' ');
                    text.push_str(&inline(child));
                }
                _ => inline_into(child, &mut text),
            }
        }
        lines.push(format!(
            "{}{marker} {}",
            "    ".repeat(indent),
            squeeze(&text)
        ));
        lines.extend(nested);
    }
    lines.join("\n")
}

fn table(node: Node<'_, '_>) -> String {
    let rows: Vec<Vec<String>> = node
        .descendants()
        .filter(|n| n.is_element() && n.tag_name().name() == "tr")
        .map(|tr| {
            tr.children()
                .filter(|c| c.is_element() && matches!(c.tag_name().name(), "td" | "th"))
                .map(|cell| inline(cell).replace('|', "\\|"))
                .collect()
        })
        .collect();
    let mut lines = Vec::new();
    for (n, row) in rows.iter().enumerate() {
        lines.push(format!("| {} |", row.join(" | ")));
        if n == 0 {
            lines.push(format!("|{}", " --- |".repeat(row.len().max(1))));
        }
    }
    lines.join("\n")
}

/// The inline content of `node` as one line of Markdown.
fn inline(node: Node<'_, '_>) -> String {
    let mut out = String::new();
    for child in node.children() {
        inline_into(child, &mut out);
    }
    squeeze(&out)
}

fn inline_into(node: Node<'_, '_>, out: &mut String) {
    if node.is_text() {
        out.push_str(node.text().unwrap_or(""));
        return;
    }
    if !node.is_element() {
        return;
    }
    let wrap = |out: &mut String, mark: &str| {
        out.push_str(mark);
        out.push_str(&inline(node));
        out.push_str(mark);
    };
    match node.tag_name().name() {
        "em" | "i" => wrap(out, "*"),
        "strong" | "b" => wrap(out, "**"),
        "code" => wrap(out, "`"),
        "q" => wrap(out, "\""),
        "sub" => wrap(out, "~"),
        "sup" => wrap(out, "^"),
        "a" => {
            let href = node.attribute("href").unwrap_or("");
            out.push_str(&format!("[{}]({href})", inline(node)));
        }
        "img" => {
            let alt = node.attribute("alt").unwrap_or("");
            let src = node.attribute("src").unwrap_or("");
            out.push_str(&format!("![{alt}]({src})"));
        }
        "br" => out.push_str("  \n"),
        "insert" => {
            let kind = node.attribute("type").unwrap_or("param");
            let id = node.attribute("id-ref").unwrap_or("");
            out.push_str(&format!("{{{{ insert: {kind}, {id} }}}}"));
        }
        _ => {
            for child in node.children() {
                inline_into(child, out);
            }
        }
    }
}

/// Whitespace as XML indentation leaves it, made plain: every run of
/// whitespace that holds a line break becomes one space, and the ends are
/// trimmed. Other spaces are kept as written.
fn squeeze(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut run = String::new();
    for c in text.chars() {
        if c.is_whitespace() {
            run.push(c);
            continue;
        }
        flush(&mut out, &mut run);
        out.push(c);
    }
    flush(&mut out, &mut run);
    out.trim().to_owned()
}

fn flush(out: &mut String, run: &mut String) {
    if run.contains('\n') && !run.ends_with("  \n") {
        out.push(' ');
    } else {
        out.push_str(run);
    }
    run.clear();
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn groups_repeated_elements_and_keeps_attributes() {
        let xml = r#"<?xml version="1.0"?>
<profile xmlns="http://csrc.nist.gov/ns/oscal/1.0" uuid="u">
  <metadata>
    <title>A <em>short</em> profile</title>
    <revisions><revision><title>r1</title></revision></revisions>
    <link href="https://example.com" rel="x">Example</link>
  </metadata>
  <import href="cat.xml">
    <include-controls with-child-controls="yes">
      <with-id>ac-1</with-id>
      <with-id>ac-2</with-id>
    </include-controls>
  </import>
  <merge><as-is>true</as-is></merge>
  <modify>
    <set-parameter param-id="ac-1_prm_1"><value>30 days</value></set-parameter>
  </modify>
</profile>"#;
        assert_eq!(
            to_json(xml).unwrap(),
            json!({"profile": {
                "uuid": "u",
                "metadata": {
                    "title": "A *short* profile",
                    "revisions": [{"title": "r1"}],
                    "links": [{"href": "https://example.com", "rel": "x", "text": "Example"}]
                },
                "imports": [{"href": "cat.xml", "include-controls": [
                    {"with-child-controls": "yes", "with-ids": ["ac-1", "ac-2"]}
                ]}],
                "merge": {"as-is": true},
                "modify": {"set-parameters": [{"param-id": "ac-1_prm_1", "values": ["30 days"]}]}
            }})
        );
    }

    #[test]
    fn prose_becomes_markdown_with_inserts() {
        let xml = r##"<catalog uuid="c"><control id="x-1"><title>X</title>
  <part name="statement">
    <p>Do <insert type="param" id-ref="x-1_prm_1"/> within
       <strong>one</strong> day, see <a href="#x-2">X-2</a>.</p>
    <ol><li>first;</li><li>second.</li></ol>
  </part>
  <include-all/>
</control></catalog>"##;
        let json = to_json(xml).unwrap();
        let part = &json["catalog"]["controls"][0]["parts"][0];
        assert_eq!(
            part["prose"],
            "Do {{ insert: param, x-1_prm_1 }} within **one** day, see [X-2](#x-2).\n\n1. first;\n2. second."
        );
        assert_eq!(json["catalog"]["controls"][0]["include-all"], json!({}));
    }

    #[test]
    fn port_ranges_are_numbers() {
        let json = to_json(r#"<protocol name="https"><port-range start="443" end="443" transport="TCP"/></protocol>"#).unwrap();
        assert_eq!(
            json["protocol"]["port-ranges"][0],
            json!({"start": 443, "end": 443, "transport": "TCP"})
        );
    }

    #[test]
    fn errors_are_located() {
        let err = to_json("<catalog>\n  <metadata>\n</catalog>").unwrap_err();
        assert_eq!((err.line, err.column), (3, 1), "{err}");
        assert_eq!(
            err.to_string(),
            "expected 'metadata' tag, not 'catalog' at line 3 column 1"
        );
        let err = to_json("<catalog>\n  <metadata/>\n  <metadata/>\n</catalog>").unwrap_err();
        assert_eq!((err.line, err.column), (3, 3), "{err}");
        assert!(err.message.contains("a second <metadata>"), "{err}");
        let err = to_json("<catalog><metadata/>stray</catalog>").unwrap_err();
        assert!(err.message.contains("text `stray`"), "{err}");
    }

    #[test]
    fn hostile_xml_is_refused_or_read_never_a_panic() {
        let laughs = "<!DOCTYPE c [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><catalog>&b;</catalog>";
        for text in [
            "",
            "not xml",
            laughs,
            "<catalog><metadata><title>T</title></metadata><p>loose prose</p></catalog>",
            "<catalog><control id=\"x\"><prop name=\"a\" value=\"b\"/><props>text</props></control></catalog>",
            "<catalog><part><insert/><a/><img/><br/><table><tr><td>|</td></tr></table><pre/><blockquote><p>q</p></blockquote><hr/><h7/></part></catalog>",
            "<catalog><remarks><ul><li><ol><li>deep</li></ol></li></ul></remarks></catalog>",
            "<x:catalog xmlns:x=\"urn:x\" x:uuid=\"u\"/>",
        ] {
            let _ = to_json(text);
            let _ = crate::Document::from_xml(text);
        }
        // A DTD is refused (roxmltree's default), with its position.
        let err = to_json(laughs).unwrap_err();
        assert_eq!(err.line, 1, "{err}");
    }

    #[test]
    fn deep_nesting_is_refused() {
        let xml = format!("{}{}", "<em>".repeat(300), "</em>".repeat(300));
        let err = to_json(&format!("<catalog>{xml}</catalog>")).unwrap_err();
        assert!(err.message.contains("nest more than"), "{err}");
    }
}
