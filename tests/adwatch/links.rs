//! Links: the fetcher against a web server on loopback (allowed only under
//! `FETCH_ALLOW_PRIVATE`), the guard with default settings, and the bot's answer about a page.

use std::io::Write;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use adwatch::config::Config;
use adwatch::fetch::guard::Refusal;
use adwatch::fetch::{Failure, FetchSettings, Fetcher};
use adwatch::store::ExportFilter;
use adwatch_fake_bot_api::FakeBotApi;
use axum::body::{Body, Bytes};
use axum::extract::{Path, Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use url::Url;

use crate::bot::{text_message, RunningBot};

/// The landing page of a recruitment ad: what the visitor reads, and what only a script holds.
const AD_PAGE: &str = r#"<!doctype html><html><head><title>Служба по контракту — Сахалин</title>
<meta property="og:description" content="Набор на контракт в Сахалинской области">
<script>var bonus = "777 777 рублей"; document.title = "999 999 рублей";</script>
<style>.promo::after { content: "888 888 рублей"; }</style></head>
<body><h1>Контракт с Минобороны</h1>
<p>Единовременная выплата 495 000 рублей при подписании контракта.</p>
<p>Ежемесячно от 190 000 ₽. Звоните: +7 924 123-45-67</p>
<script>alert("666 666 рублей")</script>
<input type="hidden" name="ref" value="555 555 рублей">
</body></html>"#;

/// Shared state of the test web server.
#[derive(Clone, Default)]
struct Site {
    /// Every request that reached the server.
    requests: Arc<AtomicUsize>,
    /// Bytes the 50 MB page handed to the connection.
    streamed: Arc<AtomicUsize>,
    /// The version of `/changing`.
    version: Arc<AtomicUsize>,
    /// Requests to `/hold` being answered now, and the most at once.
    holding: Arc<AtomicUsize>,
    most_held: Arc<AtomicUsize>,
}

async fn count(State(site): State<Site>, request: Request, next: Next) -> Response {
    site.requests.fetch_add(1, Ordering::SeqCst);
    next.run(request).await
}

fn html(body: impl Into<Body>) -> Response {
    (
        [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
        body.into(),
    )
        .into_response()
}

fn windows_1251(text: &str) -> Vec<u8> {
    encoding_rs::WINDOWS_1251.encode(text).0.into_owned()
}

async fn redirect(Path(n): Path<u32>) -> Response {
    let to = if n == 0 {
        "/ad".to_string()
    } else {
        format!("/r/{}", n - 1)
    };
    (StatusCode::FOUND, [(header::LOCATION, to)]).into_response()
}

/// 50 MB of a page, streamed in 64 KiB pieces.
async fn huge(State(site): State<Site>) -> Response {
    let piece = "<p>Выплата 300 000 рублей. </p>"
        .repeat(64 * 1024 / 40)
        .into_bytes();
    let total = 50 * 1024 * 1024 / piece.len();
    let stream = futures::stream::iter((0..total).map(move |_| {
        site.streamed.fetch_add(piece.len(), Ordering::SeqCst);
        Ok::<_, std::io::Error>(Bytes::from(piece.clone()))
    }));
    html(Body::from_stream(stream))
}

/// 50 MB of spaces in 50 KB of gzip: decoded, it must stop at the same limit.
fn gzip_bomb() -> Vec<u8> {
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    gz.write_all(b"<html><body><p>Zarplata 3000 USD</p>")
        .unwrap();
    let spaces = vec![b' '; 1024 * 1024];
    for _ in 0..50 {
        gz.write_all(&spaces).unwrap();
    }
    gz.finish().unwrap()
}

async fn changing(State(site): State<Site>) -> Response {
    let v = site.version.load(Ordering::SeqCst);
    html(format!(
        "<p>Выплата {} 000 рублей за контракт</p>",
        300 + v * 100
    ))
}

/// A page that keeps its request open a while, counting how many are open at once.
async fn hold(State(site): State<Site>, Path(n): Path<u32>) -> Response {
    let now = site.holding.fetch_add(1, Ordering::SeqCst) + 1;
    site.most_held.fetch_max(now, Ordering::SeqCst);
    tokio::time::sleep(Duration::from_millis(300)).await;
    site.holding.fetch_sub(1, Ordering::SeqCst);
    html(format!("<p>Выплата {n}00 000 рублей</p>"))
}

/// An offer inside `depth` nested `tag` elements: 20,000 `<span>` (120 KB) overflowed the stack
/// of the text collector; 50,000 `<div>` cost html5ever's tree builder quadratic time.
fn nested(tag: &str, depth: usize) -> String {
    format!(
        "<html><head><title>Вакансия</title></head><body><h1>Контракт</h1>{}<p>Выплата 495 000 рублей</p>{}</body></html>",
        format!("<{tag}>").repeat(depth),
        format!("</{tag}>").repeat(depth)
    )
}

/// Starts the test site on an ephemeral loopback port.
async fn serve() -> (SocketAddr, Site) {
    let site = Site::default();
    let bomb = Bytes::from(gzip_bomb());
    let app = Router::new()
        .route("/ad", get(|| async { html(AD_PAGE) }))
        .route(
            "/cp1251",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html; charset=windows-1251")],
                    windows_1251("<p>Оплата от 250 000 рублей в месяц, подъёмные 100 000 руб.</p>"),
                )
            }),
        )
        .route(
            "/cp1251-meta",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "text/html")],
                    windows_1251("<html><head><meta charset=\"windows-1251\"><title>Вакансия</title></head><body><p>Зарплата 350 000 рублей в месяц</p></body></html>"),
                )
            }),
        )
        .route("/huge", get(huge))
        .route(
            "/slow",
            get(|| async {
                tokio::time::sleep(Duration::from_secs(60)).await;
                html("<p>Выплата 100 000 рублей</p>")
            }),
        )
        .route(
            "/binary",
            get(|| async {
                (
                    [(header::CONTENT_TYPE, "image/png")],
                    b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec(),
                )
            }),
        )
        .route(
            "/untyped",
            get(|| async { Response::new(Body::from(vec![0u8, 1, 2, 3, 0, 0, 7])) }),
        )
        .route("/r/{n}", get(redirect))
        .route(
            "/missing",
            get(|| async { (StatusCode::NOT_FOUND, html("<p>нет</p>")) }),
        )
        .route(
            "/gzip",
            get(move || {
                let bomb = bomb.clone();
                async move {
                    (
                        [
                            (header::CONTENT_TYPE, "text/html"),
                            (header::CONTENT_ENCODING, "gzip"),
                        ],
                        bomb,
                    )
                }
            }),
        )
        .route("/changing", get(changing))
        .route("/hold/{n}", get(hold))
        .route("/spans", get(|| async { html(nested("span", 20_000)) }))
        .route("/divs", get(|| async { html(nested("div", 50_000)) }))
        .route(
            "/to-file",
            get(|| async {
                (
                    StatusCode::FOUND,
                    [(header::LOCATION, "file:///etc/passwd")],
                )
            }),
        )
        .with_state(site.clone())
        .layer(middleware::from_fn_with_state(site.clone(), count));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (addr, site)
}

