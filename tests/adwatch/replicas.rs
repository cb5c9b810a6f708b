//! Past one machine: webhook replicas on one database, each update answered once; the secret;
//! `/healthz` and `/metrics`; a replica that died mid-update; PostgreSQL going away mid-stream.

use std::collections::HashMap;
use std::net::SocketAddr;
use std::time::Duration;

use adwatch::config::{Config, WebhookSettings};
use adwatch::fake_bot_api::FakeBotApi;
use adwatch::fetch::FetchSettings;
use adwatch::store::{ExportFilter, Store};
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
    let (status, text) = get(&client, format!("{base}/metrics")).await;
    assert_eq!(status, 200);
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
    let answers = wait_answers(&api, 30).await;
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
        .decide(done.stored.report_id, "approved", 900, None, now - 50_000)
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
    let at = |c: &adwatch::fake_bot_api::Call| c.at.duration_since(start).as_secs_f64();
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
