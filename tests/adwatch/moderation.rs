//! Moderators through the fake Bot API: the role checked on the server, the queue as cards,
//! decisions taken once, the outcome told once, the audit trail and corrections in the export.

use adwatch::config::Config;
use adwatch::fetch::FetchSettings;
use adwatch::review::{ReportStatus, ReviewAction};
use adwatch::store::{ExportFilter, Store};
use adwatch_fake_bot_api::FakeBotApi;
use serde_json::{json, Value};

use crate::bot::{group_report, text_message, wait_texts_to, RunningBot};
use crate::digest::TestClock;

/// 2026-11-23 08:59:50 UTC.
const T0: i64 = 1_795_424_390_000;
use crate::on_both_databases;

const MOD_A: i64 = 900;
const MOD_B: i64 = 901;
const CITIZEN: i64 = 5;

const AD: &str = "Единовременная выплата 495 000 рублей при подписании контракта с Минобороны \
                  России, ежемесячно от 190 000 рублей. Звоните +7 701 123 45 67";
const OTHER_AD: &str = "Работа охранником в Москве, 250 000 рублей в месяц, проживание \
                        бесплатно, звоните +7 701 123 45 67";

async fn start(store: Store, moderator_chat: Option<i64>) -> RunningBot {
    let config = Config {
        moderator_ids: vec![MOD_A, MOD_B],
        moderator_chat_id: moderator_chat,
        user_rate_per_minute: 100,
        fetch: FetchSettings {
            enabled: false,
            ..FetchSettings::default()
        },
        ..Config::default()
    };
    RunningBot::start_configured(store, FakeBotApi::start().await, config).await
}

fn callback(update_id: i64, from: i64, data: &str, message: &Value) -> Value {
    json!({"update_id": update_id, "callback_query": {
        "id": format!("cb{update_id}"),
        "from": {"id": from, "is_bot": false, "first_name": "User", "language_code": "en"},
        "chat_instance": "ci",
        "data": data,
        "message": message,
    }})
}

/// The messages sent to `chat`.
fn sent_to(api: &FakeBotApi, chat: i64) -> Vec<Value> {
    api.calls("sendMessage")
        .into_iter()
        .filter(|c| c.body["chat_id"] == chat)
        .map(|c| c.result)
        .collect()
}

