//! Photos and images sent as files: downloaded through the Bot API, read by OCR, and filed
//! like a forwarded ad. An album is one report and one reply: its parts are kept in the
//! database (they may reach different replicas) and the album is finished from a timer task, so
//! the chat's next updates are not held up.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;
use sha2::{Digest, Sha256};
use teloxide::net::Download;
use teloxide::prelude::*;
use teloxide::types::{MessageId, ParseMode, ReplyParameters, User};

use super::intake::{marked_links, origin, reads_links, spawn_announcement, spawn_link_reading};
use super::{render, reply_lang, App, TgBot};
use crate::extract::Lang;
use crate::guidance;
use crate::ocr::OcrError;
use crate::service::{AlbumPart, ImageRecord, Submission, UserSettings};

/// How long an album waits for its last part.
const ALBUM_WAIT: Duration = Duration::from_millis(1200);

/// One image of a message.
#[derive(Debug, Clone)]
pub struct ImagePart {
    pub file_id: String,
    pub file_unique_id: String,
    pub width: Option<u32>,
    pub height: Option<u32>,
    pub size: u32,
}

/// The image of a message: the largest photo size within the pixel and byte limits, or an
/// image sent as a document.
pub fn image_part(msg: &Message, max_pixels: u64, max_bytes: u64) -> Option<ImagePart> {
    if let Some(sizes) = msg.photo() {
        let fits = |p: &&teloxide::types::PhotoSize| {
            u64::from(p.width) * u64::from(p.height) <= max_pixels
                && u64::from(p.file.size) <= max_bytes
        };
        let best = sizes
            .iter()
            .filter(fits)
            .max_by_key(|p| u64::from(p.width) * u64::from(p.height))
            // Every size too large: the smallest still shows the text best we can get.
            .or_else(|| sizes.iter().min_by_key(|p| p.file.size))?;
        return Some(ImagePart {
            file_id: best.file.id.to_string(),
            file_unique_id: best.file.unique_id.to_string(),
            width: Some(best.width),
            height: Some(best.height),
            size: best.file.size,
        });
    }
    let doc = msg.document()?;
    let is_image = doc.mime_type.as_ref().is_some_and(|m| m.type_() == "image");
    is_image.then(|| ImagePart {
        file_id: doc.file.id.to_string(),
        file_unique_id: doc.file.unique_id.to_string(),
        width: None,
        height: None,
        size: doc.file.size,
    })
}

/// What the citizen sent with the images.
#[derive(Clone)]
struct Sending {
    chat: ChatId,
    user: User,
    settings: Option<UserSettings>,
    reply_to: MessageId,
    origin: Option<(String, serde_json::Value)>,
    caption: Option<String>,
    links: Vec<String>,
}

/// Handles a message with an image: at once, or as part of an album.
pub async fn on_image(
    bot: &TgBot,
    app: &Arc<App>,
    msg: &Message,
    user: User,
    settings: Option<UserSettings>,
    part: ImagePart,
) -> ResponseResult<()> {
    let Some(group) = msg.media_group_id() else {
        spawn_read_and_file(bot, app, Sending::of(msg, user, settings), part);
        return Ok(());
    };
    // The parts may come to different replicas: they meet in the database, and the process
    // that saw the first one finishes the album.
    let key = format!("{}:{group}", msg.chat.id.0);
    let message = serde_json::to_string(msg).unwrap_or_default();
    let added = app
        .service
        .add_album_part(
            &key,
            i64::from(msg.id.0),
            &message,
            &app.holder,
            app.now_ms(),
        )
        .await;
    match added {
        Ok(AlbumPart::Owner) => finish_album_later(bot, app, key),
        Ok(AlbumPart::Added) => {}
        Err(e) => {
            tracing::warn!(error = %e, "an album part could not be kept; read on its own");
            spawn_read_and_file(bot, app, Sending::of(msg, user, settings), part);
        }
    }
    Ok(())
}

