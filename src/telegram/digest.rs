//! Posting digests: the schedule loop, the claim in the database, the send and its retries.
//!
//! Once per period and chat: the run is claimed in the database before sending (a unique row,
//! so a restart or a second replica does not post again) and marked sent after. The holder of
//! a claim retries a failed send; a claim left unsent by a crash is taken over after
//! [`CLAIM_TIMEOUT_MS`]. An empty period posts nothing and claims nothing.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use teloxide::prelude::*;
use teloxide::types::{ParseMode, Recipient};

use super::{render, TgBot};
use crate::digest::{self, DigestChat, DigestSettings, Period};
use crate::extract::Lang;
use crate::service::{self, Service};

/// A claim older than this, still unsent, is taken to be left by a crash.
pub const CLAIM_TIMEOUT_MS: i64 = 10 * 60_000;

/// How often the schedule is looked at.
const TICK: Duration = Duration::from_millis(250);

/// What posting a digest did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Posted {
    /// Sent in this many messages.
    Sent(usize),
    /// Nothing was approved in the period: nothing posted, nothing claimed.
    Empty,
    /// This period's digest has gone out already.
    AlreadySent,
    /// Another process holds the claim.
    HeldElsewhere,
}

/// Posts digests for one process: its claim holder name, the service and the settings.
#[derive(Clone)]
pub struct Poster {
    pub service: Service,
    pub settings: DigestSettings,
    /// Names this process in claims.
    pub holder: String,
}

impl Poster {
    pub fn new(service: Service, settings: DigestSettings) -> Poster {
        let mut bytes = [0u8; 8];
        let _ = getrandom::fill(&mut bytes);
        Poster {
            service,
            settings,
            holder: hex::encode(bytes),
        }
    }

    /// The digest of a chat's period ending at `end`, as messages; `None` when empty. With
    /// `whole_week`, the last 7 days whatever was sent before.
    pub async fn render(
        &self,
        chat: &str,
        lang: Lang,
        end: i64,
        whole_week: bool,
        bot_username: &str,
    ) -> Result<Option<(Period, Vec<String>)>, service::Error> {
        let period = self.service.digest_period(chat, end, whole_week).await?;
        if period.start >= period.end {
            return Ok(None);
        }
        let tz = self.settings.schedule.tz();
        Ok(self.service.digest(period, tz).await?.map(|d| {
            (
                period,
                render::digest(lang, &d, self.settings.show_phones, bot_username),
            )
        }))
    }

    /// Posts the digest of `chat` for the period ending at `end`, once.
    pub async fn post(
        &self,
        bot: &TgBot,
        chat: &DigestChat,
        end: i64,
        now_ms: i64,
        whole_week: bool,
    ) -> anyhow::Result<Posted> {
        if self.service.digest_was_sent(&chat.target, end).await? {
            return Ok(Posted::AlreadySent);
        }
        let me = bot.get_me().await?;
        let Some((period, parts)) = self
            .render(&chat.target, chat.lang, end, whole_week, me.username())
            .await?
        else {
            return Ok(Posted::Empty);
        };
        let claimed = self
            .service
            .claim_digest(
                &chat.target,
                period,
                &self.holder,
                now_ms,
                now_ms - CLAIM_TIMEOUT_MS,
                // A forced digest repeats the week on purpose.
                !whole_week,
            )
            .await?;
        if !claimed {
            return Ok(Posted::HeldElsewhere);
        }
        // The holder retries; a 429's retry_after is waited out by the outbox.
        let mut last_error = None;
        for attempt in 0..3u32 {
            if attempt > 0 {
                tokio::time::sleep(Duration::from_secs(2u64.pow(attempt))).await;
            }
            match send_parts(bot, &chat.target, &parts).await {
                Ok(()) => {
                    self.service.digest_sent(&chat.target, end, now_ms).await?;
                    return Ok(Posted::Sent(parts.len()));
                }
                Err(e) => {
                    tracing::warn!(chat = %chat.target, error = %e, "a digest could not be sent; retrying");
                    last_error = Some(e);
                }
            }
        }
        Err(last_error.map_or_else(|| anyhow::anyhow!("the digest was not sent"), Into::into))
    }
}

