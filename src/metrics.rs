//! What `/metrics` says, in Prometheus text: counters kept by this process, and gauges read
//! from the database by a background task ([`spawn_refresh`]), so every replica reports the
//! same queue. A scrape never queries the database: however often `/metrics` is asked, the
//! database sees at most one read a [`REFRESH_MIN`], and none while nothing happens but every
//! [`REFRESH_EVERY`].

use std::sync::Arc;
use std::time::Duration;

use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

use crate::service::Service;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Kind {
    pub kind: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Method {
    pub method: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Code {
    pub code: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Outcome {
    pub outcome: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct LabelStatus {
    pub label: String,
    pub status: String,
}

/// The gauges from the database are read at least this often.
pub const REFRESH_EVERY: Duration = Duration::from_secs(15);
/// And at most this often, however many updates ask for it.
pub const REFRESH_MIN: Duration = Duration::from_secs(2);

/// Registers each `name, help, field;` of `$m` with `$m.registry`.
macro_rules! register {
    ($m:ident, $($name:literal, $help:literal, $field:ident;)*) => {
        $($m.registry.register($name, $help, $m.$field.clone());)*
    };
}

/// Every metric of this process.
pub struct Metrics {
    registry: Registry,
    /// Updates claimed by this process, by kind (message, callback_query, …).
    pub updates_received: Family<Kind, Counter>,
    /// Updates refused because another delivery of them was claimed first.
    pub updates_duplicate: Family<Kind, Counter>,
    /// Updates whose handler finished.
    pub updates_handled: Family<Kind, Counter>,
    /// Time from an update's claim to the end of its handler.
    pub handling_seconds: Histogram,
    /// Requests that Telegram accepted, by method (sendMessage, editMessageText, …).
    pub replies_sent: Family<Method, Counter>,
    /// Requests Telegram refused, by HTTP-like code (429, 403, 400) or `network`.
    pub telegram_errors: Family<Code, Counter>,
    /// Links read, by outcome (`fetched` or the failure's code).
    pub fetches: Family<Outcome, Counter>,
    /// Outgoing messages waiting for Telegram's limits in this process.
    pub send_queue_depth: Gauge,
    /// Updates the database refused to claim (it was away); they were kept and retried.
    pub database_errors: Counter,
    /// Updates waiting in their sender's lane (`telegram::lanes`).
    pub updates_queued: Gauge,
    /// Updates dropped because their sender's lane was full.
    pub updates_dropped: Counter,
    /// Reports in the database by label and status (read when scraped).
    reports: Family<LabelStatus, Gauge>,
    /// Reports waiting for a moderator (read when scraped).
    moderation_queue: Gauge,
    /// 1 when the database answered the last refresh of the gauges.
    database_up: Gauge,
    /// Reads of the gauges from the database ([`spawn_refresh`]), answered or not.
    gauge_refreshes: Counter,
    /// Processes that beat recently, this one included.
    pub replicas: Gauge,
    /// Wakes the refresh early: something this process did may have changed the gauges.
    stale: Notify,
}

impl Default for Metrics {
    fn default() -> Self {
        let mut m = Metrics {
            updates_received: Family::default(),
            updates_duplicate: Family::default(),
            updates_handled: Family::default(),
            // 1 ms to 10 s.
            handling_seconds: Histogram::new([
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0,
            ]),
            replies_sent: Family::default(),
            telegram_errors: Family::default(),
            fetches: Family::default(),
            send_queue_depth: Gauge::default(),
            database_errors: Counter::default(),
            updates_queued: Gauge::default(),
            updates_dropped: Counter::default(),
            reports: Family::default(),
            moderation_queue: Gauge::default(),
            database_up: Gauge::default(),
            gauge_refreshes: Counter::default(),
            replicas: Gauge::default(),
            stale: Notify::new(),
            registry: Registry::with_prefix("adwatch"),
        };
        // Each metric's name (prefixed `adwatch_`) and help, and the field it reads.
        register!(m,
            "updates_received", "Updates claimed by this process", updates_received;
            "updates_duplicate", "Updates delivered again and ignored", updates_duplicate;
            "updates_handled", "Updates whose handling finished", updates_handled;
            "update_handling_seconds", "From the claim of an update to the end of its handling", handling_seconds;
            "replies_sent", "Requests Telegram accepted", replies_sent;
            "telegram_errors", "Requests Telegram refused, by code", telegram_errors;
            "fetches", "Links read, by outcome", fetches;
            "send_queue_depth", "Outgoing messages waiting for Telegram's limits", send_queue_depth;
            "database_errors", "Updates the database could not claim at once", database_errors;
            "updates_queued", "Updates waiting in their sender's lane", updates_queued;
            "updates_dropped", "Updates dropped because their sender's lane was full", updates_dropped;
            "reports", "Reports by label and status", reports;
            "moderation_queue_depth", "Reports waiting for a moderator", moderation_queue;
            "database_up", "1 when the database answered the last refresh of the gauges", database_up;
            "gauge_refreshes", "Reads of the database gauges (reports, moderation queue) in the background", gauge_refreshes;
            "replicas", "Processes alive on this database", replicas;
        );
        m
    }
}

impl Metrics {
    pub fn received(&self, kind: &str) {
        self.updates_received.get_or_create(&label(kind)).inc();
    }

    pub fn duplicate(&self, kind: &str) {
        self.updates_duplicate.get_or_create(&label(kind)).inc();
    }

    /// An update was handled: counted, and the gauges are read again soon (it may have filed
    /// or decided a report).
    pub fn handled(&self, kind: &str, took: Duration) {
        self.updates_handled.get_or_create(&label(kind)).inc();
        self.handling_seconds.observe(took.as_secs_f64());
        self.stale.notify_one();
    }

    pub fn sent(&self, method: &str) {
        self.replies_sent
            .get_or_create(&Method {
                method: method.to_string(),
            })
            .inc();
    }

    pub fn telegram_error(&self, code: &str) {
        self.telegram_errors
            .get_or_create(&Code {
                code: code.to_string(),
            })
            .inc();
    }

    pub fn fetched(&self, outcome: &str) {
        self.fetches
            .get_or_create(&Outcome {
                outcome: outcome.to_string(),
            })
            .inc();
    }

    /// The text `/metrics` answers, from memory only.
    pub fn render(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }

    /// Reads the gauges the database holds (reports by label and status, the moderation queue).
    pub async fn refresh(&self, service: &Service) {
        self.gauge_refreshes.inc();
        match service.report_counts().await {
            Ok(counts) => {
                self.database_up.set(1);
                self.reports.clear();
                let mut pending = 0;
                for c in counts {
                    if c.status == crate::review::ReportStatus::Pending {
                        pending += c.count;
                    }
                    self.reports
                        .get_or_create(&LabelStatus {
                            label: c.label.as_str().to_string(),
                            status: c.status.as_str().to_string(),
                        })
                        .set(c.count);
                }
                self.moderation_queue.set(pending);
            }
            Err(_) => {
                self.database_up.set(0);
            }
        }
    }
}

/// Reads the database gauges now, then every [`REFRESH_EVERY`], or [`REFRESH_MIN`] after the
/// last read when this process handled an update; ends with `stop`.
pub fn spawn_refresh(
    metrics: Arc<Metrics>,
    service: Service,
    stop: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            metrics.refresh(&service).await;
            let paced = tokio::select! {
                _ = stop.cancelled() => false,
                _ = tokio::time::sleep(REFRESH_MIN) => true,
            };
            let woken = paced
                && tokio::select! {
                    _ = stop.cancelled() => false,
                    _ = metrics.stale.notified() => true,
                    _ = tokio::time::sleep(REFRESH_EVERY - REFRESH_MIN) => true,
                };
            if !woken {
                break;
            }
        }
    })
}

fn label(kind: &str) -> Kind {
    Kind {
        kind: kind.to_string(),
    }
}