/// Reads one image in a task of its own: reading takes seconds, and the chat's next messages
/// must not wait for it. The update stays open with the task, so it is marked done only once
/// the image is answered (a process dying meanwhile leaves it to be taken over), and what the
/// task sends is recorded under it.
fn spawn_read_and_file(bot: &TgBot, app: &Arc<App>, sending: Sending, part: ImagePart) {
    let kept = super::delivery::keep_open();
    let (bot, app2) = (bot.clone(), app.clone());
    app.tasks.spawn(async move {
        let work = read_and_file(&bot, &app2, sending, vec![part]);
        let answered = match kept {
            Some(kept) => kept.run_to_end(&app2, work).await,
            None => work.await,
        };
        if let Err(e) = answered {
            tracing::warn!(error = %e, "an image could not be answered");
        }
    });
}

impl Sending {
    fn of(msg: &Message, user: User, settings: Option<UserSettings>) -> Sending {
        Sending {
            chat: msg.chat.id,
            user,
            settings,
            reply_to: msg.id,
            origin: origin(msg),
            caption: msg.caption().map(str::to_string),
            links: marked_links(msg),
        }
    }
}

/// Finishes the album `key` once no part has arrived for [`ALBUM_WAIT`], in a task of its own
/// so the chat's next updates are not held up.
pub fn finish_album_later(bot: &TgBot, app: &Arc<App>, key: String) {
    let (bot, app2) = (bot.clone(), app.clone());
    app.tasks.spawn(async move {
        let app = app2;
        // The last part's time as stored, and since when (here) it has not changed.
        let mut quiet: Option<(i64, Instant)> = None;
        loop {
            tokio::time::sleep(ALBUM_WAIT / 4).await;
            let last = match app.service.album_last_part(&key).await {
                Ok(Some(last)) => last,
                Ok(None) => return,
                Err(_) => continue,
            };
            match quiet {
                Some((seen, since)) if seen == last && since.elapsed() >= ALBUM_WAIT => {}
                Some((seen, _)) if seen == last => continue,
                _ => {
                    quiet = Some((last, Instant::now()));
                    continue;
                }
            }
            match app
                .service
                .close_album(&key, &app.holder, app.now_ms())
                .await
            {
                Ok(Some(messages)) => {
                    if let Err(e) = finish_album(&bot, &app, &messages).await {
                        tracing::warn!(error = %e, "an album could not be answered");
                    }
                    return;
                }
                Ok(None) => return,
                Err(_) => continue,
            }
        }
    });
}

/// One report and one answer for an album's parts (their messages as kept).
async fn finish_album(bot: &TgBot, app: &Arc<App>, messages: &[String]) -> ResponseResult<()> {
    let messages: Vec<Message> = messages
        .iter()
        .filter_map(|m| serde_json::from_str(m).ok())
        .collect();
    let Some(first) = messages.first() else {
        return Ok(());
    };
    let Some(user) = first.from.clone() else {
        return Ok(());
    };
    let settings = app.service.settings(user.id.0 as i64).await.ok().flatten();
    let ocr = &app.config.ocr;
    let parts = messages
        .iter()
        .filter_map(|m| image_part(m, ocr.max_pixels, ocr.max_bytes))
        .collect();
    let captioned = messages
        .iter()
        .find(|m| m.caption().is_some_and(|c| !c.trim().is_empty()))
        .unwrap_or(first);
    let mut sending = Sending::of(first, user, settings);
    sending.caption = captioned.caption().map(str::to_string);
    sending.links = marked_links(captioned);
    read_and_file(bot, app, sending, parts).await
}

/// Why an image was not read, as stored.
fn error_code(e: &OcrError) -> &'static str {
    match e {
        OcrError::Unavailable => "unavailable",
        OcrError::Timeout => "timeout",
        OcrError::TooLarge => "too_large",
        OcrError::NotAnImage => "not_an_image",
        OcrError::Unsupported => "unsupported",
        OcrError::Failed(_) => "failed",
    }
}

