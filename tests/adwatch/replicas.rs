//! Past one machine: webhook replicas on one database, each update answered once; the secret;
//! `/healthz` and `/metrics`; a replica that died mid-update; PostgreSQL going away mid-stream;
//! the HTTP side under attack; a replica killed with SIGKILL mid-stream, and one killed while
//! the database refused a report.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use adwatch::config::{Config, WebhookSettings};
use adwatch::fetch::FetchSettings;
use adwatch::review::ReviewAction;
use adwatch::store::{ExportFilter, Store};
use adwatch_fake_bot_api::FakeBotApi;
use serde_json::Value;

use crate::bot::{set_postgres_reachable, text_message, RunningBot};

const SECRET: &str = "test-webhook-secret_1";

/// Real ads, varied so that some join one report and others do not.
const ADS: [&str; 4] = [
    "Contract with the Russian army: signing bonus $5,000, then from $2,000 a month. Call +7 701 123 45 67",
    "Единовременная выплата 495 000 рублей при подписании контракта, ежемесячно от 190 000 рублей. Звоните +7 924 123 45 67",
    "Работа в Москве: охранник, зарплата 250 000 рублей в месяц, проживание бесплатно, пишите @rabota_msk_hr",
    "Вахта на складе в Сахалинской области, от 180 000 рублей в месяц, сайт sakhalin-vakhta.ru",
];

fn webhook_config() -> Config {
    Config {
        user_rate_per_minute: 100,
        fetch: FetchSettings {
            enabled: false,
            ..FetchSettings::default()
        },
        webhook: Some(WebhookSettings {
            url: "https://bot.example.org/telegram/hook".parse().unwrap(),
            secret: SECRET.to_string(),
            register: false,
        }),
        listen_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        ..Config::default()
    }
}

