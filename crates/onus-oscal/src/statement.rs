//! A control's statement as a CRM prints it: the `statement` part and its
//! items, labelled, with every `{{ insert: param, ID }}` replaced by what
//! the profile set (its values), else by what the catalog asks for
//! (`[Assignment: organization-defined frequency]`, `[Selection (one or
//! more): a; b]`), as SP 800-53 and FedRAMP print them. No I/O.

use std::collections::HashMap;

use crate::catalog::{Control, Param, Part};

/// What a parameter reads as in prose: the values set (joined by `; `),
/// else what its constraints require (FedRAMP's profiles set parameters
/// that way: `at least every 3 years`), else the assignment or selection
/// the catalog asks for.
pub fn param_text(param: &Param, params: &HashMap<&str, &Param>) -> String {
    text_at(param, params, 0)
}

fn text_at(param: &Param, params: &HashMap<&str, &Param>, depth: usize) -> String {
    if !param.values.is_empty() {
        return param.values.join("; ");
    }
    let required: Vec<&str> = param
        .constraints
        .iter()
        .filter_map(|c| c.get("description").and_then(|d| d.as_str()))
        .map(str::trim)
        .filter(|d| !d.is_empty())
        .collect();
    if !required.is_empty() {
        return required.join("; ");
    }
    if let Some(select) = &param.select {
        let how = match select.get("how-many").and_then(|v| v.as_str()) {
            Some("one-or-more") => "Selection (one or more)",
            _ => "Selection",
        };
        let choices: Vec<String> = select
            .get("choice")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
            .filter_map(|c| c.as_str())
            .map(|c| substitute(c, params, depth + 1))
            .collect();
        return format!("[{how}: {}]", choices.join("; "));
    }
    match &param.label {
        Some(label) => format!("[Assignment: {label}]"),
        None => format!("[Assignment: {}]", param.id),
    }
}

/// `prose` with each `{{ insert: param, ID }}` replaced by [`param_text`]
/// (an unknown id is left as written). `depth` bounds the nesting of a
/// selection's choices that insert parameters.
pub fn substitute(prose: &str, params: &HashMap<&str, &Param>, depth: usize) -> String {
    let mut out = String::with_capacity(prose.len());
    let mut rest = prose;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let inner = &rest[start + 2..start + len];
        let id = inner
            .trim()
            .strip_prefix("insert:")
            .and_then(|s| s.trim().strip_prefix("param,"))
            .map(str::trim);
        out.push_str(&rest[..start]);
        match id.and_then(|id| params.get(id)) {
            Some(param) if depth < 4 => out.push_str(&text_at(param, params, depth)),
            _ => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The control's statement, its items on lines of their own (`a. ...`,
/// indented by level), parameters substituted; `None` when it has none.
pub fn statement(control: &Control, params: &HashMap<&str, &Param>) -> Option<String> {
    let part = control.parts.iter().find(|p| p.name == "statement")?;
    let mut lines = Vec::new();
    write_part(part, params, 0, &mut lines);
    let text = lines.join("\n");
    (!text.trim().is_empty()).then_some(text)
}

fn write_part(part: &Part, params: &HashMap<&str, &Param>, level: usize, lines: &mut Vec<String>) {
    let label = part
        .props
        .iter()
        .find(|p| p.name == "label")
        .map(|p| p.value.as_str());
    let prose = part
        .prose
        .as_deref()
        .map(|p| substitute(p.trim(), params, 0))
        .unwrap_or_default();
    let indent = "  ".repeat(level.saturating_sub(1));
    match (label, prose.is_empty()) {
        (Some(label), _) if level > 0 => {
            lines.push(format!("{indent}{label} {prose}").trim_end().to_owned())
        }
        (_, false) => lines.push(format!("{indent}{prose}")),
        _ => {}
    }
    for child in part.parts.iter().filter(|p| p.name == "item") {
        write_part(child, params, level + 1, lines);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param(id: &str, label: Option<&str>, values: &[&str]) -> Param {
        Param {
            id: id.into(),
            label: label.map(Into::into),
            values: values.iter().map(|v| v.to_string()).collect(),
            ..Default::default()
        }
    }

    #[test]
    fn inserts_become_values_or_assignments() {
        let set = param("p1", Some("frequency"), &["at least annually"]);
        let open = param("p2", Some("organization-defined personnel"), &[]);
        let constrained = Param {
            constraints: vec![serde_json::json!({"description": "at least every 3 years "})],
            ..param("p5", Some("frequency"), &[])
        };
        assert_eq!(
            param_text(&constrained, &HashMap::new()),
            "at least every 3 years"
        );
        let choice = Param {
            select: Some(serde_json::json!({"how-many": "one-or-more",
                "choice": ["lock after {{ insert: param, p1 }}", "never"]})),
            ..param("p3", None, &[])
        };
        let params: HashMap<&str, &Param> = [("p1", &set), ("p2", &open), ("p3", &choice)]
            .into_iter()
            .collect();
        assert_eq!(
            substitute(
                "Review {{ insert: param, p1 }} by {{ insert: param, p2 }}; {{ insert: param, p3 }}; {{ insert: param, p9 }}",
                &params,
                0
            ),
            "Review at least annually by [Assignment: organization-defined personnel]; \
             [Selection (one or more): lock after at least annually; never]; {{ insert: param, p9 }}"
        );
        // A choice that inserts its own parameter stops.
        let own = Param {
            select: Some(serde_json::json!({"choice": ["{{ insert: param, p4 }}"]})),
            ..param("p4", None, &[])
        };
        let params: HashMap<&str, &Param> = [("p4", &own)].into_iter().collect();
        assert!(substitute("{{ insert: param, p4 }}", &params, 0)
            .starts_with("[Selection: [Selection: "));
        // An unterminated placeholder is left as it is.
        assert_eq!(substitute("a {{ insert", &params, 0), "a {{ insert");
    }
}
