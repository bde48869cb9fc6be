//! Evidence files attached to checklist items. The records (name, type,
//! size, SHA-256, who uploaded and when, who deleted and when) are rows of
//! `evidence`, always reached through [`TenantData`] so every query names
//! the tenant; the bytes go to a [`ChunkStore`] in numbered chunks of
//! [`CHUNK_SIZE`], so neither an upload nor a download holds a whole file
//! in memory. [`DbChunks`] (the database, table `evidence_chunks`) is the
//! default store: every server sharing the database sees every file. A
//! blob store can implement [`ChunkStore`] later and be set with
//! [`Store::with_chunks`].
//!
//! An upload is an [`Upload`]: its record is written first, marked
//! incomplete, its chunks as the bytes arrive (outside any transaction, so
//! a slow client never holds a lock), and [`Upload::finish`] marks it
//! complete with its size and hash. An upload that fails, is refused or is
//! dropped half-way is removed ([`Upload::abort`], or on drop); one cut off
//! by a crash is swept by a later upload of the tenant.

use std::future::Future;
use std::pin::Pin;

use sha2::{Digest, Sha256};
use sqlx::any::AnyRow;
use sqlx::{AnyPool, Row};

use crate::checklist::TenantData;
use crate::{hex, now, random_id, Result, Store, StoreError};

/// The size of a stored chunk (the last one of a file is shorter).
pub const CHUNK_SIZE: usize = 256 * 1024;

/// An incomplete upload older than this (seconds) was cut off (a crash, a
/// lost connection): the next upload of the tenant removes it.
pub const ABANDONED_AFTER: i64 = 3600;

/// A boxed future, so that [`ChunkStore`] can be used as a trait object.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// Where attachments' bytes live: numbered chunks (from 0) of one
/// attachment of one tenant. Callers go through [`TenantData`], which
/// passes its own tenant; an implementation keys every chunk by tenant,
/// attachment and number.
pub trait ChunkStore: Send + Sync + std::fmt::Debug {
    /// Stores chunk `seq` of `attachment`.
    fn put<'a>(
        &'a self,
        tenant: &'a str,
        attachment: &'a str,
        seq: i64,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<()>>;
    /// Chunk `seq` of `attachment` (`None`: there is no such chunk).
    fn get<'a>(
        &'a self,
        tenant: &'a str,
        attachment: &'a str,
        seq: i64,
    ) -> BoxFuture<'a, Result<Option<Vec<u8>>>>;
    /// Removes every chunk of `attachment` (none is not an error).
    fn delete<'a>(&'a self, tenant: &'a str, attachment: &'a str) -> BoxFuture<'a, Result<()>>;
}

/// The default [`ChunkStore`]: table `evidence_chunks` of the portal's
/// database.
#[derive(Clone, Debug)]
pub struct DbChunks {
    pool: AnyPool,
}

impl DbChunks {
    pub(crate) fn new(pool: AnyPool) -> DbChunks {
        DbChunks { pool }
    }
}

impl ChunkStore for DbChunks {
    fn put<'a>(
        &'a self,
        tenant: &'a str,
        attachment: &'a str,
        seq: i64,
        bytes: &'a [u8],
    ) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            sqlx::query(
                "INSERT INTO evidence_chunks (tenant_id, attachment_id, seq, bytes) VALUES ($1, $2, $3, $4)",
            )
            .bind(tenant)
            .bind(attachment)
            .bind(seq)
            .bind(bytes)
            .execute(&self.pool)
            .await?;
            Ok(())
        })
    }

    fn get<'a>(
        &'a self,
        tenant: &'a str,
        attachment: &'a str,
        seq: i64,
    ) -> BoxFuture<'a, Result<Option<Vec<u8>>>> {
        Box::pin(async move {
            let row = sqlx::query(
                "SELECT bytes FROM evidence_chunks WHERE tenant_id = $1 AND attachment_id = $2 AND seq = $3",
            )
            .bind(tenant)
            .bind(attachment)
            .bind(seq)
            .fetch_optional(&self.pool)
            .await?;
            Ok(row.map(|r| r.get::<Vec<u8>, _>(0)))
        })
    }

    fn delete<'a>(&'a self, tenant: &'a str, attachment: &'a str) -> BoxFuture<'a, Result<()>> {
        Box::pin(async move {
            sqlx::query("DELETE FROM evidence_chunks WHERE tenant_id = $1 AND attachment_id = $2")
                .bind(tenant)
                .bind(attachment)
                .execute(&self.pool)
                .await?;
            Ok(())
        })
    }
}

impl Store {
    /// The same store with attachments' bytes kept in `chunks` instead of
    /// the database (records stay in the database).
    pub fn with_chunks(mut self, chunks: std::sync::Arc<dyn ChunkStore>) -> Store {
        self.chunks = chunks;
        self
    }
}

