//! The bot: the only module that knows teloxide.
//!
//! Long polling by default, a webhook when `WEBHOOK_URL` is set ([`ingress`]). `TELOXIDE_TOKEN`
//! and `TELOXIDE_API_URL` are read by teloxide itself (`Bot::from_env`), so the bot can talk to
//! a local Bot API server, and tests to a fake one. Each update is claimed in the database by
//! its id before any effect, so a redelivered update changes nothing, whichever replica gets
//! it; a report is acknowledged only once stored. Claimed updates wait their turn in their
//! sender's lane ([`lanes`]), within the citizen's rate and never behind another chat. Replies
//! go out through [`outbox`], which keeps Telegram's limits.

pub mod delivery;
pub mod digest;
pub mod http;
pub mod images;
pub mod ingress;
pub mod lanes;
pub mod moderation;
pub mod outbox;
pub mod render;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::{
    InlineKeyboardButton, InlineKeyboardMarkup, LinkPreviewOptions, MessageEntityKind, MessageId,
    MessageOrigin, ParseMode, ReplyParameters, User,
};

use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::extract::Lang;
use crate::fetch::Fetcher;
use crate::guidance;
use crate::service::{self, Service, Submission, UserSettings};

pub use outbox::{Outbox, TgBot};

/// What every handler needs.
pub struct App {
    /// The use cases: every read and write of the database goes through it.
    pub service: Service,
    pub config: Config,
    /// The time in Unix milliseconds; tests may control it.
    pub clock: Arc<dyn Fn() -> i64 + Send + Sync>,
    /// Per-citizen message rate (`USER_RATE_PER_MINUTE`), on `clock`: messages beyond it
    /// wait in the citizen's lane ([`lanes`]).
    pub limiter: lanes::Limiter,
    /// Per-user button presses, on `clock`.
    pub presses: lanes::Presses,
    /// Reads the links citizens send.
    pub fetcher: Fetcher,
    /// Work that outlives its update (reading links); waited for at shutdown.
    pub tasks: TaskTracker,
    /// Who may decide reports, with the moderators' chat's answers remembered.
    pub moderators: service::moderation::Moderators,
    /// Reads screenshots; [`App::probe_ocr`] finds Tesseract.
    pub ocr: crate::ocr::Ocr,
    /// What `/metrics` reports.
    pub metrics: Arc<crate::metrics::Metrics>,
    /// This process's name in claims and heartbeats (random, new at each start).
    pub holder: String,
    /// Updates handled but not yet marked done, and what taken-over ones sent before
    /// ([`delivery`]).
    pub ledger: delivery::Ledger,
    /// The address the HTTP side listens on, once bound.
    pub bound: std::sync::OnceLock<std::net::SocketAddr>,
    /// The address `/metrics` is served on with `METRICS_ADDR`, once bound.
    pub metrics_bound: std::sync::OnceLock<std::net::SocketAddr>,
}

impl App {
    pub fn new(
        service: Service,
        config: Config,
        clock: Arc<dyn Fn() -> i64 + Send + Sync>,
    ) -> anyhow::Result<App> {
        let rate_clock = lanes::AppClock::new(clock.clone());
        let limiter = lanes::limiter(lanes::per_minute(config.user_rate_per_minute), &rate_clock);
        let presses = lanes::Presses::new(&rate_clock);
        let fetcher = Fetcher::new(config.fetch.clone())?;
        Ok(App {
            ledger: delivery::Ledger::new(&service),
            service,
            clock,
            limiter,
            presses,
            fetcher,
            tasks: TaskTracker::new(),
            moderators: service::moderation::Moderators::from_config(&config),
            ocr: crate::ocr::Ocr::unavailable(config.ocr.clone()),
            metrics: Arc::default(),
            holder: holder_name(),
            bound: std::sync::OnceLock::new(),
            metrics_bound: std::sync::OnceLock::new(),
            config,
        })
    }

    /// Looks for Tesseract; until this is called, images are kept but not read.
    pub async fn probe_ocr(&mut self) {
        self.ocr = crate::ocr::Ocr::probe(self.config.ocr.clone()).await;
    }

