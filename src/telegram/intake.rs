//! Intake: a citizen's message filed as a report, answered once stored (or told the database
//! refused it and retried in the background), its links read and what the pages show sent
//! after, and a high-risk report announced to the moderators.

use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{
    MessageEntityKind, MessageId, MessageOrigin, ParseMode, ReplyParameters, User,
};

use super::citizens::on_command;
use super::routing::{no_link_preview, own_words_lang};
use super::{delivery, images, moderation, render, reply_lang, send, App, TgBot};
use crate::extract::Lang;
use crate::guidance;
use crate::service::{self, Submission, UserSettings};

/// The text to analyse: the message's text or caption, and the links Telegram marks that the
/// text itself does not show (`text_link` targets).
pub(super) fn content(msg: &Message) -> Option<String> {
    let text = msg.text().or_else(|| msg.caption())?;
    let mut out = text.to_string();
    if let Some(entities) = msg
        .parse_entities()
        .or_else(|| msg.parse_caption_entities())
    {
        for e in entities {
            if let MessageEntityKind::TextLink { url } = e.kind() {
                if !out.contains(url.as_str()) {
                    out.push('\n');
                    out.push_str(url.as_str());
                }
            }
        }
    }
    Some(out)
}

/// The links Telegram marked in a message: `url` entities as written, and the hidden targets
/// of `text_link` entities.
pub(super) fn marked_links(msg: &Message) -> Vec<String> {
    let Some(entities) = msg
        .parse_entities()
        .or_else(|| msg.parse_caption_entities())
    else {
        return Vec::new();
    };
    entities
        .iter()
        .filter_map(|e| match e.kind() {
            MessageEntityKind::Url => Some(e.text().to_string()),
            MessageEntityKind::TextLink { url } => Some(url.to_string()),
            _ => None,
        })
        .collect()
}

/// Where a forwarded post came from, as a stable key and a description.
pub(super) fn origin(msg: &Message) -> Option<(String, serde_json::Value)> {
    use serde_json::json;
    Some(match msg.forward_origin()? {
        MessageOrigin::Channel {
            chat, message_id, ..
        } => {
            let username = chat.username().map(str::to_string);
            let link = username
                .as_ref()
                .map(|u| format!("https://t.me/{u}/{}", message_id.0));
            (
                format!("channel:{}:{}", chat.id.0, message_id.0),
                json!({"kind": "channel", "chat_id": chat.id.0, "title": chat.title(), "username": username, "message_id": message_id.0, "link": link}),
            )
        }
        MessageOrigin::Chat { sender_chat, .. } => (
            format!("chat:{}", sender_chat.id.0),
            json!({"kind": "chat", "chat_id": sender_chat.id.0, "title": sender_chat.title(), "username": sender_chat.username()}),
        ),
        MessageOrigin::User { sender_user, .. } => (
            format!("user:{}", sender_user.id.0),
            json!({"kind": "user", "user_id": sender_user.id.0, "username": sender_user.username}),
        ),
        MessageOrigin::HiddenUser {
            sender_user_name, ..
        } => (
            format!("hidden:{sender_user_name}"),
            json!({"kind": "hidden_user", "name": sender_user_name}),
        ),
    })
}

/// Pauses between tries to store what the database refused: 1 s, doubling up to 30 s, for
/// about an hour and a half. The cap is short so that a citizen hears back within half a
/// minute of the database's return (a try costs one insert); past the last try the update is
/// let go, for a takeover.
pub(super) fn retry_pauses() -> impl Iterator<Item = Duration> {
    (0..185).map(|i| Duration::from_secs(2u64.saturating_pow(i).min(30)))
}