/// Settings for reading the test site: private addresses allowed, as `FETCH_ALLOW_PRIVATE=1`.
fn open_settings() -> FetchSettings {
    FetchSettings {
        allow_private: true,
        ..FetchSettings::default()
    }
}

fn at(addr: SocketAddr, path: &str) -> Url {
    Url::parse(&format!("http://{addr}{path}")).unwrap()
}

#[tokio::test]
async fn a_page_is_read_as_a_visitor_sees_it_without_its_scripts() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(open_settings()).unwrap();
    let page = fetcher.fetch(&at(addr, "/ad")).await.unwrap();
    assert_eq!(page.status, 200);
    assert_eq!(page.final_url, at(addr, "/ad").to_string());
    assert_eq!(page.sha256.len(), 64);
    assert!(!page.truncated);
    let text = page.text.joined();
    assert!(text.contains("495 000 рублей"), "{text}");
    assert!(text.contains("Сахалинской"), "{text}");
    for hidden in ["777 777", "999 999", "888 888", "666 666", "555 555"] {
        assert!(!text.contains(hidden), "{hidden} leaked into {text}");
    }
}

#[tokio::test]
async fn windows_1251_pages_are_decoded_from_the_header_or_the_meta_tag() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(open_settings()).unwrap();
    let page = fetcher.fetch(&at(addr, "/cp1251")).await.unwrap();
    assert!(
        page.text.body.contains("Оплата от 250 000 рублей в месяц"),
        "{:?}",
        page.text
    );
    let page = fetcher.fetch(&at(addr, "/cp1251-meta")).await.unwrap();
    assert_eq!(page.text.title.as_deref(), Some("Вакансия"));
    assert!(page.text.body.contains("350 000 рублей"), "{:?}", page.text);
}

#[tokio::test]
async fn a_50_mb_page_is_cut_at_the_limit() {
    let (addr, site) = serve().await;
    let fetcher = Fetcher::new(open_settings()).unwrap();
    let page = fetcher.fetch(&at(addr, "/huge")).await.unwrap();
    assert!(page.truncated);
    assert_eq!(page.bytes, 2_000_000);
    assert!(page.text.body.contains("300 000 рублей"));
    // The reader stopped: the server did not get to hand over the whole 50 MB.
    let streamed = site.streamed.load(Ordering::SeqCst);
    assert!(streamed < 20 * 1024 * 1024, "{streamed} bytes streamed");
}

