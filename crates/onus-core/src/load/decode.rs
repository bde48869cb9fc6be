//! The document tree to a [`Model`]. Keeps going after a problem: a bad
//! entry is reported and skipped, so one run shows everything wrong.

use crate::diagnostic::{suggest, Code, Diagnostic};
use crate::model::*;
use crate::source::{FileId, Span, Spanned};
use crate::syntax::{Node, Value};
use crate::text::Text;

/// Decodes a model document. Returns `None` when too little is readable to
/// make a model (the root is not a map, or `model:` is unusable).
pub fn decode(file: FileId, root: &Node) -> (Option<Model>, Vec<Diagnostic>) {
    let mut d = Decoder {
        diagnostics: Vec::new(),
        broken: Vec::new(),
    };
    let model = d.model(file, root);
    (model, d.diagnostics)
}

struct Decoder {
    diagnostics: Vec<Diagnostic>,
    /// Ids of entries that were declared but could not be read.
    broken: Vec<String>,
}

/// The entries of a map node whose keys were checked against a list.
struct Fields<'n> {
    span: Span,
    entries: Vec<(&'n str, &'n Node, &'n Node)>,
}

impl<'n> Fields<'n> {
    /// The value of `key`, treating an explicit null as absent.
    fn get(&self, key: &str) -> Option<&'n Node> {
        self.entries
            .iter()
            .find(|(k, _, _)| *k == key)
            .map(|(_, _, v)| *v)
            .filter(|v| v.value != Value::Null)
    }
}

impl Decoder {
    fn push(&mut self, d: Diagnostic) {
        self.diagnostics.push(d);
    }

    fn type_error(&mut self, node: &Node, what: &str, expected: &str) {
        self.push(Diagnostic::new(
            Code::InvalidType,
            node.span,
            format!("{what} must be {expected}, found {}", node.kind_name()),
        ));
    }

