//! What a linked page says is its author's, not the ad's: a page adds at most 50 entities,
//! kept apart (marked as from the page) and shown apart on the moderators' card, and none of
//! them is public (in a digest) before a moderator approved its report.

use adwatch::config::Config;
use adwatch::digest::{DigestSettings, Schedule};
use adwatch::extract::Lang;
use adwatch::fetch::{FetchSettings, Fetcher};
use adwatch::review::ReviewAction;
use adwatch::service::{self, LinkResult, ReporterKey, Submission};
use adwatch::store::{PageFindings, Store};
use adwatch::telegram::digest::Poster;
use adwatch_fake_bot_api::FakeBotApi;
use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;

use crate::bot::{text_message, RunningBot};

const DAY: i64 = 86_400_000;

fn key() -> ReporterKey {
    ReporterKey::new("page entities key")
}

async fn submit(store: &Store, citizen: i64, text: &str, at: i64) -> i64 {
    let s = Submission {
        text: text.to_string(),
        origin: None,
        user_id: citizen,
        chat_id: Some(citizen),
        links: vec![],
    };
    service::submit(store, &key(), at, &s)
        .await
        .unwrap()
        .stored
        .report_id
}

/// A page read for report `id` whose analysis found `phone`.
async fn page_with_phone(store: &Store, id: i64, phone: &str, at: i64) {
    let page = adwatch::store::NewSnapshot {
        url: format!("https://page-of-{id}.ru/"),
        final_url: format!("https://page-of-{id}.ru/"),
        status: 200,
        fetched_at: at,
        sha256: format!("{id:064}"),
        bytes: 100,
        truncated: false,
        title: None,
        text: format!("Звоните {phone}"),
        extraction: "{}".into(),
    };
    let findings = PageFindings {
        entities: vec![("phone".into(), phone.into())],
        label: adwatch::extract::Label::MilitaryRecruitment,
        risk: 80,
    };
    store.link_fetched(id, &page, &findings).await.unwrap();
}

/// A recruiter's page listing 200 phones and 200 Telegram accounts (other people's).
fn crowded_page() -> String {
    let mut body = String::from("<html><body><h1>Контракт, 495 000 рублей</h1>");
    for i in 0..200 {
        body.push_str(&format!(
            "<p>Звоните: +7 924 {:03}-{:02}-{:02}, пишите @person_{i}_bot</p>",
            100 + i,
            i % 100,
            (i * 7) % 100
        ));
    }
    body.push_str("</body></html>");
    body
}