#[tokio::test]
async fn gzip_is_decoded_within_the_same_limit() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(FetchSettings {
        max_bytes: 100_000,
        ..open_settings()
    })
    .unwrap();
    let page = fetcher.fetch(&at(addr, "/gzip")).await.unwrap();
    assert!(page.truncated);
    assert_eq!(page.bytes, 100_000);
    assert!(page.text.body.contains("3000 USD"), "{:?}", page.text);
}

#[tokio::test]
async fn a_page_that_answers_after_60_seconds_times_out() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(FetchSettings {
        timeout: Duration::from_millis(700),
        ..open_settings()
    })
    .unwrap();
    let started = std::time::Instant::now();
    let result = fetcher.fetch(&at(addr, "/slow")).await;
    assert_eq!(result, Err(Failure::Timeout));
    assert!(started.elapsed() < Duration::from_secs(30));
}

#[tokio::test]
async fn deeply_nested_pages_are_read_to_the_offer() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(open_settings()).unwrap();
    for path in ["/spans", "/divs"] {
        let page = fetcher.fetch(&at(addr, path)).await.unwrap();
        let text = page.text.joined();
        assert!(text.contains("Контракт"), "{path}: {text}");
        assert!(text.contains("Выплата 495 000 рублей"), "{path}: {text}");
    }
}

#[tokio::test]
async fn binaries_are_not_read() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(open_settings()).unwrap();
    assert_eq!(
        fetcher.fetch(&at(addr, "/binary")).await,
        Err(Failure::NotAPage("image/png".into()))
    );
    assert!(matches!(
        fetcher.fetch(&at(addr, "/untyped")).await,
        Err(Failure::NotAPage(_))
    ));
}

#[tokio::test]
async fn a_redirect_chain_is_followed_to_its_end_and_no_further_than_five() {
    let (addr, site) = serve().await;
    let fetcher = Fetcher::new(open_settings()).unwrap();
    let page = fetcher.fetch(&at(addr, "/r/4")).await.unwrap();
    assert_eq!(page.final_url, at(addr, "/ad").to_string());
    assert!(page.text.joined().contains("495 000 рублей"));
    assert_eq!(site.requests.load(Ordering::SeqCst), 6);
    assert_eq!(
        fetcher.fetch(&at(addr, "/r/5")).await,
        Err(Failure::TooManyRedirects)
    );
    assert_eq!(
        fetcher.fetch(&at(addr, "/missing")).await,
        Err(Failure::Http(404))
    );
}

#[tokio::test]
async fn every_redirect_is_admitted_again() {
    let (addr, site) = serve().await;
    let fetcher = Fetcher::new(open_settings()).unwrap();
    assert_eq!(
        fetcher.fetch(&at(addr, "/to-file")).await,
        Err(Failure::Scheme)
    );
    assert_eq!(site.requests.load(Ordering::SeqCst), 1);
}

/// Every way of writing "this machine" that the issue names, and a few more.
fn private_spellings(port: u16) -> Vec<String> {
    [
        "localhost",
        "[::1]",
        "2130706433",
        "0x7f.0.0.1",
        "127.1",
        "127.0.0.1",
        "0177.0.0.1",
        "[::ffff:127.0.0.1]",
        "[::ffff:7f00:1]",
    ]
    .iter()
    .map(|host| format!("http://{host}:{port}/ad"))
    .collect()
}

