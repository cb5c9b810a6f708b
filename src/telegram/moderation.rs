//! Moderators: the review queue as cards with buttons, decisions taken once, the audit trail,
//! corrections, `/find`, `/history`, `/reopen`, `/stats`, and the outcome told to citizens.
//!
//! The role is checked on the server for every command and every button press, whatever the
//! callback data says: a moderator is a user in `MODERATOR_IDS` or an administrator (or the
//! creator) of `MODERATOR_CHAT_ID`; with `MODERATOR_CHAT_MEMBERS=1`, any of its members who is
//! not restricted. Being in that group is not enough by default: anyone an administrator lets
//! in, or a careless invite link, would otherwise decide reports. Telegram's answer is
//! remembered for a minute, in a map of bounded size.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::{MaybeInaccessibleMessage, ParseMode, User};

use super::{render, reply_lang, send, App, TgBot};
use crate::extract::{self, Lang};
use crate::store::{Decision, Store};

/// How long a membership answer from Telegram is trusted.
const MEMBERSHIP_TTL: Duration = Duration::from_secs(60);

/// Users whose role is remembered at most; every press of a button by a citizen asks, so the
/// map must not grow with the number of citizens.
const MEMBERSHIPS_MAX: usize = 4096;

/// Commands only moderators may use.
pub const COMMANDS: [&str; 8] = [
    "queue",
    "digest",
    "find",
    "history",
    "reopen",
    "stats",
    "correct",
    "duplicate",
];

/// Remembered answers to "is this user a moderator by the moderators' chat?", at most
/// [`MEMBERSHIPS_MAX`], each for [`MEMBERSHIP_TTL`].
#[derive(Default)]
pub struct Memberships(std::sync::Mutex<HashMap<i64, (bool, Instant)>>);

impl Memberships {
    /// The remembered answer for `user`, while fresh.
    fn get(&self, user: i64) -> Option<bool> {
        let map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        map.get(&user)
            .filter(|(_, at)| at.elapsed() < MEMBERSHIP_TTL)
            .map(|(trusted, _)| *trusted)
    }

    /// Remembers an answer; when full, forgets the stale ones, then the oldest.
    fn put(&self, user: i64, trusted: bool) {
        let mut map = self.0.lock().unwrap_or_else(|e| e.into_inner());
        if map.len() >= MEMBERSHIPS_MAX && !map.contains_key(&user) {
            map.retain(|_, (_, at)| at.elapsed() < MEMBERSHIP_TTL);
            if map.len() >= MEMBERSHIPS_MAX {
                let oldest = map.iter().min_by_key(|(_, (_, at))| *at).map(|(k, _)| *k);
                if let Some(oldest) = oldest {
                    map.remove(&oldest);
                }
            }
        }
        map.insert(user, (trusted, Instant::now()));
    }

