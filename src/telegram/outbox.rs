//! Telegram's limits, kept without delay when there is room: messages go out within
//! `TELEGRAM_SEND_RATE` overall (shared among the live replicas) and one per second per chat
//! (twenty a minute in a group), and a 429's `retry_after` is waited out before sending again.
//!
//! teloxide's `Throttle` checks its queue every 250 ms, which alone would cost a citizen up to
//! a quarter of a second per reply; here a message waits only when a limit says so. The overall
//! limit is `governor`'s GCRA: a waiting message sleeps until its slot. A chat's messages go out
//! one at a time, in order, a second after the chat's previous one (a group's also within
//! twenty a minute); a chat's burst waits on its own turn before it reaches the shared limit,
//! so it cannot starve other chats.
//!
//! [`TgBot`] is the bot every handler holds: `send_message` and the edits go through the
//! [`Outbox`]; every other method is teloxide's `Bot` as is.
//!
//! Within an update's handling, each message sent is recorded as sent the moment Telegram
//! accepts it, and one an earlier run of the update already sent is not sent again
//! ([`super::delivery`]).

use std::collections::HashMap;
use std::future::IntoFuture;
use std::num::NonZeroU32;
use std::ops::Deref;
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use governor::{DefaultDirectRateLimiter, DefaultKeyedRateLimiter, Quota, RateLimiter};

use teloxide::prelude::*;
use teloxide::requests::{HasPayload, Output};
use teloxide::types::{MessageId, Recipient};
use teloxide::RequestError;

use super::delivery::{self, Slot};
use crate::metrics::Metrics;

/// The least time between two messages to one chat.
const PER_CHAT: Duration = Duration::from_secs(1);

/// How often a request refused with 429 is tried again.
const RETRIES_AFTER_429: usize = 5;

/// The outgoing side's limits, shared by every handler of this process.
pub struct Outbox {
    /// `TELEGRAM_SEND_RATE`: messages per second for the whole bot.
    rate: u32,
    /// This process's share of `rate`: (live replicas, limiter).
    overall: RwLock<(u32, Arc<DefaultDirectRateLimiter>)>,
    /// Each chat's turn: its messages go one at a time, and when its last one went.
    chats: Mutex<HashMap<i64, Arc<tokio::sync::Mutex<Option<Instant>>>>>,
    /// Twenty messages per minute to a group or channel.
    per_group: DefaultKeyedRateLimiter<i64>,
    metrics: Arc<Metrics>,
}

impl Outbox {
    pub fn new(rate: u32, metrics: Arc<Metrics>) -> Outbox {
        let per_second = |n: u32| Quota::per_second(NonZeroU32::new(n).unwrap_or(NonZeroU32::MIN));
        let twenty_a_minute = Quota::per_minute(NonZeroU32::new(20).unwrap_or(NonZeroU32::MIN));
        Outbox {
            rate,
            overall: RwLock::new((1, Arc::new(RateLimiter::direct(per_second(rate))))),
            chats: Mutex::default(),
            per_group: RateLimiter::keyed(twenty_a_minute),
            metrics,
        }
    }

    /// Takes this process's share of the overall rate when `replicas` processes are alive.
    pub fn share(&self, replicas: u32) {
        let replicas = replicas.max(1);
        let Ok(mut overall) = self.overall.write() else {
            return;
        };
        if overall.0 != replicas {
            let share = (self.rate / replicas).max(1);
            let quota = Quota::per_second(NonZeroU32::new(share).unwrap_or(NonZeroU32::MIN));
            *overall = (replicas, Arc::new(RateLimiter::direct(quota)));
            tracing::info!(replicas, per_second = share, "send rate shared");
        }
        // Chats not written to for a while are forgotten.
        if let Ok(mut chats) = self.chats.lock() {
            chats.retain(|_, turn| {
                Arc::strong_count(turn) > 1
                    || turn.try_lock().map_or(true, |last| {
                        last.is_some_and(|t| t.elapsed() < PER_CHAT * 60)
                    })
            });
        }
        self.per_group.retain_recent();
    }

