//! Links' SQL: the claim on reading a report's link, what its page showed (snapshots, bounded per link) and why it failed.

use sqlx::Row;

use super::{Result, Store, StoreError};

/// The most entities one page adds to its report: a recruiter's page that lists hundreds of
/// phones or accounts (other people's, to drown or smear them) adds no more than this.
pub const MAX_PAGE_ENTITIES: usize = 50;

/// Snapshots kept of one link: the newest. A page that changes at every read cannot fill
/// the database; a report whose snapshot went keeps its link, marked `superseded`.
pub const MAX_SNAPSHOTS_PER_LINK: i64 = 5;

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
    pub label: crate::extract::Label,
    pub risk: i32,
}

impl Store {
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
            sqlx::query(&raise).bind(report_id).bind(findings.risk).bind(findings.label.as_str()).execute(&mut *tx).await?;
            tx.commit().await?;
            (id, new)
        });
        let snapshot = self
            .snapshot(snapshot_id.0)
            .await?
            .ok_or_else(|| StoreError::Invalid("a snapshot vanished".into()))?;
        Ok((snapshot, snapshot_id.1))
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