    /// How many answers are remembered.
    pub fn len(&self) -> usize {
        self.0.lock().map(|m| m.len()).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// Does this role in the moderators' chat make a moderator? Its administrators always; its
/// plain members only with `MODERATOR_CHAT_MEMBERS=1`; restricted, departed or banned users
/// never.
pub fn trusted_role(kind: &teloxide::types::ChatMemberKind, members_too: bool) -> bool {
    kind.is_privileged() || (members_too && kind.is_member())
}

/// Is this user a moderator? `MODERATOR_IDS`, then their role in `MODERATOR_CHAT_ID`
/// ([`trusted_role`]).
pub async fn is_moderator(bot: &TgBot, app: &App, user_id: i64) -> bool {
    if app.config.moderator_ids.contains(&user_id) {
        return true;
    }
    let Some(chat) = app.config.moderator_chat_id else {
        return false;
    };
    if let Some(trusted) = app.memberships.get(user_id) {
        return trusted;
    }
    let trusted = match bot
        .get_chat_member(ChatId(chat), UserId(user_id as u64))
        .await
    {
        Ok(m) => trusted_role(&m.kind, app.config.moderator_chat_members),
        Err(e) => {
            tracing::warn!(error = %e, "a role in the moderators' chat could not be checked");
            return false;
        }
    };
    app.memberships.put(user_id, trusted);
    trusted
}

/// A moderator's language: their choice, then Telegram's.
async fn moderator_lang(app: &App, user: &User) -> Lang {
    let hash = app.reporter_key.hash(user.id.0 as i64);
    let settings = app.store.user_settings(&hash).await.ok().flatten();
    reply_lang(settings.as_ref(), Some(user), None)
}

/// Builds the card of a report and says whether it is pending, or `None` when there is no
/// such report.
async fn card_html(app: &App, lang: Lang, id: i64, announce: bool) -> Option<(String, bool)> {
    let card = app.store.card(id).await.ok()??;
    let extraction = card.text.as_deref().map(extract::extract);
    let linked = app.store.linked_reports(id).await.unwrap_or_default();
    let links = app.store.report_links(id).await.unwrap_or_default();
    let corrections = app.store.corrections(id).await.unwrap_or_default();
    let html = render::card(
        lang,
        &render::CardView {
            card: &card,
            extraction: extraction.as_ref(),
            linked: &linked,
            links: &links,
            corrections: &corrections,
            announce,
        },
    );
    Some((html, card.status == "pending"))
}

/// Is the report still waiting for a decision?
async fn is_pending(app: &App, id: i64) -> bool {
    app.store
        .card(id)
        .await
        .ok()
        .flatten()
        .is_some_and(|c| c.status == "pending")
}

/// Sends a report's card with its buttons (buttons only while it is pending).
async fn send_card(
    bot: &TgBot,
    app: &App,
    chat: ChatId,
    lang: Lang,
    id: i64,
    announce: bool,
) -> ResponseResult<bool> {
    let Some((html, pending)) = card_html(app, lang, id, announce).await else {
        return Ok(false);
    };
    let request = bot.send_message(chat, html).parse_mode(ParseMode::Html);
    if pending {
        request
            .reply_markup(render::card_keyboard(lang, id))
            .await?;
    } else {
        request.await?;
    }
    Ok(true)
}

/// The next card of the queue for this moderator, or "the queue is empty".
async fn next_card(
    bot: &TgBot,
    app: &App,
    chat: ChatId,
    lang: Lang,
    moderator: i64,
) -> ResponseResult<()> {
    match app.store.next_pending(moderator).await {
        Ok(Some(id)) => {
            send_card(bot, app, chat, lang, id, false).await?;
        }
        Ok(None) => {
            send(bot, chat, render::plain(lang, "queue-empty")).await?;
        }
        Err(e) => {
            tracing::warn!(error = %e, "the queue could not be read");
            send(bot, chat, render::plain(lang, "store-failed")).await?;
        }
    }
    Ok(())
}

/// A report number written as `12` or `#12`.
fn report_id(word: Option<&str>) -> Option<i64> {
    word?.trim_start_matches('#').parse().ok()
}

/// Handles a moderators' command; refuses everyone else.
pub async fn command(
    bot: &TgBot,
    app: &Arc<App>,
    chat: ChatId,
    user: &User,
    name: &str,
    args: &str,
) -> ResponseResult<()> {
    let moderator = user.id.0 as i64;
    if !is_moderator(bot, app, moderator).await {
        let lang = moderator_lang(app, user).await;
        send(bot, chat, render::plain(lang, "mod-only")).await?;
        return Ok(());
    }
    let lang = moderator_lang(app, user).await;
    let now = app.now_ms();
    let mut words = args.split_whitespace();
    match name {
        "queue" => next_card(bot, app, chat, lang, moderator).await?,
        "digest" => preview_digest(bot, app, chat, lang).await?,
        "history" => match report_id(words.next()) {
            Some(id) => {
                let entries = app.store.history(id).await.unwrap_or_default();
                send(bot, chat, render::history(lang, id, &entries)).await?;
            }
            None => {
                send(bot, chat, render::plain(lang, "history-usage")).await?;
            }
        },
        "reopen" => match report_id(words.next()) {
            Some(id) => {
                let key = match app.store.reopen(id, moderator, now).await {
                    Ok(true) => "reopened",
                    Ok(false) if app.store.card(id).await.ok().flatten().is_none() => {
                        "report-not-found"
                    }
                    Ok(false) => "not-decided",
                    Err(_) => "store-failed",
                };
                send(bot, chat, render::with_id(lang, key, id)).await?;
            }
            None => {
                send(bot, chat, render::plain(lang, "reopen-usage")).await?;
            }
        },
        "duplicate" => match (report_id(words.next()), report_id(words.next())) {
            (Some(id), Some(of)) if id != of => {
                decide(bot, app, chat, lang, user, id, "duplicate", Some(of), None).await?;
            }
            _ => {
                send(bot, chat, render::plain(lang, "dup-usage")).await?;
            }
        },
        "find" => {
            let query = args.trim();
            if query.is_empty() {
                send(bot, chat, render::plain(lang, "find-usage")).await?;
            } else {
                let lines = find(&app.store, query).await;
                send(bot, chat, render::found(lang, query, &lines)).await?;
            }
        }
        "stats" => {
            let week_ago = now - 7 * 86_400_000;
            match app.store.stats(week_ago).await {
                Ok(s) => send(bot, chat, render::stats(lang, &s)).await?,
                Err(_) => send(bot, chat, render::plain(lang, "store-failed")).await?,
            };
        }
        "correct" => {
            let id = report_id(words.next());
            let field = words.next().map(str::to_ascii_lowercase);
            let rest: Vec<&str> = words.collect();
            let value = match (field.as_deref(), rest.as_slice()) {
                (Some("label"), [label]) => label_value(label),
                (Some("amount"), [value, currency, period @ ..]) => {
                    amount_value(value, currency, period.first().copied())
                }
                _ => None,
            };
            match (id, field, value) {
                (Some(id), Some(field), Some(value)) => {
                    let key = match app.store.correct(id, &field, &value, moderator, now).await {
                        Ok(true) => "corrected",
                        Ok(false) => "report-not-found",
                        Err(_) => "store-failed",
                    };
                    send(bot, chat, render::with_id(lang, key, id)).await?;
                }
                _ => {
                    send(bot, chat, render::plain(lang, "correct-usage")).await?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `/digest`: the digest that would go out now, in its own language, to this chat only.
async fn preview_digest(bot: &TgBot, app: &App, chat: ChatId, lang: Lang) -> ResponseResult<()> {
    let settings = app.config.digest.clone();
    let (target, digest_lang) = settings
        .chats
        .first()
        .map(|c| (c.target.clone(), c.lang))
        .unwrap_or_else(|| (String::new(), settings.language));
    let poster = super::digest::Poster::new(app.store.clone(), settings);
    let me = bot.get_me().await?;
    match poster
        .render(&target, digest_lang, app.now_ms(), false, me.username())
        .await
    {
        Ok(Some((_, parts))) => {
            for part in parts {
                send(bot, chat, part).await?;
            }
        }
        Ok(None) => {
            send(bot, chat, render::plain(lang, "digest-nothing")).await?;
        }
        Err(_) => {
            send(bot, chat, render::plain(lang, "store-failed")).await?;
        }
    }
    Ok(())
}

/// A label correction's value, from a name or a button's one-letter code.
fn label_value(label: &str) -> Option<serde_json::Value> {
    let label = match label {
        "m" => "military_recruitment",
        "s" => "scam_job",
        "b" => "benign",
        other => other,
    };
    matches!(label, "military_recruitment" | "scam_job" | "benign")
        .then(|| serde_json::Value::String(label.to_string()))
}

/// An amount correction: `495000 RUB one_time`.
fn amount_value(value: &str, currency: &str, period: Option<&str>) -> Option<serde_json::Value> {
    let number: f64 = value
        .replace([' ', '\u{a0}', '_'], "")
        .replace(',', ".")
        .parse()
        .ok()?;
    let currency = currency.to_ascii_uppercase();
    if !(number.is_finite()
        && number > 0.0
        && currency.len() == 3
        && currency.chars().all(|c| c.is_ascii_alphabetic()))
    {
        return None;
    }
    let period = match period {
        None => None,
        Some(p @ ("one_time" | "monthly" | "daily" | "yearly")) => Some(p),
        Some(_) => return None,
    };
    Some(serde_json::json!({"value": number, "currency": currency, "period": period}))
}

/// Reports sharing what the moderator typed: the engine reads it (a phone becomes E.164, a
/// link its domain, an organisation its canonical name); failing that, the words as typed.
async fn find(store: &Store, query: &str) -> Vec<crate::store::ReportLine> {
    let x = extract::extract(query);
    let mut keys: Vec<(Option<&'static str>, String)> = x
        .entities
        .iter()
        .filter(|e| {
            matches!(
                e.kind,
                extract::EntityKind::Phone
                    | extract::EntityKind::Domain
                    | extract::EntityKind::Telegram
                    | extract::EntityKind::Handle
                    | extract::EntityKind::Org
            )
        })
        .map(|e| (Some(e.kind.as_str()), e.normalized.to_lowercase()))
        .collect();
    let plain = query.trim().trim_start_matches('@').to_lowercase();
    keys.push((None, plain));
    let mut out: Vec<crate::store::ReportLine> = Vec::new();
    for (kind, value) in keys {
        for line in store.find_reports(kind, &value).await.unwrap_or_default() {
            if !out.iter().any(|l| l.id == line.id) {
                out.push(line);
            }
        }
    }
    out
}

/// Takes a decision, answers the moderator, and tells the citizens once.
#[allow(clippy::too_many_arguments)]
async fn decide(
    bot: &TgBot,
    app: &Arc<App>,
    chat: ChatId,
    lang: Lang,
    user: &User,
    id: i64,
    status: &str,
    duplicate_of: Option<i64>,
    callback: Option<&CallbackQuery>,
) -> ResponseResult<()> {
    let moderator = user.id.0 as i64;
    let decision = app
        .store
        .decide(id, status, moderator, duplicate_of, app.now_ms())
        .await;
    let text = match &decision {
        Ok(Decision::Decided) => match status {
            "approved" => render::plain(lang, "decided-approved"),
            "rejected" => render::plain(lang, "decided-rejected"),
            _ => crate::i18n::tr(
                lang,
                "decided-duplicate",
                &[(
                    "of",
                    format!("#{}", duplicate_of.unwrap_or_default()).into(),
                )],
            ),
        },
        Ok(Decision::AlreadyDecided { status, .. }) => crate::i18n::tr(
            lang,
            "already-decided",
            &[(
                "status",
                crate::i18n::t(lang, &format!("status-{status}")).into(),
            )],
        ),
        Ok(Decision::NotFound) => {
            crate::i18n::tr(lang, "report-not-found", &[("id", format!("#{id}").into())])
        }
        Err(_) => crate::i18n::t(lang, "store-failed"),
    };
    match callback {
        Some(q) => {
            bot.answer_callback_query(q.id.clone()).text(text).await?;
            if matches!(
                decision,
                Ok(Decision::Decided | Decision::AlreadyDecided { .. })
            ) {
                if let Some(m) = q.message.as_ref() {
                    let _ = bot.edit_message_reply_markup(m.chat().id, m.id()).await;
                }
            }
        }
        None => {
            send(bot, chat, render::escape(&text)).await?;
        }
    }
    if matches!(decision, Ok(Decision::Decided)) {
        if matches!(status, "approved" | "rejected") {
            tell_reporters(bot, app, id, status).await;
        }
        // Work goes on: the next card, in a private chat (a group would be flooded).
        if chat.is_user() && callback.is_some() {
            next_card(bot, app, chat, lang, moderator).await?;
        }
    }
    Ok(())
}

/// Tells each citizen who sent the report (and still wants to hear) the outcome, once: the
/// chats are taken from the database in the same statement that forgets them.
async fn tell_reporters(bot: &TgBot, app: &App, id: i64, status: &str) {
    let reporters = match app.store.take_reporter_chats(id).await {
        Ok(r) => r,
        Err(e) => {
            tracing::warn!(error = %e, "the citizens of a decided report could not be read");
            return;
        }
    };
    let report_lang = app
        .store
        .card(id)
        .await
        .ok()
        .flatten()
        .and_then(|c| Lang::from_code(&c.language));
    for r in reporters {
        let lang = r
            .language
            .as_deref()
            .and_then(Lang::from_code)
            .or(report_lang)
            .unwrap_or(Lang::En);
        if let Err(e) = send(bot, ChatId(r.chat_id), render::outcome(lang, id, status)).await {
            tracing::info!(error = %e, "a citizen could not be told the outcome");
        }
    }
}

/// A press on a card's button (`m:<action>:<id>[:<arg>]`). Always answered.
pub async fn callback(bot: &TgBot, app: &Arc<App>, q: &CallbackQuery) -> ResponseResult<()> {
    let data = q.data.as_deref().unwrap_or_default();
    let mut parts = data.split(':').skip(1);
    let action = parts.next().unwrap_or_default();
    let id = report_id(parts.next());
    let arg = parts.next();
    let lang = moderator_lang(app, &q.from).await;
    let moderator = q.from.id.0 as i64;
    if !is_moderator(bot, app, moderator).await {
        bot.answer_callback_query(q.id.clone())
            .text(crate::i18n::t(lang, "mod-only"))
            .show_alert(true)
            .await?;
        return Ok(());
    }
    let Some(id) = id else {
        bot.answer_callback_query(q.id.clone()).await?;
        return Ok(());
    };
    let chat = q
        .message
        .as_ref()
        .map(MaybeInaccessibleMessage::chat)
        .map(|c| c.id)
        .unwrap_or(ChatId(moderator));
    let message = q.message.as_ref().map(|m| (m.chat().id, m.id()));
    match action {
        "a" => decide(bot, app, chat, lang, &q.from, id, "approved", None, Some(q)).await?,
        "r" => decide(bot, app, chat, lang, &q.from, id, "rejected", None, Some(q)).await?,
        "D" => match report_id(arg).filter(|of| *of != id) {
            Some(of) => {
                decide(
                    bot,
                    app,
                    chat,
                    lang,
                    &q.from,
                    id,
                    "duplicate",
                    Some(of),
                    Some(q),
                )
                .await?
            }
            None => {
                bot.answer_callback_query(q.id.clone()).await?;
            }
        },
        "s" => {
            let _ = app.store.skip(moderator, id, app.now_ms()).await;
            bot.answer_callback_query(q.id.clone())
                .text(crate::i18n::t(lang, "skipped"))
                .await?;
            if let Some((c, m)) = message {
                let _ = bot.edit_message_reply_markup(c, m).await;
            }
            if chat.is_user() {
                next_card(bot, app, chat, lang, moderator).await?;
            }
        }
        "d" => {
            let linked = app.store.linked_reports(id).await.unwrap_or_default();
            if linked.is_empty() {
                bot.answer_callback_query(q.id.clone())
                    .text(crate::i18n::tr(lang, "dup-none", &[("id", id.into())]))
                    .show_alert(true)
                    .await?;
            } else {
                bot.answer_callback_query(q.id.clone()).await?;
                if let Some((c, m)) = message {
                    let candidates: Vec<i64> = linked.into_iter().take(9).collect();
                    bot.edit_message_reply_markup(c, m)
                        .reply_markup(render::duplicate_keyboard(lang, id, &candidates))
                        .await?;
                }
            }
        }
        "l" => {
            bot.answer_callback_query(q.id.clone())
                .text(crate::i18n::t(lang, "choose-label"))
                .await?;
            if let Some((c, m)) = message {
                bot.edit_message_reply_markup(c, m)
                    .reply_markup(render::label_keyboard(lang, id))
                    .await?;
            }
        }
        "L" => {
            let value = arg.and_then(label_value);
            let text = match value {
                Some(v) => match app
                    .store
                    .correct(id, "label", &v, moderator, app.now_ms())
                    .await
                {
                    Ok(true) => {
                        crate::i18n::tr(lang, "corrected", &[("id", format!("#{id}").into())])
                    }
                    _ => crate::i18n::t(lang, "store-failed"),
                },
                None => String::new(),
            };
            let mut answer = bot.answer_callback_query(q.id.clone());
            if !text.is_empty() {
                answer = answer.text(text);
            }
            answer.await?;
            restore_card(bot, app, message, lang, id).await;
        }
        "c" => {
            bot.answer_callback_query(q.id.clone()).await?;
            restore_card(bot, app, message, lang, id).await;
        }
        _ => {
            bot.answer_callback_query(q.id.clone()).await?;
        }
    }
    Ok(())
}

/// Puts the card's own buttons back (while the report is pending).
async fn restore_card(
    bot: &TgBot,
    app: &App,
    message: Option<(ChatId, teloxide::types::MessageId)>,
    lang: Lang,
    id: i64,
) {
    let Some((c, m)) = message else { return };
    let pending = is_pending(app, id).await;
    let request = bot.edit_message_reply_markup(c, m);
    let _ = if pending {
        request.reply_markup(render::card_keyboard(lang, id)).await
    } else {
        request.await
    };
}

/// The report a card message is about, from its buttons or its title.
fn card_report(card: &Message) -> Option<i64> {
    if let Some(markup) = card.reply_markup() {
        for b in markup.inline_keyboard.iter().flatten() {
            if let teloxide::types::InlineKeyboardButtonKind::CallbackData(d) = &b.kind {
                if let Some(rest) = d.strip_prefix("m:") {
                    return report_id(rest.split(':').nth(1));
                }
            }
        }
    }
    let text = card.text()?;
    let first = text.lines().find(|l| l.starts_with("📋"))?;
    let at = first.find('#')?;
    first[at + 1..]
        .split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// A moderator's reply to a card is a note in the report's audit trail. Returns false when
/// the message is not such a reply (it is then handled as usual).
pub async fn note(bot: &TgBot, app: &Arc<App>, msg: &Message, user: &User) -> ResponseResult<bool> {
    let Some(card) = msg.reply_to_message() else {
        return Ok(false);
    };
    let from_bot = card.from.as_ref().is_some_and(|u| u.is_bot);
    let (Some(id), true, Some(text)) = (card_report(card), from_bot, msg.text()) else {
        return Ok(false);
    };
    if text.starts_with('/') || !is_moderator(bot, app, user.id.0 as i64).await {
        return Ok(false);
    }
    let lang = moderator_lang(app, user).await;
    let key = match app
        .store
        .add_note(id, user.id.0 as i64, text, app.now_ms())
        .await
    {
        Ok(true) => "note-saved",
        Ok(false) => "report-not-found",
        Err(_) => "store-failed",
    };
    send(bot, msg.chat.id, render::with_id(lang, key, id)).await?;
    Ok(true)
}

/// Announces a new high-risk report in the moderators' chat, with its card and buttons.
pub async fn announce(bot: &TgBot, app: &App, id: i64, risk: u8) {
    let Some(chat) = app.config.moderator_chat_id else {
        return;
    };
    if risk < app.config.moderator_alert_risk {
        return;
    }
    let lang = Lang::from_code(&app.config.moderator_language).unwrap_or(Lang::Ru);
    if let Err(e) = send_card(bot, app, ChatId(chat), lang, id, true).await {
        tracing::warn!(error = %e, "a new report could not be announced to moderators");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn corrections_are_checked() {
        assert_eq!(label_value("s"), Some(serde_json::json!("scam_job")));
        assert_eq!(label_value("nonsense"), None);
        assert_eq!(
            amount_value("495000", "rub", Some("one_time")),
            Some(serde_json::json!({"value": 495000.0, "currency": "RUB", "period": "one_time"}))
        );
        assert_eq!(amount_value("-5", "RUB", None), None);
        assert_eq!(amount_value("5", "RUBLES", None), None);
        assert_eq!(amount_value("5", "RUB", Some("weekly")), None);
    }

    #[test]
    fn the_remembered_roles_stay_bounded() {
        let roles = Memberships::default();
        for user in 0..(MEMBERSHIPS_MAX as i64 + 500) {
            roles.put(user, user % 2 == 0);
        }
        assert_eq!(roles.len(), MEMBERSHIPS_MAX);
        let last = MEMBERSHIPS_MAX as i64 + 499;
        assert_eq!(roles.get(last), Some(false), "the newest answer is kept");
        assert_eq!(roles.get(0), None, "the oldest went first");
    }

    #[test]
    fn only_administrators_are_trusted_unless_members_are() {
        let kind = |status: &str, extra: serde_json::Value| {
            let mut member = serde_json::json!({"status": status, "user": {"id": 1, "is_bot": false, "first_name": "u"}});
            for (k, v) in extra.as_object().unwrap() {
                member[k] = v.clone();
            }
            serde_json::from_value::<teloxide::types::ChatMember>(member)
                .unwrap()
                .kind
        };
        let creator = kind("creator", serde_json::json!({"is_anonymous": false}));
        let member = kind("member", serde_json::json!({}));
        let left = kind("left", serde_json::json!({}));
        assert!(trusted_role(&creator, false));
        assert!(!trusted_role(&member, false));
        assert!(trusted_role(&member, true));
        assert!(!trusted_role(&left, true));
    }

    #[test]
    fn report_numbers_may_carry_a_hash() {
        assert_eq!(report_id(Some("#12")), Some(12));
        assert_eq!(report_id(Some("12")), Some(12));
        assert_eq!(report_id(Some("x")), None);
    }
}
