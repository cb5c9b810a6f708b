//! Moderation's SQL: the queue, decisions taken once, the audit trail, corrections, search and
//! statistics.

use sqlx::Row;

use super::{chosen_lang, label_of, lang_of, status_of, Result, Store};
use crate::extract::{Label, Lang};
use crate::review::{ReportStatus, ReviewAction};

/// A report as a moderator's card shows it.
#[derive(Debug, Clone)]
pub struct Card {
    pub id: i64,
    pub status: ReportStatus,
    pub text: Option<String>,
    pub language: Lang,
    pub label: Label,
    pub risk: i32,
    pub report_count: i32,
    pub first_seen: i64,
    pub last_seen: i64,
    /// The extraction as stored (JSON).
    pub extraction: serde_json::Value,
    /// Where it came from (JSON descriptions).
    pub origins: Vec<serde_json::Value>,
    pub decided_by: Option<i64>,
    pub duplicate_of: Option<i64>,
    /// Entities found only on the pages the report links to, (kind, normalized): a
    /// recruiter wrote them, not the ad; shown apart.
    pub page_entities: Vec<(String, String)>,
}

/// What a decision did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// This call decided.
    Decided,
    /// Someone decided before: their status and id.
    AlreadyDecided {
        status: ReportStatus,
        by: Option<i64>,
    },
    NotFound,
}

/// One line of a report's audit trail.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct AuditEntry {
    pub moderator_id: i64,
    /// `approve`, `reject`, `duplicate`, `reopen`, `note`, `correct`.
    pub action: String,
    pub detail: Option<String>,
    pub at: i64,
}

/// A moderator's correction of the automatic extraction.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct Correction {
    /// `label` or `amount`.
    pub field: String,
    pub value: serde_json::Value,
    pub moderator_id: i64,
    pub at: i64,
}

/// A report in a list (`/find`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportLine {
    pub id: i64,
    pub status: ReportStatus,
    pub label: Label,
    pub risk: i32,
    pub report_count: i32,
    pub text: Option<String>,
}

/// What `/stats` shows.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Stats {
    pub pending: i64,
    /// (status, count) decided since the given time.
    pub decided: Vec<(ReportStatus, i64)>,
    /// (kind, value, reports) most reported.
    pub top_entities: Vec<(String, String, i64)>,
}

/// A citizen to tell the outcome: their chat and the language they chose, if any.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reporter {
    pub chat_id: i64,
    pub language: Option<Lang>,
}

impl Store {
    /// The next pending report for this moderator: highest risk, then most reported, then
    /// oldest. Reports they skipped come again once nothing else is left.
    pub async fn next_pending(&self, moderator_id: i64) -> Result<Option<i64>> {
        let next = self.sql(
            "SELECT id FROM reports r WHERE status = 'pending' AND NOT EXISTS \
             (SELECT 1 FROM moderator_skips s WHERE s.moderator_id = $1 AND s.report_id = r.id) \
             ORDER BY risk DESC, report_count DESC, first_seen, id LIMIT 1",
        );
        let forget_skips = self.sql("DELETE FROM moderator_skips WHERE moderator_id = $1");
        for _ in 0..2 {
            let found: Option<i64> = with_pool!(self, pool => {
                let row = sqlx::query(&next).bind(moderator_id).fetch_optional(pool).await?;
                row.map(|r| r.try_get::<i64, _>("id")).transpose()?
            });
            if found.is_some() {
                return Ok(found);
            }
            let cleared = with_pool!(self, pool => sqlx::query(&forget_skips)
                .bind(moderator_id)
                .execute(pool)
                .await?
                .rows_affected());
            if cleared == 0 {
                break;
            }
        }
        Ok(None)
    }

    /// Puts a report aside for one moderator.
    pub async fn skip(&self, moderator_id: i64, report_id: i64, now_ms: i64) -> Result<()> {
        let sql = self.sql(
            "INSERT INTO moderator_skips (moderator_id, report_id, at) VALUES ($1, $2, $3) \
             ON CONFLICT (moderator_id, report_id) DO UPDATE SET at = excluded.at",
        );
        with_pool!(self, pool => sqlx::query(&sql).bind(moderator_id).bind(report_id).bind(now_ms).execute(pool).await?.rows_affected());
        Ok(())
    }

