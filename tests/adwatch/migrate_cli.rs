//! `adwatch migrate-db`: a deployment's data moves to a new database with nothing lost.

use std::process::Command;

use adwatch::review::ReviewAction;
use adwatch::service::{self, ReporterKey, Submission};
use adwatch::store::{ExportFilter, Store};

async fn seed(store: &Store) {
    let key = ReporterKey::new("migration key");
    let texts = [
        "Единовременная выплата 495 000 рублей при подписании контракта с Минобороны, звоните +7 924 123 45 67",
        "Работа охранником, 250 000 рублей в месяц, звоните +7 924 123 45 67",
        "Жалақы 400 000 теңге, Алматы",
    ];
    for (i, text) in texts.iter().enumerate() {
        let s = Submission {
            text: text.to_string(),
            origin: Some((format!("user:{i}"), serde_json::json!({"kind": "user"}))),
            user_id: i as i64,
            chat_id: Some(i as i64),
            links: vec![],
        };
        service::submit(store, &key, 1_000 + i as i64, &s)
            .await
            .unwrap();
    }
    store
        .decide(1, ReviewAction::Approve, 900, 2_000)
        .await
        .unwrap();
    store
        .add_note(2, 900, "same phone as #1", 2_100)
        .await
        .unwrap();
    store
        .correct(2, "label", &serde_json::json!("scam_job"), 900, 2_200)
        .await
        .unwrap();
    store.secret_or_create("reporter_key", "k").await.unwrap();
}

async fn migrate_and_compare(source: &crate::db::TestDb, target: &crate::db::TestDb) {
    seed(&source.store).await;
    let out = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["migrate-db", "--from", &source.url, "--to", &target.url])
        .env_clear()
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        stdout.contains("reports") && !stdout.contains("DIFFERS"),
        "{stdout}"
    );
    let before = source.store.export(&ExportFilter::default()).await.unwrap();
    let after = target.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(
        serde_json::to_value(&before).unwrap(),
        serde_json::to_value(&after).unwrap()
    );
    // New reports continue after the copied ids.
    let s = Submission {
        text: "Новое объявление: 300 000 рублей за контракт".into(),
        origin: None,
        user_id: 9,
        chat_id: None,
        links: vec![],
    };
    let done = service::submit(&target.store, &ReporterKey::new("migration key"), 5_000, &s)
        .await
        .unwrap();
    assert_eq!(done.stored.report_id, 4);
    // A second run into the same database refuses: nothing is copied twice.
    let again = Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["migrate-db", "--from", &source.url, "--to", &target.url])
        .env_clear()
        .output()
        .unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("not empty"));
}

#[tokio::test]
async fn sqlite_moves_to_a_new_sqlite_database_with_nothing_lost() {
    let source = crate::db::sqlite().await;
    let target = crate::db::sqlite().await;
    migrate_and_compare(&source, &target).await;
}

#[tokio::test]
async fn sqlite_moves_to_postgresql_with_nothing_lost() {
    let Some(target) = crate::db::postgres().await else {
        return;
    };
    let source = crate::db::sqlite().await;
    migrate_and_compare(&source, &target).await;
}
