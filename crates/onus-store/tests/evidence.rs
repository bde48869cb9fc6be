//! Evidence files on SQLite and PostgreSQL alike: chunked bytes that come
//! back exactly, the size limit, aborted and abandoned uploads leaving
//! nothing, deletion keeping the record, and one tenant's handle never
//! reaching another's files.

use std::sync::Arc;

use onus_store::testing::fresh_stores;
use onus_store::{
    Audit, ChunkStore, Duty, Store, SyncPlan, TenantData, UploadError, ABANDONED_AFTER, CHUNK_SIZE,
};

/// A tenant with one checklist item, and a user; (handle, item id, user id).
async fn tenant_with_item(store: &Store, name: &str) -> (TenantData, String, String) {
    let tenant = store
        .create_tenant(name, "codat", "platform", None, &Audit::default())
        .await
        .unwrap();
    let data = store.tenant_data(&tenant.id);
    let plan = SyncPlan {
        duties: vec![Duty {
            duty_id: format!("duty-{name}"),
            offering: "platform".into(),
            area: "backups".into(),
            area_name: "Backups".into(),
            area_group: "Data".into(),
            party: "customer".into(),
            scope: None,
            duty: "Keep backups".into(),
        }],
        ..SyncPlan::default()
    };
    data.sync(None, 1, &plan, |_| None).await.unwrap().unwrap();
    let item = data.items().await.unwrap().remove(0).id;
    let user = store
        .create_user(
            &format!("{name}@x.io"),
            name,
            None,
            "h",
            None,
            &Audit::default(),
        )
        .await
        .unwrap();
    (data, item, user.id)
}

/// Bytes that cross chunk boundaries and read as a number on their own
/// (SQLite's NUMERIC affinity must leave a blob alone).
fn sample(len: usize) -> Vec<u8> {
    let mut bytes: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
    bytes[..5].copy_from_slice(b"12345");
    bytes
}

async fn read_all(data: &TenantData, id: &str) -> Vec<u8> {
    let mut out = Vec::new();
    let mut seq = 0;
    while let Some(chunk) = data.chunk(id, seq).await.unwrap() {
        out.extend_from_slice(&chunk);
        seq += 1;
    }
    out
}