/// Handles a private message that this process has claimed.
pub(super) async fn process_claimed(
    bot: &TgBot,
    msg: &Message,
    app: &Arc<App>,
    user: User,
    now: i64,
) -> ResponseResult<()> {
    let (bot, msg) = (bot.clone(), msg.clone());
    let settings = app.service.settings(user.id.0 as i64).await.ok().flatten();
    // Its turn came within the citizen's rate: the lane waited for it ([`lanes`]).
    if moderation::note(&bot, app, &msg, &user).await? {
        return Ok(());
    }
    let ocr = &app.config.ocr;
    if let Some(part) = images::image_part(&msg, ocr.max_pixels, ocr.max_bytes) {
        return images::on_image(&bot, app, &msg, user, settings, part).await;
    }
    let text = content(&msg);

    if let Some(command) = text.as_deref().and_then(|t| t.strip_prefix('/')) {
        let lang = reply_lang(settings.as_ref(), Some(&user), None);
        return on_command(&bot, &msg, app, settings, lang, command).await;
    }
    let Some(text) = text.filter(|t| !t.trim().is_empty()) else {
        let lang = reply_lang(settings.as_ref(), Some(&user), None);
        let key = if msg.text().is_some()
            || msg.photo().is_some()
            || msg.video().is_some()
            || msg.document().is_some()
        {
            "empty"
        } else {
            "unsupported"
        };
        send(&bot, msg.chat.id, render::plain(lang, key)).await?;
        return Ok(());
    };
    if text.encode_utf16().count() > render::MAX_MESSAGE {
        let lang = reply_lang(settings.as_ref(), Some(&user), None);
        send(&bot, msg.chat.id, render::plain(lang, "too-long")).await?;
        return Ok(());
    }
    let intake = Intake {
        chat: msg.chat.id,
        reply_to: Some(msg.id),
        origin: origin(&msg),
        links: marked_links(&msg),
        text,
    };
    match file_report(&bot, app, &user, intake, settings, now).await {
        Filed::NotDelivered(_) => tracing::warn!("a reply could not be delivered"),
        Filed::Answered | Filed::Deferred => {}
    }
    Ok(())
}

/// What became of a report.
pub(super) enum Filed {
    Answered,
    /// Stored, but the reply could not be delivered (the citizen never started the bot).
    NotDelivered(service::Submitted),
    /// The database refused it: the citizen was told, and it is retried in the background.
    Deferred,
}

/// A message to file as a report.
pub(super) struct Intake {
    /// Where the citizen hears back (their private chat).
    pub(super) chat: ChatId,
    /// Their message, when the answer can point at it.
    pub(super) reply_to: Option<MessageId>,
    pub(super) text: String,
    pub(super) origin: Option<(String, serde_json::Value)>,
    /// Links Telegram marked in the message.
    pub(super) links: Vec<String>,
}

/// Stores a report from `user` and answers in its chat, then reads its links in the
/// background; when the database refuses it, says so and keeps trying in the background.
pub(super) async fn file_report(
    bot: &TgBot,
    app: &Arc<App>,
    user: &User,
    intake: Intake,
    settings: Option<UserSettings>,
    now: i64,
) -> Filed {
    let notify = settings.as_ref().is_none_or(|s| s.notify);
    let submission = Submission {
        text: intake.text,
        origin: intake.origin,
        user_id: user.id.0 as i64,
        chat_id: notify.then_some(intake.chat.0),
        links: intake.links,
    };
    let (chat, reply_to) = (intake.chat, intake.reply_to);
    match app.service.submit(now, &submission).await {
        Ok(done) => {
            let lang = if submission.origin.is_none() {
                own_words_lang(
                    settings.as_ref(),
                    Some(user),
                    &submission.text,
                    done.extraction.language,
                )
            } else {
                reply_lang(
                    settings.as_ref(),
                    Some(user),
                    Some(done.extraction.language),
                )
            };
            let delivered = answer_report(
                bot,
                app,
                chat,
                lang,
                &submission.text,
                &done,
                settings.as_ref(),
            )
            .await
            .is_ok();
            spawn_link_reading(bot, app, chat, reply_to, lang, &done, delivered);
            spawn_announcement(bot, app, &done);
            if delivered {
                Filed::Answered
            } else {
                Filed::NotDelivered(done)
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "a report could not be stored; retrying in the background");
            // The update stays open (its copy kept) until the report is filed: if this process
            // stops first, the next start or another replica files it.
            let kept = delivery::keep_open();
            let lang = reply_lang(settings.as_ref(), Some(user), None);
            let notice = bot
                .send_message(chat, render::plain(lang, "store-failed"))
                .parse_mode(ParseMode::Html)
                .unrecorded();
            let _ = notice.await;
            let retry = Retry {
                chat,
                reply_to,
                submission,
                settings,
            };
            app.tasks
                .spawn(retry_submit(bot.clone(), app.clone(), retry, kept));
            Filed::Deferred
        }
    }
}

/// A new report goes to the moderators' chat when its risk is high.
pub(super) fn spawn_announcement(bot: &TgBot, app: &Arc<App>, done: &service::Submitted) {
    if !done.stored.created || app.config.moderator_chat_id.is_none() {
        return;
    }
    let (bot, app2, id, risk) = (
        bot.clone(),
        app.clone(),
        done.stored.report_id,
        done.extraction.risk,
    );
    app.tasks.spawn(async move {
        moderation::announce(&bot, &app2, id, risk).await;
    });
}

