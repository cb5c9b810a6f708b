//! Moderators through the fake Bot API: the role checked on the server, the queue as cards,
//! decisions taken once, the outcome told once, the audit trail and corrections in the export.

use adwatch::config::Config;
use adwatch::fake_bot_api::FakeBotApi;
use adwatch::fetch::FetchSettings;
use adwatch::store::{ExportFilter, Store};
use serde_json::{json, Value};

use crate::bot::{text_message, RunningBot};
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
    assert_eq!(rows[0].status, "pending");
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
        assert_eq!(rows[0].status, "rejected");
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
        assert_eq!(row.status, "approved");
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

#[tokio::test]
async fn members_of_the_moderators_chat_moderate_and_high_risk_reports_are_announced_there() {
    let db = crate::db::sqlite().await;
    let chat = -100_500;
    let bot = start(db.store.clone(), Some(chat)).await;
    bot.api.add_member(chat, 777);
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
        "pending"
    );
    bot.api.push(callback(3, 777, &approve, card));
    let answers = bot.api.wait_for("answerCallbackQuery", 2).await;
    assert_eq!(answers[1].body["text"], "Approved.");
    assert_eq!(
        bot.store.export(&ExportFilter::default()).await.unwrap()[0].status,
        "approved"
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
            .decide(id, "rejected", MOD_A, None, at)
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
