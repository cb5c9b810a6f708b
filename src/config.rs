//! Every setting, typed, from the environment. `.env.example` lists them all with comments.

use anyhow::{bail, Context};

use crate::service::ReporterKey;

#[derive(Debug, Clone)]
pub struct Config {
    /// `sqlite://…` (default `sqlite://adwatch.db`) or `postgres://…`.
    pub database_url: String,
    /// The key of the citizens' hashes; required, since losing it splits every count.
    pub reporter_key: ReporterKey,
    /// Days after which the texts of rejected reports are purged.
    pub retention_days: u32,
    /// Telegram user ids of moderators (`MODERATOR_IDS=123,456`).
    pub moderator_ids: Vec<i64>,
    /// Messages per second the bot sends overall (`TELEGRAM_SEND_RATE`, Telegram allows ~30).
    pub send_rate: u32,
    /// Messages a citizen may send per minute before hearing "slow down" (`USER_RATE_PER_MINUTE`).
    pub user_rate_per_minute: u32,
}

fn number(name: &str, default: u32) -> anyhow::Result<u32> {
    match var(name) {
        Some(v) => v
            .parse()
            .with_context(|| format!("{name}: `{v}` is not a whole number")),
        None => Ok(default),
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
    value
        .split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|s| {
            s.parse::<i64>()
                .with_context(|| format!("{name}: `{s}` is not a Telegram id"))
        })
        .collect()
}

impl Config {
    pub fn from_env() -> anyhow::Result<Config> {
        let Some(secret) = var("REPORTER_SECRET") else {
            bail!("REPORTER_SECRET is not set: it keys the hashes that stand for citizens (any long random string; keep it secret and keep it the same across restarts)");
        };
        if secret.len() < 16 {
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
        Ok(Config {
            database_url: var("DATABASE_URL").unwrap_or_else(|| "sqlite://adwatch.db".to_string()),
            reporter_key: ReporterKey::new(secret),
            retention_days,
            moderator_ids,
            send_rate: number("TELEGRAM_SEND_RATE", 30)?.max(1),
            user_rate_per_minute: number("USER_RATE_PER_MINUTE", 20)?.max(1),
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn id_lists_are_comma_separated() {
        assert_eq!(super::parse_ids("X", "123, 456,").unwrap(), vec![123, 456]);
        assert!(super::parse_ids("X", "12a").is_err());
    }
}
