//! The bot end to end through the fake Bot API: intake, replies, storage, settings.

use std::sync::Arc;
use std::time::Duration;

use adwatch::config::Config;
use adwatch::fetch::FetchSettings;
use adwatch::service::{ReporterKey, Service};
use adwatch::store::{ExportFilter, Store};
use adwatch::telegram::{self, App};
use serde_json::{json, Value};
use tokio::sync::oneshot;

use adwatch_fake_bot_api::FakeBotApi;

use crate::digest::TestClock;

/// 2026-11-23 08:59:50 UTC.
const T0: i64 = 1_795_424_390_000;

const AD: &str =
    "Единовременная выплата 495 000 рублей при подписании контракта с Минобороны России, \
                  ежемесячно от 190 000 рублей. Звоните +7 701 123 45 67";

pub struct RunningBot {
    pub api: FakeBotApi,
    pub store: Store,
    pub app: Arc<App>,
    stop: Option<oneshot::Sender<()>>,
    task: tokio::task::JoinHandle<()>,
}

impl RunningBot {
    pub async fn start(store: Store) -> RunningBot {
        let api = FakeBotApi::start().await;
        Self::start_with(store, api).await
    }

    /// The bot with test settings; links are not fetched (no test reaches the internet).
    pub async fn start_with(store: Store, api: FakeBotApi) -> RunningBot {
        let config = Config {
            send_rate: 30,
            user_rate_per_minute: 5,
            fetch: FetchSettings {
                enabled: false,
                ..FetchSettings::default()
            },
            ..Config::default()
        };
        Self::start_configured(store, api, config).await
    }

    pub async fn start_configured(store: Store, api: FakeBotApi, config: Config) -> RunningBot {
        Self::start_clocked(store, api, config, telegram::system_clock()).await
    }

    /// The bot with a clock the test controls.
    pub async fn start_clocked(
        store: Store,
        api: FakeBotApi,
        config: Config,
        clock: Arc<dyn Fn() -> i64 + Send + Sync>,
    ) -> RunningBot {
        let bot = teloxide::Bot::new("123:TEST").set_api_url(api.url.parse().unwrap());
        let mut app = App::new(
            Service::new(
                store.clone(),
                ReporterKey::new("a test secret of some length"),
            ),
            config,
            clock,
        )
        .expect("the app starts");
        app.probe_ocr().await;
        let app = Arc::new(app);
        let (tx, rx) = oneshot::channel::<()>();
        let task = tokio::spawn(telegram::run(bot, app.clone(), async move {
            let _ = rx.await;
        }));
        RunningBot {
            api,
            store,
            app,
            stop: Some(tx),
            task,
        }
    }

    pub async fn stop(mut self) -> FakeBotApi {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        let _ = tokio::time::timeout(Duration::from_secs(10), self.task).await;
        self.api
    }
}

fn user(id: i64, lang: &str) -> Value {
    json!({"id": id, "is_bot": false, "first_name": "Citizen", "language_code": lang})
}

pub fn private_message(update_id: i64, user_id: i64, lang: &str, extra: Value) -> Value {
    let mut message = json!({
        "message_id": update_id * 10,
        "date": 1_700_000_000,
        "chat": {"id": user_id, "type": "private", "first_name": "Citizen"},
        "from": user(user_id, lang),
    });
    for (k, v) in extra.as_object().unwrap() {
        message[k] = v.clone();
    }
    json!({"update_id": update_id, "message": message})
}

pub fn text_message(update_id: i64, user_id: i64, lang: &str, text: &str) -> Value {
    private_message(update_id, user_id, lang, json!({"text": text}))
}

#[tokio::test]
async fn a_forwarded_channel_post_is_stored_with_its_link_and_answered_in_russian() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(private_message(1, 42, "ru", json!({
        "text": AD,
        "forward_origin": {"type": "channel", "chat": {"id": -100_777, "type": "channel", "title": "Работа за границей", "username": "jobs_abroad"}, "message_id": 77, "date": 1_699_000_000},
    })));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    assert_eq!(sent.len(), 1);
    let reply = &sent[0].body;
    assert_eq!(reply["chat_id"], 42);
    assert_eq!(reply["parse_mode"], "HTML");
    let text = reply["text"].as_str().unwrap();
    assert!(text.contains("вербовку"), "{text}");
    assert!(text.contains("495 000 рублей"), "{text}");
    assert!(text.contains("≈ $"), "{text}");
    assert!(text.contains("+77011234567"), "{text}");
    assert!(
        reply["reply_markup"]["inline_keyboard"]
            .to_string()
            .contains("c:KZ"),
        "the first reply offers countries"
    );
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].origins[0]["link"], "https://t.me/jobs_abroad/77");
    bot.stop().await;
}

/// Telegram's app has no Kyrgyz, Tajik, Armenian, Nepali or Hindi of its own: a citizen who
/// writes in one of them with the app in Russian or English is answered in the language they
/// wrote; a pasted Russian ad from a Kazakh-speaking app is answered in Kazakh.
#[tokio::test]
async fn a_citizen_is_answered_in_the_language_they_wrote_when_the_app_speaks_russian() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    let english_start = adwatch::i18n::t(adwatch::extract::Lang::En, "start");
    let cases = [
        ("ru", "Мага Орусияга барып иштөө үчүн келишим сунушташты, айына 200 миң рубль төлөйбүз дешти", "ky"),
        ("en", "Ба ман барои кор дар Русия шартнома пешниҳод карданд, моҳона 200 ҳазор рубл ваъда доданд", "tg"),
        ("kk", "Служба по контракту, единовременная выплата 495 000 рублей, звоните", "kk"),
    ];
    for (i, (app, text, expected)) in cases.iter().enumerate() {
        bot.api
            .push(text_message(i as i64 + 1, 100 + i as i64, app, text));
        let sent = bot.api.wait_for("sendMessage", i + 1).await;
        let reply = sent[i].body["text"].as_str().unwrap().to_string();
        let lang = adwatch::extract::Lang::from_code(expected).unwrap();
        let reference = adwatch::i18n::t(lang, "reference");
        let word = reference
            .split([':', '՝'])
            .next()
            .unwrap()
            .trim()
            .to_string();
        assert!(reply.contains(&word), "{expected}: {word} not in {reply}");
        assert!(!reply.contains(&english_start));
    }
    bot.stop().await;
}

