//! How updates come in, by long polling or by webhook (served by [`super::http`]).
//!
//! Every update is claimed in the database by its `update_id` before anything else happens, and
//! the claim keeps a copy of it: an update delivered twice, to this process or another, is
//! handled once, and one whose process died before it was done is taken over by another
//! ([`spawn_heartbeat`]) with the record of what its handling had sent ([`super::delivery`]).
//! Only then is it handed, through a channel that is an update listener, to the lanes
//! ([`super::lanes`]), which handle each sender's updates in order and no chat behind another.
//!
//! When the database does not answer, the update is kept where it is: a webhook answers 503, so
//! Telegram delivers it again; polling holds it (its offset is not confirmed) and tries again.
//! A citizen whose message waits hears once that it will be stored shortly.

use std::collections::HashSet;
use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use teloxide::prelude::*;
use teloxide::types::UpdateKind;
use teloxide::update_listeners::{StatefulListener, UpdateListener};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use super::delivery::{update_key, Sent};
use super::{render, reply_lang, App, TgBot};

/// A replica not seen for this long is taken for dead: its unhandled updates are taken over.
pub const ALIVE_MS: i64 = 20_000;
/// How often a process says it is alive.
const BEAT: Duration = Duration::from_secs(5);

/// What kind an update is, for the metrics.
pub fn kind_of(update: &Update) -> &'static str {
    match &update.kind {
        UpdateKind::Message(_) => "message",
        UpdateKind::EditedMessage(_) => "edited_message",
        UpdateKind::CallbackQuery(_) => "callback_query",
        UpdateKind::ChannelPost(_) => "channel_post",
        UpdateKind::MyChatMember(_) => "my_chat_member",
        UpdateKind::ChatMember(_) => "chat_member",
        _ => "other",
    }
}

/// The listener's state: the receiving end (taken when the dispatcher starts) and its stop
/// token (unused: the senders going away is what stops it).
type Listening = (Option<mpsc::Receiver<Update>>, teloxide::stop::StopToken);

/// Claims updates and hands them to the dispatcher.
#[derive(Clone)]
pub struct Ingress {
    app: Arc<App>,
    bot: TgBot,
    tx: mpsc::Sender<Update>,
    /// Updates whose citizen was already told "stored shortly" (so a redelivery does not
    /// repeat it).
    told: Arc<Mutex<HashSet<u32>>>,
}

/// Why an update was not taken.
#[derive(Debug)]
pub enum Refused {
    /// The database did not answer; deliver it again later.
    DatabaseAway,
    /// The process is stopping.
    Stopping,
}

impl Ingress {
    /// The ingress and the listener the dispatcher reads from.
    pub fn new(
        app: Arc<App>,
        bot: TgBot,
    ) -> (
        Ingress,
        impl UpdateListener<Err = Infallible> + Send + 'static,
    ) {
        let (tx, rx) = mpsc::channel::<Update>(1024);
        let (stop_token, _flag) = teloxide::stop::mk_stop_token();
        // The stream owns the receiver: it ends when every sender (the webhook, polling, the
        // takeover) is gone, and the dispatcher then finishes what it holds and returns.
        let listener = StatefulListener::new(
            (Some(rx), stop_token),
            |(rx, _): &mut Listening| {
                futures::stream::unfold(rx.take(), |rx| async move {
                    let mut rx = rx?;
                    let update = rx.recv().await?;
                    Some((Ok::<_, Infallible>(update), Some(rx)))
                })
            },
            |(_, token): &mut Listening| token.clone(),
        );
        let ingress = Ingress {
            app,
            bot,
            tx,
            told: Arc::default(),
        };
        (ingress, listener)
    }

    pub fn app(&self) -> &Arc<App> {
        &self.app
    }

    /// Claims `update` (delivered as `raw`) and queues it for handling. `Ok(false)`: it was
    /// claimed before, by this or another process, and is dropped.
    pub async fn admit(&self, update: &Update, raw: &str) -> Result<bool, Refused> {
        let app = &self.app;
        let kind = kind_of(update);
        let key = update_key(update.id);
        match app
            .service
            .claim_update(&key, raw, &app.holder, app.now_ms())
            .await
        {
            Ok(true) => {
                app.metrics.received(kind);
                self.tx
                    .send(update.clone())
                    .await
                    .map_err(|_| Refused::Stopping)?;
                Ok(true)
            }
            Ok(false) => {
                app.metrics.duplicate(kind);
                Ok(false)
            }
            Err(e) => {
                app.metrics.database_errors.inc();
                tracing::warn!(error = %e, "an update could not be claimed; it is kept and retried");
                self.tell_later(update).await;
                Err(Refused::DatabaseAway)
            }
        }
    }