    fn overall(&self) -> Arc<DefaultDirectRateLimiter> {
        match self.overall.read() {
            Ok(o) => o.1.clone(),
            Err(poisoned) => poisoned.into_inner().1.clone(),
        }
    }

    /// The turn of a chat (by id, or a channel's @username hashed).
    fn turn(&self, chat: &Recipient) -> (i64, Arc<tokio::sync::Mutex<Option<Instant>>>) {
        let key = chat_key(chat);
        let mut chats = self.chats.lock().unwrap_or_else(|e| e.into_inner());
        (key, chats.entry(key).or_default().clone())
    }

    /// Sends, unless an earlier run of the current update sent it already (then answers what
    /// Telegram answered then), and records it as sent in the update's claim.
    async fn deliver<R>(
        &self,
        chat: Option<&Recipient>,
        method: &'static str,
        request: R,
        recorded: bool,
    ) -> Result<Output<R>, RequestError>
    where
        R: Request<Err = RequestError>,
        Output<R>: serde::Serialize + serde::de::DeserializeOwned,
    {
        let slot = if recorded {
            delivery::slot(method, chat.map(chat_key))
        } else {
            Slot::Free
        };
        let recorder = match slot {
            Slot::Free => None,
            Slot::Replay(output) => match serde_json::from_value(output) {
                Ok(output) => return Ok(output),
                Err(e) => {
                    tracing::warn!(error = %e, method, "a recorded message cannot be read; sent again");
                    None
                }
            },
            Slot::Record(recorder) => Some(recorder),
        };
        let output = self.send_within_limits(chat, method, request).await?;
        if let Some(recorder) = recorder {
            recorder
                .record(serde_json::to_value(&output).unwrap_or_default())
                .await;
        }
        Ok(output)
    }

    /// Waits for the limits of `chat` (none for edits), then sends, waiting out 429s.
    async fn send_within_limits<R>(
        &self,
        chat: Option<&Recipient>,
        method: &'static str,
        request: R,
    ) -> Result<Output<R>, RequestError>
    where
        R: Request<Err = RequestError>,
    {
        self.metrics.send_queue_depth.inc();
        // Held until this message is sent: the chat's next one waits its turn.
        let mut turn = None;
        if let Some(chat) = chat {
            let (key, lock) = self.turn(chat);
            let last = lock.lock_owned().await;
            if let Some(at) = *last {
                tokio::time::sleep_until((at + PER_CHAT).into()).await;
            }
            let is_user = matches!(chat, Recipient::Id(id) if id.is_user());
            if !is_user {
                self.per_group.until_key_ready(&key).await;
            }
            turn = Some(last);
        }
        self.overall().until_ready().await;
        self.metrics.send_queue_depth.dec();
        if let Some(last) = turn.as_mut() {
            **last = Some(Instant::now());
        }
        let mut tries = 0;
        loop {
            match request.send_ref().await {
                Ok(output) => {
                    self.metrics.sent(method);
                    return Ok(output);
                }
                Err(RequestError::RetryAfter(wait)) if tries < RETRIES_AFTER_429 => {
                    tries += 1;
                    self.metrics.telegram_error("429");
                    tracing::warn!(method, seconds = wait.seconds(), "Telegram asked to wait");
                    tokio::time::sleep(wait.duration() + Duration::from_millis(50)).await;
                    if let Some(last) = turn.as_mut() {
                        **last = Some(Instant::now());
                    }
                }
                Err(e) => {
                    self.metrics.telegram_error(error_code(&e));
                    return Err(e);
                }
            }
        }
    }
}

/// The code of a refused request as Telegram gave it (403, 400, …), or what went wrong on the
/// way.
pub fn error_code(e: &RequestError) -> &'static str {
    match e {
        RequestError::RetryAfter(_) => "429",
        RequestError::MigrateToChatId(_) => "400",
        RequestError::Api(api) => {
            let description = api.to_string();
            [
                ("Forbidden", "403"),
                ("Bad Request", "400"),
                ("Unauthorized", "401"),
                ("Not Found", "404"),
                ("Conflict", "409"),
            ]
            .into_iter()
            .find(|(prefix, _)| description.starts_with(prefix))
            .map_or("other", |(_, code)| code)
        }
        RequestError::Network(_) => "network",
        RequestError::InvalidJson { .. } => "invalid_json",
        RequestError::Io(_) => "io",
    }
}