    pub fn now_ms(&self) -> i64 {
        (self.clock)()
    }
}

/// A name no other process has: the process id and random bits.
fn holder_name() -> String {
    let mut bytes = [0u8; 6];
    let _ = getrandom::fill(&mut bytes);
    format!("{}-{}", std::process::id(), hex::encode(bytes))
}

/// The bot from `TELOXIDE_TOKEN` (and `TELOXIDE_API_URL`, for a local Bot API server).
pub fn bot_from_env() -> Bot {
    Bot::from_env()
}

/// Is `TELOXIDE_TOKEN` set to something?
pub fn token_is_set() -> bool {
    std::env::var("TELOXIDE_TOKEN").is_ok_and(|t| !t.trim().is_empty())
}

/// The system clock.
pub fn system_clock() -> Arc<dyn Fn() -> i64 + Send + Sync> {
    Arc::new(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_millis() as i64)
            .unwrap_or(0)
    })
}

/// Runs the bot until `shutdown` resolves: stops taking updates, finishes the ones it holds
/// (those waiting for their sender's rate stay claimed for the next start or another replica),
/// then waits for the links and images being read.
pub async fn run(bot: Bot, app: Arc<App>, shutdown: impl Future<Output = ()> + Send + 'static) {
    if app.config.fetch.allow_private {
        tracing::warn!("FETCH_ALLOW_PRIVATE=1: links into private networks will be fetched; use only in tests and closed deployments");
    }
    let tg = TgBot::new(
        bot.clone(),
        Arc::new(Outbox::new(app.config.send_rate, app.metrics.clone())),
    );
    let stop = tokio_util::sync::CancellationToken::new();
    let (ingress, listener) = ingress::Ingress::new(app.clone(), tg.clone());
    let heartbeat = ingress::spawn_heartbeat(ingress.clone(), stop.clone());
    let finished = tokio_util::sync::CancellationToken::new();
    let finisher = delivery::spawn_finisher(app.clone(), finished.clone());
    let (server, metrics_server) = serve_http(&app, &ingress, &stop).await;
    let polling = match &app.config.webhook {
        Some(_) => None,
        None => Some(tokio::spawn(ingress::poll(
            ingress.clone(),
            bot.clone(),
            stop.clone(),
        ))),
    };
    // The lanes' stream ends when every holder of the ingress is gone.
    drop(ingress);
    let schedule = digest::spawn_schedule(
        tg.clone(),
        app.service.clone(),
        app.config.digest.clone(),
        app.clock.clone(),
    );
    let stopping = stop.clone();
    tokio::spawn(async move {
        shutdown.await;
        tracing::info!("stopping: no new updates; finishing the ones held");
        stopping.cancel();
    });
    if telegram_answers(&bot, &stop).await {
        if let Some(webhook) = app.config.webhook.as_ref().filter(|w| w.register) {
            register_webhook(&bot, webhook).await;
        }
        // Each sender's updates in a lane of their own: no chat holds up another.
        lanes::route(app.clone(), tg, listener, stop.clone()).await;
    }
    for task in [polling, server, metrics_server].into_iter().flatten() {
        let _ = task.await;
    }
    let _ = heartbeat.await;
    if let Some(schedule) = schedule {
        schedule.abort();
    }
    // Links and images being read finish (each within its time limit) and their answers go
    // out; an image's update is marked done when its task ends, so the finisher waits for them.
    app.tasks.close();
    let grace = app.config.fetch.timeout + Duration::from_secs(5);
    if tokio::time::timeout(grace, app.tasks.wait()).await.is_err() {
        tracing::warn!("links or images still being read at shutdown were left; their reports or claims keep them");
    }
    // Updates whose work ended are marked done; one still being retried stays open, for the
    // next start or another replica.
    finished.cancel();
    let _ = finisher.await;
}