#[tokio::test]
async fn a_hidden_users_forward_keeps_the_name_and_arabic_gets_an_arabic_answer() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(private_message(1, 7, "ar", json!({
        "text": "راتب شهري لا تقل قيمته عن 190 ألف روبل للانضمام إلى الجيش الروسي",
        "forward_origin": {"type": "hidden_user", "sender_user_name": "Recruiter Ivan", "date": 1_699_000_000},
    })));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    let text = sent[0].body["text"].as_str().unwrap();
    assert!(text.contains("تجنيد"), "{text}");
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows[0].origins[0]["name"], "Recruiter Ivan");
    bot.stop().await;
}

#[tokio::test]
async fn three_citizens_sending_the_same_ad_make_one_report_and_the_third_hears_the_count() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(text_message(1, 1, "ru", AD));
    bot.api.wait_for("sendMessage", 1).await;
    bot.api
        .push(text_message(2, 2, "ru", &format!("🔥 {AD} 🔥")));
    bot.api.wait_for("sendMessage", 2).await;
    bot.api.push(text_message(3, 3, "ru", AD));
    let sent = bot.api.wait_for("sendMessage", 3).await;
    assert!(
        sent[2].body["text"]
            .as_str()
            .unwrap()
            .contains("сообщили 3 человек"),
        "{}",
        sent[2].body["text"]
    );
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].report_count, 3);
    bot.stop().await;
}

#[tokio::test]
async fn hostile_markup_is_escaped_in_the_reply() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(text_message(
        1,
        5,
        "en",
        "<script>alert(1)</script> & salary 5000$ <b>now</b> @evil_recruiter",
    ));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    let text = sent[0].body["text"].as_str().unwrap();
    assert!(
        !text.contains("<script>") && !text.contains("<b>now"),
        "{text}"
    );
    assert!(text.contains("5000$"), "{text}");
    bot.stop().await;
}

#[tokio::test]
async fn odd_update_kinds_get_a_short_explanation_or_nothing() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(private_message(1, 9, "en", json!({"sticker": {"file_id": "s", "file_unique_id": "u", "type": "regular", "width": 512, "height": 512, "is_animated": false, "is_video": false}})));
    bot.api.push(json!({"update_id": 2, "edited_message": {"message_id": 20, "date": 1_700_000_000, "edit_date": 1_700_000_001, "chat": {"id": 9, "type": "private", "first_name": "C"}, "from": user(9, "en"), "text": AD}}));
    bot.api.push(json!({"update_id": 3, "channel_post": {"message_id": 30, "date": 1_700_000_000, "chat": {"id": -1005, "type": "channel", "title": "C"}, "text": AD}}));
    bot.api.push(json!({"update_id": 4, "message": {"message_id": 40, "date": 1_700_000_000, "chat": {"id": -200, "type": "group", "title": "G"}, "from": user(9, "en"), "text": AD}}));
    bot.api.push(text_message(5, 9, "en", &"x".repeat(4100)));
    let sent = bot.api.wait_for("sendMessage", 2).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent_now = bot.api.calls("sendMessage");
    assert_eq!(
        sent_now.len(),
        2,
        "only the sticker and the long text are answered: {sent_now:?}"
    );
    assert!(
        sent[0].body["text"].as_str().unwrap().contains("Stickers"),
        "{:?}",
        sent[0].body
    );
    assert!(
        sent[1].body["text"].as_str().unwrap().contains("4096"),
        "{:?}",
        sent[1].body
    );
    assert!(bot
        .store
        .export(&ExportFilter::default())
        .await
        .unwrap()
        .is_empty());
    bot.stop().await;
}

#[tokio::test]
async fn a_redelivered_update_changes_nothing_and_a_restart_keeps_the_counts() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(text_message(1, 11, "ru", AD));
    bot.api.push(text_message(1, 11, "ru", AD));
    bot.api.wait_for("sendMessage", 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(bot.api.calls("sendMessage").len(), 1);
    let api = bot.stop().await;

    let store = Store::connect(&db.url).await.unwrap();
    let bot = RunningBot::start_with(store, api).await;
    bot.api.push(text_message(1, 11, "ru", AD));
    bot.api.push(text_message(2, 12, "ru", AD));
    let sent = bot.api.wait_for("sendMessage", 2).await;
    assert_eq!(sent.len(), 2);
    assert!(
        sent[1].body["text"]
            .as_str()
            .unwrap()
            .contains("сообщили 2 человек"),
        "{}",
        sent[1].body["text"]
    );
    bot.stop().await;
}

