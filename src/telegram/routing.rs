//! Routing: every update, once claimed and its turn come, handled by kind and chat (a
//! citizen's private chat, a group's `/report`, the moderators' chat, a button), and the
//! helpers every handler shares (the language to answer in, sending without link previews).

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::{LinkPreviewOptions, ParseMode, User};

use super::citizens::on_callback;
use super::intake::{content, file_report, marked_links, origin, process_claimed, Filed, Intake};
use super::{delivery, ingress, moderation, render, App, TgBot};
use crate::extract::Lang;
use crate::service::UserSettings;

/// Every update, once claimed and its turn come in its lane: handled by kind, its sends
/// recorded as they go out, then marked done (and its copy erased) unless its work goes on in
/// a task of its own ([`delivery::keep_open`]).
pub(super) async fn on_update(bot: TgBot, update: Update, app: Arc<App>) -> ResponseResult<()> {
    use tracing::Instrument;
    let started = std::time::Instant::now();
    let kind = ingress::kind_of(&update);
    // Every log line of the update carries its id and kind (never who sent it).
    let span = tracing::info_span!("update", id = update.id.0, kind);
    let work = async {
        match update.kind.clone() {
            teloxide::types::UpdateKind::Message(msg) => {
                on_message(bot, msg, app.clone()).instrument(span).await
            }
            teloxide::types::UpdateKind::CallbackQuery(q) => {
                on_callback(bot, q, app.clone()).instrument(span).await
            }
            // Edited messages, channel posts and every other kind are not answered.
            _ => Ok(()),
        }
    };
    let result = delivery::handle(&app, update.id, work).await;
    app.metrics.handled(kind, started.elapsed());
    result
}

pub(super) async fn on_message(bot: TgBot, msg: Message, app: Arc<App>) -> ResponseResult<()> {
    if !msg.chat.is_private() {
        return on_group_message(bot, msg, app).await;
    }
    let Some(user) = msg.from.clone() else {
        return Ok(());
    };
    let now = app.now_ms();
    process_claimed(&bot, &msg, &app, user, now).await
}

/// A command without its slash, split into its name (lower case, without `@bot`) and the rest.
pub(super) fn command_parts(command: &str) -> (String, &str) {
    let (name, args) = command
        .split_once(char::is_whitespace)
        .unwrap_or((command, ""));
    let name = name
        .split('@')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    (name, args)
}

/// Is this `/report` (or `/report@bot`)?
pub(super) fn is_report_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    first == "/report" || first.starts_with("/report@")
}

/// In a group, `/report` as a reply files the replied message. The reporter hears back in
/// private, never in the group; the command is deleted where the bot may.
pub(super) async fn on_group_message(
    bot: TgBot,
    msg: Message,
    app: Arc<App>,
) -> ResponseResult<()> {
    if Some(msg.chat.id.0) == app.config.moderator_chat_id {
        return on_moderators_chat(bot, msg, app).await;
    }
    let (Some(user), Some(target)) = (msg.from.clone(), msg.reply_to_message().cloned()) else {
        return Ok(());
    };
    if !msg.text().is_some_and(is_report_command) {
        return Ok(());
    }
    let now = app.now_ms();
    let _ = bot.delete_message(msg.chat.id, msg.id).await;
    let Some(text) = content(&target).filter(|t| !t.trim().is_empty()) else {
        return Ok(());
    };
    let settings = app.service.settings(user.id.0 as i64).await.ok().flatten();
    let private = ChatId(user.id.0 as i64);
    let group_origin = || {
        (
            format!("group:{}:{}", target.chat.id.0, target.id.0),
            serde_json::json!({"kind": "group", "chat_id": target.chat.id.0, "title": target.chat.title(), "message_id": target.id.0}),
        )
    };
    let origin = origin(&target).unwrap_or_else(group_origin);
    let intake = Intake {
        chat: private,
        reply_to: None,
        text,
        origin: Some(origin),
        links: marked_links(&target),
    };
    if let Filed::NotDelivered(done) =
        file_report(&bot, &app, &user, intake, settings.clone(), now).await
    {
        let lang = reply_lang(
            settings.as_ref(),
            Some(&user),
            Some(done.extraction.language),
        );
        // The citizen never started the bot: a link that opens it on this report for them
        // alone (an unguessable token, never the report's number), nothing more.
        let token = app
            .service
            .report_link_token(done.stored.report_id, user.id.0 as i64, now)
            .await;
        let token = match token {
            Ok(Some(token)) => token,
            Ok(None) => return Ok(()),
            Err(e) => {
                tracing::warn!(error = %e, "a report link could not be kept; none is posted");
                return Ok(());
            }
        };
        if let Ok(me) = bot.get_me().await {
            let link = format!("https://t.me/{}?start={token}", me.username());
            if let Ok(url) = link.parse() {
                let keyboard = render::open_bot_keyboard(lang, url);
                let _ = bot
                    .send_message(msg.chat.id, render::plain(lang, "report-received"))
                    .reply_markup(keyboard)
                    .parse_mode(ParseMode::Html)
                    .await;
            }
        }
    }
    Ok(())
}

