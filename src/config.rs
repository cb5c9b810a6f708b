//! Every setting, typed, from the environment. `.env.example` lists them all with comments.

use std::net::SocketAddr;
use std::time::Duration;

use anyhow::{bail, Context};

use crate::digest::{parse_chats, DigestSettings, Schedule};
use crate::extract::Lang;
use crate::fetch::FetchSettings;
use crate::ocr::OcrSettings;
use crate::service::ReporterKey;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` (default `sqlite://adwatch.db`) or `postgres://…`.
    pub database_url: String,
    /// The key of the citizens' hashes (`REPORTER_SECRET`). When unset, the bot makes one and
    /// keeps it in the database, so restarts and replicas agree (made or loaded at start-up by [`crate::service::Service::start`]).
    pub reporter_key: Option<ReporterKey>,
    /// Days after which the texts of rejected reports are purged.
    pub retention_days: u32,
    /// Telegram user ids of moderators (`MODERATOR_IDS=123,456`).
    pub moderator_ids: Vec<i64>,
    /// A chat whose administrators are moderators too, where new high-risk reports are
    /// announced (`MODERATOR_CHAT_ID`).
    pub moderator_chat_id: Option<i64>,
    /// Trust every member of `moderator_chat_id` who is not restricted, not only its
    /// administrators (`MODERATOR_CHAT_MEMBERS=1`).
    pub moderator_chat_members: bool,
    /// Risk from which a new report is announced in the moderators' chat (`MODERATOR_ALERT_RISK`).
    pub moderator_alert_risk: u8,
    /// The language of announcements in the moderators' chat (`MODERATOR_LANGUAGE`, default ru).
    pub moderator_language: String,
    /// Messages per second the bot sends overall (`TELEGRAM_SEND_RATE`, Telegram allows ~30).
    pub send_rate: u32,
    /// Messages a citizen may send per minute (`USER_RATE_PER_MINUTE`); the rest wait their
    /// turn in the citizen's queue.
    pub user_rate_per_minute: u32,
    /// Updates one citizen may have waiting (`USER_QUEUE_MAX`); past it they are dropped.
    pub user_queue_max: usize,
    /// How links are fetched (`FETCH_*`).
    pub fetch: FetchSettings,
    /// Weekly digests (`DIGEST_*`).
    pub digest: DigestSettings,
    /// Screenshots (`OCR_*`).
    pub ocr: OcrSettings,
    /// Webhook mode (`WEBHOOK_URL`, `WEBHOOK_SECRET`, `WEBHOOK_REGISTER`); long polling when
    /// `WEBHOOK_URL` is unset.
    pub webhook: Option<WebhookSettings>,
    /// Where the webhook, `/healthz` and `/metrics` are served (`LISTEN_ADDR`): 0.0.0.0:8080 by
    /// default in webhook mode; in polling mode only when set.
    pub listen_addr: Option<SocketAddr>,
    /// Where `/metrics` is served instead of `LISTEN_ADDR` (`METRICS_ADDR`), so the monitoring
    /// network reaches it and the internet does not.
    pub metrics_addr: Option<SocketAddr>,
    /// What one client may cost the HTTP side.
    pub http: HttpLimits,
}

/// The HTTP side's limits: a client that sends its request head slowly is cut, and only so
/// many connections are served at once (the next wait until one closes).
#[derive(Debug, Clone)]
pub struct HttpLimits {
    /// Time to send a request's head (line and headers), counted from the connection's open
    /// or from the previous answer on a kept-alive one.
    pub header_timeout: Duration,
    /// Time to send a webhook body once the head is in.
    pub body_timeout: Duration,
    /// Connections served at once on `LISTEN_ADDR` (Telegram opens at most 100).
    pub max_connections: usize,
    /// Connections served at once on `METRICS_ADDR`.
    pub max_metrics_connections: usize,
}

impl Default for HttpLimits {
    fn default() -> Self {
        HttpLimits {
            header_timeout: Duration::from_secs(10),
            body_timeout: Duration::from_secs(10),
            max_connections: 256,
            max_metrics_connections: 16,
        }
    }
}

/// How Telegram reaches the bot in webhook mode.
#[derive(Clone)]
pub struct WebhookSettings {
    /// The public address Telegram posts to; its path is the path served.
    pub url: url::Url,
    /// Telegram sends it back in `X-Telegram-Bot-Api-Secret-Token`; anything else is refused.
    pub secret: String,
    /// Call `setWebhook` at start (`WEBHOOK_REGISTER=1`). Off by default: with replicas, the
    /// webhook is registered once, by a deployment step or one process.
    pub register: bool,
}