/// Waits for the `n`th message to `chat`.
async fn wait_sent_to(api: &FakeBotApi, chat: i64, n: usize) -> Vec<Value> {
    for _ in 0..500 {
        let sent = sent_to(api, chat);
        if sent.len() >= n {
            return sent;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    sent_to(api, chat)
}

fn button_data(message: &Value) -> Vec<String> {
    message["reply_markup"]["inline_keyboard"]
        .as_array()
        .into_iter()
        .flatten()
        .flat_map(|row| row.as_array().cloned().unwrap_or_default())
        .filter_map(|b| b["callback_data"].as_str().map(str::to_string))
        .collect()
}

/// A moderator asks for the queue and gets the card.
async fn card_for(bot: &RunningBot, update_id: i64, moderator: i64) -> Value {
    let before = sent_to(&bot.api, moderator).len();
    bot.api
        .push(text_message(update_id, moderator, "en", "/queue"));
    let sent = wait_sent_to(&bot.api, moderator, before + 1).await;
    sent[before].clone()
}

async fn report(bot: &RunningBot, update_id: i64, citizen: i64, text: &str) {
    let before = sent_to(&bot.api, citizen).len();
    bot.api.push(text_message(update_id, citizen, "ru", text));
    wait_sent_to(&bot.api, citizen, before + 1).await;
}

#[tokio::test]
async fn a_citizen_asking_for_the_queue_gets_no_card() {
    let db = crate::db::sqlite().await;
    let bot = start(db.store.clone(), None).await;
    report(&bot, 1, CITIZEN, AD).await;
    bot.api.push(text_message(2, CITIZEN, "en", "/queue"));
    let sent = wait_sent_to(&bot.api, CITIZEN, 2).await;
    let answer = &sent[1];
    assert!(
        answer["text"].as_str().unwrap().contains("for moderators"),
        "{answer}"
    );
    assert!(button_data(answer).iter().all(|d| !d.starts_with("m:")));
    assert!(!answer["text"].as_str().unwrap().contains("495 000"));
    bot.stop().await;
}

#[tokio::test]
async fn a_citizen_pressing_approve_on_a_real_card_changes_nothing() {
    let db = crate::db::sqlite().await;
    let bot = start(db.store.clone(), None).await;
    report(&bot, 1, CITIZEN, AD).await;
    let card = card_for(&bot, 2, MOD_A).await;
    let approve = button_data(&card)
        .into_iter()
        .find(|d| d.starts_with("m:a:"))
        .expect("an approve button");
    assert!(approve.len() <= 64);
    bot.api.push(callback(3, CITIZEN, &approve, &card));
    let answers = bot.api.wait_for("answerCallbackQuery", 1).await;
    assert_eq!(answers[0].body["callback_query_id"], "cb3");
    assert!(answers[0].body["text"]
        .as_str()
        .unwrap()
        .contains("for moderators"));
    let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
    assert_eq!(rows[0].status, ReportStatus::Pending);
    assert!(rows[0].history.is_empty());
    bot.stop().await;
}

on_both_databases!(
    two_moderators_rejecting_at_once_decide_once_and_the_reporters_hear_once,
    |db| {
        let bot = start(db.store.clone(), None).await;
        report(&bot, 1, CITIZEN, AD).await;
        report(&bot, 2, CITIZEN + 1, AD).await;
        let card_a = card_for(&bot, 3, MOD_A).await;
        let card_b = card_for(&bot, 4, MOD_B).await;
        let reject = button_data(&card_a)
            .into_iter()
            .find(|d| d.starts_with("m:r:"))
            .unwrap();
        assert_eq!(
            button_data(&card_b)
                .into_iter()
                .find(|d| d.starts_with("m:r:"))
                .unwrap(),
            reject,
            "both see the same report"
        );
        // Both presses arrive in one batch, from two chats: teloxide handles them in parallel.
        bot.api.push(callback(5, MOD_A, &reject, &card_a));
        bot.api.push(callback(6, MOD_B, &reject, &card_b));
        let answers = bot.api.wait_for("answerCallbackQuery", 2).await;
        let texts: Vec<&str> = answers
            .iter()
            .map(|a| a.body["text"].as_str().unwrap_or_default())
            .collect();
        assert_eq!(
            texts.iter().filter(|t| **t == "Rejected.").count(),
            1,
            "{texts:?}"
        );
        assert_eq!(
            texts
                .iter()
                .filter(|t| t.contains("Already decided by another moderator"))
                .count(),
            1,
            "{texts:?}"
        );
        let citizens_told = wait_sent_to(&bot.api, CITIZEN, 2).await;
        wait_sent_to(&bot.api, CITIZEN + 1, 2).await;
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        for citizen in [CITIZEN, CITIZEN + 1] {
            let outcomes: Vec<Value> = sent_to(&bot.api, citizen)
                .into_iter()
                .filter(|m| {
                    m["text"]
                        .as_str()
                        .unwrap_or_default()
                        .contains("Модераторы")
                })
                .collect();
            assert_eq!(outcomes.len(), 1, "citizen {citizen}: {citizens_told:?}");
        }
        let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
        assert_eq!(rows[0].status, ReportStatus::Rejected);
        assert_eq!(rows[0].history.len(), 1, "{:?}", rows[0].history);
        assert_eq!(rows[0].history[0].action, "reject");
        bot.stop().await;
    }
);

on_both_databases!(
    approve_reaches_reporters_once_and_the_trail_and_export_show_every_step,
    |db| {
        let bot = start(db.store.clone(), None).await;
        report(&bot, 1, CITIZEN, AD).await;
        report(&bot, 2, CITIZEN, OTHER_AD).await;
        let card = card_for(&bot, 3, MOD_A).await;
        let text = card["text"].as_str().unwrap();
        // The card: the ad, the offer in dollars, the phone, the count, the linked report.
        assert!(text.contains("495 000 рублей"), "{text}");
        assert!(text.contains("≈ $"), "{text}");
        assert!(text.contains("+77011234567"), "{text}");
        assert!(text.contains("Citizens who sent it: 1"), "{text}");
        assert!(text.contains("#2"), "linked by the phone: {text}");
        let id = button_data(&card)
            .into_iter()
            .find_map(|d| d.strip_prefix("m:a:").map(str::to_string))
            .unwrap();
        // A note by replying to the card, and a label correction from its buttons.
        bot.api.push(json!({"update_id": 4, "message": {
            "message_id": 40, "date": 1_700_000_000,
            "chat": {"id": MOD_A, "type": "private", "first_name": "Mod"},
            "from": {"id": MOD_A, "is_bot": false, "first_name": "Mod", "language_code": "en"},
            "text": "Checked the phone: it is the Sakhalin recruiter",
            "reply_to_message": card,
        }}));
        wait_sent_to(&bot.api, MOD_A, 2).await;
        bot.api
            .push(callback(5, MOD_A, &format!("m:L:{id}:m"), &card));
        bot.api.wait_for("answerCallbackQuery", 1).await;
        bot.api
            .push(callback(6, MOD_A, &format!("m:a:{id}"), &card));
        bot.api.wait_for("answerCallbackQuery", 2).await;
        // Reopened and approved again: the citizen still hears once.
        bot.api
            .push(text_message(7, MOD_A, "en", &format!("/reopen {id}")));
        // The card, "note saved", the next card after the approval, "back in the queue".
        wait_sent_to(&bot.api, MOD_A, 4).await;
        bot.api
            .push(callback(8, MOD_A, &format!("m:a:{id}"), &card));
        bot.api.wait_for("answerCallbackQuery", 3).await;
        bot.api
            .push(text_message(9, MOD_A, "en", &format!("/history {id}")));
        let to_mod = wait_sent_to(&bot.api, MOD_A, 6).await;
        let history = to_mod
            .iter()
            .filter_map(|m| m["text"].as_str())
            .find(|t| t.contains("History of report"))
            .expect("a history")
            .to_string();
        for step in ["note", "corrected", "approved", "reopened"] {
            assert!(history.contains(step), "{step}: {history}");
        }
        assert!(history.contains("Sakhalin recruiter"), "{history}");
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let outcomes = sent_to(&bot.api, CITIZEN)
            .into_iter()
            .filter(|m| {
                m["text"]
                    .as_str()
                    .unwrap_or_default()
                    .contains("подтвердили")
            })
            .count();
        assert_eq!(outcomes, 1);

        let rows = bot.store.export(&ExportFilter::default()).await.unwrap();
        let row = rows.iter().find(|r| r.id.to_string() == id).unwrap();
        assert_eq!(row.status, ReportStatus::Approved);
        assert!(row.decided_at.is_some());
        let actions: Vec<&str> = row.history.iter().map(|h| h.action.as_str()).collect();
        assert_eq!(actions, ["note", "correct", "approve", "reopen", "approve"]);
        assert_eq!(row.corrections.len(), 1);
        assert_eq!(row.corrections[0].field, "label");
        assert_eq!(row.corrections[0].value, json!("military_recruitment"));
        assert_eq!(row.corrections[0].moderator_id, MOD_A);
        // And in the command's JSON lines.
        let mut out = Vec::new();
        adwatch::export::run(
            &bot.store,
            &ExportFilter::default(),
            adwatch::export::ExportFormat::Jsonl,
            &mut out,
        )
        .await
        .unwrap();
        let out = String::from_utf8(out).unwrap();
        assert!(out.contains("\"action\":\"approve\""), "{out}");
        assert!(out.contains("\"corrections\":[{"), "{out}");
        bot.stop().await;
    }
);

#[tokio::test]
async fn find_lists_the_reports_that_share_a_phone_and_stats_count_them() {
    let db = crate::db::sqlite().await;
    let bot = start(db.store.clone(), None).await;
    report(&bot, 1, CITIZEN, AD).await;
    report(&bot, 2, CITIZEN, OTHER_AD).await;
    report(
        &bot,
        3,
        CITIZEN,
        "Продаю велосипед, 15 000 рублей, звоните +7 777 000 11 22",
    )
    .await;
    bot.api
        .push(text_message(4, MOD_A, "en", "/find 8 (701) 123-45-67"));
    let sent = wait_sent_to(&bot.api, MOD_A, 1).await;
    let found = sent[0]["text"].as_str().unwrap();
    assert!(found.contains("#1") && found.contains("#2"), "{found}");
    assert!(!found.contains("#3"), "{found}");
    bot.api.push(text_message(5, MOD_A, "en", "/stats"));
    let sent = wait_sent_to(&bot.api, MOD_A, 2).await;
    let stats = sent[1]["text"].as_str().unwrap();
    assert!(stats.contains("Pending: 3"), "{stats}");
    assert!(stats.contains("+77011234567</code> ×2"), "{stats}");
    bot.stop().await;
}

/// Issue 13 changed this: only administrators of the moderators' chat moderate by default
/// (this test had 777 a plain member; it is now an administrator).
#[tokio::test]
async fn administrators_of_the_moderators_chat_moderate_and_high_risk_reports_are_announced_there()
{
    let db = crate::db::sqlite().await;
    let chat = -100_500;
    let bot = start(db.store.clone(), Some(chat)).await;
    bot.api.set_member_status(chat, 777, "administrator");
    report(&bot, 1, CITIZEN, AD).await;
    let announced = wait_sent_to(&bot.api, chat, 1).await;
    let card = &announced[0];
    assert!(card["text"].as_str().unwrap().contains("495 000"), "{card}");
    let approve = button_data(card)
        .into_iter()
        .find(|d| d.starts_with("m:a:"))
        .unwrap();
    // An outsider's press in the group is refused; a member's decides.
    bot.api.push(callback(2, 778, &approve, card));
    bot.api.wait_for("answerCallbackQuery", 1).await;
    assert_eq!(
        bot.store.export(&ExportFilter::default()).await.unwrap()[0].status,
        ReportStatus::Pending
    );
    bot.api.push(callback(3, 777, &approve, card));
    let answers = bot.api.wait_for("answerCallbackQuery", 2).await;
    assert_eq!(answers[1].body["text"], "Approved.");
    assert_eq!(
        bot.store.export(&ExportFilter::default()).await.unwrap()[0].status,
        ReportStatus::Approved
    );
    // Commands work in the moderators' chat too; ordinary talk there is left alone.
    let group_message = |update_id: i64, from: i64, text: &str| {
        json!({"update_id": update_id, "message": {
            "message_id": update_id * 10, "date": 1_700_000_000,
            "chat": {"id": chat, "type": "supergroup", "title": "moderators"},
            "from": {"id": from, "is_bot": false, "first_name": "M", "language_code": "en"},
            "text": text,
        }})
    };
    bot.api.push(group_message(4, 777, "good morning"));
    bot.api
        .push(group_message(5, 777, "/stats@adwatch_test_bot"));
    let sent = wait_sent_to(&bot.api, chat, 2).await;
    assert_eq!(sent.len(), 2);
    assert!(
        sent[1]["text"].as_str().unwrap().contains("approved"),
        "{}",
        sent[1]
    );
    bot.stop().await;
}

#[tokio::test]
async fn a_card_always_shows_the_beginning_of_the_ad_and_fits() {
    // Texts that grow when escaped (`"` is six units as `&quot;`) or take two UTF-16 units a
    // character. 4,000 emoji are more than a message holds, but not more than a screenshot's
    // text or a caption and a picture together: they are filed as the service files those.
    for (ad, shown) in [
        ("<".repeat(4000), "<blockquote>&lt;&lt;&lt;"),
        ("\"".repeat(4000), "<blockquote>&quot;&quot;&quot;"),
        ("😀".repeat(4000), "<blockquote>😀😀😀"),
    ] {
        let db = crate::db::sqlite().await;
        let submission = adwatch::service::Submission {
            text: ad.clone(),
            origin: None,
            user_id: CITIZEN,
            chat_id: Some(CITIZEN),
            links: vec![],
        };
        let key = adwatch::service::ReporterKey::new("a test secret of some length");
        adwatch::service::submit(&db.store, &key, 1_700_000_000_000, &submission)
            .await
            .unwrap();
        let bot = start(db.store.clone(), None).await;
        let card = card_for(&bot, 1, MOD_A).await;
        let text = card["text"].as_str().unwrap();
        assert!(
            text.encode_utf16().count() <= 4096,
            "{}",
            text.encode_utf16().count()
        );
        assert!(text.contains(shown), "{text}");
        assert!(text.contains("</blockquote>"), "{text}");
        bot.stop().await;
    }
}

#[tokio::test]
async fn history_never_sends_an_empty_message() {
    let db = crate::db::sqlite().await;
    let bot = start(db.store.clone(), None).await;
    report(&bot, 1, CITIZEN, AD).await;
    let card = card_for(&bot, 2, MOD_A).await;
    let id: i64 = button_data(&card)
        .into_iter()
        .find_map(|d| d.strip_prefix("m:a:").map(str::to_string))
        .unwrap()
        .parse()
        .unwrap();
    // Odd data: a note of 4,000 `<` (16,000 units once escaped) and a long trail of actions.
    db.store
        .add_note(id, MOD_A, &"<".repeat(4000), 1_700_000_000_000)
        .await
        .unwrap();
    for i in 0..60 {
        let at = 1_700_000_001_000 + i * 10;
        db.store
            .decide(id, ReviewAction::Reject, MOD_A, at)
            .await
            .unwrap();
        db.store.reopen(id, MOD_B, at + 5).await.unwrap();
    }
    for (update, command) in [(3, format!("/history {id}")), (4, "/history 999999".into())] {
        let before = sent_to(&bot.api, MOD_A).len();
        bot.api.push(text_message(update, MOD_A, "en", &command));
        let sent = wait_sent_to(&bot.api, MOD_A, before + 1).await;
        let text = sent[before]["text"].as_str().unwrap_or_default();
        assert!(!text.trim().is_empty(), "{command}: an empty message");
        assert!(text.encode_utf16().count() <= 4096, "{command}");
        assert!(text.contains("History of report"), "{command}: {text}");
    }
    bot.stop().await;
}
const MODS_CHAT: i64 = -100_600;

/// The bot with a moderators' chat, `MODERATOR_CHAT_MEMBERS` as given, and the clock given.
async fn start_with_chat(store: Store, members_too: bool, clock: &TestClock) -> RunningBot {
    let config = Config {
        moderator_ids: vec![MOD_A],
        moderator_chat_id: Some(MODS_CHAT),
        moderator_chat_members: members_too,
        user_rate_per_minute: 100,
        fetch: FetchSettings {
            enabled: false,
            ..FetchSettings::default()
        },
        ..Config::default()
    };
    RunningBot::start_clocked(store, FakeBotApi::start().await, config, clock.as_fn()).await
}

/// The card announced in the moderators' chat for a new report.
async fn announced_card(bot: &RunningBot) -> Value {
    report(bot, 1, CITIZEN, AD).await;
    wait_sent_to(&bot.api, MODS_CHAT, 1).await[0].clone()
}

fn approve_of(card: &Value) -> String {
    button_data(card)
        .into_iter()
        .find(|d| d.starts_with("m:a:"))
        .expect("an approve button")
}

/// Presses `data` as `user` and returns the text it was answered with.
async fn press(bot: &RunningBot, update_id: i64, user: i64, data: &str, card: &Value) -> String {
    let before = bot.api.calls("answerCallbackQuery").len();
    bot.api.push(callback(update_id, user, data, card));
    let answers = bot.api.wait_for("answerCallbackQuery", before + 1).await;
    assert!(answers.len() > before, "press {update_id} was not answered");
    answers[before].body["text"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

async fn status(store: &Store) -> String {
    store.export(&ExportFilter::default()).await.unwrap()[0]
        .status
        .to_string()
}

#[tokio::test]
async fn a_plain_member_of_the_moderators_chat_cannot_decide_and_an_administrator_can() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let bot = start_with_chat(db.store.clone(), false, &clock).await;
    bot.api.add_member(MODS_CHAT, 777);
    bot.api.set_member_status(MODS_CHAT, 778, "administrator");
    bot.api.set_member_status(MODS_CHAT, 779, "creator");
    let card = announced_card(&bot).await;
    let approve = approve_of(&card);
    let refused = press(&bot, 2, 777, &approve, &card).await;
    assert!(refused.contains("for moderators"), "{refused}");
    assert_eq!(status(&bot.store).await, "pending");
    // A plain member's command is refused too.
    bot.api.push(text_message(3, 777, "en", "/stats"));
    let sent = wait_sent_to(&bot.api, 777, 1).await;
    assert!(
        sent[0]["text"].as_str().unwrap().contains("for moderators"),
        "{}",
        sent[0]
    );
    assert_eq!(press(&bot, 4, 778, &approve, &card).await, "Approved.");
    assert_eq!(status(&bot.store).await, "approved");
    bot.api.push(text_message(5, 779, "en", "/stats"));
    let sent = wait_sent_to(&bot.api, 779, 1).await;
    assert!(
        sent[0]["text"].as_str().unwrap().contains("Pending"),
        "the creator is a moderator: {}",
        sent[0]
    );
    bot.stop().await;
}

#[tokio::test]
async fn with_moderator_chat_members_a_plain_member_decides_but_a_restricted_one_cannot() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let bot = start_with_chat(db.store.clone(), true, &clock).await;
    bot.api.add_member(MODS_CHAT, 777);
    bot.api.set_member_status(MODS_CHAT, 780, "restricted");
    bot.api.set_member_status(MODS_CHAT, 781, "kicked");
    let card = announced_card(&bot).await;
    let approve = approve_of(&card);
    for (update_id, outsider) in [(2, 780), (3, 781), (4, 782)] {
        let refused = press(&bot, update_id, outsider, &approve, &card).await;
        assert!(refused.contains("for moderators"), "{outsider}: {refused}");
    }
    assert_eq!(status(&bot.store).await, "pending");
    assert_eq!(press(&bot, 5, 777, &approve, &card).await, "Approved.");
    assert_eq!(status(&bot.store).await, "approved");
    bot.stop().await;
}

/// 20 presses, one a second (on the injected clock), by a moderator of each kind: none is
/// throttled.
#[tokio::test]
async fn a_moderator_pressing_buttons_once_a_second_is_never_throttled() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let bot = start_with_chat(db.store.clone(), false, &clock).await;
    bot.api.set_member_status(MODS_CHAT, 778, "administrator");
    let card = announced_card(&bot).await;
    let id = approve_of(&card).trim_start_matches("m:a:").to_string();
    let mut update_id = 10;
    for moderator in [MOD_A, 778] {
        for i in 0..20 {
            // The label menu and back: presses that change nothing.
            let data = if i % 2 == 0 {
                format!("m:l:{id}")
            } else {
                format!("m:c:{id}")
            };
            let answer = press(&bot, update_id, moderator, &data, &card).await;
            assert!(
                !answer.contains("Too many presses"),
                "{moderator}, press {i}: {answer}"
            );
            update_id += 1;
            clock.advance(1_000);
        }
    }
    bot.stop().await;
}

/// A citizen hammering a button: past a few presses each is answered "too many presses" on the
/// button itself, and does nothing.
#[tokio::test]
async fn a_citizen_hammering_a_button_is_throttled() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let bot = start_with_chat(db.store.clone(), false, &clock).await;
    let message = json!({"message_id": 5001, "date": 1_700_000_000,
        "chat": {"id": CITIZEN, "type": "private", "first_name": "C"},
        "from": {"id": 1000, "is_bot": true, "first_name": "adwatch"}, "text": "?"});
    for i in 0..15 {
        bot.api.push(callback(100 + i, CITIZEN, "l:en", &message));
    }
    let answers = bot.api.wait_for("answerCallbackQuery", 15).await;
    let texts: Vec<&str> = answers
        .iter()
        .map(|a| a.body["text"].as_str().unwrap_or_default())
        .collect();
    let throttled = texts
        .iter()
        .filter(|t| t.contains("Too many presses"))
        .count();
    assert_eq!(throttled, 10, "a burst of five, then throttled: {texts:?}");
    assert!(
        bot.api.calls("sendMessage").is_empty(),
        "throttled presses send no message"
    );
    // Its rate comes back with time.
    clock.advance(3_000);
    let message_again = message.clone();
    bot.api.push(callback(200, CITIZEN, "l:en", &message_again));
    let answers = bot.api.wait_for("answerCallbackQuery", 16).await;
    let last = answers[15].body["text"].as_str().unwrap_or_default();
    assert!(!last.contains("Too many presses"), "{last}");
    bot.stop().await;
}