/// A file attached to a checklist item, as recorded. A deleted one keeps
/// its record (name, size, hash, who deleted it and when); its bytes are gone.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attachment {
    /// Unguessable (128 random bits): what URLs name.
    pub id: String,
    pub item_id: String,
    /// Sanitised by the portal before it was stored.
    pub file_name: String,
    /// The type it is served as (checked against its bytes on upload).
    pub content_type: String,
    pub size: i64,
    /// SHA-256 of the bytes, lowercase hex.
    pub sha256: String,
    pub uploaded_by: Option<String>,
    pub uploaded_by_name: Option<String>,
    pub uploaded_at: i64,
    pub deleted_at: Option<i64>,
    pub deleted_by: Option<String>,
    pub deleted_by_name: Option<String>,
}

impl Attachment {
    pub fn is_deleted(&self) -> bool {
        self.deleted_at.is_some()
    }

    fn from_row(r: &AnyRow) -> Attachment {
        Attachment {
            id: r.get("id"),
            item_id: r.get("item_id"),
            file_name: r.get("file_name"),
            content_type: r.get("content_type"),
            size: r.get("size"),
            sha256: r.get("sha256"),
            uploaded_by: r.get("uploaded_by"),
            uploaded_by_name: r.get("uploaded_by_name"),
            uploaded_at: r.get("uploaded_at"),
            deleted_at: r.get("deleted_at"),
            deleted_by: r.get("deleted_by"),
            deleted_by_name: r.get("deleted_by_name"),
        }
    }
}

const ATTACHMENT_SELECT: &str = "SELECT e.id, e.item_id, e.file_name, e.content_type, e.size, e.sha256, e.uploaded_by, up.name AS uploaded_by_name, e.uploaded_at, e.deleted_at, e.deleted_by, del.name AS deleted_by_name FROM evidence e LEFT JOIN users up ON up.id = e.uploaded_by LEFT JOIN users del ON del.id = e.deleted_by";

