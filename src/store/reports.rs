//! Reports' SQL: filing (joined to earlier copies by fingerprint), the links between reports, their texts and statuses, and the export.

use sqlx::Row;

use super::{
    label_of, lang_of, status_of, AuditEntry, Correction, ImageRecord, LinkRecord, Result, Store,
    StoreError,
};
use crate::extract::{Label, Lang};
use crate::review::ReportStatus;

/// A report to store, as the service prepared it.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub fingerprint: String,
    pub near_fingerprint: String,
    pub text: String,
    pub language: Lang,
    pub label: Label,
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

/// One report as `adwatch export` writes it: never a reporter.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ExportRow {
    pub id: i64,
    pub status: ReportStatus,
    pub first_seen: i64,
    pub last_seen: i64,
    pub report_count: i32,
    pub label: Label,
    pub risk: i32,
    pub language: Lang,
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

/// Which reports to export.
#[derive(Debug, Clone, Default)]
pub struct ExportFilter {
    pub since_ms: Option<i64>,
    pub status: Option<ReportStatus>,
}

impl Store {
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
                        .bind(r.language.code())
                        .bind(r.label.as_str())
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
                    label: label_of(row.try_get("label")?)?,
                    risk: row.try_get("risk")?,
                    language: lang_of(row.try_get("language")?)?,
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
}
