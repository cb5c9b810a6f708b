//! Moderators on Telegram: the review queue as cards with buttons, `/find`, `/history`,
//! `/reopen`, `/stats`, `/correct`, notes as replies to cards, and the outcome told to
//! citizens. The rules (who may decide, a decision taken once, who is told) are the service's
//! ([`crate::service::moderation`]); this module asks Telegram for a user's role in the
//! moderators' chat, parses, calls the service and renders.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{MaybeInaccessibleMessage, ParseMode, User};

use super::{render, reply_lang, send, App, TgBot};
use crate::extract::Lang;
use crate::service::moderation::{ChatRole, Decided, Fix, Reopened};
use crate::service::{Decision, ReportStatus, ReviewAction};

/// Commands only moderators may use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Command {
    Queue,
    Digest,
    Find,
    History,
    Reopen,
    Stats,
    Correct,
    Duplicate,
}

/// Each moderators' command by the name typed after the slash.
const COMMANDS: [(&str, Command); 8] = [
    ("queue", Command::Queue),
    ("digest", Command::Digest),
    ("find", Command::Find),
    ("history", Command::History),
    ("reopen", Command::Reopen),
    ("stats", Command::Stats),
    ("correct", Command::Correct),
    ("duplicate", Command::Duplicate),
];

impl Command {
    /// The moderators' command of this name (lower case, without the slash), if it is one.
    pub fn parse(name: &str) -> Option<Command> {
        COMMANDS.iter().find(|(n, _)| *n == name).map(|(_, c)| *c)
    }
}

/// A member's kind as the service's [`ChatRole`].
pub fn chat_role(kind: &teloxide::types::ChatMemberKind) -> ChatRole {
    if kind.is_privileged() {
        ChatRole::Privileged
    } else if kind.is_member() {
        ChatRole::Member
    } else {
        ChatRole::Other
    }
}

/// Is this user a moderator? The service's rule, with their role in the moderators' chat
/// asked of Telegram when it needs it.
pub async fn is_moderator(bot: &TgBot, app: &App, user_id: i64) -> bool {
    let ask = |chat: i64, user: i64| async move {
        match bot.get_chat_member(ChatId(chat), UserId(user as u64)).await {
            Ok(m) => Some(chat_role(&m.kind)),
            Err(e) => {
                tracing::warn!(error = %e, "a role in the moderators' chat could not be checked");
                None
            }
        }
    };
    app.moderators.is_moderator(user_id, ask).await
}

/// A moderator's language: their choice, then Telegram's.
async fn moderator_lang(app: &App, user: &User) -> Lang {
    let settings = app.service.settings(user.id.0 as i64).await.ok().flatten();
    reply_lang(settings.as_ref(), Some(user), None)
}

