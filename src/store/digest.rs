//! Digests' SQL: the approved reports of a period, and the runs claimed once per chat and
//! period.

use sqlx::Row;

use super::{Result, Store};

/// An approved report as a digest uses it: never its reporters.
#[derive(Debug, Clone)]
pub struct DigestReport {
    pub id: i64,
    pub language: crate::extract::Lang,
    pub label: crate::extract::Label,
    pub report_count: i32,
    /// The extraction as stored (JSON: amounts as written, entities).
    pub extraction: serde_json::Value,
    /// Shares a phone, domain, account or organisation with a report approved earlier.
    pub recurring: bool,
}

/// What a period holds.
#[derive(Debug, Clone, Default)]
pub struct DigestFacts {
    pub reports: Vec<DigestReport>,
    /// Distinct citizens who sent them.
    pub citizens: i64,
    /// (kind, value, reports) most frequent in the period.
    pub top_entities: Vec<(String, String, i64)>,
}

impl Store {
    /// The reports approved in `(start_ms, end_ms]`, with their citizens and top entities.
    pub async fn digest_facts(&self, start_ms: i64, end_ms: i64) -> Result<DigestFacts> {
        let reports = self.sql(
            "SELECT r.id, r.language, r.label, r.report_count, r.extraction, EXISTS ( \
               SELECT 1 FROM report_entities e JOIN report_entities o \
               ON o.kind = e.kind AND o.normalized = e.normalized AND o.report_id <> e.report_id \
               JOIN reports earlier ON earlier.id = o.report_id \
               WHERE e.report_id = r.id AND e.kind IN ('phone', 'domain', 'telegram', 'handle', 'org') \
               AND earlier.status = 'approved' AND earlier.decided_at <= $1) AS recurring \
             FROM reports r WHERE r.status = 'approved' AND r.decided_at > $1 AND r.decided_at <= $2 \
             ORDER BY r.risk DESC, r.report_count DESC, r.id",
        );
        let citizens = self.sql(
            "SELECT COUNT(DISTINCT p.reporter_hash) AS n FROM report_reporters p JOIN reports r \
             ON r.id = p.report_id WHERE r.status = 'approved' AND r.decided_at > $1 AND r.decided_at <= $2",
        );
        let top = self.sql(
            "SELECT e.kind, e.normalized, COUNT(*) AS n FROM report_entities e JOIN reports r \
             ON r.id = e.report_id WHERE r.status = 'approved' AND r.decided_at > $1 AND r.decided_at <= $2 \
             AND e.kind IN ('org', 'domain', 'phone', 'telegram', 'handle') \
             GROUP BY e.kind, e.normalized ORDER BY n DESC, e.kind, e.normalized LIMIT 10",
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(&reports).bind(start_ms).bind(end_ms).fetch_all(pool).await?;
            let reports = rows
                .iter()
                .map(|r| -> Result<DigestReport> {
                    let extraction: String = r.try_get("extraction")?;
                    Ok(DigestReport {
                        id: r.try_get("id")?,
                        language: super::lang_of(r.try_get("language")?)?,
                        label: super::label_of(r.try_get("label")?)?,
                        report_count: r.try_get("report_count")?,
                        extraction: serde_json::from_str(&extraction).unwrap_or(serde_json::Value::Null),
                        recurring: r.try_get("recurring")?,
                    })
                })
                .collect::<Result<Vec<_>>>()?;
            let citizens: i64 = sqlx::query(&citizens).bind(start_ms).bind(end_ms).fetch_one(pool).await?.try_get("n")?;
            let top_entities = sqlx::query(&top)
                .bind(start_ms)
                .bind(end_ms)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok((r.try_get("kind")?, r.try_get("normalized")?, r.try_get("n")?)))
                .collect::<Result<Vec<_>>>()?;
            Ok(DigestFacts { reports, citizens, top_entities })
        })
    }

    /// The end of the last period sent to a chat.
    pub async fn last_digest_end(&self, chat: &str) -> Result<Option<i64>> {
        let sql = self.sql(
            "SELECT MAX(period_end) AS e FROM digest_runs WHERE chat = $1 AND sent_at IS NOT NULL",
        );
        with_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(chat).fetch_one(pool).await?;
            Ok(row.try_get::<Option<i64>, _>("e")?)
        })
    }

    /// Claims the digest of a chat and period for `holder`: true the first time, or when an
    /// earlier claim was left unsent before `stale_before_ms`, or when `holder` already holds
    /// it unsent (its own retry). With `alone`, false too while another run of the chat that
    /// overlaps this period is sent or freshly claimed: two processes whose firings differ by
    /// a moment cannot post the same reports under two period ends. The check and the claim
    /// are one transaction, serialised per chat (PostgreSQL's advisory lock; SQLite's writer
    /// lock).
    #[allow(clippy::too_many_arguments)]
    pub async fn claim_digest(
        &self,
        chat: &str,
        period_start: i64,
        period_end: i64,
        holder: &str,
        now_ms: i64,
        stale_before_ms: i64,
        alone: bool,
    ) -> Result<bool> {
        let lock = "SELECT pg_advisory_xact_lock(hashtext('adwatch-digest:' || $1))";
        let overlapping = self.sql(
            "SELECT 1 AS one FROM digest_runs WHERE chat = $1 AND period_end > $2 \
             AND period_end <> $3 AND (sent_at IS NOT NULL OR claimed_at >= $4) LIMIT 1",
        );
        let claim = self.sql(
            "INSERT INTO digest_runs (chat, period_end, period_start, claimed_by, claimed_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (chat, period_end) DO UPDATE SET claimed_by = excluded.claimed_by, \
             claimed_at = excluded.claimed_at \
             WHERE digest_runs.sent_at IS NULL \
             AND (digest_runs.claimed_by = excluded.claimed_by OR digest_runs.claimed_at < $6)",
        );
        let postgres = matches!(self, Store::Postgres(_));
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            if postgres {
                sqlx::query(lock).bind(chat).execute(&mut *tx).await?;
            }
            if alone {
                let other = sqlx::query(&overlapping)
                    .bind(chat)
                    .bind(period_start)
                    .bind(period_end)
                    .bind(stale_before_ms)
                    .fetch_optional(&mut *tx)
                    .await?;
                if other.is_some() {
                    return Ok(false);
                }
            }
            let done = sqlx::query(&claim)
                .bind(chat)
                .bind(period_end)
                .bind(period_start)
                .bind(holder)
                .bind(now_ms)
                .bind(stale_before_ms)
                .execute(&mut *tx)
                .await?
                .rows_affected();
            tx.commit().await?;
            Ok(done == 1)
        })
    }

    /// Marks a claimed digest sent.
    pub async fn digest_sent(&self, chat: &str, period_end: i64, now_ms: i64) -> Result<()> {
        let sql = self.sql(
            "UPDATE digest_runs SET sent_at = $3 WHERE chat = $1 AND period_end = $2 AND sent_at IS NULL",
        );
        with_pool!(self, pool => sqlx::query(&sql).bind(chat).bind(period_end).bind(now_ms).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Has the digest of this chat and period gone out?
    pub async fn digest_was_sent(&self, chat: &str, period_end: i64) -> Result<bool> {
        let sql = self.sql("SELECT sent_at FROM digest_runs WHERE chat = $1 AND period_end = $2");
        with_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(chat).bind(period_end).fetch_optional(pool).await?;
            Ok(match row {
                Some(r) => r.try_get::<Option<i64>, _>("sent_at")?.is_some(),
                None => false,
            })
        })
    }
}
