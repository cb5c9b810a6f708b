//! A fresh database per test: a SQLite file in a temporary folder, or a new PostgreSQL
//! database on the server in `ADWATCH_TEST_POSTGRES_URL` (default: the local server).
//!
//! Without a PostgreSQL server the PostgreSQL variants skip, unless
//! `ADWATCH_REQUIRE_SERVICES=1` (as in `.ci/run`), where they fail.

use std::sync::atomic::{AtomicU64, Ordering};

use adwatch::store::Store;
use sqlx::Connection;

pub struct TestDb {
    pub store: Store,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

pub async fn sqlite() -> TestDb {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let url = format!("sqlite://{}", dir.path().join("adwatch.db").display());
    let store = Store::connect(&url).await.expect("SQLite opens");
    TestDb {
        store,
        url,
        _dir: Some(dir),
    }
}

pub fn services_required() -> bool {
    std::env::var("ADWATCH_REQUIRE_SERVICES").is_ok_and(|v| v == "1")
}

/// A new, empty PostgreSQL database, or `None` (the test skips) when there is no server.
pub async fn postgres() -> Option<TestDb> {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let admin = std::env::var("ADWATCH_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
    let mut conn = match tokio::time::timeout(
        std::time::Duration::from_secs(5),
        sqlx::PgConnection::connect(&admin),
    )
    .await
    {
        Ok(Ok(c)) => c,
        Ok(Err(e)) if !services_required() => {
            eprintln!("skipped: no PostgreSQL at {admin}: {e}");
            return None;
        }
        Err(_) if !services_required() => {
            eprintln!("skipped: PostgreSQL at {admin} did not answer");
            return None;
        }
        Ok(Err(e)) => panic!("ADWATCH_REQUIRE_SERVICES=1 but PostgreSQL at {admin} refused: {e}"),
        Err(_) => panic!("ADWATCH_REQUIRE_SERVICES=1 but PostgreSQL at {admin} did not answer"),
    };
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let name = format!(
        "adwatch_test_{}_{}_{}",
        std::process::id(),
        nanos % 1_000_000_000,
        COUNTER.fetch_add(1, Ordering::Relaxed)
    );
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(&mut conn)
        .await
        .expect("CREATE DATABASE");
    let base = admin
        .rsplit_once('/')
        .map(|(b, _)| b.to_string())
        .unwrap_or(admin.clone());
    let url = format!("{base}/{name}");
    let store = Store::connect(&url)
        .await
        .expect("the new PostgreSQL database opens");
    Some(TestDb {
        store,
        url,
        _dir: None,
    })
}

/// Runs one async test body on SQLite and on PostgreSQL, as two tests.
#[macro_export]
macro_rules! on_both_databases {
    ($name:ident, |$db:ident| $body:block) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            #[tokio::test]
            async fn sqlite() {
                let $db = $crate::db::sqlite().await;
                $body
            }

            #[tokio::test]
            async fn postgres() {
                let Some($db) = $crate::db::postgres().await else {
                    return;
                };
                $body
            }
        }
    };
}

/// The service over a test database, with a test key of citizens' hashes.
pub fn service(store: &Store) -> adwatch::service::Service {
    adwatch::service::Service::new(
        store.clone(),
        adwatch::service::ReporterKey::new("a test secret of some length"),
    )
}