#[tokio::test]
async fn choosing_a_country_answers_the_button_and_sends_its_guidance_then_forget_clears_it() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(text_message(1, 21, "kk", "/country"));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    assert!(sent[0].body["reply_markup"].to_string().contains("c:KZ"));
    bot.api.push(json!({"update_id": 2, "callback_query": {
        "id": "cb-1", "from": user(21, "kk"), "chat_instance": "ci", "data": "c:KZ",
        "message": {"message_id": 5001, "date": 1_700_000_000, "chat": {"id": 21, "type": "private", "first_name": "C"}, "from": {"id": 1000, "is_bot": true, "first_name": "adwatch"}, "text": "?"}
    }}));
    let answered = bot.api.wait_for("answerCallbackQuery", 1).await;
    assert_eq!(answered[0].body["callback_query_id"], "cb-1");
    let sent = bot.api.wait_for("sendMessage", 2).await;
    assert!(
        sent[1].body["text"].as_str().unwrap().contains("172"),
        "Kazakh guidance cites article 172: {}",
        sent[1].body["text"]
    );
    // The next report carries the guidance and no more buttons.
    bot.api.push(text_message(3, 21, "kk", AD));
    let sent = bot.api.wait_for("sendMessage", 3).await;
    assert!(sent[2].body["text"].as_str().unwrap().contains("102"));
    assert!(sent[2].body.get("reply_markup").is_none_or(Value::is_null));
    bot.api.push(text_message(4, 21, "kk", "/forget"));
    bot.api.wait_for("sendMessage", 4).await;
    let hash = ReporterKey::new("a test secret of some length").hash(21);
    assert_eq!(bot.store.user_settings(&hash).await.unwrap(), None);
    bot.stop().await;
}

#[tokio::test]
async fn guidance_in_the_citizens_language_offers_russian_and_english_and_names_its_sources() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    // Each citizen may press five buttons at once; the crafted presses come from others.
    let press_by = |who: i64, update: i64, id: &str, data: &str| {
        json!({"update_id": update, "callback_query": {
            "id": id, "from": user(who, "ky"), "chat_instance": "ci", "data": data,
            "message": {"message_id": 6001, "date": 1_700_000_000, "chat": {"id": 31, "type": "private", "first_name": "C"}, "from": {"id": 1000, "is_bot": true, "first_name": "adwatch"}, "text": "?"}
        }})
    };
    let press = |update: i64, id: &str, data: &str| press_by(31, update, id, data);
    bot.api.push(text_message(1, 31, "ky", "/language"));
    bot.api.wait_for("sendMessage", 1).await;
    bot.api.push(press(2, "cb-1", "l:ky"));
    bot.api.wait_for("answerCallbackQuery", 1).await;
    bot.api.push(press(3, "cb-2", "c:KG"));
    let sent = bot.api.wait_for("sendMessage", 2).await;
    let kyrgyz = &sent[1].body;
    let text = kyrgyz["text"].as_str().unwrap();
    assert!(text.contains("Булактар"), "sources, in Kyrgyz: {text}");
    assert!(
        text.contains("<a href=\"https://babel.ua/"),
        "the sources are links: {text}"
    );
    assert_eq!(kyrgyz["link_preview_options"]["is_disabled"], true);
    let buttons = kyrgyz["reply_markup"].to_string();
    assert!(
        buttons.contains("g:KG:ru") && buttons.contains("g:KG:en") && !buttons.contains("g:KG:ky"),
        "{buttons}"
    );
    // On request, the same guidance in Russian, offering Kyrgyz and English.
    bot.api.push(press(4, "cb-3", "g:KG:ru"));
    let sent = bot.api.wait_for("sendMessage", 3).await;
    let russian = &sent[2].body;
    assert!(
        russian["text"]
            .as_str()
            .unwrap()
            .contains("Посольство или консульство Кыргызстана"),
        "{}",
        russian["text"]
    );
    let buttons = russian["reply_markup"].to_string();
    assert!(
        buttons.contains("g:KG:ky") && buttons.contains("g:KG:en"),
        "{buttons}"
    );
    // Crafted presses are answered and send nothing.
    for (i, data) in ["g:XX:ru", "g:KG:zz", "g:KG", "g:", "g:KG:ru:extra"]
        .iter()
        .enumerate()
    {
        bot.api.push(press_by(
            40 + i as i64,
            5 + i as i64,
            &format!("cb-x{i}"),
            data,
        ));
    }
    let answered = bot.api.wait_for("answerCallbackQuery", 8).await;
    assert_eq!(answered.len(), 8);
    assert_eq!(bot.api.calls("sendMessage").len(), 3);
    bot.stop().await;
}

#[tokio::test]
async fn a_429_storm_is_waited_out_and_every_reply_arrives() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.refuse_sends(3);
    for i in 0..3 {
        bot.api.push(text_message(i + 1, 100 + i, "ru", AD));
    }
    let sent = bot.api.wait_for("sendMessage", 3).await;
    assert_eq!(sent.len(), 3, "every citizen gets a reply after the 429s");
    assert!(bot.api.refused() >= 1);
    assert_eq!(
        bot.store.export(&ExportFilter::default()).await.unwrap()[0].report_count,
        3
    );
    bot.stop().await;
}

/// What was sent to `chat`, in order.
pub fn texts_to(api: &FakeBotApi, chat: i64) -> Vec<String> {
    api.calls("sendMessage")
        .iter()
        .filter(|c| c.body["chat_id"] == chat)
        .map(|c| c.body["text"].as_str().unwrap_or_default().to_string())
        .collect()
}

