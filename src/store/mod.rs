//! Storage: the only module that knows SQL.
//!
//! One implementation serves SQLite (the embedded default) and PostgreSQL (the way up): the SQL
//! is written once with `$1` placeholders, SQLite gets `?1`, and the [`with_pool!`] macro runs
//! the same code on either pool. Migrations live side by side in `migrations/sqlite` and
//! `migrations/postgres`, same versions and names. Times are Unix milliseconds on both.
//!
//! Architecture invariant: callers see domain types and [`StoreError`], never `sqlx::Error`.

use std::borrow::Cow;
use std::str::FromStr;
use std::time::Duration;

use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions};
use sqlx::{PgPool, Row, SqlitePool};

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

/// A review status as the database keeps it (a word), read into its type at the store's edge.
fn status_of(word: String) -> Result<ReportStatus> {
    word.parse()
        .map_err(|e: crate::review::UnknownStatus| StoreError::Invalid(e.to_string()))
}

pub use digest::{DigestFacts, DigestReport};
pub use images::ImageRecord;
pub use migrate::Copied;
pub use moderation::{AuditEntry, Card, Correction, Decision, ReportLine, Reporter, Stats};
pub use privacy::{EntityRecord, Forgotten, Purged};
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
mod migrate;
mod moderation;
mod privacy;
mod updates;

/// The most entities one page adds to its report: a recruiter's page that lists hundreds of
/// phones or accounts (other people's, to drown or smear them) adds no more than this.
pub const MAX_PAGE_ENTITIES: usize = 50;

/// Snapshots kept of one link: the newest. A page that changes at every read cannot fill
/// the database; a report whose snapshot went keeps its link, marked `superseded`.
pub const MAX_SNAPSHOTS_PER_LINK: i64 = 5;

/// A report to store, as the service prepared it.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub fingerprint: String,
    pub near_fingerprint: String,
    pub text: String,
    pub language: String,
    pub label: String,
    pub risk: i32,
    /// The extraction as JSON (signals, amounts, entities).
    pub extraction: String,
    /// Entities that link reports: (kind, normalized).
    pub entities: Vec<(String, String)>,
    /// Where it came from: a stable key and a JSON description.
    pub origin: Option<(String, String)>,
    /// The keyed hash of the citizen who sent it.
    pub reporter_hash: String,
    /// Kept only for the outcome message; `None` when the citizen turned notices off.
    pub chat_id: Option<i64>,
    pub now_ms: i64,
}

/// What storing a report did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub report_id: i64,
    /// A new report, not one that was already known.
    pub created: bool,
    /// Distinct citizens who sent it, this one included.
    pub report_count: i32,
    /// This citizen had sent it before.
    pub repeated: bool,
}

/// A citizen's settings, keyed by the hash of their Telegram id.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UserSettings {
    pub language: Option<String>,
    pub country: Option<String>,
    pub notify: bool,
}

/// One report as `adwatch export` writes it: never a reporter.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportRow {
    pub id: i64,
    pub status: ReportStatus,
    pub first_seen: i64,
    pub last_seen: i64,
    pub report_count: i32,
    pub label: String,
    pub risk: i32,
    pub language: String,
    pub text: Option<String>,
    pub origins: Vec<serde_json::Value>,
    pub extraction: serde_json::Value,
    /// The report's links and what their pages showed.
    pub links: Vec<LinkRecord>,
    pub decided_at: Option<i64>,
    pub duplicate_of: Option<i64>,
    /// Moderators' corrections of the extraction.
    pub corrections: Vec<Correction>,
    /// The audit trail: decisions, reopenings, notes, corrections.
    pub history: Vec<AuditEntry>,
    /// Images read into it (evidence: Telegram's unique id and the SHA-256).
    pub images: Vec<ImageRecord>,
}

/// A page as read, to keep as evidence.
#[derive(Debug, Clone)]
pub struct NewSnapshot {
    /// The link as the citizen sent it (normalised).
    pub url: String,
    pub final_url: String,
    pub status: i32,
    pub fetched_at: i64,
    pub sha256: String,
    pub bytes: i64,
    pub truncated: bool,
    pub title: Option<String>,
    /// What a person would see, as analysed.
    pub text: String,
    /// The extraction of `text` as JSON.
    pub extraction: String,
}

