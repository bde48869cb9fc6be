//! A tenant's checklist for its auditor: CSV and XLSX (one row per duty,
//! archived ones included), the same rows for the page and the API, and
//! OSCAL: the tenant's part as the leveraging system's SSP, whose
//! `inherited` and `satisfied` entries point at the uuids of the
//! provider's own `onus oscal export --kind ssp`.
//! Values are the tenant's records; the CSV neutralises formulas as the
//! CLI's does, and the XLSX writes every value as text or a number.

use std::collections::HashMap;

use axum::http::header;
use axum::response::{IntoResponse, Response};
use onus_oscal::export::{DutyRecord, DutyStatus};
use onus_store::{Item, Member, StoreError, TenantData};

use crate::checklist::{date, is_overdue};

const HEADERS: [&str; 18] = [
    "Offering",
    "Group",
    "Area",
    "Scope",
    "Duty",
    "Status",
    "Reason (not applicable)",
    "Risk accepted by",
    "Risk accepted until",
    "Owner",
    "Due",
    "Overdue",
    "Notes",
    "Evidence (name, SHA-256)",
    "Changes recorded",
    "Flag",
    "Archived",
    "Duty id",
];

/// Evidence files by item id: (name, sha256).
pub type Evidence = HashMap<String, Vec<(String, String)>>;

/// The rows: headers first, then one per item.
pub fn rows(
    items: &[Item],
    members: &[Member],
    evidence: &Evidence,
    history: &HashMap<String, i64>,
) -> Vec<Vec<String>> {
    let now = onus_store::now();
    let name = |id: &Option<String>| {
        id.as_deref()
            .map(|id| {
                members.iter().find(|m| m.user_id == id).map_or_else(
                    || "a former member".to_string(),
                    |m| format!("{} <{}>", m.name, m.email),
                )
            })
            .unwrap_or_default()
    };
    let mut out = vec![HEADERS.iter().map(|h| h.to_string()).collect()];
    for i in items {
        out.push(vec![
            i.offering.clone(),
            i.area_group.clone(),
            i.area_name.clone(),
            i.scope.clone().unwrap_or_default(),
            i.duty.clone(),
            i.status.clone(),
            i.reason.clone(),
            name(&i.approved_by),
            i.risk_expires_at.map(date).unwrap_or_default(),
            name(&i.owner_id),
            i.due_at.map(date).unwrap_or_default(),
            if is_overdue(i, now) {
                "yes".into()
            } else {
                String::new()
            },
            i.notes.clone(),
            evidence
                .get(&i.id)
                .map(|files| {
                    files
                        .iter()
                        .map(|(n, h)| format!("{n} (sha256 {h})"))
                        .collect::<Vec<_>>()
                        .join("\n")
                })
                .unwrap_or_default(),
            history.get(&i.id).copied().unwrap_or(0).to_string(),
            i.flag.clone(),
            i.archived_at.map(date).unwrap_or_default(),
            i.duty_id.clone(),
        ]);
    }
    out
}

/// Which file the auditor asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    Csv,
    Xlsx,
    Oscal,
}

impl Kind {
    const ALL: [Kind; 3] = [Kind::Csv, Kind::Xlsx, Kind::Oscal];

    /// The file a name asks for: `checklist.csv`, `checklist.xlsx`, `checklist.oscal.json`.
    pub fn of(file: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.file() == file)
    }

    /// The file's name (after the tenant's stem in a download).
    pub fn file(self) -> &'static str {
        match self {
            Kind::Csv => "checklist.csv",
            Kind::Xlsx => "checklist.xlsx",
            Kind::Oscal => "checklist.oscal.json",
        }
    }

    fn content_type(self) -> &'static str {
        match self {
            Kind::Csv => "text/csv; charset=utf-8",
            Kind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Kind::Oscal => "application/json",
        }
    }
}

/// Why an export could not be made.
#[derive(Debug, thiserror::Error)]
pub enum ExportError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("cannot write the {what}: {message}")]
    Write { what: &'static str, message: String },
}

/// `body` as a download named `name` (a name the portal made: no quoting needed).
pub fn attachment(name: &str, content_type: &str, body: impl IntoResponse) -> Response {
    (
        [
            (header::CONTENT_TYPE, content_type.to_string()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"{name}\""),
            ),
        ],
        body,
    )
        .into_response()
}

/// The checklist of the tenant of `a` as a download named after the
/// tenant (recorded as a sensitive read).
pub async fn download(
    a: &crate::pages::tenant::Access,
    matrix: &onus_core::resolve::Matrix,
    kind: Kind,
) -> Result<Response, ExportError> {
    let data = &a.data;
    let tenant_name = a.tenant.name.as_str();
    a.audit_read("checklist-exported", kind.file()).await?;
    let items = data.items().await?;
    let body: Vec<u8> = match kind {
        Kind::Oscal => {
            let records: Vec<DutyRecord> = items
                .iter()
                .filter(|i| i.archived_at.is_none())
                .map(|i| DutyRecord {
                    item: i.duty_id.clone(),
                    status: DutyStatus::parse(&i.status).unwrap_or(DutyStatus::NotStarted),
                    note: Some(i.notes.clone()).filter(|n| !n.trim().is_empty()),
                })
                .collect();
            let changed = items.iter().map(|i| i.updated_at).max().map(date);
            let tenant = onus_oscal::export::Tenant {
                id: &a.tenant.id,
                name: tenant_name,
                date: changed.as_deref(),
                authorization: None,
            };
            let document =
                onus_oscal::export::leveraging_ssp(matrix, &a.tenant.offering, &records, tenant)
                    .map_err(|e| ExportError::Write {
                        what: "OSCAL document",
                        message: e.to_string(),
                    })?;
            serde_json::to_string_pretty(&document)
                .unwrap_or_default()
                .into_bytes()
        }
        Kind::Csv | Kind::Xlsx => {
            let members = data.members().await?;
            let history = data.history_counts().await?;
            let evidence = evidence(data).await?;
            let rows = rows(&items, &members, &evidence, &history);
            if kind == Kind::Csv {
                onus_export::csv::render(&rows).into_bytes()
            } else {
                let title = format!("Checklist of {tenant_name}");
                onus_export::render::xlsx::sheets(
                    &title,
                    "onus portal",
                    &[("Checklist", &HEADERS, &rows[1..])],
                )
                .map_err(|e| ExportError::Write {
                    what: "workbook",
                    message: e.to_string(),
                })?
            }
        }
    };
    let name = format!("{}-{}", file_stem(tenant_name), kind.file());
    Ok(attachment(&name, kind.content_type(), body))
}

/// The tenant's evidence files by item, oldest first; deleted ones are
/// left out (their record stays on the item's evidence page and history).
async fn evidence(data: &TenantData) -> Result<Evidence, StoreError> {
    let mut by_item = Evidence::new();
    for a in data.all_attachments().await? {
        if !a.is_deleted() {
            by_item
                .entry(a.item_id)
                .or_default()
                .push((a.file_name, a.sha256));
        }
    }
    Ok(by_item)
}

/// A file name's stem from a tenant's name: letters, digits and `-` only.
pub fn file_stem(name: &str) -> String {
    let stem: String = name
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem: String = stem.chars().take(60).collect();
    if stem.is_empty() {
        "tenant".into()
    } else {
        stem
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_names_keep_only_safe_characters() {
        assert_eq!(file_stem("Acme Corp. \"EU\""), "acme-corp-eu");
        assert_eq!(file_stem("../../etc"), "etc");
        assert_eq!(file_stem("日本"), "tenant");
    }
}