/// The HTTP side: `LISTEN_ADDR` and, when set, `METRICS_ADDR`. A listener that cannot be bound
/// stops the bot.
async fn serve_http(
    app: &Arc<App>,
    ingress: &ingress::Ingress,
    stop: &tokio_util::sync::CancellationToken,
) -> (
    Option<tokio::task::JoinHandle<()>>,
    Option<tokio::task::JoinHandle<()>>,
) {
    let mut served = (None, None);
    if let Some(addr) = app.config.listen_addr {
        match http::serve(ingress.clone(), addr, stop.clone()).await {
            Ok((bound, task)) => {
                tracing::info!(%bound, webhook = app.config.webhook.is_some(), "listening");
                let _ = app.bound.set(bound);
                served.0 = Some(task);
            }
            Err(e) => {
                tracing::error!(error = %e, %addr, "LISTEN_ADDR cannot be bound");
                stop.cancel();
            }
        }
    }
    if let Some(addr) = app.config.metrics_addr {
        match http::serve_metrics(ingress.clone(), addr, stop.clone()).await {
            Ok((bound, task)) => {
                tracing::info!(%bound, "serving /metrics");
                let _ = app.metrics_bound.set(bound);
                served.1 = Some(task);
            }
            Err(e) => {
                tracing::error!(error = %e, %addr, "METRICS_ADDR cannot be bound");
                stop.cancel();
            }
        }
    }
    served
}

/// Waits until Telegram answers `getMe` (before any update is handled), or `stop`. Updates claimed
/// meanwhile stay claimed with their copy, for the next start or another replica.
async fn telegram_answers(bot: &Bot, stop: &tokio_util::sync::CancellationToken) -> bool {
    let mut pause = Duration::from_millis(500);
    loop {
        match bot.get_me().await {
            Ok(_) => return true,
            Err(e) => {
                tracing::warn!(error = %e, "Telegram does not answer getMe; trying again");
                if !ingress::back_off(stop, &mut pause).await {
                    return false;
                }
            }
        }
    }
}

/// `setWebhook` with the secret, for `WEBHOOK_REGISTER=1`.
async fn register_webhook(bot: &Bot, webhook: &crate::config::WebhookSettings) {
    let request = bot
        .set_webhook(webhook.url.clone())
        .secret_token(webhook.secret.clone());
    match request.await {
        Ok(_) => tracing::info!(url = %webhook.url, "webhook registered"),
        Err(e) => tracing::error!(error = %e, "setWebhook failed; Telegram may not deliver"),
    }
}

