//! Weekly digests with the clock injected: once per period and chat across a restart and a
//! second process, only approved reports, split when too long, a 429 retried.

use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use adwatch::config::Config;
use adwatch::digest::{DigestChat, DigestSettings, Schedule};
use adwatch::extract::Lang;
use adwatch::fetch::FetchSettings;
use adwatch::review::ReviewAction;
use adwatch::service::{self, ReporterKey, Submission};
use adwatch::store::Store;
use adwatch_fake_bot_api::FakeBotApi;

use crate::bot::RunningBot;
use crate::on_both_databases;

const CHANNEL: i64 = -100_200;
/// 2026-11-23 08:59:50 UTC, a Monday.
const T0: i64 = 1_795_424_390_000;

/// A clock the test moves.
#[derive(Clone)]
pub struct TestClock(Arc<AtomicI64>);

impl TestClock {
    pub fn at(ms: i64) -> TestClock {
        TestClock(Arc::new(AtomicI64::new(ms)))
    }
    pub fn now(&self) -> i64 {
        self.0.load(Ordering::SeqCst)
    }
    pub fn advance(&self, ms: i64) {
        self.0.fetch_add(ms, Ordering::SeqCst);
    }
    pub fn as_fn(&self) -> Arc<dyn Fn() -> i64 + Send + Sync> {
        let inner = self.0.clone();
        Arc::new(move || inner.load(Ordering::SeqCst))
    }
}

fn config(cron: &str) -> Config {
    Config {
        fetch: FetchSettings {
            enabled: false,
            ..FetchSettings::default()
        },
        digest: DigestSettings {
            chats: vec![DigestChat {
                target: CHANNEL.to_string(),
                lang: Lang::En,
            }],
            schedule: Schedule::new(cron, "Asia/Almaty").unwrap(),
            language: Lang::En,
            show_phones: false,
        },
        ..Config::default()
    }
}

/// Stores an ad from a citizen and decides it, at the given times.
async fn reported(store: &Store, citizen: i64, text: &str, at: i64, action: ReviewAction) -> i64 {
    let s = Submission {
        text: text.to_string(),
        origin: None,
        user_id: citizen,
        chat_id: Some(citizen),
        links: vec![],
    };
    let done = service::submit(store, &ReporterKey::new("digest tests key"), at, &s)
        .await
        .unwrap();
    let id = done.stored.report_id;
    store.decide(id, action, 900, at + 1).await.unwrap();
    id
}

