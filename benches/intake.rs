//! The intake path end to end: an update handed to the (stand-in) Bot API → the bot claims it,
//! analyses and stores the report → the reply reaches the Bot API. On SQLite, and on
//! PostgreSQL where one answers at `ADWATCH_TEST_POSTGRES_URL` (default: the local server).
//!
//! `cargo bench --bench intake` prints, per database: reports per second with many citizens at
//! once, and p50/p99 latency of one report at a time. Telegram's send limit is lifted here
//! (`TELEGRAM_SEND_RATE` high) to measure adwatch itself; in production the send rate is the cap.

use std::sync::Arc;
use std::time::{Duration, Instant};

use adwatch::config::Config;
use adwatch::service::{ReporterKey, Service};
use adwatch::store::Store;
use adwatch::telegram::{self, App};
use adwatch_fake_bot_api::FakeBotApi;
use serde_json::json;
use sqlx::Connection;

fn ads() -> Vec<String> {
    let path = format!("{}/tests/fixtures/real.jsonl", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .expect("fixtures")
        .lines()
        .filter_map(|l| {
            serde_json::from_str::<serde_json::Value>(l).ok()?["text"]
                .as_str()
                .map(str::to_owned)
        })
        .collect()
}

fn update(id: i64, user: i64, text: &str) -> serde_json::Value {
    json!({"update_id": id, "message": {
        "message_id": id, "date": 1_700_000_000,
        "chat": {"id": user, "type": "private", "first_name": "C"},
        "from": {"id": user, "is_bot": false, "first_name": "C", "language_code": "ru"},
        "text": text,
    }})
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    sorted[((sorted.len() as f64 - 1.0) * p).round() as usize]
}

async fn measure(name: &str, store: Store) {
    let api = FakeBotApi::start().await;
    let bot = teloxide::Bot::new("1:BENCH").set_api_url(api.url.parse().expect("url"));
    let config = Config {
        send_rate: 100_000,
        user_rate_per_minute: 1_000,
        ..Config::default()
    };
    let app = Arc::new(
        App::new(
            Service::new(
                store,
                ReporterKey::new("benchmark secret, not for production"),
            ),
            config,
            telegram::system_clock(),
        )
        .expect("the app starts"),
    );
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(telegram::run(bot, app, async move {
        let _ = rx.await;
    }));
    let ads = ads();
    let mut next_id = 1i64;

    // Throughput: 1,000 citizens send at once.
    let n = 1_000usize;
    let start = Instant::now();
    for i in 0..n {
        api.push(update(
            next_id,
            10_000 + i as i64,
            &format!("{} №{i}", ads[i % ads.len()]),
        ));
        next_id += 1;
    }
    let done = api.wait_for("sendMessage", n).await.len();
    let elapsed = start.elapsed();
    println!(
        "{name}: {done} reports in {:.2} s: {:.0} reports/s",
        elapsed.as_secs_f64(),
        done as f64 / elapsed.as_secs_f64()
    );

    // Latency: one report at a time.
    let mut latencies = Vec::new();
    for i in 0..300usize {
        let before = api.calls("sendMessage").len();
        let pushed = Instant::now();
        api.push(update(
            next_id,
            50_000 + i as i64,
            &format!("{} #{i}", ads[i % ads.len()]),
        ));
        next_id += 1;
        let calls = api.wait_for("sendMessage", before + 1).await;
        if let Some(reply) = calls.get(before) {
            latencies.push(reply.at.saturating_duration_since(pushed));
        }
    }
    latencies.sort();
    println!(
        "{name}: latency update→reply over {} reports: p50 {:.1} ms, p99 {:.1} ms",
        latencies.len(),
        percentile(&latencies, 0.5).as_secs_f64() * 1000.0,
        percentile(&latencies, 0.99).as_secs_f64() * 1000.0
    );
    let _ = tx.send(());
    let _ = tokio::time::timeout(Duration::from_secs(10), task).await;
}

fn main() {
    // `cargo test --benches` runs benches with `--bench` absent: keep that quick.
    if !std::env::args().any(|a| a == "--bench") {
        return;
    }
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    runtime.block_on(async {
        let dir = tempfile::tempdir().expect("temp dir");
        let url = format!("sqlite://{}", dir.path().join("bench.db").display());
        measure("sqlite", Store::connect(&url).await.expect("sqlite")).await;

        let admin = std::env::var("ADWATCH_TEST_POSTGRES_URL")
            .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_string());
        match sqlx::PgConnection::connect(&admin).await {
            Ok(mut conn) => {
                let name = format!("adwatch_bench_{}", std::process::id());
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                    .execute(&mut conn)
                    .await
                    .ok();
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create");
                let base = admin
                    .rsplit_once('/')
                    .map(|(b, _)| b.to_string())
                    .unwrap_or(admin.clone());
                let store = Store::connect(&format!("{base}/{name}"))
                    .await
                    .expect("postgres");
                measure("postgres", store.clone()).await;
                if let Store::Postgres(pool) = store {
                    pool.close().await;
                }
                sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
                    .execute(&mut conn)
                    .await
                    .ok();
            }
            Err(e) => println!("postgres: skipped ({e})"),
        }
    });
}