impl std::fmt::Debug for WebhookSettings {
    /// The secret never reaches a log.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookSettings")
            .field("url", &self.url.as_str())
            .field("secret", &"…")
            .field("register", &self.register)
            .finish()
    }
}

/// `WEBHOOK_*`: none without `WEBHOOK_URL`; then `WEBHOOK_SECRET` is required.
fn webhook_settings() -> anyhow::Result<Option<WebhookSettings>> {
    let Some(raw) = var("WEBHOOK_URL") else {
        return Ok(None);
    };
    let url =
        url::Url::parse(&raw).with_context(|| format!("WEBHOOK_URL: `{raw}` is not a URL"))?;
    if !matches!(url.scheme(), "https" | "http") {
        bail!("WEBHOOK_URL: `{raw}` must be an https:// address (Telegram posts only to HTTPS)");
    }
    if matches!(url.path(), "/healthz" | "/metrics") {
        bail!("WEBHOOK_URL: its path `{}` is taken by the bot's own endpoints; use another, e.g. /telegram", url.path());
    }
    let Some(secret) = var("WEBHOOK_SECRET") else {
        bail!("WEBHOOK_SECRET is required with WEBHOOK_URL: 1 to 256 characters of A-Z, a-z, 0-9, _ and -");
    };
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    if secret.len() > 256 || !secret.chars().all(allowed) {
        bail!("WEBHOOK_SECRET: Telegram accepts 1 to 256 characters of A-Z, a-z, 0-9, _ and -");
    }
    Ok(Some(WebhookSettings {
        url,
        secret,
        register: flag("WEBHOOK_REGISTER", false)?,
    }))
}

impl Default for Config {
    fn default() -> Self {
        Config {
            database_url: "sqlite://adwatch.db".to_string(),
            reporter_key: None,
            retention_days: 180,
            moderator_ids: Vec::new(),
            moderator_chat_id: None,
            moderator_chat_members: false,
            moderator_alert_risk: 70,
            moderator_language: "ru".to_string(),
            send_rate: 30,
            user_rate_per_minute: 20,
            user_queue_max: 50,
            fetch: FetchSettings::default(),
            digest: DigestSettings::default(),
            ocr: OcrSettings::default(),
            webhook: None,
            listen_addr: None,
            metrics_addr: None,
            http: HttpLimits::default(),
        }
    }
}

fn number(name: &str, default: u32) -> anyhow::Result<u32> {
    match var(name) {
        Some(v) => v
            .parse()
            .with_context(|| format!("{name}: `{v}` is not a whole number")),
        None => Ok(default),
    }
}

/// `1`, `true`, `yes`, `on` (any case) or `0`, `false`, `no`, `off`.
fn flag(name: &str, default: bool) -> anyhow::Result<bool> {
    match var(name).map(|v| v.to_ascii_lowercase()) {
        None => Ok(default),
        Some(v) if matches!(v.as_str(), "1" | "true" | "yes" | "on") => Ok(true),
        Some(v) if matches!(v.as_str(), "0" | "false" | "no" | "off") => Ok(false),
        Some(v) => bail!("{name}: `{v}` is neither 1 nor 0"),
    }
}

/// Seconds, whole or decimal (`10`, `2.5`).
fn seconds(name: &str, default: Duration) -> anyhow::Result<Duration> {
    match var(name) {
        None => Ok(default),
        Some(v) => v
            .trim_end_matches('s')
            .parse::<f64>()
            .ok()
            .filter(|s| s.is_finite() && *s > 0.0 && *s < 86_400.0)
            .map(Duration::from_secs_f64)
            .with_context(|| format!("{name}: `{v}` is not a number of seconds")),
    }
}

