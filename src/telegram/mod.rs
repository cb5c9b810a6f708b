//! The bot: the only module that knows teloxide.
//!
//! Long polling by default, a webhook when `WEBHOOK_URL` is set ([`ingress`]). `TELOXIDE_TOKEN`
//! and `TELOXIDE_API_URL` are read by teloxide itself (`Bot::from_env`), so the bot can talk to
//! a local Bot API server, and tests to a fake one. Each update is claimed in the database by
//! its id before any effect, so a redelivered update changes nothing, whichever replica gets
//! it; a report is acknowledged only once stored. Claimed updates wait their turn in their
//! sender's lane ([`lanes`]), within the citizen's rate and never behind another chat. Replies
//! go out through [`outbox`], which keeps Telegram's limits.
//!
//! By what it serves: this file holds the bot's life (start, the HTTP side, shutdown,
//! retention); `routing` hands each update to its handler; `citizens` answers citizens'
//! commands and buttons; `intake` and [`images`] file reports from messages and screenshots;
//! [`moderation`] serves moderators; [`digest`] posts the weekly digests; [`render`] builds all
//! markup.

mod citizens;
pub mod delivery;
pub mod digest;
pub mod http;
pub mod images;
pub mod ingress;
mod intake;
pub mod lanes;
pub mod moderation;
pub mod outbox;
pub mod render;
mod routing;

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use teloxide::prelude::*;
use tokio_util::task::TaskTracker;

use crate::config::Config;
use crate::fetch::Fetcher;
use crate::service::{self, Service};
use routing::on_update;
// What the other rooms of the adapter share.
use routing::{is_report_command, reply_lang, send};

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

/// Once an hour: erases what citizens left that is older than `RETENTION_DAYS` (chat ids,
/// forwarded-from names, page and OCR texts, unfinished updates and albums, rejected reports'
/// texts) and the expired report links.
pub fn spawn_retention(app: Arc<App>) {
    tokio::spawn(async move {
        loop {
            app.service
                .retention_pass(app.config.retention_days, app.now_ms())
                .await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
}