/// A stored failure that would happen again with the same bytes (unreadable, timed out,
/// refused); `None` for one worth another try (`failed`: the bot, not the image).
fn lasting_error(code: &str) -> Option<OcrError> {
    match code {
        "unavailable" => Some(OcrError::Unavailable),
        "timeout" => Some(OcrError::Timeout),
        "too_large" => Some(OcrError::TooLarge),
        "not_an_image" => Some(OcrError::NotAnImage),
        "unsupported" => Some(OcrError::Unsupported),
        _ => None,
    }
}

/// The answer an image seen before already has: its text, or a failure it would meet again, so
/// sending it again costs no download and no run. `None` when it is to be read (again): it
/// failed for a passing reason, or OCR was missing then and is here now.
fn known_answer(
    seen: &ImageRecord,
    ocr_available: bool,
) -> Option<Result<Option<String>, OcrError>> {
    if let Some(text) = &seen.ocr_text {
        return Some(Ok(Some(text.clone()).filter(|t| !t.is_empty())));
    }
    match lasting_error(seen.ocr_error.as_deref()?)? {
        OcrError::Unavailable if ocr_available => None,
        e => Some(Err(e)),
    }
}

/// Downloads a file within the byte limit.
async fn download(bot: &TgBot, file_id: &str, max_bytes: u64) -> Result<Vec<u8>, OcrError> {
    let file = bot
        .get_file(teloxide::types::FileId(file_id.to_string()))
        .await
        .map_err(|e| OcrError::Failed(e.to_string()))?;
    if u64::from(file.size) > max_bytes {
        return Err(OcrError::TooLarge);
    }
    let mut stream = bot.download_file_stream(&file.path);
    let mut bytes = Vec::new();
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| OcrError::Failed(e.to_string()))?;
        if (bytes.len() + chunk.len()) as u64 > max_bytes {
            return Err(OcrError::TooLarge);
        }
        bytes.extend_from_slice(&chunk);
    }
    Ok(bytes)
}

/// The text of one image: what was read before, or the failure met before (no second download
/// or OCR run); else, in an OCR slot taken before the download, downloaded, hashed, read and
/// kept.
async fn read_part(
    bot: &TgBot,
    app: &App,
    part: &ImagePart,
    lang: Lang,
) -> Result<Option<String>, OcrError> {
    let available = app.ocr.available();
    let seen = app
        .service
        .image_seen(&part.file_unique_id, None)
        .await
        .ok()
        .flatten();
    if let Some(known) = seen.as_ref().and_then(|s| known_answer(s, available)) {
        return known;
    }
    let max_bytes = app.ocr.settings().max_bytes;
    if u64::from(part.size) > max_bytes {
        return Err(OcrError::TooLarge);
    }
    // Without OCR the image is still kept as evidence, with no slot to wait for.
    let slot = if available {
        Some(app.ocr.slot().await?)
    } else {
        None
    };
    let bytes = download(bot, &part.file_id, max_bytes).await?;
    let sha256 = hex::encode(Sha256::digest(&bytes));
    let mut record = ImageRecord {
        file_unique_id: part.file_unique_id.clone(),
        file_id: part.file_id.clone(),
        sha256: sha256.clone(),
        bytes: bytes.len() as i64,
        width: part.width.map(|w| w as i32),
        height: part.height.map(|h| h as i32),
        ocr_text: None,
        ocr_error: None,
        report_id: None,
        first_seen: app.now_ms(),
    };
    // The same bytes under another id (sent as a file, or by another citizen).
    if let Ok(Some(same)) = app
        .service
        .image_seen(&part.file_unique_id, Some(&sha256))
        .await
    {
        if let Some(known) = known_answer(&same, available) {
            record.ocr_text = same.ocr_text;
            record.ocr_error = same.ocr_error;
            let _ = app.service.save_image(&record).await;
            return known;
        }
    }
    let result = match &slot {
        Some(slot) => match app.ocr.read_in(slot, &bytes, lang.code()).await {
            Ok(raw) => Ok(crate::ocr::clean(&raw).trim().to_string()),
            Err(e) => Err(e),
        },
        None => Err(OcrError::Unavailable),
    };
    drop(slot);
    match &result {
        Ok(text) => record.ocr_text = Some(text.clone()),
        Err(e) => record.ocr_error = Some(error_code(e).to_string()),
    }
    if let Err(e) = app.service.save_image(&record).await {
        tracing::warn!(error = %e, "an image's evidence could not be kept");
    }
    result.map(|t| Some(t).filter(|t| !t.is_empty()))
}

