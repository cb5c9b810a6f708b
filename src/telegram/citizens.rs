//! Citizens' commands and buttons: `/start` (and report links), `/help`, `/privacy`,
//! `/forget`, `/country`, `/language`, `/notify`, and the country, guidance and language
//! buttons.

use std::sync::Arc;

use teloxide::prelude::*;
use teloxide::types::ParseMode;

use super::intake::answer_report;
use super::routing::{command_parts, no_link_preview, press_allowed};
use super::{moderation, render, reply_lang, send, App, TgBot};
use crate::extract::Lang;
use crate::guidance;
use crate::service::{self, UserSettings};

/// Sends a country's guidance in `lang`, with buttons for its other languages.
pub(super) async fn send_guidance(
    bot: &TgBot,
    chat: ChatId,
    country: &str,
    lang: Lang,
) -> ResponseResult<()> {
    if let Some(g) = guidance::guidance(country, lang) {
        let html = render::fit(render::guidance_sections(lang, &g));
        bot.send_message(chat, html)
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_link_preview())
            .reply_markup(render::guidance_keyboard(country, lang))
            .await?;
    }
    Ok(())
}

pub(super) async fn on_command(
    bot: &TgBot,
    msg: &Message,
    app: &Arc<App>,
    settings: Option<UserSettings>,
    lang: Lang,
    command: &str,
) -> ResponseResult<()> {
    let (name, args) = command_parts(command);
    let chat = msg.chat.id;
    let user_id = msg.from.as_ref().map_or(chat.0, |u| u.id.0 as i64);
    if let Some(command) = moderation::Command::parse(&name) {
        if let Some(user) = msg.from.as_ref() {
            moderation::command(bot, app, chat, user, command, args).await?;
        }
        return Ok(());
    }
    let arg = args.split_whitespace().next().map(str::to_ascii_lowercase);
    let mut settings = settings.unwrap_or(UserSettings {
        notify: true,
        ..Default::default()
    });
    if name == "start" {
        if let Some(payload) = arg.as_deref() {
            if open_report_link(bot, msg, app, &settings, lang, payload).await? {
                return Ok(());
            }
        }
    }
    match name.as_str() {
        "start" | "help" => {
            let mut html = render::plain(lang, "start");
            let is_moderator = match msg.from.as_ref() {
                Some(u) => moderation::is_moderator(bot, app, u.id.0 as i64).await,
                None => false,
            };
            if is_moderator {
                html.push_str("\n\n");
                html.push_str(&render::plain(lang, "mod-help"));
            }
            send(bot, chat, html).await?;
        }
        "privacy" => {
            send(bot, chat, render::plain(lang, "privacy")).await?;
        }
        "forget" => {
            let key = match app.service.forget(user_id).await {
                Ok(f) => forgotten_key(&f),
                Err(e) => {
                    tracing::warn!(error = %e, "/forget was refused by the database");
                    "forget-failed"
                }
            };
            send(bot, chat, render::plain(lang, key)).await?;
        }
        "country" => {
            bot.send_message(chat, render::plain(lang, "choose-country"))
                .parse_mode(ParseMode::Html)
                .reply_markup(render::country_keyboard(lang))
                .await?;
        }
        "language" => {
            bot.send_message(chat, render::plain(lang, "choose-language"))
                .parse_mode(ParseMode::Html)
                .reply_markup(render::language_keyboard())
                .await?;
        }
        "notify" => {
            let key = match arg.as_deref() {
                Some("on") => {
                    settings.notify = true;
                    match app.service.save_settings(user_id, &settings).await {
                        Ok(()) => "notify-on",
                        Err(_) => "notify-failed",
                    }
                }
                // The chats kept for outcome messages go now, not only for future reports,
                // in the same transaction as the setting.
                Some("off") => match app.service.notify_off(user_id, &settings).await {
                    Ok(0) => "notify-off",
                    Ok(_) => "notify-off-erased",
                    Err(_) => "notify-failed",
                },
                _ => "notify-usage",
            };
            send(bot, chat, render::plain(lang, key)).await?;
        }
        _ => {
            send(bot, chat, render::plain(lang, "start")).await?;
        }
    }
    Ok(())
}