    /// Reads a map, reporting keys outside `allowed`.
    fn fields<'n>(&mut self, node: &'n Node, what: &str, allowed: &[&str]) -> Option<Fields<'n>> {
        let Value::Map(entries) = &node.value else {
            self.type_error(node, what, "a map");
            return None;
        };
        let mut fields = Fields {
            span: node.span,
            entries: Vec::new(),
        };
        for (key, value) in entries {
            let Some(name) = key.as_text() else {
                self.type_error(key, "a key", "text");
                continue;
            };
            if allowed.contains(&name) {
                fields.entries.push((name, key, value));
            } else {
                let help = suggest(name, allowed.iter().copied())
                    .unwrap_or_else(|| format!("the keys of {what} are: {}", allowed.join(", ")));
                self.push(
                    Diagnostic::new(
                        Code::UnknownKey,
                        key.span,
                        format!("unknown key `{name}` in {what}"),
                    )
                    .with_help(help),
                );
            }
        }
        Some(fields)
    }

    fn required<'n>(&mut self, fields: &Fields<'n>, key: &str, what: &str) -> Option<&'n Node> {
        let node = fields.get(key);
        if node.is_none() {
            self.push(
                Diagnostic::new(
                    Code::MissingKey,
                    Span::new(
                        fields.span.file,
                        fields.span.start as usize,
                        (fields.span.start as usize + 1).min(fields.span.end as usize),
                    ),
                    format!("{what} has no `{key}`"),
                )
                .with_help(format!("add `{key}:` to {what}")),
            );
        }
        node
    }

    /// A scalar's text: a [`Text`], shared with the document (not copied),
    /// or a `String` where the model keeps one.
    fn text<T: From<Text>>(&mut self, node: &Node, what: &str) -> Option<Spanned<T>> {
        match node.to_text() {
            Some(t) => Some(Spanned::new(T::from(t), node.span)),
            None => {
                self.type_error(node, what, "text");
                None
            }
        }
    }

    fn opt_text<T: From<Text>>(&mut self, fields: &Fields, key: &str, what: &str) -> Option<T> {
        let node = fields.get(key)?;
        self.text(node, &format!("`{key}` of {what}"))
            .map(|s| s.value)
    }

    fn id<T: From<Text>>(&mut self, node: &Node, what: &str) -> Option<Spanned<T>> {
        let text: Spanned<Text> = self.text(node, what)?;
        if is_valid_id(&text) {
            Some(Spanned::new(T::from(text.value), text.span))
        } else {
            let fixed = kebab(&text);
            self.push(
                Diagnostic::new(
                    Code::InvalidId,
                    node.span,
                    format!("{what} `{}` is not a lowercase kebab-case id", text.value),
                )
                .with_help(if let Some(upstream) = qualified_upstream(&text) {
                    format!(
                        "a model names an upstream's holders by the upstream's id alone: write `{upstream}` \
                         (qualified ids such as `{}` are how resolved output names them)",
                        text.value
                    )
                } else if is_valid_id(&fixed) {
                    format!("write it as `{fixed}`")
                } else {
                    "ids use lowercase letters, digits and dashes, and start with a letter or digit"
                        .to_string()
                }),
            );
            None
        }
    }

    fn list<'n>(&mut self, node: &'n Node, what: &str) -> &'n [Node] {
        match &node.value {
            Value::Seq(items) => items,
            Value::Null => &[],
            _ => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidType,
                        node.span,
                        format!("{what} must be a list, found {}", node.kind_name()),
                    )
                    .with_help(match node.as_text() {
                        Some(t) => format!("write it as a list: [{t}]"),
                        None => "write it as a list: [a, b]".to_string(),
                    }),
                );
                &[]
            }
        }
    }

    fn id_list<T: From<Text>>(&mut self, node: &Node, what: &str) -> Vec<Spanned<T>> {
        let items = self.list(node, what);
        items.iter().filter_map(|n| self.id(n, what)).collect()
    }

    fn text_list<T: From<Text>>(&mut self, node: &Node, what: &str) -> Vec<Spanned<T>> {
        let items = self.list(node, what);
        items.iter().filter_map(|n| self.text(n, what)).collect()
    }

    /// A calendar date, `YYYY-MM-DD` (an upstream's `authorized`).
    fn date(&mut self, node: &Node, what: &str) -> Option<Spanned<String>> {
        let text: Spanned<Text> = self.text(node, &format!("`authorized` of {what}"))?;
        if is_date(&text) {
            return Some(Spanned::new(text.value.to_string(), text.span));
        }
        self.push(
            Diagnostic::new(
                Code::InvalidValue,
                node.span,
                format!("`authorized` of {what}, `{}`, is not a date", text.value),
            )
            .with_help("write the date of the authorization as YYYY-MM-DD, e.g. `2024-03-15`"),
        );
        None
    }

    fn enumerated(&mut self, node: &Node, what: &str, names: &[&str]) -> Option<String> {
        let text: Spanned<Text> = self.text(node, what)?;
        if names.contains(&text.as_str()) {
            return Some(text.value.into());
        }
        let help = suggest(&text, names.iter().copied())
            .unwrap_or_else(|| format!("use one of: {}", names.join(", ")));
        self.push(
            Diagnostic::new(
                Code::InvalidValue,
                node.span,
                format!("`{}` is not a valid {what}", text.value),
            )
            .with_help(help),
        );
        None
    }

    /// A section of id-keyed entries (`parties:`, `areas:` ...).
    fn section<T>(
        &mut self,
        node: Option<&Node>,
        what: &str,
        mut entry: impl FnMut(&mut Self, &Spanned<String>, &Node) -> Option<T>,
    ) -> Map<T> {
        let mut out = Map::default();
        let Some(node) = node else { return out };
        let Value::Map(entries) = &node.value else {
            self.type_error(node, &format!("`{what}`"), "a map of ids");
            return out;
        };
        for (key, value) in entries {
            let Some(id) = self.id(key, &format!("the {} id", singular(what))) else {
                self.broken
                    .push(key.as_text().unwrap_or_default().to_string());
                continue;
            };
            match entry(self, &id, value) {
                Some(item) => {
                    out.insert(id.value, item);
                }
                None => self.broken.push(id.value),
            }
        }
        out
    }

    fn model(&mut self, file: FileId, root: &Node) -> Option<Model> {
        if let Some(d) = other_document(root) {
            self.push(d);
            return None;
        }
        let top = self.fields(root, "the model file", Model::KEYS)?;
        // `onus:` written with no value (or a list) is there, just not a version.
        let written = top
            .entries
            .iter()
            .find(|(k, _, _)| *k == "onus")
            .map(|(_, _, v)| *v);
        match written {
            None => {
                self.required(&top, "onus", "the model file");
            }
            Some(version) if version.as_text().is_none() => {
                self.type_error(version, "the format version `onus`", "the number 1");
                return None;
            }
            Some(version) if version.as_text() != Some("1") => {
                self.push(
                    Diagnostic::new(
                        Code::UnsupportedVersion,
                        version.span,
                        format!(
                            "format version `{}` is not supported",
                            version.as_text().unwrap_or_default()
                        ),
                    )
                    .with_help("this onus reads format version 1: write `onus: 1`"),
                );
                // The rest is written for another version: its findings would be noise.
                return None;
            }
            Some(_) => {}
        }
        let meta_node = self.required(&top, "model", "the model file");
        let meta = self.meta(meta_node, Span::new(file, 0, 1));
        let parties = self.required_section(&top, "parties");
        let parties = self.section(parties, "parties", Self::party);
        let upstreams = self.section(top.get("upstreams"), "upstreams", Self::upstream);
        let offerings = self.required_section(&top, "offerings");
        let offerings = self.section(offerings, "offerings", Self::offering);
        let areas = self.required_section(&top, "areas");
        let areas = self.section(areas, "areas", Self::area);
        for (key, count) in [
            ("parties", parties.len()),
            ("offerings", offerings.len()),
            ("areas", areas.len()),
        ] {
            self.not_empty(&top, key, count);
        }
        let mut references = References::default();
        for kind in RefKind::ALL {
            let section = kind.section();
            *references.of_mut(kind) = self.section(top.get(section), section, |d, id, n| {
                d.reference(kind, id, n)
            });
        }
        let frameworks = self.section(top.get("frameworks"), "frameworks", |d, id, n| {
            let what = format!("framework `{}`", id.value);
            let f = d.fields(n, &what, Framework::KEYS)?;
            let name = d
                .required(&f, "name", &what)
                .and_then(|n| d.text(n, "a name"));
            let catalog = f.get("catalog").and_then(|n| d.text(n, "`catalog`"));
            let url = d.opt_text(&f, "url", &what);
            Some(Framework {
                span: id.span,
                name: name?.value,
                catalog,
                url,
            })
        });
        let mut model = Model {
            file,
            meta,
            parties,
            upstreams,
            offerings,
            areas,
            references,
            frameworks,
            responsibilities: Map::default(),
            broken: Vec::new(),
        };
        let cells = self.required_section(&top, "responsibilities");
        model.responsibilities =
            self.section(cells, "responsibilities", |d, id, n| d.cell(&model, id, n));
        model.broken = std::mem::take(&mut self.broken);
        Some(model)
    }

    /// Reports a required section that is present but declares nothing
    /// (entries that could not be read are reported already).
    fn not_empty(&mut self, top: &Fields, key: &str, count: usize) {
        let Some((_, key_node, _)) = top.entries.iter().find(|(k, _, _)| *k == key) else {
            return;
        };
        if count == 0 && self.broken.is_empty() {
            self.push(
                Diagnostic::new(
                    Code::MissingKey,
                    key_node.span,
                    format!("`{key}` declares nothing"),
                )
                .with_help(format!(
                    "a model declares at least one entry under `{key}:`"
                )),
            );
        }
    }

    fn required_section<'n>(&mut self, top: &Fields<'n>, key: &str) -> Option<&'n Node> {
        // A present but empty section (`areas: {}` or `areas:`) is not a missing key;
        // the rules that need entries report that.
        if top.entries.iter().any(|(k, _, _)| *k == key) {
            return top.get(key);
        }
        self.required(top, key, "the model file")
    }

    /// The `model:` block. Always gives a `Meta`, so the rest of the file
    /// is still checked: what is missing or invalid is reported and left
    /// empty (an empty publisher is not checked again).
    fn meta(&mut self, node: Option<&Node>, file_span: Span) -> Meta {
        let empty = |span| Spanned::new(String::new(), span);
        let Some(f) = node.and_then(|n| self.fields(n, "`model`", Meta::KEYS)) else {
            return Meta {
                id: empty(file_span),
                name: String::new(),
                title: None,
                version: None,
                publisher: empty(file_span),
                description: None,
                url: None,
            };
        };
        let id = self
            .required(&f, "id", "`model`")
            .and_then(|n| self.id(n, "the model id"));
        let name = self
            .required(&f, "name", "`model`")
            .and_then(|n| self.text(n, "the model name"));
        let publisher = self
            .required(&f, "publisher", "`model`")
            .and_then(|n| self.id(n, "the publisher"));
        Meta {
            title: self.opt_text(&f, "title", "`model`"),
            version: self.opt_text(&f, "version", "`model`"),
            description: self.opt_text(&f, "description", "`model`"),
            url: self.opt_text(&f, "url", "`model`"),
            id: id.unwrap_or_else(|| empty(f.span)),
            name: name.map(|n| n.value).unwrap_or_default(),
            publisher: publisher.unwrap_or_else(|| empty(f.span)),
        }
    }

    fn party(&mut self, id: &Spanned<String>, node: &Node) -> Option<Party> {
        let what = format!("party `{}`", id.value);
        let f = self.fields(node, &what, Party::KEYS)?;
        let name = self
            .required(&f, "name", &what)
            .and_then(|n| self.text(n, "a name"));
        let role = self
            .required(&f, "role", &what)
            .and_then(|n| self.enumerated(n, "role", Role::NAMES))
            .and_then(|r| Role::parse(&r));
        Some(Party {
            span: id.span,
            description: self.opt_text(&f, "description", &what),
            url: self.opt_text(&f, "url", &what),
            name: name?.value,
            role: role?,
        })
    }

    fn upstream(&mut self, id: &Spanned<String>, node: &Node) -> Option<Upstream> {
        let what = format!("upstream `{}`", id.value);
        let f = self.fields(node, &what, Upstream::KEYS)?;
        let model = self
            .required(&f, "model", &what)
            .and_then(|n| self.text(n, "the upstream model path"));
        let as_party = f.get("as").and_then(|n| self.id(n, "`as`"));
        let fedramp_package = self.opt_text(&f, "fedramp-package", &what);
        let authorized = f.get("authorized").and_then(|n| self.date(n, &what));
        Some(Upstream {
            span: id.span,
            model: model?,
            as_party,
            fedramp_package,
            authorized,
        })
    }

    fn offering(&mut self, id: &Spanned<String>, node: &Node) -> Option<Offering> {
        let what = format!("offering `{}`", id.value);
        let f = self.fields(node, &what, Offering::KEYS)?;
        let name = self
            .required(&f, "name", &what)
            .and_then(|n| self.text(n, "a name"));
        let runs_on = self.section(f.get("runs-on"), "runs-on", |d, upstream, n| {
            Some(RunsOn {
                span: upstream.span,
                offering: d.id(n, "the upstream offering")?,
            })
        });
        Some(Offering {
            span: id.span,
            description: self.opt_text(&f, "description", &what),
            url: self.opt_text(&f, "url", &what),
            name: name?.value,
            runs_on,
        })
    }

    fn area(&mut self, id: &Spanned<String>, node: &Node) -> Option<Area> {
        let what = format!("area `{}`", id.value);
        let f = self.fields(node, &what, Area::KEYS)?;
        let name = self
            .required(&f, "name", &what)
            .and_then(|n| self.text(n, "a name"));
        let upstream = self.section(f.get("upstream"), "upstream", |d, key, n| {
            // One area written without brackets is reported, and still read,
            // so the checks that follow see what was meant.
            let areas = match n.as_text() {
                Some(_) => {
                    d.list(n, "an area's `upstream` entry");
                    d.id(n, "an upstream area").into_iter().collect()
                }
                None => d.id_list(n, "an upstream area"),
            };
            Some(Spanned::new(areas, key.span))
        });
        let controls = match f.get("controls") {
            Some(n) => self
                .text_list(n, "`controls`")
                .into_iter()
                .filter_map(|c| self.control(c))
                .collect(),
            None => Vec::new(),
        };
        Some(Area {
            span: id.span,
            group: self.opt_text(&f, "group", &what),
            description: self.opt_text(&f, "description", &what),
            name: name?.value,
            upstream,
            controls,
        })
    }

    fn control(&mut self, text: Spanned<String>) -> Option<Spanned<ControlRef>> {
        match text.split_once(':') {
            Some((framework, control))
                if is_valid_id(framework)
                    && !control.is_empty()
                    && !control.contains(char::is_whitespace) =>
            {
                Some(Spanned::new(
                    ControlRef {
                        framework: framework.to_string(),
                        control: control.to_string(),
                    },
                    text.span,
                ))
            }
            _ => {
                self.push(
                    Diagnostic::new(
                        Code::InvalidValue,
                        text.span,
                        format!("`{}` is not a control reference", text.value),
                    )
                    .with_help(
                        "write controls as FRAMEWORK:CONTROL-ID, e.g. `nist-800-53-rev5:ac-2`",
                    ),
                );
                None
            }
        }
    }

    /// A practice or an evidence.
    fn reference(&mut self, kind: RefKind, id: &Spanned<String>, node: &Node) -> Option<Reference> {
        let what = format!("{} `{}`", kind.noun(), id.value);
        let f = self.fields(node, &what, Reference::KEYS)?;
        let name = self
            .required(&f, "name", &what)
            .and_then(|n| self.text(n, "a name"))
            .map(|s| s.value);
        let kind_of = f
            .get("kind")
            .and_then(|n| self.enumerated(n, "kind", kind.kinds()));
        let access = f
            .get("access")
            .and_then(|n| self.enumerated(n, "access level", Access::NAMES))
            .and_then(|a| Access::parse(&a))
            .unwrap_or_default();
        Some(Reference {
            span: id.span,
            of: kind,
            name: name?,
            kind: kind_of,
            url: self.opt_text(&f, "url", &what),
            access,
            description: self.opt_text(&f, "description", &what),
        })
    }

    fn cell(&mut self, model: &Model, area: &Spanned<String>, node: &Node) -> Option<Cell> {
        let body = match &node.value {
            Value::Map(entries) if self.is_per_offering(model, entries) => {
                let mut cells = Vec::new();
                for (key, value) in entries {
                    let Some(offering) = self.id::<String>(key, "the offering id") else {
                        continue;
                    };
                    // An id that is both (a `duplicate-id`, reported) reads as the offering here.
                    if model.is_holder(&offering) && !model.offerings.contains_key(&offering.value)
                    {
                        self.mixed(key, &offering, "a holder", "offerings");
                        continue;
                    }
                    if let Some(holders) = self.holders_of(model, key.span, value, true) {
                        cells.push(OfferingCell { offering, holders });
                    }
                }
                CellBody::PerOffering(cells)
            }
            _ => CellBody::Holders(self.holders_of(model, area.span, node, false)?),
        };
        Some(Cell {
            span: area.span,
            body,
        })
    }

    /// A map cell is per offering when its first known key is an offering
    /// (or `default`); with no known key, when its values don't look like holdings.
    fn is_per_offering(&self, model: &Model, entries: &[(Node, Node)]) -> bool {
        let is_offering = |k: &str| k == DEFAULT_OFFERING || model.offerings.contains_key(k);
        for (key, _) in entries {
            match key.as_text() {
                // An id that is both (a `duplicate-id`) does not decide.
                Some(k) if is_offering(k) && model.is_holder(k) => {}
                Some(k) if is_offering(k) => return true,
                Some(k) if model.is_holder(k) => return false,
                _ => {}
            }
        }
        !entries.iter().all(|(_, v)| match &v.value {
            Value::Null => true,
            Value::Map(fields) => fields
                .iter()
                .all(|(k, _)| k.as_text().is_some_and(|k| Holding::KEYS.contains(&k))),
            _ => false,
        })
    }

    fn mixed(&mut self, key: &Node, id: &str, kind: &str, cell: &str) {
        self.push(
            Diagnostic::new(
                Code::MixedCellKeys,
                key.span,
                format!("`{id}` is {kind}, but this cell's keys are {cell}"),
            )
            .with_help("a cell's keys are either all holders (parties, upstreams) or all offerings (and `default`); put holders inside each offering's value"),
        );
    }

    /// Forms 1, 2, 3 and 5.
    fn holders(&mut self, model: &Model, node: &Node, in_offering: bool) -> Option<Holders> {
        let mut list = Vec::new();
        match &node.value {
            Value::Null => {}
            Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                list.push(Holder {
                    id: self.holder_id(model, node)?,
                    holding: None,
                });
            }
            Value::Seq(items) => {
                for item in items {
                    if let Some(id) = self.holder_id(model, item) {
                        list.push(Holder { id, holding: None });
                    }
                }
            }
            Value::Map(entries) => {
                for (key, value) in entries {
                    let Some(id) = self.holder_id(model, key) else {
                        continue;
                    };
                    let is_offering =
                        id.value == DEFAULT_OFFERING || model.offerings.contains_key(&id.value);
                    if is_offering && !model.is_holder(&id) {
                        if in_offering {
                            self.push(Diagnostic::new(
                                Code::MixedCellKeys,
                                key.span,
                                format!("`{}` is an offering, inside a cell that is already per offering", id.value),
                            ).with_help("inside an offering's value, keys are holders (parties and upstreams)"));
                        } else {
                            self.mixed(key, &id, "an offering", "holders");
                        }
                        continue;
                    }
                    let holding = match &value.value {
                        Value::Null => None,
                        Value::Map(_) => self.holding(model, value, &id),
                        _ => {
                            self.push(
                                Diagnostic::new(
                                    Code::InvalidType,
                                    value.span,
                                    format!(
                                        "the holding of `{}` must be a map or null, found {}",
                                        id.value,
                                        value.kind_name()
                                    ),
                                )
                                .with_help(
                                    "write `HOLDER: ~` or `HOLDER: { scope: ..., duties: [...] }`",
                                ),
                            );
                            None
                        }
                    };
                    list.push(Holder { id, holding });
                }
            }
        }
        if list.is_empty() && self.names_broken(node) {
            // Its only holders are reported where they are declared.
            return None;
        }
        self.rewords_apply(model, &list);
        Some(Holders {
            span: node.span,
            list,
        })
    }

    /// Whether a cell's value names a declaration that could not be read.
    fn names_broken(&self, node: &Node) -> bool {
        let is_broken = |n: &Node| {
            n.as_text()
                .is_some_and(|t| self.broken.iter().any(|b| b == t))
        };
        match &node.value {
            Value::Seq(items) => items.iter().any(is_broken),
            Value::Map(entries) => entries.iter().any(|(k, _)| is_broken(k)),
            _ => is_broken(node),
        }
    }

    /// [`Self::holders`] of a cell's value, written after `key`: an empty
    /// value has no text of its own (the parser puts it at the next token,
    /// often lines below), so findings about it point at its key.
    fn holders_of(
        &mut self,
        model: &Model,
        key: Span,
        node: &Node,
        in_offering: bool,
    ) -> Option<Holders> {
        let mut holders = self.holders(model, node, in_offering)?;
        if node.value == Value::Null && node.span.start == node.span.end {
            holders.span = key;
        }
        Some(holders)
    }

    /// `rewords: [UPSTREAM]` is for the upstream's `as` party, in a cell
    /// that does not inherit from that upstream (where its customer duties
    /// are carried to the `as` party): anywhere else it would do nothing.
    fn rewords_apply(&mut self, model: &Model, list: &[Holder]) {
        for h in list {
            let Some(holding) = &h.holding else { continue };
            for u in &holding.rewords {
                if !model.upstreams.contains_key(&u.value) {
                    continue; // reported as unknown already
                }
                let problem = if list.iter().any(|other| other.id.value == u.value) {
                    Some(format!(
                        "this cell inherits from `{}`: its customer part is merged here, not carried",
                        u.value
                    ))
                } else if model.as_party(&u.value) != h.id.value {
                    Some(format!(
                        "`{}`'s customer duties are carried to `{}` (its `as` party), not to `{}`",
                        u.value,
                        model.as_party(&u.value),
                        h.id.value
                    ))
                } else {
                    None
                };
                if let Some(problem) = problem {
                    self.push(
                        Diagnostic::new(
                            Code::InvalidValue,
                            u.span,
                            format!("`rewords: [{}]` has nothing to reword: {problem}", u.value),
                        )
                        .with_help("remove it; `rewords` goes on the `as` party's holding in an area that stands for the upstream's without naming the upstream"),
                    );
                }
            }
        }
    }

    /// A holder id; an invalid one gets the closest declared holder as suggestion.
    fn holder_id(&mut self, model: &Model, node: &Node) -> Option<Spanned<String>> {
        let text = node.as_text().unwrap_or_default();
        // A party or upstream whose declaration could not be read is
        // reported there: its uses are not reported again.
        if self.broken.iter().any(|b| b == text) {
            return None;
        }
        let before = self.diagnostics.len();
        let id = self.id(node, "a holder");
        if id.is_none() {
            let holders = model
                .parties
                .keys()
                .chain(model.upstreams.keys())
                .map(String::as_str);
            if let (Some(d), Some(s)) = (self.diagnostics.get_mut(before), suggest(text, holders)) {
                d.help = Some(s);
            }
        }
        id
    }

    fn holding(&mut self, model: &Model, node: &Node, holder: &Spanned<String>) -> Option<Holding> {
        let what = format!("the holding of `{}`", holder.value);
        let f = self.fields(node, &what, Holding::KEYS)?;
        let rewords = f
            .get("rewords")
            .map(|n| self.id_list::<String>(n, "an upstream id in `rewords`"))
            .unwrap_or_default();
        for u in &rewords {
            if !model.upstreams.contains_key(&u.value) {
                let help = suggest(&u.value, model.upstreams.keys().map(String::as_str))
                    .unwrap_or_else(|| {
                        "`rewords` lists upstream ids (see `upstreams:`)".to_string()
                    });
                self.push(
                    Diagnostic::new(
                        Code::UnknownUpstream,
                        u.span,
                        format!(
                            "`rewords` names `{}`, which is not an upstream of this model",
                            u.value
                        ),
                    )
                    .with_help(help),
                );
            }
        }
        let has_duties = f.get("duties").is_some();
        if !rewords.is_empty() && !has_duties {
            self.push(
                Diagnostic::new(
                    Code::MissingKey,
                    rewords[0].span,
                    format!("{what} rewords an upstream's duties but has no `duties`"),
                )
                .with_help("add `duties:` saying, in this model's words, what the upstream leaves to its customer"),
            );
        }
        Some(Holding {
            rewords,
            scope: f.get("scope").and_then(|n| self.text(n, "`scope`")),
            duties: f.get("duties").map(|n| self.duties(n)).unwrap_or_default(),
            how: f
                .get("how")
                .map(|n| self.id_list(n, "a practice id in `how`"))
                .unwrap_or_default(),
            evidence: f
                .get("evidence")
                .map(|n| self.id_list(n, "an evidence id"))
                .unwrap_or_default(),
            note: self.opt_text(&f, "note", &what),
        })
    }

    /// A holding's `duties`: each one text, or a map `{ id: ..., text: ... }`.
    fn duties(&mut self, node: &Node) -> Vec<Duty> {
        let items = self.list(node, "`duties`");
        items.iter().filter_map(|n| self.duty(n)).collect()
    }

    fn duty(&mut self, node: &Node) -> Option<Duty> {
        let Value::Map(entries) = &node.value else {
            let text = self.text(node, "`duties`")?;
            return Some(Duty { text, id: None });
        };
        // A map with neither key (nor a misspelling of one) is text that
        // YAML read as a map (`- Note: backups are daily`), not a duty
        // with an id.
        let duty_key = |k: &str| {
            Duty::KEYS.contains(&k)
                || crate::diagnostic::closest(k, Duty::KEYS.iter().copied()).is_some()
        };
        if !entries
            .iter()
            .any(|(k, _)| k.as_text().is_some_and(duty_key))
        {
            self.push(
                Diagnostic::new(
                    Code::InvalidType,
                    node.span,
                    format!("a duty must be text or `{{ id: ..., text: ... }}`, found {}", node.kind_name()),
                )
                .with_help("quote a duty that holds `: `, as in `- \"Backups: daily\"`; a duty with an id is `{ id: ..., text: ... }`"),
            );
            return None;
        }
        let f = self.fields(node, "a duty", Duty::KEYS)?;
        let id = f.get("id").and_then(|n| self.id(n, "the duty id"));
        let text = self.required(&f, "text", "a duty with an `id`")?;
        let text = self.text(text, "the `text` of a duty")?;
        Some(Duty { text, id })
    }
}