/// Waits (10 s at most) until `n` messages were sent to `chat`.
pub async fn wait_texts_to(api: &FakeBotApi, chat: i64, n: usize) -> Vec<String> {
    for _ in 0..500 {
        if texts_to(api, chat).len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    texts_to(api, chat)
}

/// The texts of the stored reports, oldest first.
pub async fn report_texts(store: &Store) -> Vec<String> {
    let mut rows = store.export(&ExportFilter::default()).await.unwrap();
    rows.sort_by_key(|r| r.id);
    rows.into_iter().filter_map(|r| r.text).collect()
}

/// Waits (10 s at most) until `n` reports are stored.
pub async fn wait_reports(store: &Store, n: usize) -> Vec<String> {
    for _ in 0..500 {
        if report_texts(store).await.len() >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    report_texts(store).await
}

/// The notice that a citizen's messages wait their turn, and the one that some were dropped.
pub const QUEUED: &str = "in order";
pub const DROPPED: &str = "were not read";

fn count(texts: &[String], needle: &str) -> usize {
    texts.iter().filter(|t| t.contains(needle)).count()
}

fn job(i: i64) -> String {
    format!("Job number {i}: salary 5000$ a month in Moscow")
}

/// The test settings with `rate` messages a minute and `queue` waiting at most.
pub fn rated(rate: u32, queue: usize) -> Config {
    Config {
        send_rate: 30,
        user_rate_per_minute: rate,
        user_queue_max: queue,
        fetch: FetchSettings {
            enabled: false,
            ..FetchSettings::default()
        },
        ..Config::default()
    }
}

/// Issue 13 changed this: messages beyond USER_RATE_PER_MINUTE are no longer refused with a
/// "slow down" each; they wait in the citizen's own queue and are read as the rate allows,
/// after one polite notice.
#[tokio::test]
async fn a_burst_from_one_citizen_gets_a_polite_slow_down() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let api = FakeBotApi::start().await;
    let bot = RunningBot::start_clocked(db.store.clone(), api, rated(5, 50), clock.as_fn()).await;
    for i in 0..7 {
        bot.api.push(text_message(i + 1, 55, "en", &job(i)));
    }
    wait_texts_to(&bot.api, 55, 6).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = texts_to(&bot.api, 55);
    assert_eq!(sent.len(), 6, "five answers and one notice: {sent:?}");
    assert_eq!(count(&sent, QUEUED), 1, "{sent:?}");
    assert!(
        sent[5].contains(QUEUED),
        "the notice follows the answers: {sent:?}"
    );
    assert_eq!(report_texts(&bot.store).await.len(), 5);
    // Five a minute: twelve seconds later the sixth is read, twelve more the seventh, in order
    // and without a second notice within the minute.
    clock.advance(12_000);
    assert_eq!(wait_reports(&bot.store, 6).await.len(), 6);
    clock.advance(12_000);
    let texts = wait_reports(&bot.store, 7).await;
    let expected: Vec<String> = (0..7).map(job).collect();
    assert_eq!(texts, expected);
    let sent = wait_texts_to(&bot.api, 55, 8).await;
    assert_eq!(sent.len(), 8, "{sent:?}");
    assert_eq!(count(&sent, QUEUED), 1, "{sent:?}");
    bot.stop().await;
}

/// The attack of issue 13: 150 messages pushed at once from one chat (two getUpdates batches),
/// then one from another citizen, who had no answer after 30 s.
#[tokio::test]
async fn a_flood_from_one_chat_does_not_delay_another_chats_answer() {
    let db = crate::db::sqlite().await;
    // The rates' clock stands still, so the flooding chat's counts below are exact; the five
    // seconds are real time, measured at the stand-in Bot API.
    let clock = TestClock::at(T0);
    let api = FakeBotApi::start().await;
    let bot = RunningBot::start_clocked(db.store.clone(), api, rated(5, 50), clock.as_fn()).await;
    for i in 0..150 {
        bot.api.push(text_message(i + 1, 66, "en", &job(i)));
    }
    bot.api.push(text_message(151, 67, "en", AD));
    let pushed = std::time::Instant::now();
    let answered = wait_texts_to(&bot.api, 67, 1).await;
    let call = bot
        .api
        .calls("sendMessage")
        .into_iter()
        .find(|c| c.body["chat_id"] == 67)
        .unwrap_or_else(|| panic!("the other citizen was not answered: {answered:?}"));
    let took = call.at.saturating_duration_since(pushed);
    assert!(took < Duration::from_secs(5), "answered after {took:?}");
    // The flooding citizen: their first five answered, one notice that the rest wait, one that
    // those past the bound (50) were dropped; no "slow down" a message.
    let sent = wait_texts_to(&bot.api, 66, 7).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent_now = texts_to(&bot.api, 66);
    assert_eq!(sent_now.len(), 7, "{sent:?}");
    assert_eq!(count(&sent_now, QUEUED), 1, "{sent_now:?}");
    assert_eq!(count(&sent_now, DROPPED), 1, "{sent_now:?}");
    let dropped = bot.app.metrics.updates_dropped.get();
    assert!((90..=100).contains(&dropped), "{dropped} dropped");
    assert!(bot.app.metrics.updates_queued.get() <= 50);
    bot.stop().await;
}

/// One notice a minute however long the queue; past the bound, messages are dropped with one
/// notice; the kept ones are read in order as the rate allows.
#[tokio::test]
async fn a_flood_waits_in_its_own_bounded_queue_and_is_read_in_order() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let api = FakeBotApi::start().await;
    let bot = RunningBot::start_clocked(db.store.clone(), api, rated(5, 6), clock.as_fn()).await;
    for i in 0..20 {
        bot.api.push(text_message(i + 1, 88, "en", &job(i)));
    }
    wait_texts_to(&bot.api, 88, 7).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = texts_to(&bot.api, 88);
    assert_eq!(sent.len(), 7, "five answers and two notices: {sent:?}");
    assert_eq!((count(&sent, QUEUED), count(&sent, DROPPED)), (1, 1));
    assert_eq!(report_texts(&bot.store).await.len(), 5);
    let dropped = bot.app.metrics.updates_dropped.get() as i64;
    let kept = 20 - dropped;
    // Six wait; the one in hand and those handled before the queue filled are kept too.
    assert!((7..=12).contains(&kept), "{kept} kept");
    // Minute by minute the rest of the queue is read, five at a time, in the order sent.
    let mut minutes = 1;
    while report_texts(&bot.store).await.len() < kept as usize && minutes < 4 {
        clock.advance(60_000);
        minutes += 1;
        let expected = (5 * minutes).min(kept as usize);
        assert_eq!(wait_reports(&bot.store, expected).await.len(), expected);
    }
    // Which ones were dropped depends on when the lane had room (under load a later one may
    // find room an earlier one did not); those kept are read in the order sent.
    let texts = report_texts(&bot.store).await;
    assert_eq!(texts.len(), kept as usize, "{texts:?}");
    let sent_order: Vec<usize> = texts
        .iter()
        .map(|t| {
            (0..20)
                .position(|i| job(i) == *t)
                .expect("one of the flood")
        })
        .collect();
    assert!(
        sent_order.windows(2).all(|w| w[0] < w[1]),
        "read in the order sent: {texts:?}"
    );
    assert_eq!(sent_order[..5], [0, 1, 2, 3, 4], "the first five at once");
    tokio::time::sleep(Duration::from_millis(300)).await;
    let sent = texts_to(&bot.api, 88);
    assert!(
        count(&sent, QUEUED) <= minutes,
        "one a minute at most: {sent:?}"
    );
    assert_eq!(count(&sent, DROPPED), 1, "{sent:?}");
    assert_eq!(bot.app.metrics.updates_queued.get(), 0);
    bot.stop().await;
}