/// `/start <payload>` from a report link: answers with the report only when the payload is
/// the sender's own unexpired token. Returns false otherwise, whatever the payload was (a
/// report number, another citizen's token, an expired one, or the database not answering),
/// and the caller then answers exactly as to a plain `/start`: nobody learns whether a report
/// exists.
pub(super) async fn open_report_link(
    bot: &TgBot,
    msg: &Message,
    app: &Arc<App>,
    settings: &UserSettings,
    lang: Lang,
    payload: &str,
) -> ResponseResult<bool> {
    let Some(user) = msg.from.as_ref() else {
        return Ok(false);
    };
    let now = app.now_ms();
    let found = app
        .service
        .report_for_link(payload, user.id.0 as i64, now)
        .await;
    let Ok(Some(id)) = found else {
        return Ok(false);
    };
    let Ok(Some((text, done))) = app.service.report_again(id).await else {
        return Ok(false);
    };
    answer_report(bot, app, msg.chat.id, lang, &text, &done, Some(settings)).await?;
    Ok(true)
}

/// What `/forget` says: only what really went.
pub(super) fn forgotten_key(f: &service::Forgotten) -> &'static str {
    match (f.settings > 0, f.reports + f.tokens > 0) {
        (true, true) => "forgotten",
        (true, false) => "forgotten-settings",
        (false, true) => "forgotten-reports",
        (false, false) => "forgotten-nothing",
    }
}

pub(super) async fn on_callback(bot: TgBot, q: CallbackQuery, app: Arc<App>) -> ResponseResult<()> {
    if !press_allowed(&bot, &app, &q).await? {
        return Ok(());
    }
    if q.data.as_deref().is_some_and(|d| d.starts_with("m:")) {
        return moderation::callback(&bot, &app, &q).await;
    }
    let user_id = q.from.id.0 as i64;
    let mut settings = app
        .service
        .settings(user_id)
        .await
        .ok()
        .flatten()
        .unwrap_or(UserSettings {
            notify: true,
            ..Default::default()
        });
    let data = q.data.clone().unwrap_or_default();
    let (kind, value) = data.split_once(':').unwrap_or(("", ""));
    let chat = q.message.as_ref().map(|m| m.chat().id);
    let mut reply = None;
    match kind {
        "c" if guidance::is_known(value) => {
            settings.country = Some(value.to_string());
            let lang = reply_lang(Some(&settings), Some(&q.from), None);
            if app.service.save_settings(user_id, &settings).await.is_ok() {
                let name = guidance::country_name(value, lang);
                reply = Some(crate::i18n::tr(
                    lang,
                    "country-set",
                    &[("country", name.into())],
                ));
                if let Some(chat) = chat {
                    send_guidance(&bot, chat, value, lang).await?;
                }
            }
        }
        // The guidance again in another language; both halves come from a button, so both
        // are checked.
        "g" => {
            let asked = value
                .split_once(':')
                .filter(|(c, _)| guidance::is_known(c))
                .and_then(|(c, l)| Some((c, Lang::from_code(l)?)));
            if let (Some(chat), Some((country, lang))) = (chat, asked) {
                send_guidance(&bot, chat, country, lang).await?;
            }
        }
        "l" if Lang::from_code(value).is_some() => {
            settings.language = Lang::from_code(value);
            let lang = Lang::from_code(value).unwrap_or(Lang::En);
            if app.service.save_settings(user_id, &settings).await.is_ok() {
                reply = Some(crate::i18n::t(lang, "language-set"));
            }
        }
        _ => {}
    }
    // Every press is answered, so no client is left spinning.
    let mut answer = bot.answer_callback_query(q.id.clone());
    if let Some(text) = reply {
        answer = answer.text(text);
    }
    answer.await?;
    if let (Some(m), "c") = (q.message.as_ref(), kind) {
        let _ = bot.edit_message_reply_markup(m.chat().id, m.id()).await;
    }
    Ok(())
}