    pub async fn card(&self, report_id: i64) -> Result<Option<Card>> {
        let sql = self.sql(
            "SELECT id, status, text, language, label, risk, report_count, first_seen, last_seen, \
             extraction, decided_by, duplicate_of FROM reports WHERE id = $1",
        );
        let origins =
            self.sql("SELECT origin FROM report_origins WHERE report_id = $1 ORDER BY origin_key");
        let page_entities = self
            .report_entities(report_id)
            .await?
            .into_iter()
            .filter(|e| e.source == "page")
            .map(|e| (e.kind, e.normalized))
            .collect();
        with_pool!(self, pool => {
            let Some(r) = sqlx::query(&sql).bind(report_id).fetch_optional(pool).await? else {
                return Ok(None);
            };
            let origin_rows = sqlx::query(&origins).bind(report_id).fetch_all(pool).await?;
            let origins = origin_rows
                .iter()
                .map(|o| o.try_get::<String, _>("origin").map(|s| serde_json::from_str(&s).unwrap_or(serde_json::Value::String(s))))
                .collect::<std::result::Result<Vec<_>, _>>()?;
            let extraction: String = r.try_get("extraction")?;
            Ok(Some(Card {
                id: r.try_get("id")?,
                status: status_of(r.try_get("status")?)?,
                text: r.try_get("text")?,
                language: lang_of(r.try_get("language")?)?,
                label: label_of(r.try_get("label")?)?,
                risk: r.try_get("risk")?,
                report_count: r.try_get("report_count")?,
                first_seen: r.try_get("first_seen")?,
                last_seen: r.try_get("last_seen")?,
                extraction: serde_json::from_str(&extraction).unwrap_or(serde_json::Value::Null),
                origins,
                decided_by: r.try_get("decided_by")?,
                duplicate_of: r.try_get("duplicate_of")?,
                page_entities,
            }))
        })
    }