    /// A citizen whose message cannot be stored now hears it once.
    async fn tell_later(&self, update: &Update) {
        let UpdateKind::Message(msg) = &update.kind else {
            return;
        };
        if !msg.chat.is_private() || msg.text().is_some_and(|t| t.starts_with('/')) {
            return;
        }
        {
            let Ok(mut told) = self.told.lock() else {
                return;
            };
            if told.len() > 10_000 {
                told.clear();
            }
            if !told.insert(update.id.0) {
                return;
            }
        }
        let lang = reply_lang(None, msg.from.as_ref(), None);
        let html = render::plain(lang, "store-failed");
        if let Err(e) = super::send(&self.bot, msg.chat.id, html).await {
            tracing::warn!(error = %e, "a citizen could not be told their message waits");
        }
    }

    /// Hands over updates claimed by a process that died before handling them.
    pub async fn requeue(&self, update: Update) -> bool {
        self.app.metrics.received(kind_of(&update));
        self.tx.send(update).await.is_ok()
    }
}

/// Sleeps `pause`, unless `stop` comes first: then false.
async fn sleep_unless_stopped(stop: &CancellationToken, pause: Duration) -> bool {
    tokio::select! {
        _ = stop.cancelled() => false,
        _ = tokio::time::sleep(pause) => true,
    }
}

/// Sleeps `pause` unless `stop` comes first (then false), and doubles it for the next try, up
/// to 30 s.
pub async fn back_off(stop: &CancellationToken, pause: &mut Duration) -> bool {
    let slept = sleep_unless_stopped(stop, *pause).await;
    *pause = (*pause * 2).min(Duration::from_secs(30));
    slept
}

/// Long polling: fetches updates, claims each, and confirms them to Telegram (the next offset)
/// only once claimed. Ends when `stop` is cancelled.
pub async fn poll(ingress: Ingress, bot: Bot, stop: CancellationToken) {
    if let Err(e) = bot.delete_webhook().await {
        tracing::warn!(error = %e, "deleteWebhook failed; polling anyway");
    }
    let mut offset: i32 = 0;
    let mut failures: u32 = 0;
    'polling: loop {
        let request = bot.get_updates().offset(offset).timeout(25);
        let updates = tokio::select! {
            _ = stop.cancelled() => break,
            r = request.send() => r,
        };
        let updates = match updates {
            Ok(u) => {
                failures = 0;
                u
            }
            Err(e) => {
                failures += 1;
                ingress
                    .app
                    .metrics
                    .telegram_error(super::outbox::error_code(&e));
                tracing::warn!(error = %e, "getUpdates failed");
                let pause = Duration::from_millis(250 * u64::from(failures.min(20)));
                if !sleep_unless_stopped(&stop, pause).await {
                    break;
                }
                continue;
            }
        };
        for update in updates {
            let raw = serde_json::to_string(&update).unwrap_or_default();
            let mut pause = Duration::from_millis(500);
            loop {
                match ingress.admit(&update, &raw).await {
                    Ok(_) => break,
                    Err(Refused::Stopping) => break 'polling,
                    // Held: the offset stays, so Telegram keeps it even if this process stops.
                    Err(Refused::DatabaseAway) => {
                        if !back_off(&stop, &mut pause).await {
                            break 'polling;
                        }
                    }
                }
            }
            offset = (update.id.0 as i32).wrapping_add(1);
        }
    }
}

/// Every few seconds: says this process is alive, shares the send rate among the live ones,
/// and takes over the unhandled updates of processes that stopped beating.
pub fn spawn_heartbeat(ingress: Ingress, stop: CancellationToken) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        let app = ingress.app.clone();
        loop {
            let now = app.now_ms();
            match app
                .service
                .heartbeat(&app.holder, now, now - ALIVE_MS)
                .await
            {
                Ok(n) => {
                    app.metrics.replicas.set(i64::from(n));
                    ingress.bot.outbox().share(n);
                }
                Err(e) => tracing::debug!(error = %e, "heartbeat failed"),
            }
            let taken = app
                .service
                .take_over_updates(&app.holder, now - ALIVE_MS, now - ALIVE_MS, now, 100)
                .await
                .unwrap_or_default();
            for t in taken {
                match serde_json::from_str::<Update>(&t.payload) {
                    Ok(update) => {
                        let sent = Sent::parse_all(t.sends.as_deref().unwrap_or_default());
                        tracing::warn!(key = %t.key, sent = sent.len(), "an update left by a stopped process is taken over");
                        // Its next run here does not send again what the last one sent.
                        app.ledger.remember(&t.key, sent);
                        if !ingress.requeue(update).await {
                            return;
                        }
                    }
                    Err(e) => {
                        tracing::warn!(key = %t.key, error = %e, "a kept update cannot be read; dropped");
                        let _ = app.service.finish_update(&t.key, &app.holder, now).await;
                    }
                }
            }
            let albums = app
                .service
                .take_over_albums(&app.holder, now - ALIVE_MS, now - ALIVE_MS)
                .await
                .unwrap_or_default();
            for key in albums {
                tracing::warn!(%key, "an album left by a stopped process is taken over");
                super::images::finish_album_later(&ingress.bot, &app, key);
            }
            tokio::select! {
                _ = stop.cancelled() => break,
                _ = tokio::time::sleep(BEAT) => {}
            }
        }
        let _ = app.service.leave(&app.holder).await;
    })
}