#[tokio::test]
async fn a_page_listing_200_phones_and_accounts_adds_at_most_50_entities_to_its_report() {
    let app = Router::new().route(
        "/list",
        get(|| async {
            (
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                crowded_page(),
            )
                .into_response()
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let db = crate::db::sqlite().await;
    let text = format!("Работа по контракту, подробности: http://{addr}/list");
    let s = Submission {
        text,
        origin: None,
        user_id: 1,
        chat_id: Some(1),
        links: vec![],
    };
    let done = service::submit(&db.store, &key(), 1, &s).await.unwrap();
    let fetcher = Fetcher::new(FetchSettings {
        allow_private: true,
        ..FetchSettings::default()
    })
    .unwrap();
    let clock = || 2;
    let outcomes = service::read_links(
        &db.store,
        &fetcher,
        done.stored.report_id,
        &done.links,
        &clock,
    )
    .await;
    let LinkResult::Page(read) = &outcomes[0].result else {
        panic!("{:?}", outcomes[0].result);
    };
    assert!(
        read.extraction.entities.len() > 300,
        "the page does list hundreds: {}",
        read.extraction.entities.len()
    );
    let stored = db
        .store
        .report_entities(done.stored.report_id)
        .await
        .unwrap();
    let from_page = stored.iter().filter(|e| e.source == "page").count();
    assert_eq!(from_page, 50, "{stored:?}");
    assert!(stored
        .iter()
        .filter(|e| e.source == "message")
        .all(|e| e.kind == "url" || e.kind == "domain"));
}

#[tokio::test]
async fn a_pages_entities_are_shown_apart_and_marked_on_the_moderators_card() {
    const MODERATOR: i64 = 900;
    let db = crate::db::sqlite().await;
    let ad = "Контракт с Минобороны, 495 000 рублей, звоните +7 701 123 45 67";
    let id = submit(&db.store, 1, ad, 1).await;
    page_with_phone(&db.store, id, "+79245550011", 2).await;
    let config = Config {
        moderator_ids: vec![MODERATOR],
        fetch: FetchSettings {
            enabled: false,
            ..FetchSettings::default()
        },
        ..Config::default()
    };
    let bot =
        RunningBot::start_configured(db.store.clone(), FakeBotApi::start().await, config).await;
    bot.api.push(text_message(1, MODERATOR, "en", "/queue"));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    let card = sent[0].body["text"].as_str().unwrap();
    let (ad_part, page_part) = card
        .split_once("Only on the linked pages")
        .unwrap_or_else(|| panic!("no section of the page's entities: {card}"));
    assert!(ad_part.contains("+77011234567"), "{card}");
    assert!(!ad_part.contains("+79245550011"), "{card}");
    assert!(
        page_part.contains("🔗") && page_part.contains("+79245550011"),
        "{card}"
    );
    assert!(!page_part.contains("+77011234567"), "{card}");
    bot.stop().await;
}

fn digest_settings() -> DigestSettings {
    DigestSettings {
        chats: Vec::new(),
        schedule: Schedule::new("0 0 9 * * Mon", "UTC").unwrap(),
        language: Lang::En,
        show_phones: true,
    }
}

async fn digest_text(store: &Store, now: i64) -> String {
    let poster = Poster::new(crate::db::service(store), digest_settings());
    let (_, parts) = poster
        .render("-100200", Lang::En, now, true, "adwatch_test_bot")
        .await
        .unwrap()
        .expect("a digest");
    parts.join("\n")
}

#[tokio::test]
async fn a_digest_shows_a_pages_entities_only_once_a_moderator_approved_its_report() {
    let db = crate::db::sqlite().await;
    let store = &db.store;
    let now = 1_800_000_000_000;
    let approved = submit(
        store,
        1,
        "Контракт с Минобороны, 495 000 рублей",
        now - 3 * DAY,
    )
    .await;
    let pending = submit(
        store,
        2,
        "Водитель в зону СВО, 350 000 рублей",
        now - 3 * DAY,
    )
    .await;
    let rejected = submit(store, 3, "Охрана объектов, 250 000 рублей", now - 3 * DAY).await;
    page_with_phone(store, approved, "+79245550011", now - 3 * DAY).await;
    page_with_phone(store, pending, "+79245550022", now - 3 * DAY).await;
    page_with_phone(store, rejected, "+79245550033", now - 3 * DAY).await;
    store
        .decide(approved, ReviewAction::Approve, 900, now - 2 * DAY)
        .await
        .unwrap();
    store
        .decide(rejected, ReviewAction::Reject, 900, now - 2 * DAY)
        .await
        .unwrap();
    let text = digest_text(store, now).await;
    assert!(text.contains("+79245550011"), "{text}");
    for unapproved in ["+79245550022", "+79245550033", "350 000", "250 000"] {
        assert!(!text.contains(unapproved), "{unapproved} in {text}");
    }
    let facts = store.digest_facts(now - 7 * DAY, now).await.unwrap();
    assert!(facts
        .top_entities
        .iter()
        .all(|(_, v, _)| v != "+79245550022" && v != "+79245550033"));

    // Approved, the other report's page is public too.
    store
        .decide(pending, ReviewAction::Approve, 900, now - DAY)
        .await
        .unwrap();
    let text = digest_text(store, now).await;
    assert!(text.contains("+79245550022"), "{text}");
    assert!(!text.contains("+79245550033"), "{text}");
}
