//! The hash-chained audit log on SQLite and PostgreSQL: concurrent appends
//! through two servers' pools keep every chain whole, and rows edited,
//! deleted or reordered in the database are found at the right entry.

use onus_store::audit::PLATFORM;
use onus_store::testing::{fresh_pg_url, fresh_sqlite_url};
use onus_store::Store;

async fn both() -> Vec<(&'static str, String)> {
    vec![
        ("sqlite", fresh_sqlite_url()),
        ("postgres", fresh_pg_url().await),
    ]
}

#[tokio::test(flavor = "multi_thread")]
async fn concurrent_appends_through_two_servers_keep_every_chain_whole() {
    for (backend, url) in both().await {
        let one = Store::open(&url).await.unwrap();
        let two = Store::open(&url).await.unwrap();
        let mut tasks = Vec::new();
        for i in 0..40 {
            let store = if i % 2 == 0 { one.clone() } else { two.clone() };
            tasks.push(tokio::spawn(async move {
                let tenant = if i % 3 == 0 { None } else { Some("tenant-a") };
                store
                    .audit(Some("u"), tenant, "item-updated", &format!("n{i}"), "")
                    .await
            }));
        }
        for t in tasks {
            t.await
                .unwrap()
                .unwrap_or_else(|e| panic!("{backend}: {e}"));
        }
        let report = one.verify_audit(None).await.unwrap();
        assert!(report.broken.is_empty(), "{backend}: {:?}", report.broken);
        let counts: Vec<(String, i64)> = report.chains.clone();
        assert_eq!(
            counts,
            [(PLATFORM.to_string(), 14), ("tenant-a".to_string(), 26)],
            "{backend}"
        );
        let head = one.audit_head("tenant-a").await.unwrap().unwrap();
        assert_eq!(head.0, 26);
        assert_eq!(head.1, one.audit_chain("tenant-a").await.unwrap()[25].hash);
    }
}

async fn seeded(url: &str) -> Store {
    let store = Store::open(url).await.unwrap();
    for i in 1..=5 {
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
    store
}

async fn first_break(store: &Store) -> (String, i64) {
    let report = store.verify_audit(None).await.unwrap();
    let b = report.broken.first().expect("verification fails");
    (b.chain.clone(), b.seq)
}

#[tokio::test(flavor = "multi_thread")]
async fn tampering_in_the_database_is_found_at_the_right_entry() {
    for (backend, _) in [("sqlite", ()), ("postgres", ())] {
        let url = || async move {
            if backend == "sqlite" {
                fresh_sqlite_url()
            } else {
                fresh_pg_url().await
            }
        };
        // An entry's details edited.
        let store = seeded(&url().await).await;
        assert!(
            store.verify_audit(None).await.unwrap().broken.is_empty(),
            "{backend}"
        );
        store
            .exec_for_test("UPDATE audit SET details = 'nothing' WHERE chain = 't1' AND seq = 3")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 3),
            "{backend}: edited"
        );
        // An entry deleted.
        let store = seeded(&url().await).await;
        store
            .exec_for_test("DELETE FROM audit WHERE chain = 't1' AND seq = 2")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 2),
            "{backend}: deleted"
        );
        // Two entries swapped (their places exchanged).
        let store = seeded(&url().await).await;
        store
            .exec_for_test("UPDATE audit SET seq = -4 WHERE chain = 't1' AND seq = 4")
            .await;
        store
            .exec_for_test("UPDATE audit SET seq = 4 WHERE chain = 't1' AND seq = 5")
            .await;
        store
            .exec_for_test("UPDATE audit SET seq = 5 WHERE chain = 't1' AND seq = -4")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 4),
            "{backend}: reordered"
        );
        // The last entry removed: the head knows.
        let store = seeded(&url().await).await;
        store
            .exec_for_test("DELETE FROM audit WHERE chain = 't1' AND seq = 5")
            .await;
        assert_eq!(
            first_break(&store).await,
            ("t1".into(), 5),
            "{backend}: cut"
        );
        // The platform's chain is its own.
        let store = seeded(&url().await).await;
        store
            .exec_for_test(
                "UPDATE audit SET actor = 'someone' WHERE chain = 'platform' AND seq = 1",
            )
            .await;
        assert_eq!(
            first_break(&store).await,
            ("platform".into(), 1),
            "{backend}: platform"
        );
        let report = store.verify_audit(Some("t1")).await.unwrap();
        assert!(
            report.broken.is_empty(),
            "{backend}: the tenant's chain alone is whole"
        );
    }
}