fn fetch_settings() -> anyhow::Result<FetchSettings> {
    let default = FetchSettings::default();
    let allowed_ports = match var("FETCH_ALLOWED_PORTS") {
        None => default.allowed_ports,
        Some(v) => comma_list("FETCH_ALLOWED_PORTS", &v, "a port")?,
    };
    let max_bytes = match var("FETCH_MAX_BYTES") {
        None => default.max_bytes,
        Some(v) => v
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("FETCH_MAX_BYTES: `{v}` is not a number of bytes"))?,
    };
    Ok(FetchSettings {
        enabled: flag("FETCH_ENABLED", default.enabled)?,
        allow_private: flag("FETCH_ALLOW_PRIVATE", default.allow_private)?,
        allowed_ports,
        timeout: seconds("FETCH_TIMEOUT", default.timeout)?,
        max_bytes,
        max_links: number("FETCH_MAX_LINKS", default.max_links as u32)? as usize,
        concurrency: match number("FETCH_CONCURRENCY", default.concurrency as u32)? {
            0 => bail!("FETCH_CONCURRENCY: 0 would read no link at all"),
            n => n as usize,
        },
    })
}

fn digest_settings() -> anyhow::Result<DigestSettings> {
    let language = match var("DIGEST_LANGUAGE") {
        Some(l) => Lang::from_code(&l)
            .with_context(|| format!("DIGEST_LANGUAGE: `{l}` is not one of {}", Lang::codes()))?,
        None => Lang::Ru,
    };
    let cron = var("DIGEST_CRON").unwrap_or_else(|| "0 0 9 * * Mon".to_string());
    let tz = var("DIGEST_TZ").unwrap_or_else(|| "UTC".to_string());
    Ok(DigestSettings {
        chats: parse_chats(&var("DIGEST_CHAT_IDS").unwrap_or_default(), language)?,
        schedule: Schedule::new(&cron, &tz)?,
        language,
        show_phones: flag("DIGEST_SHOW_PHONES", false)?,
    })
}

fn ocr_settings() -> anyhow::Result<OcrSettings> {
    let default = OcrSettings::default();
    let count = |name: &str, default: u64| -> anyhow::Result<u64> {
        match var(name) {
            Some(v) => v
                .replace('_', "")
                .parse::<u64>()
                .ok()
                .filter(|n| *n > 0)
                .with_context(|| format!("{name}: `{v}` is not a positive whole number")),
            None => Ok(default),
        }
    };
    let languages = var("OCR_LANGUAGES").unwrap_or(default.languages);
    if !languages
        .split('+')
        .all(|l| !l.is_empty() && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '_'))
    {
        bail!("OCR_LANGUAGES: `{languages}` is not a list like rus+kaz+eng");
    }
    Ok(OcrSettings {
        program: var("OCR_TESSERACT").unwrap_or(default.program),
        languages,
        timeout: seconds("OCR_TIMEOUT", default.timeout)?,
        max_pixels: count("OCR_MAX_PIXELS", default.max_pixels)?,
        max_bytes: count("OCR_MAX_BYTES", default.max_bytes)?,
        // Tesseract's own variable: the one setting of the bot's environment it is given.
        tessdata: var("TESSDATA_PREFIX")
            .map(std::path::PathBuf::from)
            .or(default.tessdata),
    })
}

/// `ANALYZE_MAX_LINE`: the longest JSON line `adwatch analyze --format jsonl` reads, in bytes
/// (default 1 MiB); a longer line gets an error result and is skipped.
pub fn analyze_max_line() -> anyhow::Result<usize> {
    match var("ANALYZE_MAX_LINE") {
        Some(v) => v
            .replace('_', "")
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .with_context(|| format!("ANALYZE_MAX_LINE: `{v}` is not a number of bytes")),
        None => Ok(crate::analyze::DEFAULT_MAX_LINE),
    }
}

fn var(name: &str) -> Option<String> {
    std::env::var(name)
        .ok()
        .map(|v| v.trim().to_string())
        .filter(|v| !v.is_empty())
}

/// A comma-separated list of ids.
pub fn parse_ids(name: &str, value: &str) -> anyhow::Result<Vec<i64>> {
    comma_list(name, value, "a Telegram id")
}

/// A comma-separated list of values; `what` names one in the error.
fn comma_list<T: std::str::FromStr>(name: &str, value: &str, what: &str) -> anyhow::Result<Vec<T>> {
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<T>()
                .ok()
                .with_context(|| format!("{name}: `{s}` is not {what}"))
        })
        .collect()
}

/// An address and port like `127.0.0.1:9090`, when set.
fn address(name: &str) -> anyhow::Result<Option<SocketAddr>> {
    var(name)
        .map(|v| {
            v.parse().with_context(|| {
                format!("{name}: `{v}` is not an address and port like 127.0.0.1:9090")
            })
        })
        .transpose()
}