#[tokio::test]
async fn with_default_settings_every_private_spelling_is_refused_before_any_request() {
    let (addr, site) = serve().await;
    // The default settings, but with the test port allowed: the address alone must refuse.
    let fetcher = Fetcher::new(FetchSettings {
        allowed_ports: vec![80, 443, addr.port()],
        ..FetchSettings::default()
    })
    .unwrap();
    for link in private_spellings(addr.port()) {
        let result = fetcher.fetch(&Url::parse(&link).unwrap()).await;
        assert!(
            matches!(result, Err(Failure::Blocked(_))),
            "{link}: {result:?}"
        );
    }
    // And with the default ports, the port refuses as well.
    let strict = Fetcher::new(FetchSettings::default()).unwrap();
    assert_eq!(
        strict.fetch(&at(addr, "/ad")).await,
        Err(Failure::Port(addr.port()))
    );
    assert_eq!(site.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn a_name_is_refused_for_its_address() {
    let fetcher = Fetcher::new(FetchSettings::default()).unwrap();
    assert_eq!(
        fetcher
            .fetch(&Url::parse("http://localhost/").unwrap())
            .await,
        Err(Failure::Blocked(Refusal::Loopback))
    );
}

fn bot_config(fetch: FetchSettings) -> Config {
    Config {
        user_rate_per_minute: 100,
        fetch,
        ..Config::default()
    }
}

/// The `sendMessage` texts so far.
fn texts(api: &FakeBotApi) -> Vec<String> {
    api.calls("sendMessage")
        .iter()
        .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

#[tokio::test]
async fn the_bot_answers_at_once_then_tells_what_the_page_shows_and_keeps_the_evidence() {
    let (addr, _) = serve().await;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let bot =
        RunningBot::start_configured(db.store.clone(), api, bot_config(open_settings())).await;
    let link = at(addr, "/r/1");
    bot.api.push(text_message(
        1,
        42,
        "ru",
        &format!("Посмотри, что мне прислали: {link}"),
    ));
    let sent = bot.api.wait_for("sendMessage", 2).await;
    let first = sent[0].body["text"].as_str().unwrap();
    assert!(first.contains("Открываю ссылку"), "{first}");
    // No verdict on a bare link before its page is read.
    assert!(!first.contains("не похоже"), "{first}");
    let second = &sent[1].body;
    assert_eq!(second["reply_parameters"]["message_id"], 10);
    let page = second["text"].as_str().unwrap();
    assert!(page.contains("495 000 рублей"), "{page}");
    assert!(page.contains("+79241234567"), "{page}");
    assert!(page.contains("вербовку"), "{page}");
    assert!(
        !page.contains("777 777") && !page.contains("666 666"),
        "{page}"
    );

    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    let links = &rows[0].links;
    assert_eq!(links.len(), 1);
    assert_eq!(links[0].url, link.to_string());
    assert_eq!(links[0].state, "fetched");
    let snapshot = links[0].snapshot.as_ref().unwrap();
    assert_eq!(snapshot.final_url, at(addr, "/ad").to_string());
    assert_eq!(snapshot.status, 200);
    assert_eq!(snapshot.sha256.len(), 64);
    assert!(snapshot.text.contains("495 000 рублей"));
    assert!(snapshot.fetched_at > 0);
    // The page's findings join the report: its label and its phone.
    assert_eq!(rows[0].label, adwatch::extract::Label::MilitaryRecruitment);
    bot.stop().await;
}

#[tokio::test]
async fn a_citizen_who_sends_a_deeply_nested_page_gets_what_it_shows_and_the_bot_lives_on() {
    let (addr, _) = serve().await;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let bot =
        RunningBot::start_configured(db.store.clone(), api, bot_config(open_settings())).await;
    for (n, path) in ["/spans", "/divs"].into_iter().enumerate() {
        let chat = 60 + n as i64;
        bot.api.push(text_message(
            10 + n as i64,
            chat,
            "ru",
            &format!("Прислали ссылку: {}", at(addr, path)),
        ));
        let sent = bot.api.wait_for("sendMessage", 2 * (n + 1)).await;
        let page = sent[2 * n + 1].body["text"].as_str().unwrap();
        assert_eq!(sent[2 * n + 1].body["chat_id"], chat, "{page}");
        assert!(page.contains("495 000 рублей"), "{path}: {page}");
    }
    // Still answering.
    bot.api.push(text_message(
        20,
        70,
        "ru",
        "Выплата 300 000 рублей за контракт",
    ));
    let sent = bot.api.wait_for("sendMessage", 5).await;
    assert_eq!(sent[4].body["chat_id"], 70);
    bot.stop().await;
}

#[tokio::test]
async fn no_more_than_fetch_concurrency_pages_are_read_at_once() {
    let (addr, site) = serve().await;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let settings = FetchSettings {
        concurrency: 2,
        max_links: 6,
        ..open_settings()
    };
    let bot = RunningBot::start_configured(db.store.clone(), api, bot_config(settings)).await;
    let links: Vec<String> = (1..=6)
        .map(|n| at(addr, &format!("/hold/{n}")).to_string())
        .collect();
    bot.api.push(text_message(
        1,
        80,
        "ru",
        &format!("Вакансии: {}", links.join(" ")),
    ));
    let sent = bot.api.wait_for("sendMessage", 2).await;
    let page = sent[1].body["text"].as_str().unwrap();
    for n in 1..=6 {
        assert!(page.contains(&format!("{n}00 000 рублей")), "{n}: {page}");
    }
    assert_eq!(site.requests.load(Ordering::SeqCst), 6);
    assert_eq!(site.most_held.load(Ordering::SeqCst), 2);
    bot.stop().await;
}

#[tokio::test]
async fn a_page_not_read_in_time_is_too_complex_and_keeps_its_slot_until_read() {
    let (addr, _) = serve().await;
    let fetcher = Fetcher::new(FetchSettings {
        concurrency: 1,
        timeout: Duration::from_millis(500),
        ..open_settings()
    })
    .unwrap();
    // An analysis that outlasts the time limit, as a page too heavy to read would.
    let finished = Arc::new(std::sync::atomic::AtomicBool::new(false));
    let done = finished.clone();
    let slow = fetcher
        .fetch_with(&at(addr, "/ad"), move |_| {
            std::thread::sleep(Duration::from_millis(1500));
            done.store(true, Ordering::SeqCst);
        })
        .await;
    assert_eq!(slow.map(|_| ()), Err(Failure::TooComplex));
    // The one slot was still taken by that analysis: the next link starts after it ended.
    let seen = finished.clone();
    let (page, after) = fetcher
        .fetch_with(&at(addr, "/ad"), move |_| seen.load(Ordering::SeqCst))
        .await
        .unwrap();
    assert!(
        after,
        "the next page was read while the slow one still held the slot"
    );
    assert!(page.text.joined().contains("495 000 рублей"));
}

#[test]
fn a_citizen_is_told_in_their_language_when_a_page_was_too_complex() {
    use adwatch::extract::Lang;
    use adwatch::service::{LinkOutcome, LinkResult};
    let url = Url::parse("https://example.com/heavy").unwrap();
    let outcome = |failure| LinkOutcome {
        url: url.clone(),
        result: LinkResult::Failed(failure),
    };
    for lang in Lang::ALL {
        let render = |f| adwatch::telegram::render::pages(lang, &[outcome(f)], 2_000_000).unwrap();
        let (heavy, slow) = (render(Failure::TooComplex), render(Failure::Timeout));
        assert_ne!(heavy, slow, "{lang:?}");
        assert!(!heavy.contains("page-too-complex"), "{lang:?}: {heavy}");
    }
    let en = adwatch::telegram::render::pages(Lang::En, &[outcome(Failure::TooComplex)], 2_000_000);
    assert!(en.unwrap().contains("built so heavily"));
}

#[tokio::test]
async fn a_link_is_read_once_per_report_and_a_changed_page_is_a_new_snapshot() {
    let (addr, site) = serve().await;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let bot =
        RunningBot::start_configured(db.store.clone(), api, bot_config(open_settings())).await;
    let link = at(addr, "/changing");
    // Two citizens send the same message: one report, one read.
    bot.api
        .push(text_message(1, 1, "en", &format!("look {link}")));
    bot.api.wait_for("sendMessage", 2).await;
    bot.api
        .push(text_message(2, 2, "en", &format!("look {link}")));
    bot.api.wait_for("sendMessage", 4).await;
    assert_eq!(site.requests.load(Ordering::SeqCst), 1);
    assert!(
        texts(&bot.api)[3].contains("300 000"),
        "{:?}",
        texts(&bot.api)
    );
    // The page changes; another ad with the same link is a new report and a new snapshot.
    site.version.store(1, Ordering::SeqCst);
    bot.api.push(text_message(
        3,
        3,
        "en",
        &format!("another ad, same site {link}"),
    ));
    bot.api.wait_for("sendMessage", 6).await;
    assert_eq!(site.requests.load(Ordering::SeqCst), 2);
    let snapshots = bot.store.snapshots_of(link.as_str()).await.unwrap();
    assert_eq!(snapshots.len(), 2);
    assert_ne!(snapshots[0].sha256, snapshots[1].sha256);
    assert!(snapshots[1].text.contains("400 000"));
    bot.stop().await;
}

#[tokio::test]
async fn failures_are_told_in_plain_words_and_the_report_keeps_the_link() {
    let (addr, _) = serve().await;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let settings = FetchSettings {
        // Long enough for the 2 MB page on a loaded machine; the slow page still times out.
        timeout: Duration::from_secs(4),
        max_links: 5,
        ..open_settings()
    };
    let bot = RunningBot::start_configured(db.store.clone(), api, bot_config(settings)).await;
    let message = format!(
        "Job offer! {} {} {} {}",
        at(addr, "/missing"),
        at(addr, "/binary"),
        at(addr, "/slow"),
        at(addr, "/huge"),
    );
    bot.api.push(text_message(1, 5, "en", &message));
    let sent = bot.api.wait_for("sendMessage", 2).await;
    let page = sent[1].body["text"].as_str().unwrap();
    assert!(page.contains("HTTP 404"), "{page}");
    assert!(page.contains("not a web page"), "{page}");
    assert!(page.contains("did not answer in time"), "{page}");
    assert!(page.contains("larger than 2 MB"), "{page}");
    assert!(page.contains("kept with your report"), "{page}");
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    let mut states: Vec<(String, Option<String>)> = rows[0]
        .links
        .iter()
        .map(|l| (l.state.clone(), l.failure.clone()))
        .collect();
    states.sort();
    assert_eq!(
        states,
        [
            ("failed".to_string(), Some("http".to_string())),
            ("failed".to_string(), Some("not_a_page".to_string())),
            ("failed".to_string(), Some("timeout".to_string())),
            ("fetched".to_string(), None),
        ]
    );
    let metrics = bot.app.metrics.render();
    for outcome in ["fetched", "http", "not_a_page", "timeout"] {
        let line = format!("adwatch_fetches_total{{outcome=\"{outcome}\"}} 1");
        assert!(metrics.contains(&line), "{line} in\n{metrics}");
    }
    bot.stop().await;
}

#[tokio::test]
async fn the_bot_with_default_settings_refuses_every_private_spelling_and_says_so() {
    let (addr, site) = serve().await;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let settings = FetchSettings {
        allowed_ports: vec![80, 443, addr.port()],
        max_links: 20,
        ..FetchSettings::default()
    };
    let bot = RunningBot::start_configured(db.store.clone(), api, bot_config(settings)).await;
    let spellings = private_spellings(addr.port());
    // As Telegram sends it: each link marked as a `url` entity (offsets in UTF-16 units).
    let mut text = String::from("Work abroad:");
    let mut entities = Vec::new();
    for link in &spellings {
        text.push(' ');
        entities.push(serde_json::json!({"type": "url", "offset": text.encode_utf16().count(), "length": link.encode_utf16().count()}));
        text.push_str(link);
    }
    bot.api.push(crate::bot::private_message(
        1,
        6,
        "en",
        serde_json::json!({"text": text, "entities": entities}),
    ));
    // A hidden link target is read too, and refused the same way.
    bot.api.push(crate::bot::private_message(
        2,
        6,
        "en",
        serde_json::json!({
            "text": "Apply here",
            "entities": [{"type": "text_link", "offset": 0, "length": 5, "url": format!("http://0x7f.1:{}/ad", addr.port())}],
        }),
    ));
    let sent = bot.api.wait_for("sendMessage", 4).await;
    let answers: Vec<&str> = sent
        .iter()
        .filter_map(|c| c.body["text"].as_str())
        .collect();
    let refusals = answers
        .iter()
        .map(|t| t.matches("private network").count())
        .sum::<usize>();
    // The spellings of 127.0.0.1 are one link once normalised; each distinct link is refused.
    let distinct = adwatch::fetch::normalise_links(spellings.iter().map(String::as_str));
    assert_eq!(distinct.len(), 4, "{distinct:?}");
    assert_eq!(refusals, distinct.len() + 1, "{answers:?}");
    assert_eq!(site.requests.load(Ordering::SeqCst), 0);
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    let failures: Vec<_> = rows
        .iter()
        .flat_map(|r| r.links.iter())
        .map(|l| l.failure.clone().unwrap_or_default())
        .collect();
    assert!(!failures.is_empty());
    assert!(failures.iter().all(|f| f == "blocked"), "{failures:?}");
    bot.stop().await;
}

#[tokio::test]
async fn with_fetching_off_links_are_recorded_and_nothing_is_requested() {
    let (addr, site) = serve().await;
    let db = crate::db::sqlite().await;
    let api = FakeBotApi::start().await;
    let settings = FetchSettings {
        enabled: false,
        ..open_settings()
    };
    let bot = RunningBot::start_configured(db.store.clone(), api, bot_config(settings)).await;
    bot.api.push(text_message(
        1,
        8,
        "en",
        &format!("see {}", at(addr, "/ad")),
    ));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    assert!(!sent[0].body["text"]
        .as_str()
        .unwrap()
        .contains("opening the link"));
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bot.api.calls("sendMessage").len(), 1);
    assert_eq!(site.requests.load(Ordering::SeqCst), 0);
    bot.stop().await;
}

/// Every special-purpose range of the IANA IPv4 and IPv6 registries (and the rest of the
/// address space that is not global unicast), with the RFC that sets it aside and the refusal
/// the guard gives. The first and last addresses of each are refused, for the reason of the
/// most specific range that holds them (`::` is unspecified before it is IPv4-compatible).
const REFUSED_RANGES: &[(&str, &str, Refusal)] = &[
    // IPv4 (IANA IPv4 Special-Purpose Address Registry).
    (
        "0.0.0.0/8",
        "RFC 791 \"this network\"",
        Refusal::Unspecified,
    ),
    ("10.0.0.0/8", "RFC 1918 private use", Refusal::Private),
    (
        "100.64.0.0/10",
        "RFC 6598 shared address space",
        Refusal::SharedAddressSpace,
    ),
    ("127.0.0.0/8", "RFC 1122 loopback", Refusal::Loopback),
    ("169.254.0.0/16", "RFC 3927 link local", Refusal::LinkLocal),
    ("172.16.0.0/12", "RFC 1918 private use", Refusal::Private),
    (
        "192.0.0.0/24",
        "RFC 6890 IETF protocol assignments",
        Refusal::Reserved,
    ),
    (
        "192.0.2.0/24",
        "RFC 5737 TEST-NET-1",
        Refusal::Documentation,
    ),
    (
        "192.88.99.0/24",
        "RFC 7526 deprecated 6to4 relay anycast",
        Refusal::Reserved,
    ),
    ("192.168.0.0/16", "RFC 1918 private use", Refusal::Private),
    ("198.18.0.0/15", "RFC 2544 benchmarking", Refusal::Reserved),
    (
        "198.51.100.0/24",
        "RFC 5737 TEST-NET-2",
        Refusal::Documentation,
    ),
    (
        "203.0.113.0/24",
        "RFC 5737 TEST-NET-3",
        Refusal::Documentation,
    ),
    ("224.0.0.0/4", "RFC 5771 multicast", Refusal::Multicast),
    ("240.0.0.0/4", "RFC 1112 reserved", Refusal::Reserved),
    (
        "255.255.255.255/32",
        "RFC 919 limited broadcast",
        Refusal::Broadcast,
    ),
    // IPv6 (IANA IPv6 Special-Purpose Address Registry, IPv6 Address Space registry).
    ("::/128", "RFC 4291 unspecified", Refusal::Unspecified),
    ("::1/128", "RFC 4291 loopback", Refusal::Loopback),
    (
        "::ffff:0:0/96",
        "RFC 4291 IPv4-mapped",
        Refusal::EmbeddedIpv4,
    ),
    (
        "::ffff:0:0:0/96",
        "RFC 2765 / RFC 6052 IPv4-translated",
        Refusal::EmbeddedIpv4,
    ),
    (
        "::/96",
        "RFC 4291 IPv4-compatible (deprecated)",
        Refusal::EmbeddedIpv4,
    ),
    ("::/8", "RFC 4291 reserved by the IETF", Refusal::Reserved),
    (
        "64:ff9b::/96",
        "RFC 6052 IPv4/IPv6 translation (NAT64)",
        Refusal::EmbeddedIpv4,
    ),
    (
        "64:ff9b:1::/48",
        "RFC 8215 local-use IPv4/IPv6 translation",
        Refusal::EmbeddedIpv4,
    ),
    (
        "0:0:0:1::/64",
        "RFC 4291 reserved by the IETF (the rest of ::/8)",
        Refusal::Reserved,
    ),
    (
        "1::/16",
        "RFC 4291 reserved by the IETF (the rest of ::/8)",
        Refusal::Reserved,
    ),
    (
        "ff::/16",
        "RFC 4291 reserved by the IETF (the rest of ::/8)",
        Refusal::Reserved,
    ),
    ("100::/64", "RFC 6666 discard-only", Refusal::Reserved),
    (
        "100::/8",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    ("200::/7", "RFC 4048 deprecated NSAP", Refusal::Reserved),
    (
        "400::/6",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "800::/5",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "1000::/4",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "2001::/23",
        "RFC 2928 IETF protocol assignments",
        Refusal::Reserved,
    ),
    ("2001::/32", "RFC 4380 Teredo", Refusal::Reserved),
    (
        "2001:1::1/128",
        "RFC 7723 port control protocol anycast",
        Refusal::Reserved,
    ),
    ("2001:2::/48", "RFC 5180 benchmarking", Refusal::Reserved),
    ("2001:3::/32", "RFC 7450 AMT", Refusal::Reserved),
    ("2001:4:112::/48", "RFC 7535 AS112-v6", Refusal::Reserved),
    (
        "2001:10::/28",
        "RFC 4843 deprecated ORCHID",
        Refusal::Reserved,
    ),
    ("2001:20::/28", "RFC 7343 ORCHIDv2", Refusal::Reserved),
    (
        "2001:30::/28",
        "RFC 9374 drone remote ID",
        Refusal::Reserved,
    ),
    (
        "2001:db8::/32",
        "RFC 3849 documentation",
        Refusal::Documentation,
    ),
    ("2002::/16", "RFC 3056 6to4", Refusal::EmbeddedIpv4),
    (
        "3fff::/20",
        "RFC 9637 documentation",
        Refusal::Documentation,
    ),
    (
        "4000::/3",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    ("5f00::/16", "RFC 9602 SRv6 SIDs", Refusal::Reserved),
    (
        "6000::/3",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "8000::/3",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "a000::/3",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "c000::/3",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "e000::/4",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "f000::/5",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "f800::/6",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    ("fc00::/7", "RFC 4193 unique local", Refusal::Private),
    (
        "fe00::/9",
        "RFC 4291 reserved by the IETF",
        Refusal::Reserved,
    ),
    (
        "fe80::/10",
        "RFC 4291 link-local unicast",
        Refusal::LinkLocal,
    ),
    (
        "fec0::/10",
        "RFC 3879 deprecated site-local",
        Refusal::Private,
    ),
    ("ff00::/8", "RFC 4291 multicast", Refusal::Multicast),
];

/// Public addresses, several just beside a refused range, and the special-purpose ranges the
/// IANA registries mark globally reachable (anycast services, which are not private).
const ADMITTED: &[&str] = &[
    "1.1.1.1",
    "8.8.8.8",
    "95.167.1.1",
    "9.255.255.255",
    "11.0.0.0",
    "100.63.255.255",
    "100.128.0.0",
    "126.255.255.255",
    "128.0.0.0",
    "169.253.255.255",
    "172.15.255.255",
    "172.32.0.0",
    "191.255.255.255",
    "192.0.1.0",
    "192.0.3.0",
    "192.31.196.1",
    "192.52.193.1",
    "192.88.98.255",
    "192.88.100.0",
    "192.167.255.255",
    "192.169.0.0",
    "192.175.48.1",
    "198.17.255.255",
    "198.20.0.0",
    "198.51.99.255",
    "203.0.112.255",
    "223.255.255.255",
    "2001:200::1",
    "2001:4860:4860::8888",
    "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff",
    "2001:db9::1",
    "2003::1",
    "2606:4700:4700::1111",
    "2620:4f:8000::1",
    "2a00:1450:4010:c05::8b",
    "3ffe:ffff::1",
    "3fff:1000::1",
];

/// A range written `address/prefix` as (first, last, prefix length), addresses as numbers
/// (IPv4 ones mapped into IPv6 so that one type holds both).
fn range(cidr: &str) -> (u128, u128, u32) {
    use std::net::IpAddr;
    let (addr, prefix) = cidr.split_once('/').unwrap();
    let mut prefix: u32 = prefix.parse().unwrap();
    let addr = match addr.parse::<IpAddr>().unwrap() {
        IpAddr::V4(v4) => {
            prefix += 96;
            u128::from(v4.to_ipv6_mapped())
        }
        IpAddr::V6(v6) => u128::from(v6),
    };
    let host = u128::MAX.checked_shr(prefix).unwrap_or(0);
    (addr & !host, addr | host, prefix)
}

/// An address as [`range`] numbers it, back.
fn address(n: u128, v4: bool) -> std::net::IpAddr {
    let v6 = std::net::Ipv6Addr::from(n);
    match v6.to_ipv4_mapped() {
        Some(v4addr) if v4 => std::net::IpAddr::V4(v4addr),
        _ => std::net::IpAddr::V6(v6),
    }
}

#[test]
fn the_guard_refuses_every_special_purpose_range() {
    use adwatch::fetch::guard::check_ip;
    let mut holes = Vec::new();
    for &(cidr, rfc, _) in REFUSED_RANGES {
        let v4 = !cidr.contains(':');
        let (first, last, _) = range(cidr);
        for n in [first, last] {
            // The reason of the most specific listed range of the same family.
            let (_, why) = REFUSED_RANGES
                .iter()
                .filter(|(c, _, _)| c.contains(':') != v4)
                .map(|&(c, _, why)| (range(c), why))
                .filter(|((f, l, _), _)| (*f..=*l).contains(&n))
                .map(|((_, _, prefix), why)| (prefix, why))
                .max_by_key(|(prefix, _)| *prefix)
                .unwrap();
            let ip = address(n, v4);
            if check_ip(ip) != Err(why) {
                holes.push(format!("{ip} in {cidr} ({rfc}): {:?}", check_ip(ip)));
            }
        }
    }
    for ip in ADMITTED {
        if check_ip(ip.parse().unwrap()).is_err() {
            holes.push(format!(
                "{ip} is public: {:?}",
                check_ip(ip.parse().unwrap())
            ));
        }
    }
    assert!(holes.is_empty(), "{}", holes.join("\n"));
}

#[test]
fn ipv6_literals_that_carry_a_private_ipv4_are_refused_before_any_request() {
    let fetcher = Fetcher::new(FetchSettings::default()).unwrap();
    for link in [
        "http://[::ffff:0:7f00:1]/",
        "http://[::ffff:0:10.0.0.1]/",
        "http://[64:ff9b:1::a9fe:a9fe]/latest/meta-data/",
        "http://[::7f00:1]/",
        "http://[3fff::1]/",
        "http://[5f00::1]/",
    ] {
        let url = Url::parse(link).unwrap();
        assert!(
            matches!(fetcher.admit(&url), Err(Failure::Blocked(_))),
            "{link}: {:?}",
            fetcher.admit(&url)
        );
    }
}