/// Whether `s` is a calendar date `YYYY-MM-DD` of the years 1900 to 2999
/// (what OSCAL's date type accepts).
fn is_date(s: &str) -> bool {
    let b = s.as_bytes();
    let digits = |r: std::ops::Range<usize>| b[r.clone()].iter().all(u8::is_ascii_digit);
    if b.len() != 10
        || b[4] != b'-'
        || b[7] != b'-'
        || !digits(0..4)
        || !digits(5..7)
        || !digits(8..10)
    {
        return false;
    }
    let (y, m, d): (u32, u32, u32) = (
        s[0..4].parse().unwrap_or(0),
        s[5..7].parse().unwrap_or(0),
        s[8..10].parse().unwrap_or(0),
    );
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => 0,
    };
    (1900..=2999).contains(&y) && (1..=days).contains(&d)
}

/// What one entry of a section is called in messages.
fn singular(section: &str) -> &str {
    match section {
        "parties" => "party",
        "upstreams" | "runs-on" => "upstream",
        "offerings" => "offering",
        "areas" | "responsibilities" => "area",
        "practices" => "practice",
        "frameworks" => "framework",
        other => other,
    }
}

/// The root members of NIST OSCAL documents (one per OSCAL model), which
/// people pass where a model goes.
pub const OSCAL_ROOTS: &[&str] = &[
    "catalog",
    "profile",
    "component-definition",
    "system-security-plan",
    "assessment-plan",
    "assessment-results",
    "plan-of-action-and-milestones",
    "mapping-collection",
];