/// Updates waiting for their sender's rate when the process stops are not marked done: the
/// next start takes them over and reads them, in order, once each.
#[tokio::test]
async fn a_queue_left_at_shutdown_stays_claimed_and_is_read_after_a_restart() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let api = FakeBotApi::start().await;
    let bot = RunningBot::start_clocked(db.store.clone(), api, rated(5, 50), clock.as_fn()).await;
    for i in 0..8 {
        bot.api.push(text_message(i + 1, 89, "en", &job(i)));
    }
    wait_texts_to(&bot.api, 89, 6).await;
    let api = bot.stop().await;
    assert_eq!(report_texts(&db.store).await.len(), 5);

    // Past the time a stopped process's claims are taken over.
    clock.advance(60_000);
    let store = Store::connect(&db.url).await.unwrap();
    let bot = RunningBot::start_clocked(store, api, rated(5, 50), clock.as_fn()).await;
    let mut texts = wait_reports(&bot.store, 8).await;
    // Taken over in the order claimed; claims made in the same millisecond may come in any
    // order, so only the set is compared.
    texts.sort();
    let mut expected: Vec<String> = (0..8).map(job).collect();
    expected.sort();
    assert_eq!(texts, expected);
    wait_texts_to(&bot.api, 89, 9).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let sent = texts_to(&bot.api, 89);
    assert_eq!(sent.len(), 9, "eight answers and one notice: {sent:?}");
    bot.stop().await;
}

/// Blocks or allows new connections to a test database and ends the open ones.
pub async fn set_postgres_reachable(db_url: &str, reachable: bool) {
    use sqlx::Connection;
    let (base, name) = db_url.rsplit_once('/').unwrap();
    let mut admin = sqlx::PgConnection::connect(&format!("{base}/postgres"))
        .await
        .unwrap();
    sqlx::query(&format!(
        "ALTER DATABASE {name} ALLOW_CONNECTIONS {reachable}"
    ))
    .execute(&mut admin)
    .await
    .unwrap();
    if !reachable {
        sqlx::query(&format!(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '{name}'"
        ))
        .execute(&mut admin)
        .await
        .unwrap();
    }
}

#[tokio::test]
async fn a_report_sent_while_postgres_is_away_is_acknowledged_as_pending_and_stored_when_it_returns(
) {
    let Some(db) = crate::db::postgres().await else {
        return;
    };
    let bot = RunningBot::start(db.store.clone()).await;
    set_postgres_reachable(&db.url, false).await;
    bot.api.push(text_message(
        1,
        61,
        "en",
        "Contract with the Russian army: signing bonus $5,000, call +7 701 123 45 67",
    ));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    assert!(
        sent[0].body["text"]
            .as_str()
            .unwrap()
            .contains("could not save"),
        "{:?}",
        sent[0].body
    );
    set_postgres_reachable(&db.url, true).await;
    let sent = bot.api.wait_for("sendMessage", 2).await;
    assert_eq!(
        sent.len(),
        2,
        "the report is stored and answered once the database is back"
    );
    assert!(
        sent[1].body["text"]
            .as_str()
            .unwrap()
            .contains("Reference number"),
        "{:?}",
        sent[1].body
    );
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows.len(), 1);
    bot.stop().await;
}