/// Why an upload's bytes were not taken.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    /// The file is larger than the limit: nothing of it is kept once the
    /// caller aborts.
    #[error("the file is larger than {limit} bytes")]
    TooLarge { limit: u64 },
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl TenantData {
    /// The attachments of item `item`, deleted ones included, oldest first.
    pub async fn attachments(&self, item: &str) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(&format!(
            "{ATTACHMENT_SELECT} WHERE e.tenant_id = $1 AND e.item_id = $2 AND e.complete = 1 ORDER BY e.uploaded_at, e.id"
        ))
        .bind(self.tenant_id())
        .bind(item)
        .fetch_all(&self.store().pool)
        .await?;
        Ok(rows.iter().map(Attachment::from_row).collect())
    }

    /// Every attachment of the tenant (deleted ones included), by item and
    /// then oldest first: what exports list.
    pub async fn all_attachments(&self) -> Result<Vec<Attachment>> {
        let rows = sqlx::query(&format!(
            "{ATTACHMENT_SELECT} WHERE e.tenant_id = $1 AND e.complete = 1 ORDER BY e.item_id, e.uploaded_at, e.id"
        ))
        .bind(self.tenant_id())
        .fetch_all(&self.store().pool)
        .await?;
        Ok(rows.iter().map(Attachment::from_row).collect())
    }

    /// Attachment `id` of the tenant (deleted or not; never one still
    /// uploading).
    pub async fn attachment(&self, id: &str) -> Result<Option<Attachment>> {
        let row = sqlx::query(&format!(
            "{ATTACHMENT_SELECT} WHERE e.tenant_id = $1 AND e.id = $2 AND e.complete = 1"
        ))
        .bind(self.tenant_id())
        .bind(id)
        .fetch_optional(&self.store().pool)
        .await?;
        Ok(row.as_ref().map(Attachment::from_row))
    }

    /// Chunk `seq` (from 0) of attachment `id`'s bytes (`None` when there
    /// is no such chunk). A download reads chunks until it has the
    /// attachment's size.
    pub async fn chunk(&self, id: &str, seq: i64) -> Result<Option<Vec<u8>>> {
        self.store().chunks.get(self.tenant_id(), id, seq).await
    }

    /// Starts an upload of `file_name` (already sanitised) to item `item`
    /// by `user`, refusing more than `limit` bytes; `None` when the tenant
    /// has no such item. Removes the tenant's abandoned uploads first.
    pub async fn begin_upload(
        &self,
        item: &str,
        file_name: &str,
        user: &str,
        limit: u64,
    ) -> Result<Option<Upload>> {
        if self.item(item).await?.is_none() {
            return Ok(None);
        }
        self.sweep_abandoned_uploads(now() - ABANDONED_AFTER)
            .await?;
        let id = random_id();
        sqlx::query(
            "INSERT INTO evidence (id, tenant_id, item_id, file_name, content_type, size, sha256, complete, uploaded_by, uploaded_at) VALUES ($1, $2, $3, $4, '', 0, '', 0, $5, $6)",
        )
        .bind(&id)
        .bind(self.tenant_id())
        .bind(item)
        .bind(file_name)
        .bind(user)
        .bind(now())
        .execute(&self.store().pool)
        .await?;
        Ok(Some(Upload {
            data: self.clone(),
            id,
            item: item.to_string(),
            user: user.to_string(),
            limit,
            size: 0,
            seq: 0,
            buffer: Vec::new(),
            hasher: Sha256::new(),
            settled: false,
        }))
    }

    /// Removes the tenant's uploads started before `before` and never
    /// completed (their records and bytes); how many.
    pub async fn sweep_abandoned_uploads(&self, before: i64) -> Result<usize> {
        let rows = sqlx::query(
            "SELECT id FROM evidence WHERE tenant_id = $1 AND complete = 0 AND uploaded_at < $2",
        )
        .bind(self.tenant_id())
        .bind(before)
        .fetch_all(&self.store().pool)
        .await?;
        for row in &rows {
            self.remove_upload(&row.get::<String, _>(0)).await?;
        }
        Ok(rows.len())
    }

    /// The tenant's uploads never completed (invisible to every reader),
    /// with how many chunks of `evidence_chunks` each has stored: what
    /// tests of crash safety look at.
    #[doc(hidden)]
    pub async fn incomplete_uploads_for_test(&self) -> Result<Vec<(String, i64)>> {
        let rows = sqlx::query(
            "SELECT e.id, (SELECT COUNT(*) FROM evidence_chunks c WHERE c.tenant_id = e.tenant_id AND c.attachment_id = e.id) FROM evidence e WHERE e.tenant_id = $1 AND e.complete = 0 ORDER BY e.id",
        )
        .bind(self.tenant_id())
        .fetch_all(&self.store().pool)
        .await?;
        Ok(rows.iter().map(|r| (r.get(0), r.get(1))).collect())
    }

    /// An incomplete upload's bytes and record, gone.
    async fn remove_upload(&self, id: &str) -> Result<()> {
        self.store().chunks.delete(self.tenant_id(), id).await?;
        sqlx::query("DELETE FROM evidence WHERE tenant_id = $1 AND id = $2 AND complete = 0")
            .bind(self.tenant_id())
            .bind(id)
            .execute(&self.store().pool)
            .await?;
        Ok(())
    }

    /// Deletes attachment `id`'s bytes and marks its record deleted by
    /// `user` (the record stays: it existed, with this name and hash), and
    /// records it in the item's history and the tenant's audit chain
    /// (`evidence-deleted`), in one transaction.
    /// The attachment as now recorded; `None` when the tenant has no such
    /// attachment or it already was deleted.
    pub async fn delete_attachment(&self, id: &str, user: &str) -> Result<Option<Attachment>> {
        let Some(found) = self.attachment(id).await? else {
            return Ok(None);
        };
        let at = now();
        let mut tx = self.store().begin().await?;
        let done = sqlx::query(
            "UPDATE evidence SET deleted_at = $1, deleted_by = $2 WHERE tenant_id = $3 AND id = $4 AND complete = 1 AND deleted_at IS NULL",
        )
        .bind(at)
        .bind(user)
        .bind(self.tenant_id())
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            return Ok(None);
        }
        let seq = self.next_seq(&mut tx, &found.item_id).await?;
        self.log(
            &mut tx,
            &found.item_id,
            seq,
            at,
            Some(user),
            "evidence",
            &history_value(&found.file_name, &found.sha256),
            "",
        )
        .await?;
        crate::audit::append_in(
            &mut tx,
            self.tenant_id(),
            Some(user),
            "evidence-deleted",
            id,
            &format!(
                "{} (sha256 {}) on item {}",
                found.file_name, found.sha256, found.item_id
            ),
        )
        .await?;
        tx.commit().await?;
        // Marked first, so no download starts once the bytes begin to go.
        self.store().chunks.delete(self.tenant_id(), id).await?;
        self.attachment(id).await
    }
}

/// How an attachment reads in its item's history: its name and hash.
fn history_value(name: &str, sha256: &str) -> String {
    format!("{name} (sha256 {sha256})")
}