impl Config {
    /// Settings that contradict each other are refused at start.
    fn checked(self) -> anyhow::Result<Config> {
        if self.metrics_addr.is_some() && self.metrics_addr == self.listen_addr {
            bail!("METRICS_ADDR: it must differ from LISTEN_ADDR (unset it to serve /metrics on LISTEN_ADDR)");
        }
        Ok(self)
    }

    pub fn from_env() -> anyhow::Result<Config> {
        let secret = var("REPORTER_SECRET");
        if secret.as_ref().is_some_and(|s| s.len() < 16) {
            bail!("REPORTER_SECRET is shorter than 16 characters");
        }
        let retention_days = match var("RETENTION_DAYS") {
            Some(v) => v
                .parse()
                .with_context(|| format!("RETENTION_DAYS: `{v}` is not a number of days"))?,
            None => 180,
        };
        let moderator_ids = match var("MODERATOR_IDS") {
            Some(v) => parse_ids("MODERATOR_IDS", &v)?,
            None => Vec::new(),
        };
        let webhook = webhook_settings()?;
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://adwatch.db".to_string()),
            reporter_key: secret.map(ReporterKey::new),
            retention_days,
            moderator_ids,
            moderator_chat_id: match var("MODERATOR_CHAT_ID") {
                Some(v) => Some(
                    v.parse()
                        .with_context(|| format!("MODERATOR_CHAT_ID: `{v}` is not a chat id"))?,
                ),
                None => None,
            },
            moderator_chat_members: flag("MODERATOR_CHAT_MEMBERS", false)?,
            moderator_alert_risk: number("MODERATOR_ALERT_RISK", 70)?.min(100) as u8,
            moderator_language: match var("MODERATOR_LANGUAGE") {
                Some(l) if crate::extract::Lang::from_code(&l).is_some() => l,
                Some(l) => bail!(
                    "MODERATOR_LANGUAGE: `{l}` is not one of {}",
                    crate::extract::Lang::codes()
                ),
                None => "ru".to_string(),
            },
            send_rate: number("TELEGRAM_SEND_RATE", 30)?.max(1),
            user_rate_per_minute: number("USER_RATE_PER_MINUTE", 20)?.max(1),
            user_queue_max: number("USER_QUEUE_MAX", 50)?.max(1) as usize,
            fetch: fetch_settings()?,
            digest: digest_settings()?,
            ocr: ocr_settings()?,
            listen_addr: match var("LISTEN_ADDR") {
                Some(v) => Some(v.parse().with_context(|| {
                    format!("LISTEN_ADDR: `{v}` is not an address and port like 0.0.0.0:8080")
                })?),
                None if webhook.is_some() => Some(SocketAddr::from(([0, 0, 0, 0], 8080))),
                None => None,
            },
            metrics_addr: address("METRICS_ADDR")?,
            http: HttpLimits::default(),
            webhook,
        })
        .and_then(Config::checked)
    }
}

#[cfg(test)]
mod tests {
    /// Every variable the code reads (a quoted upper-case name with an underscore) is in
    /// `.env.example`, set or commented out.
    #[test]
    fn every_variable_read_is_in_env_example() {
        let example = include_str!("../.env.example");
        let documented = |name: &str| {
            example.lines().any(|line| {
                let line = line.trim_start_matches('#').trim_start();
                line.strip_prefix(name)
                    .is_some_and(|rest| rest.starts_with('='))
            })
        };
        let mut seen = 0;
        for source in [include_str!("config.rs"), include_str!("main.rs")] {
            // What follows each quote up to the next one: every quoted name is among these.
            let quoted = source.match_indices('"').filter_map(|(i, _)| {
                let rest = &source[i + 1..];
                rest.find('"').map(|end| &rest[..end])
            });
            for literal in quoted {
                let is_name = literal.len() > 2
                    && literal.contains('_')
                    && literal
                        .chars()
                        .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
                if is_name {
                    seen += 1;
                    assert!(documented(literal), "{literal} is not in .env.example");
                }
            }
        }
        assert!(seen > 25, "the variables were found ({seen})");
    }

    #[test]
    fn id_lists_are_comma_separated() {
        assert_eq!(super::parse_ids("X", "123, 456,").unwrap(), vec![123, 456]);
        assert!(super::parse_ids("X", "12a").is_err());
    }
}