/// A replica: its own connection pool on the shared database, the shared stand-in Bot API.
async fn replica(db_url: &str, api: &FakeBotApi, config: Config) -> (RunningBot, String) {
    let store = Store::connect(db_url).await.expect("the database opens");
    let bot = RunningBot::start_configured(store, api.clone(), config).await;
    let mut bound = None;
    for _ in 0..500 {
        if let Some(addr) = bot.app.bound.get() {
            bound = Some(*addr);
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
    let base = format!("http://{}", bound.expect("the replica listens"));
    (bot, base)
}

/// Two replicas on one fresh PostgreSQL database (kept while this lives) and one stand-in API.
struct Pair {
    db: crate::db::TestDb,
    api: FakeBotApi,
    a: (RunningBot, String),
    b: (RunningBot, String),
}

/// `None` without a PostgreSQL server (a failure under `ADWATCH_REQUIRE_SERVICES=1`).
async fn two_replicas(config: Config) -> Option<Pair> {
    let db = crate::db::postgres().await?;
    let api = FakeBotApi::start().await;
    let a = replica(&db.url, &api, config.clone()).await;
    let b = replica(&db.url, &api, config).await;
    Some(Pair { db, api, a, b })
}

/// `n` updates from `n` citizens, each sending one of the ads; update ids from `first`.
fn citizens_sending_ads(first: i64, n: i64) -> Vec<Value> {
    (0..n)
        .map(|i| {
            let ad = ADS[i as usize % ADS.len()];
            text_message(first + i, 50 * first + i, "en", ad)
        })
        .collect()
}

/// Delivers an update as Telegram does, once; returns the status.
async fn deliver(
    client: &reqwest::Client,
    base: &str,
    secret: Option<&str>,
    update: &Value,
) -> u16 {
    let mut request = client
        .post(format!("{base}/telegram/hook"))
        .header("content-type", "application/json")
        .body(update.to_string());
    if let Some(s) = secret {
        request = request.header("X-Telegram-Bot-Api-Secret-Token", s);
    }
    request
        .send()
        .await
        .expect("the replica answers")
        .status()
        .as_u16()
}

/// Delivers until the replica takes it (2xx), like Telegram.
async fn deliver_until_taken(client: &reqwest::Client, base: &str, update: &Value) -> usize {
    let mut refusals = 0;
    loop {
        match client
            .post(format!("{base}/telegram/hook"))
            .header("content-type", "application/json")
            .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
            .body(update.to_string())
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => return refusals,
            _ => {
                refusals += 1;
                assert!(refusals < 200, "update {} never taken", update["update_id"]);
                tokio::time::sleep(Duration::from_millis(100)).await;
            }
        }
    }
}

/// The report replies each chat got (the answer that carries a reference number).
fn answers_by_chat(api: &FakeBotApi) -> HashMap<i64, usize> {
    let mut by_chat = HashMap::new();
    for call in api.calls("sendMessage") {
        let text = call.body["text"].as_str().unwrap_or_default();
        if text.contains("Reference number") {
            *by_chat
                .entry(call.body["chat_id"].as_i64().unwrap())
                .or_default() += 1;
        }
    }
    by_chat
}

async fn wait_answers(api: &FakeBotApi, chats: usize) -> HashMap<i64, usize> {
    for _ in 0..1500 {
        if answers_by_chat(api).len() >= chats {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    // Anything sent twice would arrive right after.
    tokio::time::sleep(Duration::from_millis(500)).await;
    answers_by_chat(api)
}

async fn get(client: &reqwest::Client, url: String) -> (u16, String) {
    let r = client.get(url).send().await.expect("the replica answers");
    (r.status().as_u16(), r.text().await.unwrap_or_default())
}

/// Scrapes `/metrics` at `base` until it shows `line` (or 10 s pass); the last text.
async fn scrape_until(client: &reqwest::Client, base: &str, line: &str) -> String {
    let mut text = String::new();
    for _ in 0..100 {
        let (status, body) = get(client, format!("{base}/metrics")).await;
        assert_eq!(status, 200);
        text = body;
        if text.contains(line) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    text
}

fn metric(text: &str, line_start: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(line_start))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.0)
}

#[tokio::test]
async fn two_replicas_on_postgres_answer_every_update_once_even_when_delivered_to_both() {
    let Some(Pair { db: _db, api, a, b }) = two_replicas(webhook_config()).await else {
        return;
    };
    let ((a, base_a), (b, base_b)) = (a, b);
    let client = reqwest::Client::new();
    let updates = citizens_sending_ads(100, 40);
    // Split between the replicas; every third also to the other, every fifth twice to the same.
    let mut deliveries = Vec::new();
    for (i, u) in updates.iter().enumerate() {
        let (own, other) = if i % 2 == 0 {
            (&base_a, &base_b)
        } else {
            (&base_b, &base_a)
        };
        deliveries.push((own.clone(), u.clone()));
        if i % 3 == 0 {
            deliveries.push((other.clone(), u.clone()));
        }
        if i % 5 == 0 {
            deliveries.push((own.clone(), u.clone()));
        }
    }
    let statuses = futures::future::join_all(
        deliveries
            .iter()
            .map(|(base, u)| deliver(&client, base, Some(SECRET), u)),
    )
    .await;
    assert!(statuses.iter().all(|s| *s == 200), "{statuses:?}");
    let answers = wait_answers(&api, 40).await;
    assert_eq!(answers.len(), 40, "every citizen answered");
    assert!(answers.values().all(|n| *n == 1), "each once: {answers:?}");
    assert_eq!(
        api.calls("sendMessage").len(),
        40,
        "one message per update, nothing else"
    );
    // Both took a share, and the duplicates were seen as such.
    let (_, metrics_a) = get(&client, format!("{base_a}/metrics")).await;
    let (_, metrics_b) = get(&client, format!("{base_b}/metrics")).await;
    let received = |m: &str| metric(m, "adwatch_updates_received_total{kind=\"message\"}");
    let duplicates = |m: &str| metric(m, "adwatch_updates_duplicate_total{kind=\"message\"}");
    assert!(
        received(&metrics_a) >= 1.0 && received(&metrics_b) >= 1.0,
        "{metrics_a}\n{metrics_b}"
    );
    assert_eq!(received(&metrics_a) + received(&metrics_b), 40.0);
    assert_eq!(
        duplicates(&metrics_a) + duplicates(&metrics_b),
        (deliveries.len() - 40) as f64
    );
    // Four ads, forty citizens: four reports whose counts add up.
    let rows = a.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 4);
    assert_eq!(rows.iter().map(|r| r.report_count).sum::<i32>(), 40);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_wrong_or_missing_secret_is_refused_and_changes_nothing() {
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let (bot, base) = replica(&db.url, &api, webhook_config()).await;
    let client = reqwest::Client::new();
    let update = text_message(1, 77, "en", ADS[0]);
    assert_eq!(
        deliver(&client, &base, Some("wrong-secret"), &update).await,
        401
    );
    assert_eq!(deliver(&client, &base, None, &update).await, 401);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(api.calls("sendMessage").is_empty());
    assert!(db
        .store
        .export(&ExportFilter::default())
        .await
        .unwrap()
        .is_empty());
    // The refused update was not claimed: the real delivery is answered.
    assert_eq!(deliver(&client, &base, Some(SECRET), &update).await, 200);
    assert_eq!(wait_answers(&api, 1).await.get(&77), Some(&1));
    // Elsewhere on the listener, nothing.
    let (status, _) = get(&client, format!("{base}/telegram/other")).await;
    assert_eq!(status, 404);
    bot.stop().await;
}

#[tokio::test]
async fn healthz_and_metrics_are_served_in_polling_mode_too() {
    let db = crate::db::sqlite().await;
    let config = Config {
        webhook: None,
        ..webhook_config()
    };
    let (bot, base) = replica(&db.url, &FakeBotApi::start().await, config).await;
    let client = reqwest::Client::new();
    assert_eq!(
        get(&client, format!("{base}/healthz")).await,
        (200, "ok\n".to_string())
    );
    bot.api.push(text_message(1, 31, "en", ADS[0]));
    wait_answers(&bot.api, 1).await;
    // The gauges from the database are read in the background, soon after an update.
    let text = scrape_until(&client, &base, "adwatch_moderation_queue_depth 1").await;
    for expected in [
        "adwatch_updates_received_total{kind=\"message\"} 1",
        "adwatch_updates_handled_total{kind=\"message\"} 1",
        "adwatch_replies_sent_total{method=\"sendMessage\"} 1",
        "adwatch_update_handling_seconds_count 1",
        "adwatch_moderation_queue_depth 1",
        "adwatch_send_queue_depth 0",
        "adwatch_database_up 1",
        "adwatch_replicas 1",
    ] {
        assert!(text.contains(expected), "{expected} in\n{text}");
    }
    assert!(
        text.contains("adwatch_reports{label=\"military_recruitment\",status=\"pending\"} 1"),
        "{text}"
    );
    // No webhook in polling mode.
    let update = text_message(2, 32, "en", ADS[1]);
    assert_eq!(deliver(&client, &base, Some(SECRET), &update).await, 404);
    bot.stop().await;
}

#[tokio::test]
async fn an_update_left_by_a_replica_that_died_is_taken_over_and_answered_once() {
    let db = crate::db::sqlite().await;
    let update = text_message(9, 91, "en", ADS[0]);
    let long_ago = adwatch::telegram::system_clock()() - 120_000;
    // A process claimed it, then died before handling it.
    assert!(db
        .store
        .claim_delivery("upd:9", &update.to_string(), "dead-replica", long_ago)
        .await
        .unwrap());
    let api = FakeBotApi::start().await;
    let (bot, base) = replica(&db.url, &api, webhook_config()).await;
    assert_eq!(wait_answers(&api, 1).await.get(&91), Some(&1));
    // Telegram delivering it again changes nothing.
    let client = reqwest::Client::new();
    assert_eq!(deliver(&client, &base, Some(SECRET), &update).await, 200);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(answers_by_chat(&api).get(&91), Some(&1));
    bot.stop().await;
}

#[tokio::test]
async fn postgres_connections_killed_mid_stream_lose_nothing() {
    let Some(Pair { db, api, a, b }) = two_replicas(webhook_config()).await else {
        return;
    };
    let ((a, base_a), (b, base_b)) = (a, b);
    let client = reqwest::Client::new();
    let updates = citizens_sending_ads(300, 30);
    let stream = {
        let (client, base_a, base_b, updates) = (
            client.clone(),
            base_a.clone(),
            base_b.clone(),
            updates.clone(),
        );
        tokio::spawn(async move {
            let mut refusals = 0;
            for (i, u) in updates.iter().enumerate() {
                let base = if i % 2 == 0 { &base_a } else { &base_b };
                refusals += deliver_until_taken(&client, base, u).await;
                tokio::time::sleep(Duration::from_millis(40)).await;
            }
            refusals
        })
    };
    // A third of the way in, PostgreSQL goes away for two seconds: every connection is ended
    // and no new one is accepted.
    tokio::time::sleep(Duration::from_millis(400)).await;
    set_postgres_reachable(&db.url, false).await;
    let (status, _) = get(&client, format!("{base_a}/healthz")).await;
    assert_eq!(status, 503, "healthz says the database is away");
    tokio::time::sleep(Duration::from_secs(2)).await;
    set_postgres_reachable(&db.url, true).await;
    let refusals = stream.await.unwrap();
    assert!(
        refusals > 0,
        "Telegram was told to deliver again while the database was away"
    );
    // An update refused while the database was away is answered when its retry comes round
    // (pauses grow to 30 s); on a loaded machine that can take longer than 30 s.
    let answers = wait_answers_for(&api, 30, Duration::from_secs(120)).await;
    assert_eq!(answers.len(), 30, "every citizen answered: {answers:?}");
    assert!(answers.values().all(|n| *n == 1), "each once: {answers:?}");
    let rows = a.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(
        rows.iter().map(|r| r.report_count).sum::<i32>(),
        30,
        "nothing lost"
    );
    assert_eq!(get(&client, format!("{base_b}/healthz")).await.0, 200);
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_digest_schedule_firing_on_two_replicas_at_once_posts_once() {
    use adwatch::digest::{DigestChat, DigestSettings, Schedule};
    use adwatch::service::{self, ReporterKey, Submission};
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let now = adwatch::telegram::system_clock()();
    let ad = Submission {
        text: ADS[1].to_string(),
        origin: None,
        user_id: 1,
        chat_id: None,
        links: vec![],
    };
    let done = service::submit(
        &db.store,
        &ReporterKey::new("replica tests key"),
        now - 60_000,
        &ad,
    )
    .await
    .unwrap();
    db.store
        .decide(
            done.stored.report_id,
            ReviewAction::Approve,
            900,
            now - 50_000,
        )
        .await
        .unwrap();
    let channel = -100_300_i64;
    let config = Config {
        digest: DigestSettings {
            chats: vec![DigestChat {
                target: channel.to_string(),
                lang: adwatch::extract::Lang::En,
            }],
            // Every second: both replicas see the same firings.
            schedule: Schedule::new("* * * * * *", "UTC").unwrap(),
            language: adwatch::extract::Lang::En,
            show_phones: false,
        },
        ..webhook_config()
    };
    let api = FakeBotApi::start().await;
    let (a, b) = tokio::join!(
        replica(&db.url, &api, config.clone()),
        replica(&db.url, &api, config.clone())
    );
    tokio::time::sleep(Duration::from_secs(3)).await;
    let posts = api
        .calls("sendMessage")
        .into_iter()
        .filter(|c| c.body["chat_id"] == channel)
        .count();
    assert_eq!(posts, 1, "one digest for the period, from one replica");
    a.0.stop().await;
    b.0.stop().await;
}

/// A photo message of an album, as Telegram delivers each part.
fn album_part(update_id: i64, user: i64, file_id: &str, extra: Value) -> Value {
    let mut fields = serde_json::json!({
        "media_group_id": "album-1",
        "photo": [{"file_id": file_id, "file_unique_id": format!("u-{file_id}"), "file_size": 1000, "width": 1080, "height": 1920}],
    });
    for (k, v) in extra.as_object().unwrap() {
        fields[k] = v.clone();
    }
    crate::bot::private_message(update_id, user, "en", fields)
}

#[tokio::test]
async fn an_album_whose_parts_reach_two_replicas_is_one_report_and_one_answer() {
    // No OCR on these replicas: the pictures are kept as evidence, the caption is read.
    let mut config = webhook_config();
    config.ocr.program = "/nonexistent/tesseract".to_string();
    let Some(Pair { db: _db, api, a, b }) = two_replicas(config).await else {
        return;
    };
    let ((a, base_a), (b, base_b)) = (a, b);
    api.add_file("p1", b"first picture's bytes".to_vec());
    api.add_file("p2", b"second picture's bytes".to_vec());
    let client = reqwest::Client::new();
    let first = album_part(1, 64, "p1", serde_json::json!({"caption": ADS[0]}));
    let second = album_part(2, 64, "p2", serde_json::json!({}));
    assert_eq!(deliver(&client, &base_a, Some(SECRET), &first).await, 200);
    assert_eq!(deliver(&client, &base_b, Some(SECRET), &second).await, 200);
    let edited = api.wait_for("editMessageText", 1).await;
    assert_eq!(edited.len(), 1);
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert_eq!(
        api.calls("sendMessage").len(),
        1,
        "one \"reading…\" message"
    );
    assert_eq!(api.calls("editMessageText").len(), 1, "one answer");
    let rows = a.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1, "one report");
    assert_eq!(rows[0].images.len(), 2, "both pictures kept with it");
    a.stop().await;
    b.stop().await;
}

#[tokio::test]
async fn a_burst_beyond_the_send_rate_is_queued_fairly_and_one_chat_gets_one_message_a_second() {
    let db = crate::db::sqlite().await;
    let config = Config {
        send_rate: 4,
        webhook: None,
        listen_addr: None,
        ..webhook_config()
    };
    let bot =
        RunningBot::start_configured(db.store.clone(), FakeBotApi::start().await, config).await;
    // One citizen sends four ads at once; eight others one each.
    for i in 0..4 {
        bot.api
            .push(text_message(1 + i, 900, "en", ADS[i as usize]));
    }
    for i in 0..8 {
        bot.api.push(text_message(
            10 + i,
            910 + i,
            "en",
            ADS[i as usize % ADS.len()],
        ));
    }
    let sent = bot.api.wait_for("sendMessage", 12).await;
    assert_eq!(sent.len(), 12, "every message answered");
    let start = sent[0].at;
    let at = |c: &adwatch_fake_bot_api::Call| c.at.duration_since(start).as_secs_f64();
    // Overall: four a second, after a first burst of four.
    let last = sent.iter().map(at).fold(0.0, f64::max);
    assert!(
        last >= 1.7,
        "12 messages at 4/s take about 2 s, took {last:.2}"
    );
    // The busy chat: one a second.
    let busy: Vec<f64> = sent
        .iter()
        .filter(|c| c.body["chat_id"] == 900)
        .map(at)
        .collect();
    assert_eq!(busy.len(), 4);
    for pair in busy.windows(2) {
        assert!(
            pair[1] - pair[0] >= 0.9,
            "one a second to one chat: {busy:?}"
        );
    }
    // Fair: the eight other citizens do not wait behind the busy one's queue.
    let others = sent
        .iter()
        .filter(|c| c.body["chat_id"] != 900)
        .map(at)
        .fold(0.0, f64::max);
    assert!(
        others < busy[3],
        "the others ({others:.2} s) are answered before the busy chat's last ({:.2} s)",
        busy[3]
    );
    bot.stop().await;
}

#[tokio::test]
async fn stopping_finishes_every_update_already_taken() {
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let (bot, base) = replica(&db.url, &api, webhook_config()).await;
    let client = reqwest::Client::new();
    for i in 0..12 {
        let update = text_message(40 + i, 4_000 + i, "en", ADS[i as usize % ADS.len()]);
        assert_eq!(deliver(&client, &base, Some(SECRET), &update).await, 200);
    }
    // SIGTERM's path, right after Telegram was told "taken": nothing taken is dropped.
    bot.stop().await;
    assert_eq!(
        answers_by_chat(&api).len(),
        12,
        "every taken update answered before the end"
    );
    // And the listener is closed: Telegram's next delivery goes elsewhere.
    let update = text_message(99, 4_099, "en", ADS[0]);
    assert!(client
        .post(format!("{base}/telegram/hook"))
        .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
        .body(update.to_string())
        .send()
        .await
        .is_err());
}

// The HTTP side under attack: secrets before bodies, bounded bodies, heads on a clock, a cap
// on connections, and /metrics that never reaches the database.

/// `http://host:port` as a socket address.
fn socket_of(base: &str) -> SocketAddr {
    base.trim_start_matches("http://").parse().unwrap()
}

/// Opens a raw connection to `base` and writes `head` (and nothing more).
async fn open_raw(base: &str, head: &str) -> tokio::net::TcpStream {
    use tokio::io::AsyncWriteExt;
    let mut stream = tokio::net::TcpStream::connect(socket_of(base))
        .await
        .unwrap();
    stream.write_all(head.as_bytes()).await.unwrap();
    stream
}

/// What the server writes until it has sent a whole head or closes; `None` if neither happens
/// within `limit`.
async fn answer_head(stream: &mut tokio::net::TcpStream, limit: Duration) -> Option<String> {
    use tokio::io::AsyncReadExt;
    let read = async {
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        loop {
            match stream.read(&mut buf).await {
                Ok(0) | Err(_) => break,
                Ok(n) => got.extend_from_slice(&buf[..n]),
            }
            if got.windows(4).any(|w| w == b"\r\n\r\n") {
                break;
            }
        }
        String::from_utf8_lossy(&got).into_owned()
    };
    tokio::time::timeout(limit, read).await.ok()
}

/// A webhook POST's head (no body follows it yet).
fn webhook_head(secret: &str, length_header: &str) -> String {
    format!(
        "POST /telegram/hook HTTP/1.1\r\nHost: bot\r\nContent-Type: application/json\r\n\
         X-Telegram-Bot-Api-Secret-Token: {secret}\r\n{length_header}\r\n\r\n"
    )
}

#[tokio::test]
async fn a_webhook_post_is_refused_on_its_secret_before_its_body_and_capped_at_one_megabyte() {
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let (bot, base) = replica(&db.url, &api, webhook_config()).await;
    let wait = Duration::from_secs(5);
    // 10 MB announced, not one byte of it sent: the wrong secret is answered at once.
    let mut wrong = open_raw(&base, &webhook_head("wrong", "Content-Length: 10000000")).await;
    let head = answer_head(&mut wrong, wait)
        .await
        .expect("answered before the body");
    assert!(head.starts_with("HTTP/1.1 401"), "{head}");
    // The right secret and 2 MB announced: 413, also before the body.
    let mut large = open_raw(&base, &webhook_head(SECRET, "Content-Length: 2000000")).await;
    let head = answer_head(&mut large, wait)
        .await
        .expect("answered before the body");
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    // 2 MB sent in chunks, its length not announced: 413 once past 1 MB.
    let chunked = open_raw(&base, &webhook_head(SECRET, "Transfer-Encoding: chunked")).await;
    let (mut reader, mut writer) = chunked.into_split();
    let sending = tokio::spawn(async move {
        use tokio::io::AsyncWriteExt;
        let chunk = format!("10000\r\n{}\r\n", "a".repeat(0x10000));
        for _ in 0..32 {
            if writer.write_all(chunk.as_bytes()).await.is_err() {
                return;
            }
        }
        let _ = writer.write_all(b"0\r\n\r\n").await;
    });
    let read = async {
        use tokio::io::AsyncReadExt;
        let mut got = vec![0u8; 256];
        let n = reader.read(&mut got).await.unwrap_or(0);
        String::from_utf8_lossy(&got[..n]).into_owned()
    };
    let head = tokio::time::timeout(wait, read).await.expect("answered");
    assert!(head.starts_with("HTTP/1.1 413"), "{head}");
    sending.abort();
    // Nothing of it was taken; a proper delivery still is.
    assert!(api.calls("sendMessage").is_empty());
    let client = reqwest::Client::new();
    let update = text_message(1, 77, "en", ADS[0]);
    assert_eq!(deliver(&client, &base, Some(SECRET), &update).await, 200);
    assert_eq!(wait_answers(&api, 1).await.get(&77), Some(&1));
    bot.stop().await;
}

#[tokio::test]
async fn a_client_sending_half_a_header_line_or_a_slow_body_is_cut_after_the_time_limit() {
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let mut config = webhook_config();
    config.http.header_timeout = Duration::from_secs(1);
    config.http.body_timeout = Duration::from_secs(1);
    let (bot, base) = replica(&db.url, &api, config).await;
    let wait = Duration::from_secs(6);
    // Half a header line, then nothing: the connection is closed (hyper may say 408 first).
    let mut slow = open_raw(&base, "GET /healthz HTTP/1.1\r\nHo").await;
    let answer = answer_head(&mut slow, wait).await.expect("cut, not held");
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 408"),
        "{answer}"
    );
    // A connection that says nothing at all is cut too.
    let mut silent = open_raw(&base, "").await;
    assert!(answer_head(&mut silent, wait).await.is_some(), "cut");
    // The right secret, then a body that stops after 10 of its 100 bytes: 408.
    let mut stalled = open_raw(&base, &webhook_head(SECRET, "Content-Length: 100")).await;
    {
        use tokio::io::AsyncWriteExt;
        stalled.write_all(b"{\"update_i").await.unwrap();
    }
    let head = answer_head(&mut stalled, wait).await.expect("answered");
    assert!(head.starts_with("HTTP/1.1 408"), "{head}");
    // Meanwhile and after, everyone else is served.
    let client = reqwest::Client::new();
    assert_eq!(get(&client, format!("{base}/healthz")).await.0, 200);
    bot.stop().await;
}

#[tokio::test]
async fn connections_beyond_the_cap_wait_and_a_normal_request_is_served_once_the_abusers_go() {
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let mut config = webhook_config();
    config.http.max_connections = 4;
    config.http.header_timeout = Duration::from_secs(30);
    let (bot, base) = replica(&db.url, &api, config).await;
    // Four connections, each holding a head it never finishes.
    let mut abusers = Vec::new();
    for _ in 0..4 {
        abusers.push(open_raw(&base, "GET /healthz HTTP/1.1\r\nX-Slow: ").await);
    }
    tokio::time::sleep(Duration::from_millis(200)).await;
    let client = reqwest::Client::new();
    let normal = tokio::spawn({
        let (client, url) = (client.clone(), format!("{base}/healthz"));
        async move { client.get(url).send().await.map(|r| r.status().as_u16()) }
    });
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert!(!normal.is_finished(), "past the cap, a connection waits");
    drop(abusers);
    let status = tokio::time::timeout(Duration::from_secs(5), normal)
        .await
        .expect("served once the abusers went")
        .unwrap()
        .unwrap();
    assert_eq!(status, 200);
    bot.stop().await;
}

#[tokio::test]
async fn metrics_are_served_from_memory_on_metrics_addr_only_even_with_the_database_away() {
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let api = FakeBotApi::start().await;
    let config = Config {
        metrics_addr: Some(SocketAddr::from(([127, 0, 0, 1], 0))),
        ..webhook_config()
    };
    let (bot, base) = replica(&db.url, &api, config).await;
    let metrics_base = format!("http://{}", bot.app.metrics_bound.get().expect("bound"));
    let client = reqwest::Client::new();
    // Not on LISTEN_ADDR any more; the webhook and /healthz stay there.
    assert_eq!(get(&client, format!("{base}/metrics")).await.0, 404);
    assert_eq!(get(&client, format!("{base}/healthz")).await.0, 200);
    assert_eq!(get(&client, format!("{metrics_base}/healthz")).await.0, 404);
    let update = text_message(1, 81, "en", ADS[0]);
    assert_eq!(deliver(&client, &base, Some(SECRET), &update).await, 200);
    wait_answers(&api, 1).await;
    let text = scrape_until(&client, &metrics_base, "adwatch_moderation_queue_depth 1").await;
    assert!(text.contains("adwatch_database_up 1"), "{text}");
    // The database goes away; two hundred scrapes at once all answer, from memory: the
    // gauges' background reads do not follow the scrapes. (Each scrape on its own connection,
    // closed after it: idle ones would hold the listener's few slots.)
    set_postgres_reachable(&db.url, false).await;
    let scraper = reqwest::Client::builder()
        .pool_max_idle_per_host(0)
        .build()
        .unwrap();
    let scrapes = futures::future::join_all(
        (0..200).map(|_| get(&scraper, format!("{metrics_base}/metrics"))),
    )
    .await;
    set_postgres_reachable(&db.url, true).await;
    assert!(scrapes.iter().all(|(status, _)| *status == 200));
    let refreshes: Vec<f64> = scrapes
        .iter()
        .map(|(_, t)| metric(t, "adwatch_gauge_refreshes_total"))
        .collect();
    let (least, most) = refreshes
        .iter()
        .fold((f64::MAX, 0.0f64), |(l, m), r| (l.min(*r), m.max(*r)));
    assert!(least >= 1.0 && most - least <= 1.0, "{refreshes:?}");
    assert!(scrapes
        .iter()
        .all(|(_, t)| t.contains("adwatch_updates_received_total{kind=\"message\"} 1")));
    bot.stop().await;
}

// Exactly once: a replica killed mid-stream, a report the database refused before a kill.

/// A running `adwatch run`, killed if the test ends without stopping it.
struct Process(Option<Child>);

impl Process {
    fn pid(&self) -> u32 {
        self.0.as_ref().map_or(0, Child::id)
    }

    /// SIGKILL: no cleanup, no goodbye.
    fn kill(&mut self) {
        if let Some(mut child) = self.0.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// SIGTERM, and waits for the process to end.
    fn terminate(mut self) {
        if let Some(child) = self.0.take() {
            let _ = Command::new("kill")
                .args(["-TERM", &child.id().to_string()])
                .status();
            let _ = child.wait_with_output();
        }
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        self.kill();
    }
}

/// `adwatch run` as deployed, on `db`, talking to `api`; its logs go to `log`. In webhook
/// mode on `port` when given, else polling.
fn bot_process(api: &FakeBotApi, db: &str, port: Option<u16>, log: &std::path::Path) -> Process {
    let mut command = Command::new(env!("CARGO_BIN_EXE_adwatch"));
    command
        .arg("run")
        .env_clear()
        .env("TELOXIDE_TOKEN", "42:SECRET-TOKEN-VALUE")
        .env("TELOXIDE_API_URL", &api.url)
        .env("DATABASE_URL", db)
        .env("REPORTER_SECRET", "one key for every replica of the test")
        .env("FETCH_ENABLED", "0")
        .env("OCR_TESSERACT", "/nonexistent/tesseract")
        .env("TELEGRAM_SEND_RATE", "1000")
        .env("USER_RATE_PER_MINUTE", "100")
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(std::fs::File::create(log).unwrap());
    if let Some(port) = port {
        command
            .env("WEBHOOK_URL", "https://bot.example.org/telegram/hook")
            .env("WEBHOOK_SECRET", SECRET)
            .env("LISTEN_ADDR", format!("127.0.0.1:{port}"));
    }
    Process(Some(command.spawn().unwrap()))
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until `/healthz` at `base` answers 200.
async fn healthy(client: &reqwest::Client, base: &str) {
    for _ in 0..400 {
        if let Ok(r) = client.get(format!("{base}/healthz")).send().await {
            if r.status() == 200 {
                return;
            }
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{base} never became healthy");
}

/// Waits until `chats` citizens have their answer, up to `limit`; then a little more, for
/// anything sent twice.
async fn wait_answers_for(api: &FakeBotApi, chats: usize, limit: Duration) -> HashMap<i64, usize> {
    let deadline = tokio::time::Instant::now() + limit;
    while answers_by_chat(api).len() < chats && tokio::time::Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    tokio::time::sleep(Duration::from_secs(1)).await;
    answers_by_chat(api)
}

/// Waits until no update is left open in the PostgreSQL database at `url`, up to `limit`.
async fn wait_all_done(url: &str, limit: Duration) -> bool {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let deadline = tokio::time::Instant::now() + limit;
    loop {
        let open: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM processed_updates WHERE done_at IS NULL")
                .fetch_one(&mut conn)
                .await
                .unwrap();
        if open == 0 {
            return true;
        }
        if tokio::time::Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// Delivers `update` like Telegram behind a load balancer: to `first`, and on any failure
/// (the replica is gone, or answers non-2xx) to the other, until one takes it.
async fn deliver_to_either(
    client: &reqwest::Client,
    bases: [&str; 2],
    first: usize,
    update: &Value,
) {
    for attempt in 0..400 {
        let base = bases[(first + attempt) % 2];
        let taken = client
            .post(format!("{base}/telegram/hook"))
            .header("X-Telegram-Bot-Api-Secret-Token", SECRET)
            .header("content-type", "application/json")
            .body(update.to_string())
            .timeout(Duration::from_secs(10))
            .send()
            .await
            .is_ok_and(|r| r.status().is_success());
        if taken {
            return;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("update {} never taken", update["update_id"]);
}

/// Citizens writing eight at a time: each of eight sends its update (alternating between the
/// replicas at `bases`, and to the other when one fails), waits for its answer (a few seconds at
/// most: one left with a dead replica waits for the takeover), and the next citizen writes. So
/// at most eight updates are in flight at any moment. `next` counts the updates begun.
fn stream_eight_at_a_time(
    client: &reqwest::Client,
    api: &FakeBotApi,
    bases: &[String; 2],
    updates: Vec<Value>,
    next: &std::sync::Arc<std::sync::atomic::AtomicUsize>,
) -> Vec<tokio::task::JoinHandle<()>> {
    let updates = std::sync::Arc::new(updates);
    (0..8)
        .map(|_| {
            let (client, api, bases, updates, next) = (
                client.clone(),
                api.clone(),
                bases.clone(),
                updates.clone(),
                next.clone(),
            );
            tokio::spawn(async move {
                use std::sync::atomic::Ordering;
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(update) = updates.get(i) else { break };
                    deliver_to_either(&client, [&bases[0], &bases[1]], i % 2, update).await;
                    let chat = update["message"]["chat"]["id"].as_i64().unwrap();
                    for _ in 0..600 {
                        if api.sent_to(chat) > 0 {
                            break;
                        }
                        tokio::time::sleep(Duration::from_millis(5)).await;
                    }
                }
            })
        })
        .collect()
}

/// The updates a killed process (by its pid) left open: (update id, whether a send of its
/// handling was recorded).
async fn left_open_by(url: &str, pid: u32) -> Vec<(i64, bool)> {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.unwrap();
    let rows: Vec<(String, bool)> = sqlx::query_as(
        "SELECT update_key, sends IS NOT NULL FROM processed_updates \
         WHERE done_at IS NULL AND claimed_by LIKE $1",
    )
    .bind(format!("{pid}-%"))
    .fetch_all(&mut conn)
    .await
    .unwrap();
    rows.into_iter()
        .map(|(key, recorded)| (key["upd:".len()..].parse().unwrap(), recorded))
        .collect()
}

#[tokio::test]
async fn a_replica_killed_mid_stream_loses_no_citizen_and_repeats_only_answers_on_their_way() {
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let api = FakeBotApi::start().await;
    let logs = tempfile::tempdir().unwrap();
    let ports = [free_port(), free_port()];
    let bases = ports.map(|p| format!("http://127.0.0.1:{p}"));
    let mut a = bot_process(&api, &db.url, Some(ports[0]), &logs.path().join("a.log"));
    let b = bot_process(&api, &db.url, Some(ports[1]), &logs.path().join("b.log"));
    let client = reqwest::Client::new();
    healthy(&client, &bases[0]).await;
    healthy(&client, &bases[1]).await;
    // 600 citizens (update 1000 + i from chat 50 000 + i), eight at a time.
    let next = std::sync::Arc::new(std::sync::atomic::AtomicUsize::new(0));
    let updates = citizens_sending_ads(1_000, 600);
    let senders = stream_eight_at_a_time(&client, &api, &bases, updates, &next);
    // A third of the way in, replica A is killed: no cleanup, no goodbye.
    while next.load(std::sync::atomic::Ordering::SeqCst) < 200 {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let a_pid = a.pid();
    a.kill();
    // What A left: its open updates, and among them those whose answer had gone out without
    // being recorded yet, i.e. was on its way at the kill (some reach the stand-in API a
    // moment after: the request was written, the process gone).
    tokio::time::sleep(Duration::from_millis(300)).await;
    let answered_at_kill = answers_by_chat(&api);
    let left = left_open_by(&db.url, a_pid).await;
    let on_their_way: Vec<i64> = left
        .iter()
        .map(|(id, recorded)| (50_000 + id - 1_000, *recorded))
        .filter(|(chat, recorded)| !recorded && answered_at_kill.contains_key(chat))
        .map(|(chat, _)| chat)
        .collect();
    for sender in senders {
        sender.await.unwrap();
    }
    // B takes A's open updates over once A has been silent for 20 s; whatever it sends again
    // comes then, so the count waits until no update is left open.
    wait_answers_for(&api, 600, Duration::from_secs(90)).await;
    let all_done = wait_all_done(&db.url, Duration::from_secs(90)).await;
    let answers = wait_answers_for(&api, 600, Duration::ZERO).await;
    let twice: Vec<i64> = answers
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(c, _)| *c)
        .collect();
    eprintln!(
        "killed mid-stream: {} of 600 citizens answered; A left {} updates open, {} with an \
         answer on its way; {} answered twice",
        answers.len(),
        left.len(),
        on_their_way.len(),
        twice.len()
    );
    let log = std::fs::read_to_string(logs.path().join("b.log")).unwrap_or_default();
    assert_eq!(
        answers.len(),
        600,
        "every citizen answered; B's log:\n{log}"
    );
    assert!(all_done, "every update done; B's log:\n{log}");
    assert!(
        twice.iter().all(|chat| on_their_way.contains(chat)),
        "only answers on their way at the kill go twice: {twice:?}, on their way {on_their_way:?}"
    );
    assert!(
        twice.len() <= 8,
        "no more than the eight in flight: {twice:?}"
    );
    let store = Store::connect(&db.url).await.unwrap();
    let rows = store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.report_count).sum::<i32>(), 600);
    b.terminate();
}

#[tokio::test]
async fn a_report_the_database_refused_is_filed_and_answered_after_a_kill_and_a_restart() {
    use sqlx::Connection;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let logs = tempfile::tempdir().unwrap();
    let mut admin = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
    sqlx::query(
        "CREATE TRIGGER refuse_reports BEFORE INSERT ON reports \
         BEGIN SELECT RAISE(ABORT, 'refused for the test'); END",
    )
    .execute(&mut admin)
    .await
    .unwrap();
    let mut first = bot_process(&api, &db.url, None, &logs.path().join("first.log"));
    api.push(text_message(1, 71, "en", ADS[0]));
    let told = api.wait_for("sendMessage", 1).await;
    assert!(
        told[0].body["text"]
            .as_str()
            .unwrap()
            .contains("could not save"),
        "{:?}",
        told[0].body
    );
    // Killed before its first retry (2 s later); the database takes reports again.
    first.kill();
    sqlx::query("DROP TRIGGER refuse_reports")
        .execute(&mut admin)
        .await
        .unwrap();
    let second = bot_process(&api, &db.url, None, &logs.path().join("second.log"));
    // The kept update is taken over once the killed process has been silent for 20 s.
    let answers = wait_answers_for(&api, 1, Duration::from_secs(60)).await;
    let log = std::fs::read_to_string(logs.path().join("second.log")).unwrap_or_default();
    assert_eq!(
        answers.get(&71),
        Some(&1),
        "filed and answered; log:\n{log}"
    );
    let rows = db.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].report_count, 1);
    second.terminate();
}

#[tokio::test]
async fn an_update_taken_over_after_its_answer_was_recorded_as_sent_is_not_answered_again() {
    use adwatch::telegram::delivery::Sent;
    let db = crate::db::sqlite().await;
    let long_ago = adwatch::telegram::system_clock()() - 120_000;
    // A process claimed two updates, answered the first and recorded it, then died.
    let answered = text_message(9, 91, "en", ADS[0]);
    let unanswered = text_message(10, 92, "en", ADS[1]);
    for (key, update) in [("upd:9", &answered), ("upd:10", &unanswered)] {
        assert!(db
            .store
            .claim_delivery(key, &update.to_string(), "dead-replica", long_ago)
            .await
            .unwrap());
    }
    let sent = Sent {
        n: 1,
        method: "sendMessage".to_string(),
        chat: Some(91),
        output: serde_json::json!({
            "message_id": 5001, "date": 1_700_000_000,
            "chat": {"id": 91, "type": "private", "first_name": "citizen"},
            "text": "Reference number: 1",
        }),
    };
    let record = format!("{}\n", serde_json::to_string(&sent).unwrap());
    db.store.record_send("upd:9", &record).await.unwrap();
    let api = FakeBotApi::start().await;
    let (bot, _) = replica(&db.url, &api, webhook_config()).await;
    assert_eq!(wait_answers(&api, 1).await.get(&92), Some(&1));
    // Both were handled again (the report of the first is filed, idempotently) and are done.
    let open = || async {
        use sqlx::Connection;
        let mut conn = sqlx::SqliteConnection::connect(&db.url).await.unwrap();
        sqlx::query_scalar::<_, i64>(
            "SELECT COUNT(*) FROM processed_updates WHERE done_at IS NULL OR sends IS NOT NULL",
        )
        .fetch_one(&mut conn)
        .await
        .unwrap()
    };
    for _ in 0..100 {
        if open().await == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(open().await, 0, "done, and the record erased");
    assert!(
        !answers_by_chat(&api).contains_key(&91),
        "the recorded answer is not sent again"
    );
    let rows = db.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.iter().map(|r| r.report_count).sum::<i32>(), 2);
    bot.stop().await;
}