/// A finding for a document that is recognisably not a model (an OSCAL
/// document), instead of one finding per missing key.
fn other_document(root: &Node) -> Option<Diagnostic> {
    let Value::Map(entries) = &root.value else {
        return None;
    };
    if entries
        .iter()
        .any(|(k, _)| k.as_text().is_some_and(|k| Model::KEYS.contains(&k)))
    {
        return None;
    }
    let Some((key, _)) = entries
        .iter()
        .find(|(k, _)| k.as_text().is_some_and(|k| OSCAL_ROOTS.contains(&k)))
    else {
        // No key of a model at all: some other YAML or JSON file.
        let at = entries.first().map_or(root.span, |(k, _)| k.span);
        return Some(
            Diagnostic::new(Code::NotAModel, at, "this file is not an onus model: it has none of a model's keys")
                .with_help("a model starts with `onus: 1`, then `model:`, `parties:`, `offerings:`, `areas:` and `responsibilities:`; `onus init` writes one"),
        );
    };
    let kind = key.as_text().unwrap_or_default();
    let help = if matches!(kind, "component-definition" | "system-security-plan") {
        "to make a model of it, run `onus oscal import FILE -o MODEL.onus.yaml`"
    } else {
        "catalogs and profiles are read by `onus crm MODEL --profile PROFILE [--catalog CATALOG]`"
    };
    Some(
        Diagnostic::new(
            Code::NotAModel,
            key.span,
            format!("this is an OSCAL {kind}, not an onus model"),
        )
        .with_help(help),
    )
}