/// `adwatch digest --dry-run`: the digest that would go out now to the first chat (or in the
/// default language), as messages; `None` when nothing was approved since the last one. The
/// reminder names the bot: asked of Telegram when `TELOXIDE_TOKEN` is set.
pub async fn preview(
    service: Service,
    settings: &DigestSettings,
    now: i64,
) -> anyhow::Result<Option<Vec<String>>> {
    let (target, lang) = settings
        .chats
        .first()
        .map(|c| (c.target.clone(), c.lang))
        .unwrap_or((String::new(), settings.language));
    let username = if super::token_is_set() {
        super::bot_from_env().get_me().await?.username().to_string()
    } else {
        "adwatch_bot".to_string()
    };
    let poster = Poster::new(service, settings.clone());
    Ok(poster
        .render(&target, lang, now, false, &username)
        .await?
        .map(|(_, parts)| parts))
}

/// `adwatch digest --send [--force]`: posts the digest to every `DIGEST_CHAT_IDS` chat now,
/// once per chat and period (with `force`, the last 7 days again).
pub async fn send_now(
    service: Service,
    config: &crate::config::Config,
    now: i64,
    force: bool,
) -> anyhow::Result<Vec<(String, Posted)>> {
    let settings = config.digest.clone();
    if settings.chats.is_empty() {
        anyhow::bail!("DIGEST_CHAT_IDS is empty: nowhere to send the digest");
    }
    if !super::token_is_set() {
        anyhow::bail!("TELOXIDE_TOKEN is not set: the bot's token from @BotFather");
    }
    let metrics = Arc::new(crate::metrics::Metrics::default());
    let outbox = super::Outbox::new(config.send_rate, metrics);
    let bot = TgBot::new(super::bot_from_env(), Arc::new(outbox));
    let poster = Poster::new(service, settings);
    let mut posted = Vec::new();
    for chat in &poster.settings.chats {
        let p = poster.post(&bot, chat, now, now, force).await?;
        posted.push((chat.target.clone(), p));
    }
    Ok(posted)
}

fn recipient(target: &str) -> Recipient {
    match target.parse::<i64>() {
        Ok(id) => Recipient::Id(ChatId(id)),
        Err(_) => Recipient::ChannelUsername(target.to_string()),
    }
}

async fn send_parts(bot: &TgBot, target: &str, parts: &[String]) -> ResponseResult<()> {
    for part in parts {
        bot.send_message(recipient(target), part.clone())
            .parse_mode(ParseMode::Html)
            .await?;
    }
    Ok(())
}

/// Runs the schedule until the task is aborted: at each firing, each chat's digest is posted
/// once (a firing missed by less than a day, while the bot was down, is posted on start).
pub fn spawn_schedule(
    bot: TgBot,
    service: Service,
    settings: DigestSettings,
    clock: Arc<dyn Fn() -> i64 + Send + Sync>,
) -> Option<tokio::task::JoinHandle<()>> {
    if settings.chats.is_empty() {
        return None;
    }
    let poster = Poster::new(service, settings);
    Some(tokio::spawn(async move {
        // (chat, firing) settled, or not to be tried again before an instant.
        let mut settled: HashMap<(String, i64), Option<Instant>> = HashMap::new();
        loop {
            let now = clock();
            let schedule = &poster.settings.schedule;
            if let Some(firing) = schedule.last_at_or_before(now, digest::CATCH_UP_MS) {
                settled.retain(|(_, f), _| *f >= firing);
                for chat in &poster.settings.chats {
                    let key = (chat.target.clone(), firing);
                    match settled.get(&key) {
                        Some(None) => continue,
                        Some(Some(at)) if Instant::now() < *at => continue,
                        _ => {}
                    }
                    let next = match poster.post(&bot, chat, firing, now, false).await {
                        Ok(Posted::Sent(n)) => {
                            tracing::info!(chat = %chat.target, messages = n, "digest sent");
                            None
                        }
                        Ok(Posted::Empty | Posted::AlreadySent) => None,
                        // Look again later, to take over a claim left by a crash.
                        Ok(Posted::HeldElsewhere) => Some(Instant::now() + Duration::from_secs(10)),
                        Err(e) => {
                            tracing::warn!(chat = %chat.target, error = %e, "digest failed; will retry");
                            Some(Instant::now() + Duration::from_secs(30))
                        }
                    };
                    settled.insert(key, next);
                }
            }
            tokio::time::sleep(TICK).await;
        }
    }))
}