#[tokio::test(flavor = "multi_thread")]
async fn uploads_stream_in_chunks_and_come_back_exactly() {
    for (backend, store) in fresh_stores().await {
        let (data, item, user) = tenant_with_item(&store, "a").await;
        let bytes = sample(2 * CHUNK_SIZE + 1000);
        let mut up = data
            .begin_upload(&item, "report.bin", &user, 10 * 1024 * 1024)
            .await
            .unwrap()
            .expect("the item exists");
        // Odd-sized writes, as a network delivers them.
        for part in bytes.chunks(100_003) {
            up.write(part).await.unwrap();
        }
        assert_eq!(up.size(), bytes.len() as u64);
        let id = up.id().to_string();
        // Not listed while it uploads.
        assert!(
            data.attachments(&item).await.unwrap().is_empty(),
            "{backend}"
        );
        let a = up.finish("application/octet-stream").await.unwrap();
        assert_eq!(a.size, bytes.len() as i64, "{backend}");
        assert_eq!(
            a.sha256,
            onus_store::hex(&<sha2::Sha256 as sha2::Digest>::digest(&bytes)),
            "{backend}"
        );
        assert_eq!(a.uploaded_by_name.as_deref(), Some("a"));
        assert_eq!(a.file_name, "report.bin");
        assert_eq!(data.chunk(&id, 0).await.unwrap().unwrap().len(), CHUNK_SIZE);
        assert_eq!(data.chunk(&id, 2).await.unwrap().unwrap().len(), 1000);
        assert!(data.chunk(&id, 3).await.unwrap().is_none());
        assert_eq!(read_all(&data, &id).await, bytes, "{backend}");
        assert_eq!(data.attachments(&item).await.unwrap(), vec![a.clone()]);
        assert_eq!(data.all_attachments().await.unwrap(), vec![a.clone()]);
        // An empty file is a complete attachment without chunks.
        let up = data
            .begin_upload(&item, "empty.txt", &user, 10)
            .await
            .unwrap()
            .unwrap();
        let empty = up.finish("text/plain").await.unwrap();
        assert_eq!(
            (empty.size, empty.sha256.as_str()),
            (
                0,
                "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
            )
        );
        assert!(data.chunk(&empty.id, 0).await.unwrap().is_none());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn the_limit_holds_while_streaming_and_an_aborted_upload_leaves_nothing() {
    for (backend, store) in fresh_stores().await {
        let (data, item, user) = tenant_with_item(&store, "a").await;
        let limit = (CHUNK_SIZE + 10) as u64;
        let mut up = data
            .begin_upload(&item, "big.bin", &user, limit)
            .await
            .unwrap()
            .unwrap();
        let id = up.id().to_string();
        up.write(&sample(CHUNK_SIZE)).await.unwrap();
        // The first chunk is stored already ...
        assert!(data.chunk(&id, 0).await.unwrap().is_some(), "{backend}");
        // ... the byte past the limit is refused ...
        let err = up.write(&[0u8; 11]).await.unwrap_err();
        assert!(
            matches!(err, UploadError::TooLarge { limit: l } if l == limit),
            "{backend}"
        );
        up.abort().await.unwrap();
        // ... and the abort removes every byte and the record.
        assert!(data.chunk(&id, 0).await.unwrap().is_none(), "{backend}");
        assert!(data.attachment(&id).await.unwrap().is_none());
        assert!(data.attachments(&item).await.unwrap().is_empty());
        // Exactly the limit is accepted.
        let mut up = data
            .begin_upload(&item, "fits.bin", &user, 4)
            .await
            .unwrap()
            .unwrap();
        up.write(b"abcd").await.unwrap();
        assert_eq!(up.finish("text/plain").await.unwrap().size, 4);
        // An upload dropped half-way (the client left) removes itself.
        let mut up = data
            .begin_upload(&item, "dropped.bin", &user, limit)
            .await
            .unwrap()
            .unwrap();
        let dropped = up.id().to_string();
        up.write(&sample(CHUNK_SIZE)).await.unwrap();
        drop(up);
        let mut gone = false;
        for _ in 0..100 {
            if data.chunk(&dropped, 0).await.unwrap().is_none() {
                gone = true;
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(gone, "{backend}: a dropped upload's bytes are removed");
        // No such item: no upload.
        assert!(data
            .begin_upload("nope", "x", &user, 10)
            .await
            .unwrap()
            .is_none());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn abandoned_uploads_are_swept() {
    for (backend, store) in fresh_stores().await {
        let (data, item, user) = tenant_with_item(&store, "a").await;
        let mut up = data
            .begin_upload(&item, "cut.bin", &user, 1 << 20)
            .await
            .unwrap()
            .unwrap();
        up.write(&sample(CHUNK_SIZE)).await.unwrap();
        let id = up.id().to_string();
        // A crash: the upload is never finished, aborted or dropped.
        std::mem::forget(up);
        assert_eq!(
            data.sweep_abandoned_uploads(onus_store::now() - ABANDONED_AFTER)
                .await
                .unwrap(),
            0,
            "{backend}: a recent upload may still be streaming"
        );
        assert_eq!(
            data.sweep_abandoned_uploads(onus_store::now() + 1)
                .await
                .unwrap(),
            1,
            "{backend}"
        );
        assert!(data.chunk(&id, 0).await.unwrap().is_none());
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn deleting_keeps_the_record_and_removes_the_bytes() {
    for (backend, store) in fresh_stores().await {
        let (data, item, user) = tenant_with_item(&store, "a").await;
        let mut up = data
            .begin_upload(&item, "policy.pdf", &user, 1 << 20)
            .await
            .unwrap()
            .unwrap();
        up.write(b"%PDF-1.7 ...").await.unwrap();
        let a = up.finish("application/pdf").await.unwrap();
        let deleted = data
            .delete_attachment(&a.id, &user)
            .await
            .unwrap()
            .expect("it existed");
        assert!(deleted.is_deleted(), "{backend}");
        assert_eq!(deleted.deleted_by.as_deref(), Some(user.as_str()));
        assert_eq!(deleted.deleted_by_name.as_deref(), Some("a"));
        assert_eq!(
            (deleted.file_name.as_str(), deleted.sha256.as_str()),
            ("policy.pdf", a.sha256.as_str())
        );
        assert!(data.chunk(&a.id, 0).await.unwrap().is_none(), "{backend}");
        assert_eq!(data.attachments(&item).await.unwrap(), vec![deleted]);
        assert!(
            data.delete_attachment(&a.id, &user)
                .await
                .unwrap()
                .is_none(),
            "{backend}: once"
        );
        // The item's history tells both, with the name and hash; the
        // item's revision (its ETag) is untouched.
        let history = data.history(&item).await.unwrap();
        let said = format!("policy.pdf (sha256 {})", a.sha256);
        let evidence: Vec<(&str, &str, Option<&str>)> = history
            .iter()
            .filter(|h| h.field == "evidence")
            .map(|h| {
                (
                    h.old_value.as_str(),
                    h.new_value.as_str(),
                    h.actor_name.as_deref(),
                )
            })
            .collect();
        assert_eq!(
            evidence,
            vec![
                ("", said.as_str(), Some("a")),
                (said.as_str(), "", Some("a"))
            ],
            "{backend}"
        );
        assert_eq!(
            data.item(&item).await.unwrap().unwrap().revision,
            1,
            "{backend}"
        );
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn one_tenants_handle_never_reaches_anothers_files() {
    for (backend, store) in fresh_stores().await {
        let (a, item_a, user_a) = tenant_with_item(&store, "a").await;
        let (b, item_b, user_b) = tenant_with_item(&store, "b").await;
        let mut up = a
            .begin_upload(&item_a, "secret.txt", &user_a, 1 << 20)
            .await
            .unwrap()
            .unwrap();
        up.write(b"tenant a only").await.unwrap();
        let file = up.finish("text/plain").await.unwrap();
        assert!(b.attachment(&file.id).await.unwrap().is_none(), "{backend}");
        assert!(b.chunk(&file.id, 0).await.unwrap().is_none(), "{backend}");
        assert!(b.attachments(&item_a).await.unwrap().is_empty());
        assert!(b.all_attachments().await.unwrap().is_empty());
        assert!(b
            .delete_attachment(&file.id, &user_b)
            .await
            .unwrap()
            .is_none());
        assert!(
            b.begin_upload(&item_a, "x", &user_b, 10)
                .await
                .unwrap()
                .is_none(),
            "{backend}: B cannot attach to A's item"
        );
        assert!(b.attachments(&item_b).await.unwrap().is_empty());
        assert_eq!(read_all(&a, &file.id).await, b"tenant a only");
    }
}

/// A chunk store of its own (what a blob store would be), in memory.
#[derive(Debug, Default)]
struct MemoryChunks(std::sync::Mutex<std::collections::BTreeMap<(String, String, i64), Vec<u8>>>);

impl ChunkStore for MemoryChunks {
    fn put<'a>(
        &'a self,
        tenant: &'a str,
        attachment: &'a str,
        seq: i64,
        bytes: &'a [u8],
    ) -> onus_store::BoxFuture<'a, onus_store::Result<()>> {
        self.0
            .lock()
            .unwrap()
            .insert((tenant.into(), attachment.into(), seq), bytes.to_vec());
        Box::pin(async { Ok(()) })
    }
    fn get<'a>(
        &'a self,
        tenant: &'a str,
        attachment: &'a str,
        seq: i64,
    ) -> onus_store::BoxFuture<'a, onus_store::Result<Option<Vec<u8>>>> {
        let found = self
            .0
            .lock()
            .unwrap()
            .get(&(tenant.into(), attachment.into(), seq))
            .cloned();
        Box::pin(async move { Ok(found) })
    }
    fn delete<'a>(
        &'a self,
        tenant: &'a str,
        attachment: &'a str,
    ) -> onus_store::BoxFuture<'a, onus_store::Result<()>> {
        self.0
            .lock()
            .unwrap()
            .retain(|(t, a, _), _| !(t == tenant && a == attachment));
        Box::pin(async { Ok(()) })
    }
}

#[tokio::test(flavor = "multi_thread")]
async fn another_chunk_store_can_hold_the_bytes() {
    for (backend, store) in fresh_stores().await {
        let memory = Arc::new(MemoryChunks::default());
        let store = store.with_chunks(memory.clone());
        let (data, item, user) = tenant_with_item(&store, "a").await;
        let bytes = sample(CHUNK_SIZE + 1);
        let mut up = data
            .begin_upload(&item, "x.bin", &user, 1 << 20)
            .await
            .unwrap()
            .unwrap();
        up.write(&bytes).await.unwrap();
        let a = up.finish("application/octet-stream").await.unwrap();
        assert_eq!(memory.0.lock().unwrap().len(), 2, "{backend}");
        assert_eq!(read_all(&data, &a.id).await, bytes);
        data.delete_attachment(&a.id, &user).await.unwrap();
        assert!(memory.0.lock().unwrap().is_empty(), "{backend}");
    }
}