    /// Decides a pending report, once: a single conditional update (`WHERE status =
    /// 'pending'`) decides, and the audit entry is written in the same transaction. A second
    /// decision, from any moderator or replica, finds it decided. A duplicate's citizens hear
    /// no outcome of it, so the chat ids kept for one are erased in that transaction too.
    pub async fn decide(
        &self,
        report_id: i64,
        action: ReviewAction,
        moderator_id: i64,
        now_ms: i64,
    ) -> Result<Decision> {
        let status = action.status().as_str();
        let duplicate_of = action.duplicate_of();
        let update = self.sql(
            "UPDATE reports SET status = $2, decided_at = $3, decided_by = $4, duplicate_of = $5 \
             WHERE id = $1 AND status = 'pending'",
        );
        let audit = self.sql(
            "INSERT INTO moderation_audit (report_id, moderator_id, action, detail, at) \
             VALUES ($1, $2, $3, $4, $5)",
        );
        let current = self.sql("SELECT status, decided_by FROM reports WHERE id = $1");
        let forget_chats = self.sql(
            "UPDATE report_reporters SET chat_id = NULL WHERE report_id = $1 AND chat_id IS NOT NULL",
        );
        let action_word = match action {
            ReviewAction::Approve => "approve",
            ReviewAction::Reject => "reject",
            ReviewAction::Duplicate(_) => "duplicate",
        };
        let detail = duplicate_of.map(|d| format!("#{d}"));
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let decided = sqlx::query(&update)
                .bind(report_id)
                .bind(status)
                .bind(now_ms)
                .bind(moderator_id)
                .bind(duplicate_of)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if decided {
                sqlx::query(&audit).bind(report_id).bind(moderator_id).bind(action_word).bind(&detail).bind(now_ms).execute(&mut *tx).await?;
                if action.duplicate_of().is_some() {
                    sqlx::query(&forget_chats).bind(report_id).execute(&mut *tx).await?;
                }
                tx.commit().await?;
                return Ok(Decision::Decided);
            }
            let row = sqlx::query(&current).bind(report_id).fetch_optional(&mut *tx).await?;
            tx.commit().await?;
            match row {
                Some(r) => Ok(Decision::AlreadyDecided { status: status_of(r.try_get("status")?)?, by: r.try_get("decided_by")? }),
                None => Ok(Decision::NotFound),
            }
        })
    }

    /// Returns a decided report to the queue (audited); false if it was pending or unknown.
    pub async fn reopen(&self, report_id: i64, moderator_id: i64, now_ms: i64) -> Result<bool> {
        let update = self.sql(
            "UPDATE reports SET status = 'pending', decided_at = NULL, decided_by = NULL, \
             duplicate_of = NULL WHERE id = $1 AND status <> 'pending'",
        );
        let audit = self.sql(
            "INSERT INTO moderation_audit (report_id, moderator_id, action, detail, at) \
             VALUES ($1, $2, 'reopen', NULL, $3)",
        );
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let done = sqlx::query(&update).bind(report_id).execute(&mut *tx).await?.rows_affected() == 1;
            if done {
                sqlx::query(&audit).bind(report_id).bind(moderator_id).bind(now_ms).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(done)
        })
    }

    /// Adds a moderator's note to a report's audit trail.
    pub async fn add_note(
        &self,
        report_id: i64,
        moderator_id: i64,
        note: &str,
        now_ms: i64,
    ) -> Result<bool> {
        self.audit(report_id, moderator_id, "note", Some(note), now_ms)
            .await
    }

    async fn audit(
        &self,
        report_id: i64,
        moderator_id: i64,
        action: &str,
        detail: Option<&str>,
        now_ms: i64,
    ) -> Result<bool> {
        let sql = self.sql(
            "INSERT INTO moderation_audit (report_id, moderator_id, action, detail, at) \
             SELECT id, $2, $3, $4, $5 FROM reports WHERE id = $1",
        );
        Ok(with_pool!(self, pool => sqlx::query(&sql)
            .bind(report_id)
            .bind(moderator_id)
            .bind(action)
            .bind(detail)
            .bind(now_ms)
            .execute(pool)
            .await?
            .rows_affected())
            == 1)
    }

    /// A report's audit trail, oldest first.
    pub async fn history(&self, report_id: i64) -> Result<Vec<AuditEntry>> {
        let sql = self.sql(
            "SELECT moderator_id, action, detail, at FROM moderation_audit WHERE report_id = $1 \
             ORDER BY at, id",
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(report_id).fetch_all(pool).await?;
            rows.iter()
                .map(|r| -> Result<AuditEntry> {
                    Ok(AuditEntry {
                        moderator_id: r.try_get("moderator_id")?,
                        action: r.try_get("action")?,
                        detail: r.try_get("detail")?,
                        at: r.try_get("at")?,
                    })
                })
                .collect()
        })
    }

    /// Keeps a correction next to the automatic result (and in the audit trail).
    pub async fn correct(
        &self,
        report_id: i64,
        field: &str,
        value: &serde_json::Value,
        moderator_id: i64,
        now_ms: i64,
    ) -> Result<bool> {
        let insert = self.sql(
            "INSERT INTO report_corrections (report_id, field, value, moderator_id, at) \
             SELECT id, $2, $3, $4, $5 FROM reports WHERE id = $1",
        );
        let audit = self.sql(
            "INSERT INTO moderation_audit (report_id, moderator_id, action, detail, at) \
             VALUES ($1, $2, 'correct', $3, $4)",
        );
        let value = value.to_string();
        let detail = format!("{field}: {value}");
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let done = sqlx::query(&insert)
                .bind(report_id)
                .bind(field)
                .bind(&value)
                .bind(moderator_id)
                .bind(now_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected()
                == 1;
            if done {
                sqlx::query(&audit).bind(report_id).bind(moderator_id).bind(&detail).bind(now_ms).execute(&mut *tx).await?;
            }
            tx.commit().await?;
            Ok(done)
        })
    }

    pub async fn corrections(&self, report_id: i64) -> Result<Vec<Correction>> {
        let sql = self.sql(
            "SELECT field, value, moderator_id, at FROM report_corrections WHERE report_id = $1 \
             ORDER BY at, id",
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(report_id).fetch_all(pool).await?;
            rows.iter()
                .map(|r| -> Result<Correction> {
                    let value: String = r.try_get("value")?;
                    Ok(Correction {
                        field: r.try_get("field")?,
                        value: serde_json::from_str(&value).unwrap_or(serde_json::Value::String(value)),
                        moderator_id: r.try_get("moderator_id")?,
                        at: r.try_get("at")?,
                    })
                })
                .collect()
        })
    }

    /// Reports that share an entity value (of `kind`, or of any kind when `None`), most
    /// reported first.
    pub async fn find_reports(&self, kind: Option<&str>, value: &str) -> Result<Vec<ReportLine>> {
        let sql = self.sql(
            "SELECT r.id, r.status, r.label, r.risk, r.report_count, r.text FROM reports r \
             WHERE r.id IN (SELECT report_id FROM report_entities \
             WHERE normalized = $1 AND ($2 IS NULL OR kind = $2)) \
             ORDER BY r.report_count DESC, r.id DESC LIMIT 20",
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(value).bind(kind).fetch_all(pool).await?;
            rows.iter()
                .map(|r| -> Result<ReportLine> {
                    Ok(ReportLine {
                        id: r.try_get("id")?,
                        status: status_of(r.try_get("status")?)?,
                        label: label_of(r.try_get("label")?)?,
                        risk: r.try_get("risk")?,
                        report_count: r.try_get("report_count")?,
                        text: r.try_get("text")?,
                    })
                })
                .collect()
        })
    }

    /// Pending reports, decisions since `since_ms`, and the entities in most reports.
    pub async fn stats(&self, since_ms: i64) -> Result<Stats> {
        let pending = self.sql("SELECT COUNT(*) AS n FROM reports WHERE status = 'pending'");
        let decided = self.sql(
            "SELECT status, COUNT(*) AS n FROM reports WHERE status <> 'pending' \
             AND decided_at >= $1 GROUP BY status ORDER BY status",
        );
        let top = self.sql(
            "SELECT e.kind, e.normalized, COUNT(*) AS n FROM report_entities e \
             JOIN reports r ON r.id = e.report_id WHERE r.status IN ('pending', 'approved') \
             AND e.kind IN ('phone', 'domain', 'telegram', 'handle', 'org') \
             GROUP BY e.kind, e.normalized ORDER BY n DESC, e.kind, e.normalized LIMIT 5",
        );
        with_pool!(self, pool => {
            let pending: i64 = sqlx::query(&pending).fetch_one(pool).await?.try_get("n")?;
            let decided = sqlx::query(&decided)
                .bind(since_ms)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok((status_of(r.try_get("status")?)?, r.try_get("n")?)))
                .collect::<Result<Vec<_>>>()?;
            let top_entities = sqlx::query(&top)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("kind")?, r.try_get("normalized")?, r.try_get("n")?)))
                .collect::<Result<Vec<_>>>()?;
            Ok(Stats { pending, decided, top_entities })
        })
    }

    /// Takes the chats kept for a report's outcome message: each is returned once, ever, and
    /// forgotten in the same statement (the outcome is told once, and the chat id is not kept
    /// after that).
    pub async fn take_reporter_chats(&self, report_id: i64) -> Result<Vec<Reporter>> {
        // SQLite's writer lock (BEGIN IMMEDIATE) or PostgreSQL's row locks make a second
        // caller wait, then find the chats gone.
        let select = self.sql(
            "SELECT p.reporter_hash, p.chat_id, u.language FROM report_reporters p \
             LEFT JOIN user_settings u ON u.user_hash = p.reporter_hash \
             WHERE p.report_id = $1 AND p.chat_id IS NOT NULL ORDER BY p.reporter_hash",
        );
        let select = match self {
            Store::Sqlite(_) => select.into_owned(),
            // Only the reporters' rows are locked, not the settings.
            Store::Postgres(_) => format!("{select} FOR UPDATE OF p"),
        };
        let forget = self.sql(
            "UPDATE report_reporters SET chat_id = NULL WHERE report_id = $1 AND reporter_hash = $2",
        );
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let rows = sqlx::query(&select).bind(report_id).fetch_all(&mut *tx).await?;
            let mut out = Vec::with_capacity(rows.len());
            for r in rows {
                let hash: String = r.try_get("reporter_hash")?;
                sqlx::query(&forget).bind(report_id).bind(&hash).execute(&mut *tx).await?;
                out.push(Reporter {
                    chat_id: r.try_get("chat_id")?,
                    language: chosen_lang(r.try_get("language")?),
                });
            }
            tx.commit().await?;
            Ok(out)
        })
    }

    /// Forgets the chats a citizen left for outcome messages (`/notify off`).
    pub async fn drop_reporter_chats(&self, reporter_hash: &str) -> Result<u64> {
        let sql = self.sql(
            "UPDATE report_reporters SET chat_id = NULL WHERE reporter_hash = $1 AND chat_id IS NOT NULL",
        );
        Ok(
            with_pool!(self, pool => sqlx::query(&sql).bind(reporter_hash).execute(pool).await?.rows_affected()),
        )
    }
}