/// An upload in progress (see the module's documentation). Feed it the
/// bytes with [`Upload::write`], then [`Upload::finish`] or
/// [`Upload::abort`]; dropped unfinished, it removes itself.
#[derive(Debug)]
pub struct Upload {
    data: TenantData,
    id: String,
    item: String,
    user: String,
    limit: u64,
    size: u64,
    seq: i64,
    buffer: Vec<u8>,
    hasher: Sha256,
    /// Finished or aborted: nothing left to clean up on drop.
    settled: bool,
}

impl Upload {
    /// The attachment's id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The bytes written so far.
    pub fn size(&self) -> u64 {
        self.size
    }

    /// Takes the next bytes of the file: hashed, and stored chunk by chunk
    /// as chunks fill. [`UploadError::TooLarge`] as soon as the file
    /// passes the limit (the caller then aborts).
    pub async fn write(&mut self, bytes: &[u8]) -> Result<(), UploadError> {
        let size = self.size + bytes.len() as u64;
        if size > self.limit {
            return Err(UploadError::TooLarge { limit: self.limit });
        }
        self.size = size;
        self.hasher.update(bytes);
        self.buffer.extend_from_slice(bytes);
        while self.buffer.len() >= CHUNK_SIZE {
            self.data
                .store()
                .chunks
                .put(
                    self.data.tenant_id(),
                    &self.id,
                    self.seq,
                    &self.buffer[..CHUNK_SIZE],
                )
                .await?;
            self.seq += 1;
            self.buffer.drain(..CHUNK_SIZE);
        }
        Ok(())
    }

    /// Stores what is left and records the attachment as complete, served
    /// as `content_type` (decided by the caller from its bytes), in its
    /// item's history (field `evidence`: its name and SHA-256; the item's
    /// revision is left alone, so no one's edit of the item goes stale)
    /// and in the tenant's audit chain (`evidence-uploaded`), in one
    /// transaction: a crash keeps all three or none.
    pub async fn finish(mut self, content_type: &str) -> Result<Attachment> {
        let data = self.data.clone();
        if !self.buffer.is_empty() {
            data.store()
                .chunks
                .put(data.tenant_id(), &self.id, self.seq, &self.buffer)
                .await?;
        }
        let sha256 = hex(&std::mem::take(&mut self.hasher).finalize());
        let size = i64::try_from(self.size).unwrap_or(i64::MAX);
        let at = now();
        let mut tx = data.store().begin().await?;
        let done = sqlx::query(
            "UPDATE evidence SET content_type = $1, size = $2, sha256 = $3, complete = 1, uploaded_at = $4 WHERE tenant_id = $5 AND id = $6 AND complete = 0",
        )
        .bind(content_type)
        .bind(size)
        .bind(&sha256)
        .bind(at)
        .bind(data.tenant_id())
        .bind(&self.id)
        .execute(&mut *tx)
        .await?;
        if done.rows_affected() != 1 {
            // Swept as abandoned while it streamed (it took over an hour).
            return Err(StoreError::Conflict(
                "the upload took too long and was removed; send the file again".into(),
            ));
        }
        // The item's history says it, as it says every other change.
        let name = sqlx::query("SELECT file_name FROM evidence WHERE tenant_id = $1 AND id = $2")
            .bind(data.tenant_id())
            .bind(&self.id)
            .fetch_one(&mut *tx)
            .await?
            .get::<String, _>(0);
        let seq = data.next_seq(&mut tx, &self.item).await?;
        data.log(
            &mut tx,
            &self.item,
            seq,
            at,
            Some(&self.user),
            "evidence",
            "",
            &history_value(&name, &sha256),
        )
        .await?;
        crate::audit::append_in(
            &mut tx,
            data.tenant_id(),
            Some(&self.user),
            "evidence-uploaded",
            &self.id,
            &format!(
                "{name} ({content_type}, {size} bytes, sha256 {sha256}) on item {}",
                self.item
            ),
        )
        .await?;
        tx.commit().await?;
        self.settled = true;
        data.attachment(&self.id)
            .await?
            .ok_or_else(|| StoreError::Corrupt(format!("attachment {} vanished", self.id)))
    }

    /// Removes everything stored of this upload.
    pub async fn abort(mut self) -> Result<()> {
        self.settled = true;
        self.data.remove_upload(&self.id).await
    }

    /// The SHA-256 of the bytes so far, hex (what [`Upload::finish`] records).
    pub fn sha256_so_far(&self) -> String {
        hex(&self.hasher.clone().finalize())
    }
}

impl Drop for Upload {
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        // Dropped half-way (the client went away, the request timed out):
        // remove what was stored, in the background. Without a runtime the
        // next upload's sweep removes it.
        if let Ok(runtime) = tokio::runtime::Handle::try_current() {
            let data = self.data.clone();
            let id = std::mem::take(&mut self.id);
            runtime.spawn(async move {
                let _ = data.remove_upload(&id).await;
            });
        }
    }
}
