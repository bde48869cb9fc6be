//! Published model versions: stored whole, numbered, never changed.

use sqlx::Row;

use crate::audit::Audit;
use crate::{now, Result, Store, StoreError};

/// One published version, whole.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModelVersion {
    pub model: String,
    pub version: i64,
    pub name: String,
    /// The root file's path among `files`.
    pub root: String,
    /// The model and its upstream chain, as published: (path, text), sorted by path.
    pub files: Vec<(String, String)>,
    pub sha256: String,
    pub published_at: i64,
}

/// A version in a list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VersionSummary {
    pub model: String,
    pub version: i64,
    pub name: String,
    pub sha256: String,
    pub published_at: i64,
}

/// What publishing did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Published {
    /// A new version, with its number.
    New(i64),
    /// The latest version has this very content: nothing was stored.
    Unchanged(i64),
}

impl Store {
    /// Publishes a version of `model` unless its content (`sha256`) is
    /// the latest version's. Numbers go up by one; two servers racing get
    /// distinct numbers (the second retries). A new version and its
    /// `model-published` entry in the platform's audit chain (target
    /// `MODEL vN`, details its SHA-256) commit together, whoever published
    /// it (the page, the server's start, `onus publish`).
    pub async fn publish(
        &self,
        model: &str,
        name: &str,
        root: &str,
        files: &[(String, String)],
        sha256: &str,
    ) -> Result<Published> {
        let files_json = encode_files(files);
        for _ in 0..5 {
            let latest = sqlx::query(
                "SELECT version, sha256 FROM model_versions WHERE model = $1 ORDER BY version DESC LIMIT 1",
            )
            .bind(model)
            .fetch_optional(&self.pool)
            .await?;
            let next = match latest {
                Some(row) if row.get::<String, _>(1) == sha256 => {
                    return Ok(Published::Unchanged(row.get(0)))
                }
                Some(row) => row.get::<i64, _>(0) + 1,
                None => 1,
            };
            let mut tx = self.begin().await?;
            let inserted = sqlx::query(
                "INSERT INTO model_versions (model, version, name, root, files, sha256, published_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            )
            .bind(model)
            .bind(next)
            .bind(name)
            .bind(root)
            .bind(&files_json)
            .bind(sha256)
            .bind(now())
            .execute(&mut *tx)
            .await;
            match inserted {
                Ok(_) => {
                    Audit::new(
                        None,
                        None,
                        "model-published",
                        &format!("{model} v{next}"),
                        sha256,
                    )
                    .append_in(&mut tx)
                    .await?;
                    tx.commit().await?;
                    return Ok(Published::New(next));
                }
                // Another server took this number: look again.
                Err(sqlx::Error::Database(e)) if e.is_unique_violation() => continue,
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Conflict(format!(
            "could not number a new version of {model}: too many publications at once"
        )))
    }

    /// The latest version of every model, by model id.
    pub async fn latest_versions(&self) -> Result<Vec<VersionSummary>> {
        let rows = sqlx::query(
            "SELECT v.model, v.version, v.name, v.sha256, v.published_at FROM model_versions v WHERE v.version = (SELECT MAX(w.version) FROM model_versions w WHERE w.model = v.model) ORDER BY v.model",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(summary).collect())
    }

    /// Every version of a model, newest first.
    pub async fn versions(&self, model: &str) -> Result<Vec<VersionSummary>> {
        let rows = sqlx::query(
            "SELECT model, version, name, sha256, published_at FROM model_versions WHERE model = $1 ORDER BY version DESC",
        )
        .bind(model)
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.iter().map(summary).collect())
    }

    /// One version (the latest when `version` is `None`).
    pub async fn model_version(
        &self,
        model: &str,
        version: Option<i64>,
    ) -> Result<Option<ModelVersion>> {
        let row = sqlx::query(
            "SELECT model, version, name, root, files, sha256, published_at FROM model_versions WHERE model = $1 AND ($2 = 0 OR version = $2) ORDER BY version DESC LIMIT 1",
        )
        .bind(model)
        .bind(version.unwrap_or(0))
        .fetch_optional(&self.pool)
        .await?;
        let Some(row) = row else { return Ok(None) };
        let files: String = row.get("files");
        Ok(Some(ModelVersion {
            model: row.get("model"),
            version: row.get("version"),
            name: row.get("name"),
            root: row.get("root"),
            files: decode_files(&files)?,
            sha256: row.get("sha256"),
            published_at: row.get("published_at"),
        }))
    }
}

fn summary(row: &sqlx::any::AnyRow) -> VersionSummary {
    VersionSummary {
        model: row.get(0),
        version: row.get(1),
        name: row.get(2),
        sha256: row.get(3),
        published_at: row.get(4),
    }
}

/// Files as one text: a line with the count, then per file a line
/// `LEN PATH` and the text's LEN bytes. Simple, exact, no escaping.
fn encode_files(files: &[(String, String)]) -> String {
    let mut out = format!("{}\n", files.len());
    for (path, text) in files {
        out.push_str(&format!("{} {path}\n{text}", text.len()));
    }
    out
}

fn decode_files(mut s: &str) -> Result<Vec<(String, String)>> {
    let bad = || StoreError::Corrupt("a stored model version's files cannot be read".into());
    let line = |s: &mut &str| -> Result<String> {
        let end = s.find('\n').ok_or_else(bad)?;
        let l = s[..end].to_string();
        *s = &s[end + 1..];
        Ok(l)
    };
    let count: usize = line(&mut s)?.parse().map_err(|_| bad())?;
    let mut files = Vec::with_capacity(count.min(1024));
    for _ in 0..count {
        let head = line(&mut s)?;
        let (len, path) = head.split_once(' ').ok_or_else(bad)?;
        let len: usize = len.parse().map_err(|_| bad())?;
        let text = s.get(..len).ok_or_else(bad)?;
        files.push((path.to_string(), text.to_string()));
        s = &s[len..];
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_round_trip_whatever_their_text() {
        let files = vec![
            ("a.onus.yaml".to_string(), "x: 1\n3 b\n".to_string()),
            ("up/b.onus.yaml".to_string(), "ünïcode\n\n".to_string()),
            ("empty".to_string(), String::new()),
        ];
        assert_eq!(decode_files(&encode_files(&files)).unwrap(), files);
        assert!(decode_files("2\n3 a\nabc").is_err());
        assert!(decode_files("1\n99 a\nabc").is_err());
    }
}