/// A `/report` in a group counts against the citizen's rate like a private message: with five
/// a minute, four private messages and two group reports leave the last report waiting.
#[tokio::test]
async fn a_group_report_counts_against_the_citizens_limit() {
    let db = crate::db::sqlite().await;
    let clock = TestClock::at(T0);
    let config = crate::bot::rated(5, 50);
    let bot = RunningBot::start_clocked(
        db.store.clone(),
        FakeBotApi::start().await,
        config,
        clock.as_fn(),
    )
    .await;
    for i in 0..4 {
        let text = format!("Job number {i}: salary 5000$ a month in Moscow");
        bot.api.push(text_message(i + 1, 71, "en", &text));
    }
    bot.api.push(group_report(5, 71, AD));
    bot.api.push(group_report(6, 71, OTHER_AD));
    let sent = wait_texts_to(&bot.api, 71, 6).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(count_reports(&bot.store).await, 5, "{sent:?}");
    // In Russian: the group report's sender has Telegram in Russian.
    assert!(
        sent.iter().any(|t| t.contains("по порядку")),
        "the citizen hears the last waits: {sent:?}"
    );
    clock.advance(12_000);
    for _ in 0..250 {
        if count_reports(&bot.store).await == 6 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(count_reports(&bot.store).await, 6);
    bot.stop().await;
}

async fn count_reports(store: &Store) -> usize {
    store.export(&ExportFilter::default()).await.unwrap().len()
}
