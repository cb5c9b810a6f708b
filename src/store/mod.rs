//! Storage: the only module that knows SQL.
//!
//! One implementation serves SQLite (the embedded default) and PostgreSQL (the way up): the SQL
//! is written once with `$1` placeholders, SQLite gets `?1`, and the [`with_pool!`] macro runs
//! the same code on either pool. Migrations live side by side in `migrations/sqlite` and
//! `migrations/postgres`, same versions and names. Times are Unix milliseconds on both.
//!
//! By table group: `reports` (reports, their reporters and entities, the export), `links`
//! (report links and page snapshots), `moderation` (the queue, decisions, audit, corrections),
//! `settings` (citizens' settings, secrets), `privacy` (forgetting, tokens, retention),
//! `updates` (claims of updates, replicas, albums), `images`, `digest`, `migrate` (copying a
//! database).
//!
//! Architecture invariant: callers see domain types and [`StoreError`], never `sqlx::Error`;
//! review states, labels and languages are [`ReportStatus`], [`Label`] and [`Lang`] outside
//! this module, words only in the database.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, Row, SqlitePool};

use crate::extract::{Label, Lang};
use crate::review::ReportStatus;

/// The database, SQLite or PostgreSQL.
#[derive(Clone, Debug)]
pub enum Store {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database did not answer or refused the work; trying again later may succeed.
    #[error("the database is unavailable: {0}")]
    Unavailable(String),
    /// The address or the data is wrong; trying again will not help.
    #[error("the database cannot be used: {0}")]
    Invalid(String),
}

impl From<sqlx::migrate::MigrateError> for StoreError {
    fn from(e: sqlx::migrate::MigrateError) -> StoreError {
        StoreError::Invalid(format!("migrations: {e}"))
    }
}

impl From<sqlx::Error> for StoreError {
    fn from(e: sqlx::Error) -> StoreError {
        match e {
            sqlx::Error::Configuration(_)
            | sqlx::Error::Migrate(_)
            | sqlx::Error::ColumnDecode { .. } => StoreError::Invalid(e.to_string()),
            _ => StoreError::Unavailable(e.to_string()),
        }
    }
}

pub type Result<T> = std::result::Result<T, StoreError>;

/// A label as the database keeps it (its word), read into its type.
fn label_of(word: String) -> Result<Label> {
    Label::parse(&word).ok_or_else(|| StoreError::Invalid(format!("no such label: {word}")))
}

/// A report's language as the database keeps it (its code), read into its type.
fn lang_of(code: String) -> Result<Lang> {
    Lang::from_code(&code).ok_or_else(|| StoreError::Invalid(format!("no such language: {code}")))
}

/// A citizen's chosen language: a code that is no longer one of the bot's counts as no choice.
fn chosen_lang(code: Option<String>) -> Option<Lang> {
    code.as_deref().and_then(Lang::from_code)
}

/// A review status as the database keeps it (a word), read into its type at the store's edge.
fn status_of(word: String) -> Result<ReportStatus> {
    word.parse()
        .map_err(|e: crate::review::UnknownStatus| StoreError::Invalid(e.to_string()))
}

pub use digest::{DigestFacts, DigestReport};
pub use images::ImageRecord;
pub use links::{
    LinkRecord, NewSnapshot, PageFindings, Snapshot, MAX_PAGE_ENTITIES, MAX_SNAPSHOTS_PER_LINK,
};
pub use migrate::Copied;
pub use moderation::{AuditEntry, Card, Correction, Decision, ReportLine, Reporter, Stats};
pub use privacy::{EntityRecord, Forgotten, Purged};
pub use reports::{ExportFilter, ExportRow, NewReport, Stored};
pub use settings::UserSettings;
pub use updates::{AlbumPart, ReportCount, TakenOver};

/// Runs the same code on whichever pool the store holds. The second form also names the
/// statement that opens a writing transaction: SQLite must take its write lock at the start
/// (`BEGIN IMMEDIATE`), or two writers that read first fail instead of waiting.
macro_rules! with_pool {
    ($store:expr, $pool:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => $body,
            Store::Postgres($pool) => $body,
        }
    };
    ($store:expr, $pool:ident, $begin:ident => $body:expr) => {
        match $store {
            Store::Sqlite($pool) => {
                let $begin = "BEGIN IMMEDIATE";
                $body
            }
            Store::Postgres($pool) => {
                let $begin = "BEGIN";
                $body
            }
        }
    };
}

mod digest;
mod images;
mod links;
mod migrate;
mod moderation;
mod privacy;
mod reports;
mod settings;
mod updates;

impl Store {
    /// Opens `sqlite://…` (created if missing, WAL) or `postgres://…` and applies migrations.
    pub async fn connect(url: &str) -> Result<Store> {
        let store = if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)
                .map_err(|e| StoreError::Invalid(format!("DATABASE_URL: {e}")))?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(5));
            Store::Sqlite(
                SqlitePoolOptions::new()
                    .max_connections(4)
                    .connect_with(options)
                    .await?,
            )
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Store::Postgres(
                PgPoolOptions::new()
                    .max_connections(10)
                    .acquire_timeout(Duration::from_secs(5))
                    .connect(url)
                    .await?,
            )
        } else {
            return Err(StoreError::Invalid(
                "DATABASE_URL must start with sqlite:// or postgres://".to_string(),
            ));
        };
        store.migrate().await?;
        Ok(store)
    }

    async fn migrate(&self) -> Result<()> {
        match self {
            Store::Sqlite(pool) => sqlx::migrate!("migrations/sqlite").run(pool).await?,
            Store::Postgres(pool) => sqlx::migrate!("migrations/postgres").run(pool).await?,
        }
        Ok(())
    }

    pub fn backend(&self) -> &'static str {
        match self {
            Store::Sqlite(_) => "sqlite",
            Store::Postgres(_) => "postgres",
        }
    }

    /// The SQL for this backend: `$1` placeholders become `?1` on SQLite.
    fn sql<'a>(&self, sql: &'a str) -> Cow<'a, str> {
        match self {
            Store::Postgres(_) => Cow::Borrowed(sql),
            Store::Sqlite(_) => Cow::Owned(sql.replace('$', "?")),
        }
    }

    async fn snapshot(&self, id: i64) -> Result<Option<Snapshot>> {
        let sql = self.sql(
            "SELECT id, url, final_url, status, fetched_at, last_seen, sha256, bytes, truncated, title, text \
             FROM page_snapshots WHERE id = $1",
        );
        with_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(id).fetch_optional(pool).await?;
            row.map(|r| -> Result<Snapshot> {
                Ok(Snapshot {
                    id: r.try_get("id")?,
                    url: r.try_get("url")?,
                    final_url: r.try_get("final_url")?,
                    status: r.try_get("status")?,
                    fetched_at: r.try_get("fetched_at")?,
                    last_seen: r.try_get("last_seen")?,
                    sha256: r.try_get("sha256")?,
                    bytes: r.try_get("bytes")?,
                    truncated: r.try_get("truncated")?,
                    title: r.try_get("title")?,
                    text: r.try_get("text")?,
                })
            })
            .transpose()
        })
    }
}