/// The upstream of a qualified id as resolution writes it (`aws` of
/// `aws/amazon`), which a model cannot use: it names the upstream alone.
fn qualified_upstream(s: &str) -> Option<&str> {
    let mut parts = s.split('/');
    let first = parts.next()?;
    (is_valid_id(first) && parts.all(is_valid_id) && s.contains('/')).then_some(first)
}

/// A best-effort kebab-case spelling of an invalid id, for the help line.
fn kebab(s: &str) -> String {
    let mut out = String::new();
    for c in s.trim().chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use crate::check::test_support::{check_files, model};

    /// (code, message, help) of each finding for `data`'s cell.
    fn found(data: &str) -> Vec<(&'static str, String, Option<String>)> {
        let text = model(
            "",
            &format!("  data:\n    acme: {{ duties: [{data}] }}\n  hosts: acme"),
        );
        check_files(&[("m.onus.yaml", &text)])
            .into_iter()
            .map(|d| (d.code.name(), d.message, d.help))
            .collect()
    }

    #[test]
    fn a_duty_is_text_or_an_id_with_its_text() {
        assert_eq!(found("Backs up, { id: patch, text: Patches }"), []);
        assert_eq!(found("{ text: Patches }"), []);
        let f = found("{ id: patch, txt: Patches }");
        assert_eq!(f.len(), 2, "{f:?}");
        let unknown = f.iter().find(|d| d.0 == "unknown-key").unwrap();
        assert_eq!(unknown.2.as_deref(), Some("did you mean `text`?"));
        let missing = f.iter().find(|d| d.0 == "missing-key").unwrap();
        assert_eq!(missing.1, "a duty with an `id` has no `text`");
        let f = found("{ id: Patch OS, text: Patches }");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "invalid-id");
        assert_eq!(f[0].2.as_deref(), Some("write it as `patch-os`"));
        // A duty YAML read as a map (an unquoted `: `) is told to be quoted.
        let f = found("{ Backups: daily }");
        assert_eq!(f.len(), 1, "{f:?}");
        assert_eq!(f[0].0, "invalid-type");
        assert!(
            f[0].2.as_deref().unwrap().starts_with("quote a duty"),
            "{f:?}"
        );
        // A misspelt key is a duty's key misspelt.
        let f = found("{ txt: Patches }");
        assert_eq!(f.len(), 2, "{f:?}");
        let unknown = f.iter().find(|d| d.0 == "unknown-key").unwrap();
        assert_eq!(unknown.2.as_deref(), Some("did you mean `text`?"));
        let f = found("{ id: patch, text: [a, b] }");
        assert_eq!(f[0].0, "invalid-type", "{f:?}");
    }
}