fn posts(api: &FakeBotApi) -> Vec<String> {
    api.calls("sendMessage")
        .into_iter()
        .filter(|c| c.body["chat_id"] == CHANNEL)
        .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

async fn wait_posts(api: &FakeBotApi, n: usize) -> Vec<String> {
    for _ in 0..400 {
        if posts(api).len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    posts(api)
}

const APPROVED: &str = "Единовременная выплата 495 000 рублей при подписании контракта с \
    Минобороны, ежемесячно от 190 000 рублей. Сайт voenkomat-sakh.ru, звоните +7 924 123 45 67";
const REJECTED: &str = "Ищем сварщиков в Казань, зарплата 777 000 рублей в месяц, звоните \
    +7 999 555 44 33, отдел кадров ООО Ромашка";

on_both_databases!(
    a_schedule_firing_every_few_seconds_posts_once_per_period_across_a_restart,
    |db| {
        let clock = TestClock::at(T0);
        let api = FakeBotApi::start().await;
        reported(&db.store, 1, APPROVED, T0 - 60_000, ReviewAction::Approve).await;
        reported(&db.store, 2, REJECTED, T0 - 50_000, ReviewAction::Reject).await;
        let bot = RunningBot::start_clocked(
            db.store.clone(),
            api.clone(),
            config("*/5 * * * * *"),
            clock.as_fn(),
        )
        .await;
        // T0 itself is a firing (…:50): the digest of the last 7 days goes out once.
        let sent = wait_posts(&api, 1).await;
        assert_eq!(sent.len(), 1, "{sent:?}");
        let digest = &sent[0];
        assert!(
            digest.contains("495\u{a0}000 RUB") || digest.contains("495 000"),
            "{digest}"
        );
        assert!(
            digest.contains("voenkomat-sakh[.]ru"),
            "links are not clickable: {digest}"
        );
        assert!(
            digest.contains("+7••••••••67"),
            "phones are masked: {digest}"
        );
        assert!(
            !digest.contains("777 000") && !digest.contains("Ромашка"),
            "rejected: {digest}"
        );
        assert!(!digest.contains("+79241234567"));
        assert_eq!(
            digest.matches("<b>").count(),
            digest.matches("</b>").count()
        );
        assert_eq!(
            digest.matches("<code>").count(),
            digest.matches("</code>").count()
        );
        // A restart in the same period, and a second process beside it: nothing more.
        bot.stop().await;
        let again = RunningBot::start_clocked(
            db.store.clone(),
            api.clone(),
            config("*/5 * * * * *"),
            clock.as_fn(),
        )
        .await;
        let other = RunningBot::start_clocked(
            db.store.clone(),
            FakeBotApi::start().await,
            config("*/5 * * * * *"),
            clock.as_fn(),
        )
        .await;
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(posts(&api).len(), 1);
        assert!(posts(&other.api).is_empty());
        // The next firing has nothing new: nothing is posted, nothing is claimed.
        clock.advance(5_000);
        tokio::time::sleep(Duration::from_millis(800)).await;
        assert_eq!(posts(&api).len(), 1);
        // A report approved in the period after: the next firing posts it, and only it, once.
        reported(
            &db.store,
            3,
            "Контракт, выплата 300 000 рублей, Сахалинская область",
            clock.now() + 1_000,
            ReviewAction::Approve,
        )
        .await;
        clock.advance(5_000);
        // Either process may win the claim; the two API stand-ins together saw it once.
        for _ in 0..400 {
            if posts(&api).len() + posts(&other.api).len() >= 2 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        tokio::time::sleep(Duration::from_millis(800)).await;
        let mut all = posts(&api);
        all.extend(posts(&other.api));
        assert_eq!(all.len(), 2, "{all:?}");
        let second = &all[1];
        assert!(second.contains("300"), "{second}");
        assert!(
            !second.contains("495"),
            "the first ad was in the last digest: {second}"
        );
        again.stop().await;
        other.stop().await;
    }
);

#[tokio::test]
async fn an_oversized_digest_is_split_into_numbered_parts() {
    let db = crate::db::sqlite().await;
    for i in 0..70 {
        let text = format!(
            "Объявление {i}: контракт с Минобороны, выплата {} 000 рублей, ежемесячно от 2{i:02} 000 рублей, Сахалинская область, Хабаровский край",
            400 + i
        );
        reported(
            &db.store,
            100 + i,
            &text,
            T0 - 100_000 + i,
            ReviewAction::Approve,
        )
        .await;
    }
    let poster = adwatch::telegram::digest::Poster::new(
        crate::db::service(&db.store),
        config("0 0 9 * * Mon").digest,
    );
    let (_, parts) = poster
        .render(
            &CHANNEL.to_string(),
            Lang::Ru,
            T0,
            false,
            "adwatch_test_bot",
        )
        .await
        .unwrap()
        .expect("a digest");
    assert!(parts.len() > 1);
    for (i, p) in parts.iter().enumerate() {
        assert!(p.encode_utf16().count() <= 4096);
        assert!(
            p.contains(&format!("Часть {} из {}", i + 1, parts.len())),
            "{p}"
        );
    }
    let all = parts.join("\n");
    assert!(
        all.contains("#70") && all.contains("#1 "),
        "every ad is listed"
    );
}

#[tokio::test]
async fn a_429_from_the_channel_is_retried_and_the_digest_goes_out_once() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let api = FakeBotApi::start().await;
    api.refuse_sends(1);
    reported(&db.store, 1, APPROVED, T0 - 60_000, ReviewAction::Approve).await;
    let bot = RunningBot::start_clocked(
        db.store.clone(),
        api.clone(),
        config("*/5 * * * * *"),
        clock.as_fn(),
    )
    .await;
    let sent = wait_posts(&api, 1).await;
    assert_eq!(api.refused(), 1);
    assert_eq!(sent.len(), 1);
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(posts(&api).len(), 1);
    bot.stop().await;
}

#[tokio::test]
async fn an_empty_period_claims_nothing_and_a_crashed_claim_is_taken_over() {
    let db = crate::db::sqlite().await;
    // Nothing approved: no claim.
    let poster = adwatch::telegram::digest::Poster::new(
        crate::db::service(&db.store),
        config("*/5 * * * * *").digest,
    );
    assert!(poster
        .render("x", Lang::En, T0, false, "b")
        .await
        .unwrap()
        .is_none());
    assert!(db
        .store
        .claim_digest("c", 0, T0, "a", T0, T0 - 1, true)
        .await
        .unwrap());
    // Held by "a", fresh: "b" may not take it; "a" may retry; stale: "b" takes over.
    assert!(!db
        .store
        .claim_digest("c", 0, T0, "b", T0 + 1, T0 - 600_000, true)
        .await
        .unwrap());
    assert!(db
        .store
        .claim_digest("c", 0, T0, "a", T0 + 2, T0 - 600_000, true)
        .await
        .unwrap());
    assert!(db
        .store
        .claim_digest("c", 0, T0, "b", T0 + 700_000, T0 + 100_000, true)
        .await
        .unwrap());
    db.store.digest_sent("c", T0, T0 + 700_001).await.unwrap();
    assert!(!db
        .store
        .claim_digest("c", 0, T0, "a", T0 + 9_000_000, T0 + 9_000_000, true)
        .await
        .unwrap());
    assert_eq!(db.store.last_digest_end("c").await.unwrap(), Some(T0));
    // A second process firing a moment later cannot post the same reports under another
    // period end while that run is sent (or freshly claimed); a forced digest may.
    let later = T0 + 9_000_001;
    for (start, end, alone, claimed) in [
        (0, T0 + 1_000, true, false),
        (T0, T0 + 1_000, true, true),
        (0, T0 + 2_000, false, true),
    ] {
        let got = db
            .store
            .claim_digest("c", start, end, "b", later, later - 1_000_000, alone)
            .await
            .unwrap();
        assert_eq!(got, claimed, "period ({start}, {end}], alone: {alone}");
    }
}

/// The ads of the README's example digest.
const EXAMPLE: [&str; 4] = [
    "Единовременная выплата 495 000 рублей при подписании контракта с Минобороны России, \
     ежемесячно от 190 000 рублей. Сахалинская область, сайт voenkomat-sakh.ru, звоните +7 924 123 45 67",
    "Служба по контракту в Хабаровском крае: единовременно 400 000 рублей, денежное довольствие от 210 000 рублей в месяц. Тел. +7 924 123 45 67",
    "Жұмыс Ресейде: келісімшарт, бір жолғы төлем 1 000 000 рубль, айына 250 000 рубль. Байланыс: @kontrakt_rf_bot",
    "Vacancy in Russia for security guards, salary 3000 USD per month, free flight and housing. WhatsApp +7 999 555 44 33",
];

#[tokio::test]
async fn adwatch_digest_dry_run_prints_the_digest_and_sends_nothing() {
    let db = crate::db::sqlite().await;
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_millis() as i64;
    for (i, text) in EXAMPLE.iter().enumerate() {
        reported(
            &db.store,
            10 + i as i64,
            text,
            now - 3_600_000,
            ReviewAction::Approve,
        )
        .await;
    }
    reported(
        &db.store,
        20,
        REJECTED,
        now - 3_600_000,
        ReviewAction::Reject,
    )
    .await;
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["digest", "--dry-run"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("DIGEST_LANGUAGE", "en")
        .env("DIGEST_TZ", "Asia/Almaty")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let digest = String::from_utf8(out.stdout).unwrap();
    if std::env::var("ADWATCH_PRINT_DIGEST").is_ok() {
        eprintln!("{digest}");
    }
    assert!(
        digest.contains("4 ads confirmed by moderators, sent by 4 citizens"),
        "{digest}"
    );
    assert!(digest.contains("Typical monthly pay"), "{digest}");
    assert!(
        digest.contains("1 000 000 рубль"),
        "the largest offer as written: {digest}"
    );
    assert!(!digest.contains("777 000"), "{digest}");
    assert!(digest.contains("(Asia/Almaty)"), "{digest}");
    // A wrong setting is a clear error, not a crash.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_adwatch"))
        .args(["digest", "--dry-run"])
        .env_clear()
        .env("DATABASE_URL", &db.url)
        .env("DIGEST_CRON", "every monday")
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("DIGEST_CRON"));
}

#[tokio::test]
async fn every_part_fits_whatever_one_amount_or_entity_holds() {
    let db = crate::db::sqlite().await;
    // A report whose stored extraction holds a 10,000-character amount and organisation, of
    // characters that grow when escaped and that take two UTF-16 units.
    let huge_amount = "<&\"😀".repeat(2_500);
    let huge_name = "Минобороны<😀>".repeat(800);
    let extraction = serde_json::json!({
        "amounts": [{"text": huge_amount, "value": 495000.0, "currency": "RUB",
            "period": "one_time", "usd": 5300, "equivalent_of": null}],
        "entities": [{"kind": "org", "normalized": huge_name}],
    });
    let stored = db
        .store
        .submit(&adwatch::store::NewReport {
            fingerprint: "huge".into(),
            near_fingerprint: "huge-near".into(),
            text: "a hostile ad".into(),
            language: Lang::Ru,
            label: adwatch::extract::Label::MilitaryRecruitment,
            risk: 90,
            extraction: extraction.to_string(),
            entities: vec![("org".into(), huge_name.to_lowercase())],
            origin: None,
            reporter_hash: "h".into(),
            chat_id: None,
            now_ms: T0 - 200_000,
        })
        .await
        .unwrap();
    db.store
        .decide(stored.report_id, ReviewAction::Approve, 900, T0 - 199_000)
        .await
        .unwrap();
    for i in 0..120 {
        let text = format!("Объявление {i}: контракт, выплата {} 000 рублей", 300 + i);
        reported(
            &db.store,
            100 + i,
            &text,
            T0 - 100_000 + i,
            ReviewAction::Approve,
        )
        .await;
    }
    let poster = adwatch::telegram::digest::Poster::new(
        crate::db::service(&db.store),
        config("0 0 9 * * Mon").digest,
    );
    let (_, parts) = poster
        .render(
            &CHANNEL.to_string(),
            Lang::Ru,
            T0,
            false,
            "adwatch_test_bot",
        )
        .await
        .unwrap()
        .expect("a digest");
    assert!(parts.len() > 1);
    for p in &parts {
        assert!(
            p.encode_utf16().count() <= 4096,
            "{}",
            p.encode_utf16().count()
        );
        for tag in ["b", "i", "code"] {
            assert_eq!(
                p.matches(&format!("<{tag}>")).count(),
                p.matches(&format!("</{tag}>")).count(),
                "{p}"
            );
        }
    }
    let all = parts.join("\n");
    assert!(all.contains(&format!("#{}", stored.report_id)));
    assert!(
        all.contains("&lt;&amp;&quot;😀"),
        "the amount's beginning shows"
    );
    assert!(all.contains("#120 "), "every ad is listed");
}
