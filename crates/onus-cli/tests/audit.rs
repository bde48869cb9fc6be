//! `onus audit verify` as users run it: a portal database's chains whole
//! (exit 0, heads shown), a tampered one named at its first broken link
//! (exit 1), an exported file checked on its own, bad usage (exit 2).

mod common;

use common::{onus, stdout};
use onus_store::testing::fresh_sqlite_url;
use onus_store::Store;

fn seeded() -> String {
    let db = fresh_sqlite_url();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    rt.block_on(async {
        let store = Store::open(&db).await.unwrap();
        for i in 1..=3 {
            store
                .audit(
                    Some("u"),
                    Some("t1"),
                    "item-updated",
                    &format!("item {i}"),
                    "",
                )
                .await
                .unwrap();
        }
        store
            .audit(None, None, "publish", "codat v1", "")
            .await
            .unwrap();
        store.close().await;
    });
    db
}

#[test]
fn verify_names_the_first_broken_link_and_checks_exports_alone() {
    let db = seeded();
    let ok = onus(&["audit", "verify", "--db", &db]);
    assert_eq!(ok.status.code(), Some(0), "{}", stdout(&ok));
    let out = stdout(&ok);
    assert!(
        out.contains("t1: 3 entries, whole, head ") && out.contains("platform: 1 entries, whole"),
        "{out}"
    );

    // An export of the chain verifies alone; an edited one does not.
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let lines: String = rt.block_on(async {
        let store = Store::open(&db).await.unwrap();
        let chain = store.audit_chain("t1").await.unwrap();
        chain
            .iter()
            .map(|e| serde_json::to_string(e).unwrap() + "\n")
            .collect()
    });
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("audit.jsonl");
    std::fs::write(&file, &lines).unwrap();
    let f = file.display().to_string();
    assert_eq!(
        onus(&["audit", "verify", "--file", &f]).status.code(),
        Some(0)
    );
    std::fs::write(&file, lines.replacen("item 2", "item 7", 1)).unwrap();
    let bad = onus(&["audit", "verify", "--file", &f]);
    assert_eq!(bad.status.code(), Some(1));
    assert!(
        stdout(&bad).contains("t1: BROKEN at entry 2"),
        "{}",
        stdout(&bad)
    );

    // The database tampered with.
    rt.block_on(async {
        let store = Store::open(&db).await.unwrap();
        store
            .exec_for_test("UPDATE audit SET target = 'item 9' WHERE chain = 't1' AND seq = 2")
            .await;
    });
    let broken = onus(&["audit", "verify", "--db", &db, "--tenant", "t1"]);
    assert_eq!(broken.status.code(), Some(1));
    assert!(
        stdout(&broken).contains("t1: BROKEN at entry 2: its content does not match its hash"),
        "{}",
        stdout(&broken)
    );

    assert_eq!(onus(&["audit", "verify"]).status.code(), Some(2));
    assert_eq!(
        onus(&["audit", "verify", "--file", "/nonexistent/x.jsonl"])
            .status
            .code(),
        Some(2)
    );
}