/// One stored version of a page.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Snapshot {
    pub id: i64,
    pub url: String,
    pub final_url: String,
    pub status: i32,
    pub fetched_at: i64,
    pub last_seen: i64,
    pub sha256: String,
    pub bytes: i64,
    pub truncated: bool,
    pub title: Option<String>,
    pub text: String,
}

/// What became of one link of a report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct LinkRecord {
    pub url: String,
    /// `fetching`, `fetched` or `failed`.
    pub state: String,
    /// The reason code when it failed (see `fetch::Failure::code`).
    pub failure: Option<String>,
    pub detail: Option<String>,
    pub snapshot: Option<Snapshot>,
}

/// What the page of a link adds to its report.
#[derive(Debug, Clone)]
pub struct PageFindings {
    /// Entities that link reports: (kind, normalized).
    pub entities: Vec<(String, String)>,
    pub label: String,
    pub risk: i32,
}

/// Which reports to export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub since_ms: Option<i64>,
    pub status: Option<ReportStatus>,
}

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

    /// Stores a report, or joins the known one with the same or a near fingerprint; counts each
    /// citizen once.
    pub async fn submit(&self, r: &NewReport) -> Result<Stored> {
        let find = self.sql(
            "SELECT id FROM reports WHERE fingerprint = $1 OR near_fingerprint = $2 \
             ORDER BY id LIMIT 1",
        );
        let insert = self.sql(
            "INSERT INTO reports (fingerprint, near_fingerprint, text, language, label, risk, \
             extraction, status, first_seen, last_seen, report_count) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'pending', $8, $8, 0) \
             ON CONFLICT (fingerprint) DO UPDATE SET last_seen = excluded.last_seen \
             RETURNING id, (first_seen = $8 AND report_count = 0) AS created",
        );
        let touch = self.sql("UPDATE reports SET last_seen = $2 WHERE id = $1 AND last_seen < $2");
        let add_reporter = self.sql(
            "INSERT INTO report_reporters (report_id, reporter_hash, chat_id, added_at) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (report_id, reporter_hash) DO NOTHING",
        );
        let count = self.sql(
            "UPDATE reports SET report_count = report_count + 1 WHERE id = $1 RETURNING report_count",
        );
        let current = self.sql("SELECT report_count FROM reports WHERE id = $1");
        let add_origin = self.sql(
            "INSERT INTO report_origins (report_id, origin_key, origin, added_at) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (report_id, origin_key) DO NOTHING",
        );
        let add_entity = self.sql(
            "INSERT INTO report_entities (report_id, kind, normalized, source) VALUES ($1, $2, $3, 'message') \
             ON CONFLICT (report_id, kind, normalized) DO NOTHING",
        );
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let known: Option<i64> = sqlx::query(&find)
                .bind(&r.fingerprint)
                .bind(&r.near_fingerprint)
                .fetch_optional(&mut *tx)
                .await?
                .map(|row| row.try_get("id"))
                .transpose()?;
            let (report_id, created) = match known {
                Some(id) => {
                    sqlx::query(&touch).bind(id).bind(r.now_ms).execute(&mut *tx).await?;
                    (id, false)
                }
                None => {
                    let row = sqlx::query(&insert)
                        .bind(&r.fingerprint)
                        .bind(&r.near_fingerprint)
                        .bind(&r.text)
                        .bind(&r.language)
                        .bind(&r.label)
                        .bind(r.risk)
                        .bind(&r.extraction)
                        .bind(r.now_ms)
                        .fetch_one(&mut *tx)
                        .await?;
                    let id: i64 = row.try_get("id")?;
                    let created: bool = row.try_get("created")?;
                    if created {
                        for (kind, value) in &r.entities {
                            sqlx::query(&add_entity).bind(id).bind(kind).bind(value).execute(&mut *tx).await?;
                        }
                    }
                    (id, created)
                }
            };
            if let Some((key, origin)) = &r.origin {
                sqlx::query(&add_origin).bind(report_id).bind(key).bind(origin).bind(r.now_ms).execute(&mut *tx).await?;
            }
            let new_reporter = sqlx::query(&add_reporter)
                .bind(report_id)
                .bind(&r.reporter_hash)
                .bind(r.chat_id)
                .bind(r.now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            let report_count: i32 = if new_reporter {
                sqlx::query(&count).bind(report_id).fetch_one(&mut *tx).await?.try_get("report_count")?
            } else {
                sqlx::query(&current).bind(report_id).fetch_one(&mut *tx).await?.try_get("report_count")?
            };
            tx.commit().await?;
            Ok(Stored { report_id, created, report_count, repeated: !new_reporter })
        })
    }

    /// Other reports that share a phone, domain, handle, Telegram account or organisation.
    pub async fn linked_reports(&self, report_id: i64) -> Result<Vec<i64>> {
        let sql = self.sql(
            "SELECT DISTINCT other.report_id AS id FROM report_entities mine \
             JOIN report_entities other ON other.kind = mine.kind AND other.normalized = mine.normalized \
             WHERE mine.report_id = $1 AND other.report_id <> $1 \
             AND mine.kind IN ('phone', 'domain', 'handle', 'telegram', 'org') ORDER BY id",
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(report_id).fetch_all(pool).await?;
            rows.iter().map(|r| r.try_get::<i64, _>("id").map_err(StoreError::from)).collect()
        })
    }

    pub async fn user_settings(&self, user_hash: &str) -> Result<Option<UserSettings>> {
        let sql =
            self.sql("SELECT language, country, notify FROM user_settings WHERE user_hash = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(user_hash).fetch_optional(pool).await?;
            row.map(|r| -> Result<UserSettings> {
                Ok(UserSettings {
                    language: r.try_get("language")?,
                    country: r.try_get("country")?,
                    notify: r.try_get("notify")?,
                })
            })
            .transpose()
        })
    }

    pub async fn save_user_settings(&self, user_hash: &str, s: &UserSettings) -> Result<()> {
        let sql = self.sql(
            "INSERT INTO user_settings (user_hash, language, country, notify) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (user_hash) DO UPDATE SET language = excluded.language, \
             country = excluded.country, notify = excluded.notify",
        );
        with_pool!(self, pool => sqlx::query(&sql)
            .bind(user_hash)
            .bind(&s.language)
            .bind(&s.country)
            .bind(s.notify)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Deletes what the bot keeps about a citizen: settings, reporter links and deep links.
    /// Their reports stay, with their counts, without them. Returns how many rows went (see
    /// [`Store::forget_citizen`] for which).
    pub async fn forget_user(&self, user_hash: &str) -> Result<u64> {
        Ok(self.forget_citizen(user_hash).await?.total())
    }

    /// Chat ids still kept for a report's outcome message.
    pub async fn reporter_chats(&self, report_id: i64) -> Result<Vec<i64>> {
        let sql = self.sql(
            "SELECT chat_id FROM report_reporters WHERE report_id = $1 AND chat_id IS NOT NULL ORDER BY chat_id",
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(report_id).fetch_all(pool).await?;
            rows.iter().map(|r| r.try_get::<i64, _>("chat_id").map_err(StoreError::from)).collect()
        })
    }

    /// Removes the texts of rejected reports decided before `before_ms`.
    pub async fn purge_rejected(&self, before_ms: i64) -> Result<u64> {
        let sql = self.sql(
            "UPDATE reports SET text = NULL WHERE status = 'rejected' AND text IS NOT NULL \
             AND decided_at IS NOT NULL AND decided_at < $1",
        );
        Ok(
            with_pool!(self, pool => sqlx::query(&sql).bind(before_ms).execute(pool).await?.rows_affected()),
        )
    }

    /// Reports for `adwatch export`, oldest first.
    pub async fn export(&self, filter: &ExportFilter) -> Result<Vec<ExportRow>> {
        let mut out = Vec::new();
        let reports = self.sql(
            "SELECT id, status, first_seen, last_seen, report_count, label, risk, language, text, extraction, \
             decided_at, duplicate_of FROM reports WHERE ($1 IS NULL OR last_seen >= $1) AND ($2 IS NULL OR status = $2) ORDER BY id",
        );
        let origins =
            self.sql("SELECT origin FROM report_origins WHERE report_id = $1 ORDER BY origin_key");
        with_pool!(self, pool => {
            let rows = sqlx::query(&reports)
                .bind(filter.since_ms)
                .bind(filter.status.map(ReportStatus::as_str))
                .fetch_all(pool)
                .await?;
            for row in rows {
                let id: i64 = row.try_get("id")?;
                let origin_rows = sqlx::query(&origins).bind(id).fetch_all(pool).await?;
                let origins = origin_rows
                    .iter()
                    .map(|o| o.try_get::<String, _>("origin").map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s))))
                    .collect::<std::result::Result<Vec<_>, _>>()?;
                let extraction: String = row.try_get("extraction")?;
                out.push(ExportRow {
                    id,
                    status: status_of(row.try_get("status")?)?,
                    first_seen: row.try_get("first_seen")?,
                    last_seen: row.try_get("last_seen")?,
                    report_count: row.try_get("report_count")?,
                    label: row.try_get("label")?,
                    risk: row.try_get("risk")?,
                    language: row.try_get("language")?,
                    text: row.try_get("text")?,
                    origins,
                    extraction: serde_json::from_str(&extraction).unwrap_or(serde_json::Value::Null),
                    links: Vec::new(),
                    decided_at: row.try_get("decided_at")?,
                    duplicate_of: row.try_get("duplicate_of")?,
                    corrections: Vec::new(),
                    history: Vec::new(),
                    images: Vec::new(),
                });
            }
            Ok::<_, StoreError>(())
        })?;
        for row in &mut out {
            row.links = self.report_links(row.id).await?;
            row.corrections = self.corrections(row.id).await?;
            row.history = self.history(row.id).await?;
            row.images = self.report_images(row.id).await?;
        }
        Ok(out)
    }

    /// The secret called `name`: the stored one, or `candidate`, stored now, if there is none.
    /// Replicas that race each keep the one that won.
    pub async fn secret_or_create(&self, name: &str, candidate: &str) -> Result<String> {
        let insert = self.sql(
            "INSERT INTO bot_secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        );
        let select = self.sql("SELECT value FROM bot_secrets WHERE name = $1");
        with_pool!(self, pool => {
            sqlx::query(&insert).bind(name).bind(candidate).execute(pool).await?;
            let row = sqlx::query(&select).bind(name).fetch_one(pool).await?;
            Ok(row.try_get::<String, _>("value")?)
        })
    }

    /// A report's text and count, for showing it again (`None` if unknown or purged).
    pub async fn report_text(&self, report_id: i64) -> Result<Option<(String, i32)>> {
        let sql = self.sql("SELECT text, report_count FROM reports WHERE id = $1");
        with_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(report_id).fetch_optional(pool).await?;
            match row {
                Some(r) => {
                    let text: Option<String> = r.try_get("text")?;
                    let count: i32 = r.try_get("report_count")?;
                    Ok(text.map(|t| (t, count)))
                }
                None => Ok(None),
            }
        })
    }

    /// Sets a report's review status (used by moderation and the retention tests).
    pub async fn set_status(
        &self,
        report_id: i64,
        status: ReportStatus,
        now_ms: i64,
    ) -> Result<bool> {
        let sql = self.sql("UPDATE reports SET status = $2, decided_at = $3 WHERE id = $1");
        Ok(with_pool!(self, pool => sqlx::query(&sql)
            .bind(report_id)
            .bind(status.as_str())
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected())
            == 1)
    }

    /// Claims a link of a report for fetching: true when this caller should read it now (the
    /// first time, or when an earlier claim was left unfinished before `stale_before_ms`).
    pub async fn claim_link(
        &self,
        report_id: i64,
        url: &str,
        now_ms: i64,
        stale_before_ms: i64,
    ) -> Result<bool> {
        let sql = self.sql(
            "INSERT INTO report_links (report_id, url, state, updated_at) VALUES ($1, $2, 'fetching', $3) \
             ON CONFLICT (report_id, url) DO UPDATE SET updated_at = excluded.updated_at \
             WHERE report_links.state = 'fetching' AND report_links.updated_at < $4",
        );
        let done = with_pool!(self, pool => sqlx::query(&sql)
            .bind(report_id)
            .bind(url)
            .bind(now_ms)
            .bind(stale_before_ms)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Records a link that could not be read; the report keeps it.
    pub async fn link_failed(
        &self,
        report_id: i64,
        url: &str,
        failure: &str,
        detail: Option<&str>,
        now_ms: i64,
    ) -> Result<()> {
        let sql = self.sql(
            "INSERT INTO report_links (report_id, url, state, failure, detail, updated_at) \
             VALUES ($1, $2, 'failed', $3, $4, $5) \
             ON CONFLICT (report_id, url) DO UPDATE SET state = 'failed', failure = excluded.failure, \
             detail = excluded.detail, updated_at = excluded.updated_at",
        );
        with_pool!(self, pool => sqlx::query(&sql)
            .bind(report_id)
            .bind(url)
            .bind(failure)
            .bind(detail)
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Keeps a page read for a report's link: a new snapshot unless the link's latest one has
    /// the same body (then its text comes back if retention had erased it), and only the
    /// newest [`MAX_SNAPSHOTS_PER_LINK`] of the link stay. The page's first
    /// [`MAX_PAGE_ENTITIES`] linking entities join the report's, marked as from the page (one
    /// the message shows stays the message's), and its risk raises the report's. Returns the
    /// snapshot and whether it is new.
    pub async fn link_fetched(
        &self,
        report_id: i64,
        page: &NewSnapshot,
        findings: &PageFindings,
    ) -> Result<(Snapshot, bool)> {
        let latest = self.sql(
            "SELECT id, sha256 FROM page_snapshots WHERE url = $1 ORDER BY fetched_at DESC, id DESC LIMIT 1",
        );
        let seen = self.sql(
            "UPDATE page_snapshots SET last_seen = $2, text = $3, title = $4, extraction = $5 WHERE id = $1",
        );
        // The link's snapshots beyond the newest few (ids grow with insertion).
        let beyond = "SELECT id FROM page_snapshots WHERE url = $1 AND id NOT IN \
             (SELECT id FROM page_snapshots WHERE url = $1 ORDER BY id DESC LIMIT $2)";
        let unlink = self
            .sql(&format!(
                "UPDATE report_links SET snapshot_id = NULL, detail = 'superseded' \
                 WHERE snapshot_id IN ({beyond})"
            ))
            .into_owned();
        let trim = self
            .sql(&format!(
                "DELETE FROM page_snapshots WHERE id IN ({beyond})"
            ))
            .into_owned();
        let insert = self.sql(
            "INSERT INTO page_snapshots (url, final_url, status, fetched_at, last_seen, sha256, bytes, \
             truncated, title, text, extraction) VALUES ($1, $2, $3, $4, $4, $5, $6, $7, $8, $9, $10) RETURNING id",
        );
        let link = self.sql(
            "INSERT INTO report_links (report_id, url, state, snapshot_id, updated_at) \
             VALUES ($1, $2, 'fetched', $3, $4) \
             ON CONFLICT (report_id, url) DO UPDATE SET state = 'fetched', failure = NULL, detail = NULL, \
             snapshot_id = excluded.snapshot_id, updated_at = excluded.updated_at",
        );
        let add_entity = self.sql(
            "INSERT INTO report_entities (report_id, kind, normalized, source) VALUES ($1, $2, $3, 'page') \
             ON CONFLICT (report_id, kind, normalized) DO NOTHING",
        );
        let mut entities: Vec<&(String, String)> = Vec::new();
        for e in &findings.entities {
            if entities.len() == MAX_PAGE_ENTITIES {
                break;
            }
            if !entities.contains(&e) {
                entities.push(e);
            }
        }
        let raise =
            self.sql("UPDATE reports SET risk = $2, label = $3 WHERE id = $1 AND risk < $2");
        let snapshot_id = with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let previous = sqlx::query(&latest).bind(&page.url).fetch_optional(&mut *tx).await?;
            let same: Option<i64> = match previous {
                Some(row) if row.try_get::<String, _>("sha256")? == page.sha256 => Some(row.try_get("id")?),
                _ => None,
            };
            let (id, new) = match same {
                Some(id) => {
                    sqlx::query(&seen)
                        .bind(id)
                        .bind(page.fetched_at)
                        .bind(&page.text)
                        .bind(&page.title)
                        .bind(&page.extraction)
                        .execute(&mut *tx)
                        .await?;
                    (id, false)
                }
                None => {
                    let row = sqlx::query(&insert)
                        .bind(&page.url)
                        .bind(&page.final_url)
                        .bind(page.status)
                        .bind(page.fetched_at)
                        .bind(&page.sha256)
                        .bind(page.bytes)
                        .bind(page.truncated)
                        .bind(&page.title)
                        .bind(&page.text)
                        .bind(&page.extraction)
                        .fetch_one(&mut *tx)
                        .await?;
                    let id = row.try_get::<i64, _>("id")?;
                    sqlx::query(&unlink).bind(&page.url).bind(MAX_SNAPSHOTS_PER_LINK).execute(&mut *tx).await?;
                    sqlx::query(&trim).bind(&page.url).bind(MAX_SNAPSHOTS_PER_LINK).execute(&mut *tx).await?;
                    (id, true)
                }
            };
            sqlx::query(&link).bind(report_id).bind(&page.url).bind(id).bind(page.fetched_at).execute(&mut *tx).await?;
            for (kind, value) in &entities {
                sqlx::query(&add_entity).bind(report_id).bind(kind).bind(value).execute(&mut *tx).await?;
            }
            sqlx::query(&raise).bind(report_id).bind(findings.risk).bind(&findings.label).execute(&mut *tx).await?;
            tx.commit().await?;
            (id, new)
        });
        let snapshot = self
            .snapshot(snapshot_id.0)
            .await?
            .ok_or_else(|| StoreError::Invalid("a snapshot vanished".into()))?;
        Ok((snapshot, snapshot_id.1))
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

    /// A report's links and what became of them, in the order they were first seen.
    pub async fn report_links(&self, report_id: i64) -> Result<Vec<LinkRecord>> {
        let sql = self.sql(
            "SELECT url, state, failure, detail, snapshot_id FROM report_links \
             WHERE report_id = $1 ORDER BY updated_at, url",
        );
        // (record, its snapshot's id), then the snapshots.
        let rows: Vec<(LinkRecord, Option<i64>)> = with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(report_id).fetch_all(pool).await?;
            rows.iter()
                .map(|r| -> Result<_> {
                    let record = LinkRecord {
                        url: r.try_get("url")?,
                        state: r.try_get("state")?,
                        failure: r.try_get("failure")?,
                        detail: r.try_get("detail")?,
                        snapshot: None,
                    };
                    Ok((record, r.try_get("snapshot_id")?))
                })
                .collect::<Result<Vec<_>>>()?
        });
        let mut out = Vec::with_capacity(rows.len());
        for (mut record, snapshot_id) in rows {
            if let Some(id) = snapshot_id {
                record.snapshot = self.snapshot(id).await?;
            }
            out.push(record);
        }
        Ok(out)
    }

    /// The snapshots kept of a link, oldest first.
    pub async fn snapshots_of(&self, url: &str) -> Result<Vec<Snapshot>> {
        let sql = self.sql("SELECT id FROM page_snapshots WHERE url = $1 ORDER BY fetched_at, id");
        let ids: Vec<i64> = with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(url).fetch_all(pool).await?;
            rows.iter().map(|r| r.try_get::<i64, _>("id")).collect::<std::result::Result<Vec<_>, _>>()?
        });
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            out.extend(self.snapshot(id).await?);
        }
        Ok(out)
    }
}