/// In the moderators' chat: moderators' commands, and notes as replies to cards. Everything
/// else is their conversation and is left alone.
pub(super) async fn on_moderators_chat(
    bot: TgBot,
    msg: Message,
    app: Arc<App>,
) -> ResponseResult<()> {
    let (Some(user), Some(text)) = (msg.from.clone(), msg.text()) else {
        return Ok(());
    };
    let command = text.strip_prefix('/').and_then(|c| {
        let (name, args) = command_parts(c);
        moderation::Command::parse(&name).map(|command| (command, args.to_string()))
    });
    let is_reply = msg.reply_to_message().is_some();
    if command.is_none() && !is_reply {
        return Ok(());
    }
    match command {
        Some((name, args)) => {
            moderation::command(&bot, &app, msg.chat.id, &user, name, &args).await
        }
        None => moderation::note(&bot, &app, &msg, &user).await.map(|_| ()),
    }
}

/// Button presses are throttled per user, moderators far above a press a second; an excess
/// press is answered on the button with a short text, never with a message.
pub(super) async fn press_allowed(
    bot: &TgBot,
    app: &App,
    q: &CallbackQuery,
) -> ResponseResult<bool> {
    let user = q.from.id.0;
    let moderator = moderation::is_moderator(bot, app, user as i64).await;
    if app.presses.allow(user, moderator) {
        return Ok(true);
    }
    let lang = reply_lang(None, Some(&q.from), None);
    bot.answer_callback_query(q.id.clone())
        .text(crate::i18n::t(lang, "press-slow"))
        .await?;
    Ok(false)
}

/// The language to answer in: the citizen's choice, then Telegram's `language_code`, then the
/// language of what they wrote.
pub(super) fn reply_lang(
    settings: Option<&UserSettings>,
    user: Option<&User>,
    text_lang: Option<Lang>,
) -> Lang {
    settings
        .and_then(|s| s.language)
        .or_else(|| {
            user.and_then(|u| u.language_code.as_deref())
                .and_then(Lang::from_code)
        })
        .or(text_lang)
        .unwrap_or(Lang::En)
}

/// The language to answer a citizen's own words in (not a forwarded ad): the one they chose
/// with /language; else the language they wrote a few words in, when Telegram's app speaks
/// only Russian or English to them (it has no Kyrgyz, Tajik, Nepali… of its own, so a Kyrgyz
/// speaker's app is often set to Russian), unless they wrote in Russian or English themselves
/// (a pasted ad); else as [`reply_lang`].
pub(super) fn own_words_lang(
    settings: Option<&UserSettings>,
    user: Option<&User>,
    text: &str,
    text_lang: Lang,
) -> Lang {
    let chosen = settings.and_then(|s| s.language);
    let app = user
        .and_then(|u| u.language_code.as_deref())
        .and_then(Lang::from_code);
    let words = text
        .split_whitespace()
        .filter(|w| w.chars().filter(|c| c.is_alphabetic()).count() >= 2)
        .count();
    let app_is_default = matches!(app, None | Some(Lang::En) | Some(Lang::Ru));
    match chosen {
        Some(lang) => lang,
        None if app_is_default && words >= 4 && !matches!(text_lang, Lang::En | Lang::Ru) => {
            text_lang
        }
        None => reply_lang(settings, user, Some(text_lang)),
    }
}

pub(super) async fn send(bot: &TgBot, chat: ChatId, html: String) -> ResponseResult<Message> {
    bot.send_message(chat, html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_link_preview())
        .await
}

/// The bot's answers never unfold a link into a preview: a recruiter's page must not be shown
/// as an inviting card in the citizen's chat, and a source list needs no picture.
pub(super) fn no_link_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}