pub fn group_report(update_id: i64, reporter: i64, target_text: &str) -> Value {
    json!({"update_id": update_id, "message": {
        "message_id": update_id * 10, "date": 1_700_000_000,
        "chat": {"id": -300, "type": "supergroup", "title": "Neighbours"},
        "from": user(reporter, "ru"),
        "text": "/report",
        "entities": [{"type": "bot_command", "offset": 0, "length": 7}],
        "reply_to_message": {
            "message_id": 900, "date": 1_699_999_000,
            "chat": {"id": -300, "type": "supergroup", "title": "Neighbours"},
            "from": user(999, "ru"),
            "text": target_text,
        },
    }})
}

#[tokio::test]
async fn report_in_a_group_files_the_replied_message_and_answers_in_private_only() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    bot.api.push(group_report(1, 71, AD));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    assert_eq!(
        sent[0].body["chat_id"], 71,
        "the answer goes to the reporter's private chat"
    );
    assert!(sent[0].body["text"]
        .as_str()
        .unwrap()
        .contains("495 000 рублей"));
    let deleted = bot.api.wait_for("deleteMessage", 1).await;
    assert_eq!(deleted[0].body["chat_id"], -300);
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows[0].origins[0]["kind"], "group");

    // A citizen who never started the bot gets only a link in the group, then the report in private.
    bot.api.forbid_chat(72);
    bot.api.push(group_report(
        2,
        72,
        "Охрана объектов в России, 250 000 рублей в месяц, проезд оплачивается",
    ));
    let sent = bot.api.wait_for("sendMessage", 2).await;
    let in_group = sent
        .iter()
        .find(|c| c.body["chat_id"] == -300)
        .expect("a link in the group");
    let button = in_group.body["reply_markup"]["inline_keyboard"][0][0]["url"]
        .as_str()
        .unwrap()
        .to_string();
    // The link carries an unguessable token, never the report's number.
    let token = button
        .strip_prefix("https://t.me/adwatch_test_bot?start=")
        .unwrap_or_else(|| panic!("{button}"));
    let id = bot.store.export(&ExportFilter::default()).await.unwrap()[1].id;
    assert!(
        token.len() == 40 && token.bytes().all(|b| b.is_ascii_hexdigit()),
        "{button}"
    );
    assert_ne!(token, format!("r{id}"));
    assert!(
        !in_group.body["text"].as_str().unwrap().contains("250 000"),
        "no findings in the group"
    );
    bot.api.allow_chat(72);
    let start = button.rsplit_once("start=").unwrap().1.to_string();
    bot.api
        .push(text_message(3, 72, "ru", &format!("/start {start}")));
    let sent = bot.api.wait_for("sendMessage", 3).await;
    assert!(
        sent[2].body["text"].as_str().unwrap().contains("250 000"),
        "{:?}",
        sent[2].body
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_hidden_text_link_counts_with_utf16_offsets() {
    let db = crate::db::sqlite().await;
    let bot = RunningBot::start(db.store.clone()).await;
    // "🔥 Работа" : the emoji is two UTF-16 units, so the entity starts at 3, not 2 chars.
    let text = "🔥 Работа за границей, 300 000 рублей в месяц — подробнее";
    let offset =
        text.encode_utf16().take_while(|_| true).count() - "подробнее".encode_utf16().count();
    bot.api.push(private_message(1, 81, "ru", json!({
        "text": text,
        "entities": [{"type": "text_link", "offset": offset, "length": "подробнее".encode_utf16().count(), "url": "https://contract-army.example.ru/apply"}],
    })));
    let sent = bot.api.wait_for("sendMessage", 1).await;
    assert!(
        sent[0].body["text"]
            .as_str()
            .unwrap()
            .contains("contract-army.example.ru"),
        "{}",
        sent[0].body["text"]
    );
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    let entities = rows[0].extraction["entities"].to_string();
    assert!(
        entities.contains("https://contract-army.example.ru/apply"),
        "{entities}"
    );
    bot.stop().await;
}

/// The texts of the messages sent to `chat`, once there are at least `n` (fails otherwise).
async fn texts_to_at_least(api: &FakeBotApi, chat: i64, n: usize) -> Vec<String> {
    let sent = wait_texts_to(api, chat, n).await;
    assert!(sent.len() >= n, "{n} messages expected to {chat}: {sent:?}");
    sent
}

/// A citizen's `/start <payload>`, answered: the answer's text.
async fn start_with(bot: &RunningBot, update_id: i64, user_id: i64, payload: &str) -> String {
    let before = bot
        .api
        .calls("sendMessage")
        .iter()
        .filter(|c| c.body["chat_id"] == user_id)
        .count();
    let text = format!("/start {payload}");
    bot.api
        .push(text_message(update_id, user_id, "ru", text.trim_end()));
    texts_to_at_least(&bot.api, user_id, before + 1).await[before].clone()
}

/// The token of the link the bot left in the group for a citizen who never started it.
async fn group_link_token(bot: &RunningBot, update_id: i64, citizen: i64, ad: &str) -> String {
    bot.api.forbid_chat(citizen);
    let before = bot.api.calls("sendMessage").len();
    bot.api.push(group_report(update_id, citizen, ad));
    for _ in 0..500 {
        let calls = bot.api.calls("sendMessage");
        let link = calls[before.min(calls.len())..]
            .iter()
            .filter(|c| c.body["chat_id"] == -300)
            .find_map(|c| c.body["reply_markup"]["inline_keyboard"][0][0]["url"].as_str())
            .map(str::to_string);
        if let Some(link) = link {
            bot.api.allow_chat(citizen);
            return link.rsplit_once("start=").unwrap().1.to_string();
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("no link in the group");
}

#[tokio::test]
async fn a_report_link_opens_only_for_its_citizen_and_no_start_payload_reveals_a_report() {
    const FILER: i64 = 72;
    const OTHER_FILER: i64 = 74;
    const STRANGER: i64 = 73;
    let filed = "Охрана объектов в России, 250 000 рублей в месяц, звоните +7 702 765 43 21, \
                 пишите @ohrana_recruit_bot";
    let other = "Водитель в зону СВО, 350 000 рублей в месяц, звоните +7 705 111 22 33";
    // What the ads show: none of it may reach anyone but their own citizen.
    let secrets = [
        "250 000",
        "+77027654321",
        "ohrana_recruit_bot",
        "350 000",
        "+77051112233",
        "495 000",
        "+77011234567",
        "#",
    ];
    let now = Arc::new(std::sync::atomic::AtomicI64::new(1_800_000_000_000));
    let clock = {
        let now = now.clone();
        Arc::new(move || now.load(std::sync::atomic::Ordering::SeqCst))
    };
    let config = Config {
        user_rate_per_minute: 1000,
        fetch: FetchSettings {
            enabled: false,
            ..FetchSettings::default()
        },
        ..Config::default()
    };
    let db = crate::db::sqlite().await;
    let bot =
        RunningBot::start_clocked(db.store.clone(), FakeBotApi::start().await, config, clock).await;
    bot.api.push(text_message(1, 71, "ru", AD));
    texts_to_at_least(&bot.api, 71, 1).await;
    let token = group_link_token(&bot, 2, FILER, filed).await;
    let other_token = group_link_token(&bot, 3, OTHER_FILER, other).await;
    let ids: Vec<i64> = bot
        .store
        .export(&ExportFilter::default())
        .await
        .unwrap()
        .iter()
        .map(|r| r.id)
        .collect();
    assert_eq!(ids.len(), 3);
    assert!(!token.contains('r') && token != other_token);

    let plain = start_with(&bot, 10, STRANGER, "").await;
    let mut payloads = vec![
        token.clone(),
        other_token.clone(),
        token.to_uppercase(),
        "0".repeat(40),
    ];
    for id in ids.iter().copied().chain([ids[2] + 1, 0, -1]) {
        payloads.extend([format!("r{id}"), id.to_string(), format!("R{id}")]);
    }
    let mut update = 11;
    for payload in &payloads {
        let answer = start_with(&bot, update, STRANGER, payload).await;
        update += 1;
        assert_eq!(answer, plain, "/start {payload} to a stranger");
    }
    // The filer with anything but their own token: the plain answer too.
    for payload in [other_token.clone(), format!("r{}", ids[1])] {
        let answer = start_with(&bot, update, FILER, &payload).await;
        update += 1;
        assert_eq!(answer, plain, "/start {payload} to the filer");
    }
    for sent in texts_to_at_least(&bot.api, STRANGER, payloads.len() + 1).await {
        for secret in secrets {
            assert!(
                !sent.contains(secret),
                "{secret} told to a stranger: {sent}"
            );
        }
    }

    // The filer's own link: their report, with its reference number.
    let own = start_with(&bot, update, FILER, &token).await;
    assert!(
        own.contains("250 000") && own.contains("+77027654321"),
        "{own}"
    );
    assert!(own.contains(&format!("#{}", ids[1])), "{own}");
    assert!(!own.contains("350 000"), "{own}");
    // A week later the link has expired: the plain answer.
    now.fetch_add(7 * 86_400_000 + 1, std::sync::atomic::Ordering::SeqCst);
    let expired = start_with(&bot, update + 1, FILER, &token).await;
    assert_eq!(expired, plain);
    bot.stop().await;
}

/// Makes the database refuse (or accept again) every `statement` (UPDATE or DELETE) on
/// `table`, as a database out of space or a revoked grant would.
async fn refuse(store: &Store, table: &str, statement: &str, refusing: bool) {
    let name = format!("refuse_{}_{table}", statement.to_lowercase());
    let sql: Vec<String> = match (store, refusing) {
        (Store::Sqlite(_), true) => vec![format!(
            "CREATE TRIGGER {name} BEFORE {statement} ON {table} \
             BEGIN SELECT RAISE(ABORT, 'refused by the test'); END"
        )],
        (Store::Sqlite(_), false) => vec![format!("DROP TRIGGER {name}")],
        (Store::Postgres(_), true) => vec![
            "CREATE OR REPLACE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS \
             $$ BEGIN RAISE EXCEPTION 'refused by the test'; END $$"
                .to_string(),
            format!(
                "CREATE TRIGGER {name} BEFORE {statement} ON {table} \
                 FOR EACH STATEMENT EXECUTE FUNCTION refuse()"
            ),
        ],
        (Store::Postgres(_), false) => vec![format!("DROP TRIGGER {name} ON {table}")],
    };
    for q in sql {
        match store {
            Store::Sqlite(pool) => sqlx::query(&q).execute(pool).await.map(|_| ()),
            Store::Postgres(pool) => sqlx::query(&q).execute(pool).await.map(|_| ()),
        }
        .unwrap();
    }
}

crate::on_both_databases!(
    forget_and_notify_off_confirm_only_what_was_erased_and_say_when_the_database_refused,
    |db| {
        const CITIZEN: i64 = 91;
        let config = Config {
            user_rate_per_minute: 100,
            fetch: FetchSettings {
                enabled: false,
                ..FetchSettings::default()
            },
            ..Config::default()
        };
        let bot =
            RunningBot::start_configured(db.store.clone(), FakeBotApi::start().await, config).await;
        let hash = ReporterKey::new("a test secret of some length").hash(CITIZEN);
        bot.api.push(text_message(1, CITIZEN, "en", AD));
        texts_to_at_least(&bot.api, CITIZEN, 1).await;
        let id = bot.store.export(&ExportFilter::default()).await.unwrap()[0].id;
        let settings = adwatch::store::UserSettings {
            language: Some(adwatch::extract::Lang::En),
            country: None,
            notify: true,
        };
        bot.store
            .save_user_settings(&hash, &settings)
            .await
            .unwrap();
        // Each command is one update and gets one answer: the n-th message to the citizen.
        let mut n = 1;
        let mut say = |text: &'static str| {
            n += 1;
            bot.api.push(text_message(n as i64, CITIZEN, "en", text));
            n
        };

        refuse(&bot.store, "report_reporters", "UPDATE", true).await;
        let sent = texts_to_at_least(&bot.api, CITIZEN, say("/notify off")).await;
        assert!(
            sent.last().unwrap().contains("could not change"),
            "{sent:?}"
        );
        let kept = bot.store.user_settings(&hash).await.unwrap().unwrap();
        assert!(kept.notify, "nothing changed: the setting neither");
        assert_eq!(bot.store.reporter_chats(id).await.unwrap(), vec![CITIZEN]);
        refuse(&bot.store, "report_reporters", "UPDATE", false).await;

        let sent = texts_to_at_least(&bot.api, CITIZEN, say("/notify off")).await;
        assert!(sent.last().unwrap().contains("is deleted"), "{sent:?}");
        assert!(bot.store.reporter_chats(id).await.unwrap().is_empty());
        let sent = texts_to_at_least(&bot.api, CITIZEN, say("/notify off")).await;
        let last = sent.last().unwrap();
        assert!(
            last.contains("will not get") && !last.contains("deleted"),
            "{last}"
        );

        refuse(&bot.store, "report_reporters", "DELETE", true).await;
        let sent = texts_to_at_least(&bot.api, CITIZEN, say("/forget")).await;
        let last = sent.last().unwrap();
        assert!(
            last.contains("could not delete") && !last.contains("Done"),
            "{last}"
        );
        assert!(
            bot.store.user_settings(&hash).await.unwrap().is_some(),
            "all or nothing: the settings stay too"
        );
        refuse(&bot.store, "report_reporters", "DELETE", false).await;

        let sent = texts_to_at_least(&bot.api, CITIZEN, say("/forget")).await;
        assert!(
            sent.last().unwrap().contains("settings and your link"),
            "{sent:?}"
        );
        assert_eq!(bot.store.user_settings(&hash).await.unwrap(), None);
        let sent = texts_to_at_least(&bot.api, CITIZEN, say("/forget")).await;
        assert!(
            sent.last().unwrap().contains("nothing to delete"),
            "{sent:?}"
        );
        bot.stop().await;
    }
);
/// A 1×1 PNG: enough for the size check before the OCR program runs.
const PNG: [u8; 67] = [
    0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
    0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1f, 0x15, 0xc4,
    0x89, 0x00, 0x00, 0x00, 0x0a, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9c, 0x63, 0x00, 0x01, 0x00, 0x00,
    0x05, 0x00, 0x01, 0x0d, 0x0a, 0x2d, 0xb4, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e, 0x44, 0xae,
    0x42, 0x60, 0x82,
];

/// An OCR program that reads nothing until the test creates `release`.
fn held_ocr(dir: &std::path::Path, release: &std::path::Path) -> std::path::PathBuf {
    use std::os::unix::fs::PermissionsExt;
    let script = dir.join("tesseract");
    let body = format!(
        "#!/bin/sh\n\
         if [ \"$1\" = --list-langs ]; then echo 'List of available languages (1):'; echo eng; exit 0; fi\n\
         cat > /dev/null\n\
         while [ ! -f '{}' ]; do sleep 0.05; done\n\
         echo 'Salary 5000$ a month in Moscow'\n",
        release.display()
    );
    std::fs::write(&script, body).unwrap();
    std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
    script
}

/// Reading an image takes seconds: it runs beside its chat's lane, so the citizen's next
/// message is answered while the image is still being read, and the image after.
#[tokio::test]
async fn an_image_being_read_does_not_hold_up_the_next_message_of_its_chat() {
    let dir = tempfile::tempdir().unwrap();
    let release = dir.path().join("release");
    let mut config = rated(100, 50);
    config.ocr.program = held_ocr(dir.path(), &release).display().to_string();
    config.ocr.languages = "eng".to_string();
    let db = crate::db::sqlite().await;
    let bot =
        RunningBot::start_configured(db.store.clone(), FakeBotApi::start().await, config).await;
    assert!(bot.app.ocr.available(), "the stand-in OCR program answers");
    bot.api.add_file("held", PNG.to_vec());
    let photo = json!({"photo": [{"file_id": "held", "file_unique_id": "u-held", "file_size": 67, "width": 1, "height": 1}]});
    bot.api.push(private_message(1, 91, "en", photo));
    bot.api.push(text_message(2, 91, "en", AD));
    let sent = wait_texts_to(&bot.api, 91, 2).await;
    assert!(
        sent.iter().any(|t| t.contains("495 000")),
        "the message after the image is answered: {sent:?}"
    );
    assert!(
        bot.api.calls("editMessageText").is_empty(),
        "the image is still being read"
    );
    std::fs::write(&release, b"").unwrap();
    let edited = bot.api.wait_for("editMessageText", 1).await;
    assert_eq!(edited.len(), 1);
    let answer = edited[0].body["text"].as_str().unwrap();
    assert!(answer.contains("5000$"), "{answer}");
    bot.stop().await;
}