#[cfg(test)]
mod date_tests {
    use super::is_date;
    use crate::check::test_support::{check_files, model};
    use crate::load::ModelSet;

    const UP: &str = "onus: 1
model: { id: up, name: Up, publisher: up }
parties:
  up: { name: Up, role: provider }
  customer: { name: Customer, role: customer }
offerings:
  paas: { name: PaaS }
areas:
  hosts: { name: Hosts }
responsibilities:
  hosts: up
";

    fn with(upstream: &str) -> String {
        model(
            &format!("upstreams:\n  up: {{ model: up.onus.yaml, {upstream} }}"),
            "  data: customer\n  hosts: acme",
        )
    }

    #[test]
    fn an_upstream_keeps_its_package_and_authorization_date() {
        let text = with("fedramp-package: FR1234567890, authorized: 2024-03-15");
        let files: std::collections::HashMap<_, _> = [
            (std::path::PathBuf::from("m.onus.yaml"), text.clone()),
            (std::path::PathBuf::from("up.onus.yaml"), UP.to_string()),
        ]
        .into_iter()
        .collect();
        let set = ModelSet::load(&[std::path::PathBuf::from("m.onus.yaml")], &files).unwrap();
        let up = &set.model(set.roots[0]).unwrap().upstreams["up"];
        assert_eq!(up.fedramp_package.as_deref(), Some("FR1234567890"));
        assert_eq!(
            up.authorized.as_ref().map(|d| d.value.as_str()),
            Some("2024-03-15")
        );
        let found = check_files(&[("m.onus.yaml", &text), ("up.onus.yaml", UP)]);
        assert!(found.is_empty(), "{found:?}");
    }

    #[test]
    fn an_authorization_date_that_is_no_date_is_refused() {
        let text = with("authorized: 2024-02-30");
        let found = check_files(&[("m.onus.yaml", &text), ("up.onus.yaml", UP)]);
        assert!(
            found.iter().any(|d| d.code.name() == "invalid-value"
                && d.message.contains("`2024-02-30`, is not a date")),
            "{found:?}"
        );
    }

    #[test]
    fn dates_are_calendar_dates() {
        for ok in ["2024-03-15", "2024-02-29", "2000-02-29", "1900-01-01"] {
            assert!(is_date(ok), "{ok}");
        }
        for bad in [
            "2023-02-29",
            "1900-02-29",
            "2024-13-01",
            "2024-04-31",
            "24-03-15",
            "2024-3-15",
            "2024-03-15T00:00:00Z",
            "1899-12-31",
            "",
        ] {
            assert!(!is_date(bad), "{bad}");
        }
    }
}