/// Will this report's links be read now?
pub(super) fn reads_links(app: &App, done: &service::Submitted) -> bool {
    app.config.fetch.enabled && !done.links.is_empty()
}

pub(super) async fn answer_report(
    bot: &TgBot,
    app: &App,
    chat: ChatId,
    lang: Lang,
    text: &str,
    submitted: &service::Submitted,
    settings: Option<&UserSettings>,
) -> ResponseResult<()> {
    let country = settings.and_then(|s| s.country.clone());
    let guide = country.as_deref().and_then(|c| guidance::guidance(c, lang));
    let reading = reads_links(app, submitted);
    let html = render::reply(lang, text, submitted, guide.as_ref(), reading);
    let request = bot
        .send_message(chat, html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_link_preview());
    if country.is_none() {
        request.reply_markup(render::country_keyboard(lang)).await?;
    } else {
        request.await?;
    }
    Ok(())
}

/// Reads a report's links in the background and, when the pages are in, tells the citizen
/// what they show in one more message (when the first answer reached them).
pub(super) fn spawn_link_reading(
    bot: &TgBot,
    app: &Arc<App>,
    chat: ChatId,
    reply_to: Option<MessageId>,
    lang: Lang,
    done: &service::Submitted,
    tell: bool,
) {
    if !reads_links(app, done) {
        return;
    }
    let (bot, app2) = (bot.clone(), app.clone());
    let (report_id, links) = (done.stored.report_id, done.links.clone());
    app.tasks.spawn(async move {
        let app = app2;
        let clock = app.clock.clone();
        let outcomes = app
            .service
            .read_links(&app.fetcher, report_id, &links, clock.as_ref())
            .await;
        for outcome in &outcomes {
            match &outcome.result {
                service::LinkResult::Page(_) => app.metrics.fetched("fetched"),
                service::LinkResult::Failed(failure) => app.metrics.fetched(failure.code()),
                // Read by another message's handling, counted there.
                service::LinkResult::Reading => {}
            }
        }
        if !tell {
            return;
        }
        let Some(html) = render::pages(lang, &outcomes, app.config.fetch.max_bytes) else {
            return;
        };
        let mut request = bot
            .send_message(chat, html)
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_link_preview());
        if let Some(id) = reply_to {
            request =
                request.reply_parameters(ReplyParameters::new(id).allow_sending_without_reply());
        }
        if let Err(e) = request.await {
            tracing::warn!(error = %e, "what a page shows could not be sent");
        }
    });
}

/// A report the database refused, to store again.
pub(super) struct Retry {
    chat: ChatId,
    reply_to: Option<MessageId>,
    submission: Submission,
    settings: Option<UserSettings>,
}

/// Stores a report that failed to store, with growing pauses, then answers as usual, as part
/// of its update's handling (`kept`), which it then finishes. After every retry, it lets the
/// update go: a takeover handles it again from its kept copy.
pub(super) async fn retry_submit(
    bot: TgBot,
    app: Arc<App>,
    retry: Retry,
    kept: Option<delivery::Kept>,
) {
    let Retry {
        chat,
        reply_to,
        submission: s,
        settings,
    } = retry;
    for pause in retry_pauses() {
        tokio::time::sleep(pause).await;
        if let Ok(done) = app.service.submit(app.now_ms(), &s).await {
            let lang = reply_lang(settings.as_ref(), None, Some(done.extraction.language));
            let answer = answer_report(&bot, &app, chat, lang, &s.text, &done, settings.as_ref());
            let delivered = match &kept {
                Some(kept) => kept.run(answer).await,
                None => answer.await,
            }
            .is_ok();
            spawn_link_reading(&bot, &app, chat, reply_to, lang, &done, delivered);
            if let Some(kept) = kept {
                kept.finish(&app);
            }
            return;
        }
    }
    tracing::error!("a report could not be stored after every retry; its update is let go");
    if let Some(kept) = kept {
        kept.release(&app).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_refused_report_is_tried_again_soon_and_for_an_hour_and_a_half() {
        let pauses: Vec<Duration> = retry_pauses().collect();
        assert_eq!(pauses[0], Duration::from_secs(1));
        assert!(pauses.iter().all(|p| *p <= Duration::from_secs(30)));
        let total: Duration = pauses.iter().sum();
        assert!((85 * 60..=95 * 60).contains(&total.as_secs()), "{total:?}");
    }
}