/// Reads the images, files what they say (with the caption) as one report, and turns the
/// "reading…" message into the answer.
async fn read_and_file(
    bot: &TgBot,
    app: &Arc<App>,
    s: Sending,
    parts: Vec<ImagePart>,
) -> ResponseResult<()> {
    let lang = reply_lang(s.settings.as_ref(), Some(&s.user), None);
    let reading = bot
        .send_message(s.chat, render::plain(lang, "reading-image"))
        .parse_mode(ParseMode::Html)
        .reply_parameters(ReplyParameters::new(s.reply_to).allow_sending_without_reply())
        .await?;
    let mut texts = Vec::new();
    let mut failures = Vec::new();
    for part in &parts {
        match read_part(bot, app, part, lang).await {
            Ok(Some(text)) => texts.push(text),
            Ok(None) => {}
            Err(e) => failures.push(e),
        }
    }
    let unread = !app.ocr.available() || failures.contains(&OcrError::Unavailable);
    texts.extend(s.caption.clone().filter(|c| !c.trim().is_empty()));
    let text = texts.join("\n\n");
    if text.trim().is_empty() {
        let key = if unread {
            "ocr-unavailable"
        } else if failures.contains(&OcrError::TooLarge) {
            "ocr-too-large"
        } else {
            "ocr-nothing"
        };
        bot.edit_message_text(s.chat, reading.id, render::plain(lang, key))
            .parse_mode(ParseMode::Html)
            .await?;
        return Ok(());
    }
    let notify = s.settings.as_ref().is_none_or(|x| x.notify);
    let submission = Submission {
        text,
        origin: s.origin.clone(),
        user_id: s.user.id.0 as i64,
        chat_id: notify.then_some(s.chat.0),
        links: s.links.clone(),
    };
    let done = match app.service.submit(app.now_ms(), &submission).await {
        Ok(done) => done,
        Err(e) => {
            tracing::warn!(error = %e, "a report from images could not be stored");
            // The update stays open and is let go for a takeover (this process's too), which
            // reads and files it again: "it will be saved shortly" holds across a restart.
            if let Some(kept) = super::delivery::keep_open() {
                let app2 = app.clone();
                app.tasks.spawn(async move { kept.release(&app2).await });
            }
            bot.edit_message_text(s.chat, reading.id, render::plain(lang, "store-failed"))
                .parse_mode(ParseMode::Html)
                .unrecorded()
                .await?;
            return Ok(());
        }
    };
    let uniques: Vec<String> = parts.iter().map(|p| p.file_unique_id.clone()).collect();
    if let Err(e) = app
        .service
        .attach_images(done.stored.report_id, &uniques)
        .await
    {
        tracing::warn!(error = %e, "images could not be linked to their report");
    }
    let lang = reply_lang(
        s.settings.as_ref(),
        Some(&s.user),
        Some(done.extraction.language),
    );
    let country = s.settings.as_ref().and_then(|x| x.country.clone());
    let guide = country.as_deref().and_then(|c| guidance::guidance(c, lang));
    let mut html = render::reply(
        lang,
        &submission.text,
        &done,
        guide.as_ref(),
        reads_links(app, &done),
    );
    if unread {
        html = render::fit(vec![render::plain(lang, "ocr-unavailable"), html]);
    }
    let edit = bot
        .edit_message_text(s.chat, reading.id, html)
        .parse_mode(ParseMode::Html);
    if country.is_none() {
        edit.reply_markup(render::country_keyboard(lang)).await?;
    } else {
        edit.await?;
    }
    spawn_link_reading(bot, app, s.chat, Some(s.reply_to), lang, &done, true);
    spawn_announcement(bot, app, &done);
    Ok(())
}