/// Every update, once claimed and its turn come in its lane: handled by kind, its sends
/// recorded as they go out, then marked done (and its copy erased) unless its work goes on in
/// a task of its own ([`delivery::keep_open`]).
async fn on_update(bot: TgBot, update: Update, app: Arc<App>) -> ResponseResult<()> {
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

/// Once an hour: erases what citizens left that is older than `RETENTION_DAYS` (chat ids,
/// forwarded-from names, page and OCR texts, unfinished updates and albums, rejected reports'
/// texts) and the expired report links.
pub fn spawn_retention(app: Arc<App>) {
    tokio::spawn(async move {
        loop {
            match app
                .service
                .purge_expired(app.config.retention_days, app.now_ms())
                .await
            {
                Ok(p) => tracing::info!(
                    texts = p.texts,
                    chats = p.chats,
                    snapshots = p.snapshots,
                    images = p.images,
                    origins = p.origins,
                    payloads = p.payloads,
                    albums = p.albums,
                    tokens = p.tokens,
                    "retention purge done"
                ),
                Err(e) => tracing::warn!(error = %e, "retention purge failed; will try again"),
            }
            // Claims of handled updates: Telegram redelivers for a day at most.
            let week_ago = app.now_ms() - 7 * 86_400_000;
            if let Err(e) = app.service.purge_updates(week_ago).await {
                tracing::warn!(error = %e, "old update claims could not be purged");
            }
            let _ = app.service.purge_albums(week_ago).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}

/// The language to answer in: the citizen's choice, then Telegram's `language_code`, then the
/// language of what they wrote.
fn reply_lang(
    settings: Option<&UserSettings>,
    user: Option<&User>,
    text_lang: Option<Lang>,
) -> Lang {
    settings
        .and_then(|s| s.language.as_deref())
        .and_then(Lang::from_code)
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
fn own_words_lang(
    settings: Option<&UserSettings>,
    user: Option<&User>,
    text: &str,
    text_lang: Lang,
) -> Lang {
    let chosen = settings
        .and_then(|s| s.language.as_deref())
        .and_then(Lang::from_code);
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

/// The text to analyse: the message's text or caption, and the links Telegram marks that the
/// text itself does not show (`text_link` targets).
fn content(msg: &Message) -> Option<String> {
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
fn marked_links(msg: &Message) -> Vec<String> {
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
fn origin(msg: &Message) -> Option<(String, serde_json::Value)> {
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

fn country_keyboard(lang: Lang) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = guidance::COUNTRY_CODES
        .iter()
        .map(|c| InlineKeyboardButton::callback(guidance::country_name(c, lang), format!("c:{c}")))
        .collect();
    InlineKeyboardMarkup::new(buttons.chunks(3).map(|r| r.to_vec()).collect::<Vec<_>>())
}

/// Buttons that send a country's guidance again in its other languages ("g:KG:ru").
fn guidance_keyboard(country: &str, lang: Lang) -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = guidance::other_languages(country, lang)
        .into_iter()
        .map(|l| {
            InlineKeyboardButton::callback(language_name(l), format!("g:{country}:{}", l.code()))
        })
        .collect();
    InlineKeyboardMarkup::new(vec![buttons])
}

/// Sends a country's guidance in `lang`, with buttons for its other languages.
async fn send_guidance(bot: &TgBot, chat: ChatId, country: &str, lang: Lang) -> ResponseResult<()> {
    if let Some(g) = guidance::guidance(country, lang) {
        let html = render::fit(render::guidance_sections(lang, &g));
        bot.send_message(chat, html)
            .parse_mode(ParseMode::Html)
            .link_preview_options(no_link_preview())
            .reply_markup(guidance_keyboard(country, lang))
            .await?;
    }
    Ok(())
}

fn language_keyboard() -> InlineKeyboardMarkup {
    let buttons: Vec<InlineKeyboardButton> = Lang::ALL
        .iter()
        .map(|l| InlineKeyboardButton::callback(language_name(*l), format!("l:{}", l.code())))
        .collect();
    InlineKeyboardMarkup::new(buttons.chunks(5).map(|r| r.to_vec()).collect::<Vec<_>>())
}

/// A language's name in itself, for the /language buttons.
fn language_name(lang: Lang) -> &'static str {
    match lang {
        Lang::Ru => "Русский",
        Lang::Kk => "Қазақша",
        Lang::Uz => "O‘zbekcha",
        Lang::Ar => "العربية",
        Lang::En => "English",
        Lang::Ky => "Кыргызча",
        Lang::Tg => "Тоҷикӣ",
        Lang::Hy => "Հայերեն",
        Lang::Ne => "नेपाली",
        Lang::Hi => "हिन्दी",
    }
}

async fn send(bot: &TgBot, chat: ChatId, html: String) -> ResponseResult<Message> {
    bot.send_message(chat, html)
        .parse_mode(ParseMode::Html)
        .link_preview_options(no_link_preview())
        .await
}

/// The bot's answers never unfold a link into a preview: a recruiter's page must not be shown
/// as an inviting card in the citizen's chat, and a source list needs no picture.
fn no_link_preview() -> LinkPreviewOptions {
    LinkPreviewOptions {
        is_disabled: true,
        url: None,
        prefer_small_media: false,
        prefer_large_media: false,
        show_above_text: false,
    }
}

async fn on_message(bot: TgBot, msg: Message, app: Arc<App>) -> ResponseResult<()> {
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
fn command_parts(command: &str) -> (String, &str) {
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
fn is_report_command(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or_default();
    first == "/report" || first.starts_with("/report@")
}

/// In a group, `/report` as a reply files the replied message. The reporter hears back in
/// private, never in the group; the command is deleted where the bot may.
async fn on_group_message(bot: TgBot, msg: Message, app: Arc<App>) -> ResponseResult<()> {
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
                let keyboard = InlineKeyboardMarkup::new(vec![vec![InlineKeyboardButton::url(
                    crate::i18n::t(lang, "open-bot"),
                    url,
                )]]);
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
async fn on_moderators_chat(bot: TgBot, msg: Message, app: Arc<App>) -> ResponseResult<()> {
    let (Some(user), Some(text)) = (msg.from.clone(), msg.text()) else {
        return Ok(());
    };
    let command = text.strip_prefix('/').and_then(|c| {
        let (name, args) = command_parts(c);
        moderation::COMMANDS
            .contains(&name.as_str())
            .then(|| (name, args.to_string()))
    });
    let is_reply = msg.reply_to_message().is_some();
    if command.is_none() && !is_reply {
        return Ok(());
    }
    match command {
        Some((name, args)) => {
            moderation::command(&bot, &app, msg.chat.id, &user, &name, &args).await
        }
        None => moderation::note(&bot, &app, &msg, &user).await.map(|_| ()),
    }
}

/// Pauses between tries to store what the database refused: 1 s, doubling up to 30 s, for
/// about an hour and a half. The cap is short so that a citizen hears back within half a
/// minute of the database's return (a try costs one insert); past the last try the update is
/// let go, for a takeover.
fn retry_pauses() -> impl Iterator<Item = Duration> {
    (0..185).map(|i| Duration::from_secs(2u64.saturating_pow(i).min(30)))
}

/// Handles a private message that this process has claimed.
async fn process_claimed(
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
enum Filed {
    Answered,
    /// Stored, but the reply could not be delivered (the citizen never started the bot).
    NotDelivered(service::Submitted),
    /// The database refused it: the citizen was told, and it is retried in the background.
    Deferred,
}

/// A message to file as a report.
struct Intake {
    /// Where the citizen hears back (their private chat).
    chat: ChatId,
    /// Their message, when the answer can point at it.
    reply_to: Option<MessageId>,
    text: String,
    origin: Option<(String, serde_json::Value)>,
    /// Links Telegram marked in the message.
    links: Vec<String>,
}

/// Stores a report from `user` and answers in its chat, then reads its links in the
/// background; when the database refuses it, says so and keeps trying in the background.
async fn file_report(
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
fn spawn_announcement(bot: &TgBot, app: &Arc<App>, done: &service::Submitted) {
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
fn reads_links(app: &App, done: &service::Submitted) -> bool {
    app.config.fetch.enabled && !done.links.is_empty()
}

async fn answer_report(
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
        request.reply_markup(country_keyboard(lang)).await?;
    } else {
        request.await?;
    }
    Ok(())
}

/// Reads a report's links in the background and, when the pages are in, tells the citizen
/// what they show in one more message (when the first answer reached them).
fn spawn_link_reading(
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
struct Retry {
    chat: ChatId,
    reply_to: Option<MessageId>,
    submission: Submission,
    settings: Option<UserSettings>,
}

/// Stores a report that failed to store, with growing pauses, then answers as usual, as part
/// of its update's handling (`kept`), which it then finishes. After every retry, it lets the
/// update go: a takeover handles it again from its kept copy.
async fn retry_submit(bot: TgBot, app: Arc<App>, retry: Retry, kept: Option<delivery::Kept>) {
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

async fn on_command(
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
    if moderation::COMMANDS.contains(&name.as_str()) {
        if let Some(user) = msg.from.as_ref() {
            moderation::command(bot, app, chat, user, &name, args).await?;
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
                .reply_markup(country_keyboard(lang))
                .await?;
        }
        "language" => {
            bot.send_message(chat, render::plain(lang, "choose-language"))
                .parse_mode(ParseMode::Html)
                .reply_markup(language_keyboard())
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
async fn open_report_link(
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
fn forgotten_key(f: &service::Forgotten) -> &'static str {
    match (f.settings > 0, f.reports + f.tokens > 0) {
        (true, true) => "forgotten",
        (true, false) => "forgotten-settings",
        (false, true) => "forgotten-reports",
        (false, false) => "forgotten-nothing",
    }
}

/// Button presses are throttled per user, moderators far above a press a second; an excess
/// press is answered on the button with a short text, never with a message.
async fn press_allowed(bot: &TgBot, app: &App, q: &CallbackQuery) -> ResponseResult<bool> {
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

async fn on_callback(bot: TgBot, q: CallbackQuery, app: Arc<App>) -> ResponseResult<()> {
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
            settings.language = Some(value.to_string());
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