/// A chat as a number: its id, or a channel's @username hashed.
fn chat_key(chat: &Recipient) -> i64 {
    match chat {
        Recipient::Id(id) => id.0,
        Recipient::ChannelUsername(name) => name_key(name),
    }
}

fn name_key(name: &str) -> i64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    name.hash(&mut h);
    h.finish() as i64
}

/// The bot as handlers hold it: messages and edits through the [`Outbox`], the rest as is.
#[derive(Clone)]
pub struct TgBot {
    bot: Bot,
    outbox: Arc<Outbox>,
}

impl TgBot {
    pub fn new(bot: Bot, outbox: Arc<Outbox>) -> TgBot {
        TgBot { bot, outbox }
    }

    pub fn outbox(&self) -> &Arc<Outbox> {
        &self.outbox
    }

    pub fn send_message<C, T>(&self, chat: C, text: T) -> Outgoing<<Bot as Requester>::SendMessage>
    where
        C: Into<Recipient>,
        T: Into<String>,
    {
        let chat = chat.into();
        Outgoing {
            chat: Some(chat.clone()),
            method: "sendMessage",
            request: self.bot.send_message(chat, text),
            outbox: self.outbox.clone(),
            recorded: true,
        }
    }

    pub fn edit_message_text<C, T>(
        &self,
        chat: C,
        message: MessageId,
        text: T,
    ) -> Outgoing<<Bot as Requester>::EditMessageText>
    where
        C: Into<Recipient>,
        T: Into<String>,
    {
        Outgoing {
            chat: None,
            method: "editMessageText",
            request: self.bot.edit_message_text(chat, message, text),
            outbox: self.outbox.clone(),
            recorded: true,
        }
    }

    pub fn edit_message_reply_markup<C>(
        &self,
        chat: C,
        message: MessageId,
    ) -> Outgoing<<Bot as Requester>::EditMessageReplyMarkup>
    where
        C: Into<Recipient>,
    {
        Outgoing {
            chat: None,
            method: "editMessageReplyMarkup",
            request: self.bot.edit_message_reply_markup(chat, message),
            outbox: self.outbox.clone(),
            recorded: true,
        }
    }
}

impl Deref for TgBot {
    type Target = Bot;

    fn deref(&self) -> &Bot {
        &self.bot
    }
}

/// A request that goes out through the [`Outbox`] when awaited. Its setters are teloxide's
/// (`.parse_mode(…)`, `.reply_markup(…)`), through [`HasPayload`].
pub struct Outgoing<R> {
    /// Whose per-chat limit applies; none for edits.
    chat: Option<Recipient>,
    method: &'static str,
    request: R,
    outbox: Arc<Outbox>,
    /// Recorded as sent in the current update's handling ([`super::delivery`]).
    recorded: bool,
}

impl<R> Outgoing<R> {
    /// A notice that is not the update's answer (e.g. "it will be stored shortly"): neither
    /// recorded nor numbered, so a second run of the update, which may take another way, says
    /// it again if it must and never mistakes its answer for this.
    pub fn unrecorded(mut self) -> Self {
        self.recorded = false;
        self
    }
}

impl<R: HasPayload> HasPayload for Outgoing<R> {
    type Payload = R::Payload;

    fn payload_mut(&mut self) -> &mut Self::Payload {
        self.request.payload_mut()
    }

    fn payload_ref(&self) -> &Self::Payload {
        self.request.payload_ref()
    }
}

impl<R> IntoFuture for Outgoing<R>
where
    R: Request<Err = RequestError> + Send + Sync + 'static,
    R::SendRef: Send,
    Output<R>: Send + serde::Serialize + serde::de::DeserializeOwned,
{
    type Output = Result<Output<R>, RequestError>;
    type IntoFuture = BoxFuture<'static, Self::Output>;

    fn into_future(self) -> Self::IntoFuture {
        Box::pin(async move {
            self.outbox
                .deliver(self.chat.as_ref(), self.method, self.request, self.recorded)
                .await
        })
    }
}