/// Builds the card of a report and says whether it is pending, or `None` when there is no
/// such report.
async fn card_html(app: &App, lang: Lang, id: i64, announce: bool) -> Option<(String, bool)> {
    let view = app.service.card(id).await.ok()??;
    let html = render::card(
        lang,
        &render::CardView {
            card: &view.card,
            extraction: view.extraction.as_ref(),
            linked: &view.linked,
            links: &view.links,
            corrections: &view.corrections,
            announce,
        },
    );
    Some((html, view.is_pending()))
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
    match app.service.next_pending(moderator).await {
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
    name: Command,
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
        Command::Queue => next_card(bot, app, chat, lang, moderator).await?,
        Command::Digest => preview_digest(bot, app, chat, lang).await?,
        Command::History => match report_id(words.next()) {
            Some(id) => {
                let entries = app.service.history(id).await.unwrap_or_default();
                send(bot, chat, render::history(lang, id, &entries)).await?;
            }
            None => {
                send(bot, chat, render::plain(lang, "history-usage")).await?;
            }
        },
        Command::Reopen => match report_id(words.next()) {
            Some(id) => {
                let key = match app.service.reopen(id, moderator, now).await {
                    Ok(Reopened::Reopened) => "reopened",
                    Ok(Reopened::NotFound) => "report-not-found",
                    Ok(Reopened::NotDecided) => "not-decided",
                    Err(_) => "store-failed",
                };
                send(bot, chat, render::with_id(lang, key, id)).await?;
            }
            None => {
                send(bot, chat, render::plain(lang, "reopen-usage")).await?;
            }
        },
        Command::Duplicate => match (report_id(words.next()), report_id(words.next())) {
            (Some(id), Some(of)) if id != of => {
                decide(
                    bot,
                    app,
                    chat,
                    lang,
                    user,
                    id,
                    ReviewAction::Duplicate(of),
                    None,
                )
                .await?;
            }
            _ => {
                send(bot, chat, render::plain(lang, "dup-usage")).await?;
            }
        },
        Command::Find => {
            let query = args.trim();
            if query.is_empty() {
                send(bot, chat, render::plain(lang, "find-usage")).await?;
            } else {
                let lines = app.service.find(query).await;
                send(bot, chat, render::found(lang, query, &lines)).await?;
            }
        }
        Command::Stats => {
            match app.service.stats(now).await {
                Ok(s) => send(bot, chat, render::stats(lang, &s)).await?,
                Err(_) => send(bot, chat, render::plain(lang, "store-failed")).await?,
            };
        }
        Command::Correct => {
            let id = report_id(words.next());
            let field = words.next().map(str::to_ascii_lowercase);
            let rest: Vec<&str> = words.collect();
            let fix = field.and_then(|f| Fix::parse(&f, &rest));
            match (id, fix) {
                (Some(id), Some(fix)) => {
                    let key = match app.service.correct(id, &fix, moderator, now).await {
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
    let poster = super::digest::Poster::new(app.service.clone(), settings);
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

/// Takes a decision, answers the moderator, and tells the citizens the service returns.
#[allow(clippy::too_many_arguments)]
async fn decide(
    bot: &TgBot,
    app: &Arc<App>,
    chat: ChatId,
    lang: Lang,
    user: &User,
    id: i64,
    action: ReviewAction,
    callback: Option<&CallbackQuery>,
) -> ResponseResult<()> {
    let moderator = user.id.0 as i64;
    let decided = app
        .service
        .decide(id, action, moderator, app.now_ms())
        .await;
    let text = render::decided(lang, id, action, decided.as_ref().map(|d| &d.decision));
    let settled = matches!(
        decided,
        Ok(Decided {
            decision: Decision::Decided | Decision::AlreadyDecided { .. },
            ..
        })
    );
    match callback {
        Some(q) => {
            bot.answer_callback_query(q.id.clone()).text(text).await?;
            if settled {
                if let Some(m) = q.message.as_ref() {
                    let _ = bot.edit_message_reply_markup(m.chat().id, m.id()).await;
                }
            }
        }
        None => {
            send(bot, chat, render::escape(&text)).await?;
        }
    }
    if let Ok(Decided {
        decision: Decision::Decided,
        told,
    }) = decided
    {
        tell_reporters(bot, id, action.status(), &told).await;
        // Work goes on: the next card, in a private chat (a group would be flooded).
        if chat.is_user() && callback.is_some() {
            next_card(bot, app, chat, lang, moderator).await?;
        }
    }
    Ok(())
}

/// Tells each citizen the service returned the outcome of their report.
async fn tell_reporters(
    bot: &TgBot,
    id: i64,
    status: ReportStatus,
    told: &[crate::service::moderation::Outcome],
) {
    for o in told {
        if let Err(e) = send(bot, ChatId(o.chat_id), render::outcome(o.lang, id, status)).await {
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
        "a" | "r" | "D" => {
            let decision = match action {
                "a" => Some(ReviewAction::Approve),
                "r" => Some(ReviewAction::Reject),
                _ => report_id(arg)
                    .filter(|of| *of != id)
                    .map(ReviewAction::Duplicate),
            };
            match decision {
                Some(decision) => {
                    decide(bot, app, chat, lang, &q.from, id, decision, Some(q)).await?
                }
                None => {
                    bot.answer_callback_query(q.id.clone()).await?;
                }
            }
        }
        "s" => {
            let _ = app.service.skip(moderator, id, app.now_ms()).await;
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
            let linked = app.service.linked_reports(id).await.unwrap_or_default();
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
            let fix = arg.and_then(|a| Fix::parse("label", &[a]));
            let text = match fix {
                Some(fix) => match app.service.correct(id, &fix, moderator, app.now_ms()).await {
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
    let pending = app.service.is_pending(id).await;
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
        .service
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
    fn members_kinds_become_the_services_roles() {
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
        assert_eq!(chat_role(&creator), ChatRole::Privileged);
        assert_eq!(chat_role(&member), ChatRole::Member);
        assert_eq!(chat_role(&left), ChatRole::Other);
    }

    #[test]
    fn report_numbers_may_carry_a_hash() {
        assert_eq!(report_id(Some("#12")), Some(12));
        assert_eq!(report_id(Some("12")), Some(12));
        assert_eq!(report_id(Some("x")), None);
    }
}
