//! Updates and replicas: the claim that makes an update count once across processes, the
//! takeover of claims whose process died, and the heartbeat of live processes.

use sqlx::Row;

use super::{Result, Store};

/// An update claimed by a process that stopped beating, handed to another to handle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TakenOver {
    pub key: String,
    /// The update as Telegram delivered it (JSON).
    pub payload: String,
    /// What its handling sent before its process died, one JSON record a line
    /// ([`Store::record_send`]).
    pub sends: Option<String>,
}

/// How many reports are in each (label, status).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportCount {
    pub label: crate::extract::Label,
    pub status: crate::review::ReportStatus,
    pub count: i64,
}

impl Store {
    /// A store with `connections` of its own on the same database, opened when first used,
    /// for writes that must not wait behind the others' (the records of sent messages). On
    /// SQLite, which writes one at a time anyway, the same store.
    pub fn spare(&self, connections: u32) -> Store {
        match self {
            Store::Postgres(pool) => Store::Postgres(
                sqlx::postgres::PgPoolOptions::new()
                    .max_connections(connections)
                    .acquire_timeout(std::time::Duration::from_secs(5))
                    .connect_lazy_with(pool.connect_options().as_ref().clone()),
            ),
            Store::Sqlite(_) => self.clone(),
        }
    }

    /// Does the database answer?
    pub async fn ping(&self) -> Result<()> {
        with_pool!(self, pool => sqlx::query("SELECT 1").execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Claims an update for `holder`, keeping its `payload` until [`Store::finish_update`]:
    /// true the first time only, whichever process asks.
    pub async fn claim_delivery(
        &self,
        key: &str,
        payload: &str,
        holder: &str,
        now_ms: i64,
    ) -> Result<bool> {
        let sql = self.sql(
            "INSERT INTO processed_updates (update_key, claimed_at, payload, claimed_by) \
             VALUES ($1, $2, $3, $4) ON CONFLICT (update_key) DO NOTHING",
        );
        let done = with_pool!(self, pool => sqlx::query(&sql)
            .bind(key)
            .bind(now_ms)
            .bind(payload)
            .bind(holder)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(done == 1)
    }

    /// Marks a claimed update handled and erases the copy of it, when `holder` holds it.
    pub async fn finish_update(&self, key: &str, holder: &str, now_ms: i64) -> Result<()> {
        self.finish_updates(&[key.to_string()], holder, now_ms)
            .await
    }

    /// Marks the updates that `holder` still holds handled, in one statement, and erases their
    /// copies and the records of what they sent. One taken over by another process meanwhile
    /// is left to that process.
    pub async fn finish_updates(&self, keys: &[String], holder: &str, now_ms: i64) -> Result<()> {
        if keys.is_empty() {
            return Ok(());
        }
        let keys_json = serde_json::to_string(keys).unwrap_or_else(|_| "[]".to_string());
        let sql = match self {
            Store::Postgres(_) => {
                "UPDATE processed_updates SET done_at = $2, payload = NULL, sends = NULL \
                 WHERE update_key IN (SELECT jsonb_array_elements_text($1::jsonb)) \
                 AND claimed_by = $3"
            }
            Store::Sqlite(_) => {
                "UPDATE processed_updates SET done_at = ?2, payload = NULL, sends = NULL \
                 WHERE update_key IN (SELECT value FROM json_each(?1)) AND claimed_by = ?3"
            }
        };
        with_pool!(self, pool => sqlx::query(sql).bind(&keys_json).bind(now_ms).bind(holder).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Records, right after Telegram accepted it, a message sent in the handling of an open
    /// update (`record` is one JSON line), so a takeover does not send it again.
    pub async fn record_send(&self, key: &str, record: &str) -> Result<()> {
        let sql = self.sql(
            "UPDATE processed_updates SET sends = COALESCE(sends, '') || $2 \
             WHERE update_key = $1 AND done_at IS NULL",
        );
        with_pool!(self, pool => sqlx::query(&sql).bind(key).bind(record).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Lets go of `holder`'s claim on an open update: the next takeover, by any process,
    /// handles it again from its kept copy.
    pub async fn release_update(&self, key: &str, holder: &str) -> Result<()> {
        let sql = self.sql(
            "UPDATE processed_updates SET claimed_by = NULL \
             WHERE update_key = $1 AND claimed_by = $2 AND done_at IS NULL",
        );
        with_pool!(self, pool => sqlx::query(&sql).bind(key).bind(holder).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Takes over up to `limit` unhandled updates claimed before `claimed_before` by processes
    /// not seen since `alive_since`. Each is handed to one caller only.
    pub async fn take_over_updates(
        &self,
        holder: &str,
        claimed_before: i64,
        alive_since: i64,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<TakenOver>> {
        let orphans = "SELECT update_key FROM processed_updates \
             WHERE done_at IS NULL AND payload IS NOT NULL AND claimed_at < $3 \
             AND (claimed_by IS NULL OR claimed_by NOT IN \
                  (SELECT id FROM replicas WHERE seen_at >= $4)) \
             ORDER BY claimed_at LIMIT $5";
        let sql = match self {
            Store::Postgres(_) => format!(
                "UPDATE processed_updates SET claimed_by = $1, claimed_at = $2 \
                 WHERE update_key IN ({orphans} FOR UPDATE SKIP LOCKED) \
                 RETURNING update_key, payload, sends"
            ),
            // SQLite has one writer at a time: the statement cannot interleave with another.
            Store::Sqlite(_) => format!(
                "UPDATE processed_updates SET claimed_by = $1, claimed_at = $2 \
                 WHERE update_key IN ({orphans}) RETURNING update_key, payload, sends"
            ),
        };
        let sql = self.sql(&sql);
        with_pool!(self, pool => {
            sqlx::query(&sql)
                .bind(holder)
                .bind(now_ms)
                .bind(claimed_before)
                .bind(alive_since)
                .bind(limit)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok(TakenOver { key: r.try_get("update_key")?, payload: r.try_get("payload")?, sends: r.try_get("sends")? }))
                .collect()
        })
    }

    /// Forgets handled updates older than `before` (Telegram redelivers for a day at most).
    pub async fn purge_updates(&self, before_ms: i64) -> Result<u64> {
        let sql = self.sql("DELETE FROM processed_updates WHERE done_at < $1");
        Ok(
            with_pool!(self, pool => sqlx::query(&sql).bind(before_ms).execute(pool).await?.rows_affected()),
        )
    }

    /// Records that `holder` is alive and returns how many processes were seen since
    /// `alive_since` (itself included).
    pub async fn heartbeat(&self, holder: &str, now_ms: i64, alive_since: i64) -> Result<u32> {
        let beat = self.sql(
            "INSERT INTO replicas (id, seen_at) VALUES ($1, $2) \
             ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at",
        );
        let forget = self.sql("DELETE FROM replicas WHERE seen_at < $1");
        let count = self.sql("SELECT COUNT(*) AS n FROM replicas WHERE seen_at >= $1");
        let n: i64 = with_pool!(self, pool => {
            sqlx::query(&beat).bind(holder).bind(now_ms).execute(pool).await?;
            sqlx::query(&forget).bind(now_ms - 86_400_000).execute(pool).await?;
            sqlx::query(&count).bind(alive_since).fetch_one(pool).await?.try_get("n")?
        });
        Ok(n.clamp(1, i64::from(u32::MAX)) as u32)
    }

    /// A process stopping cleanly leaves at once, so the others take its share of the rate.
    pub async fn leave(&self, holder: &str) -> Result<()> {
        let sql = self.sql("DELETE FROM replicas WHERE id = $1");
        with_pool!(self, pool => sqlx::query(&sql).bind(holder).execute(pool).await?.rows_affected());
        Ok(())
    }

    /// Reports by label and status, for the metrics.
    pub async fn report_counts(&self) -> Result<Vec<ReportCount>> {
        let sql = "SELECT label, status, COUNT(*) AS n FROM reports GROUP BY label, status \
                   ORDER BY label, status";
        with_pool!(self, pool => {
            sqlx::query(sql)
                .fetch_all(pool)
                .await?
                .iter()
                .map(|r| Ok(ReportCount { label: super::label_of(r.try_get("label")?)?, status: super::status_of(r.try_get("status")?)?, count: r.try_get("n")? }))
                .collect()
        })
    }
}

/// What became of an album part.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AlbumPart {
    /// The first part: the caller owns the album and finishes it.
    Owner,
    /// Added to an album another process owns.
    Added,
}

impl Store {
    /// Keeps a part (its message as JSON) of the album `key`; the first part's process owns it.
    pub async fn add_album_part(
        &self,
        key: &str,
        message_id: i64,
        message: &str,
        holder: &str,
        now_ms: i64,
    ) -> Result<AlbumPart> {
        let open = self.sql(
            "INSERT INTO albums (album_key, owner, last_part_at) VALUES ($1, $2, $3) \
             ON CONFLICT (album_key) DO NOTHING",
        );
        let touch = self
            .sql("UPDATE albums SET last_part_at = $2 WHERE album_key = $1 AND last_part_at < $2");
        let part = self.sql(
            "INSERT INTO album_parts (album_key, message_id, message) VALUES ($1, $2, $3) \
             ON CONFLICT (album_key, message_id) DO NOTHING",
        );
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let opened = sqlx::query(&open).bind(key).bind(holder).bind(now_ms).execute(&mut *tx).await?.rows_affected() == 1;
            if !opened {
                sqlx::query(&touch).bind(key).bind(now_ms).execute(&mut *tx).await?;
            }
            sqlx::query(&part).bind(key).bind(message_id).bind(message).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(if opened { AlbumPart::Owner } else { AlbumPart::Added })
        })
    }

    /// When the album's last part arrived, while it is open.
    pub async fn album_last_part(&self, key: &str) -> Result<Option<i64>> {
        let sql =
            self.sql("SELECT last_part_at FROM albums WHERE album_key = $1 AND done_at IS NULL");
        with_pool!(self, pool => Ok(sqlx::query(&sql)
            .bind(key)
            .fetch_optional(pool)
            .await?
            .map(|r| r.try_get("last_part_at"))
            .transpose()?))
    }

    /// Closes the album for `holder` (its owner) and returns its parts' messages in order and
    /// erases them; `None` when it is not this holder's to close.
    pub async fn close_album(
        &self,
        key: &str,
        holder: &str,
        now_ms: i64,
    ) -> Result<Option<Vec<String>>> {
        let close = self.sql(
            "UPDATE albums SET done_at = $3 WHERE album_key = $1 AND owner = $2 AND done_at IS NULL",
        );
        let parts =
            self.sql("SELECT message FROM album_parts WHERE album_key = $1 ORDER BY message_id");
        let erase = self.sql("DELETE FROM album_parts WHERE album_key = $1");
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            if sqlx::query(&close).bind(key).bind(holder).bind(now_ms).execute(&mut *tx).await?.rows_affected() != 1 {
                return Ok(None);
            }
            let messages = sqlx::query(&parts)
                .bind(key)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get("message"))
                .collect::<std::result::Result<Vec<String>, _>>()?;
            sqlx::query(&erase).bind(key).execute(&mut *tx).await?;
            tx.commit().await?;
            Ok(Some(messages))
        })
    }

    /// Takes over the open albums, quiet since `last_part_before`, of processes not seen since
    /// `alive_since`; returns their keys, each to one caller.
    pub async fn take_over_albums(
        &self,
        holder: &str,
        last_part_before: i64,
        alive_since: i64,
    ) -> Result<Vec<String>> {
        let sql = self.sql(
            "UPDATE albums SET owner = $1 WHERE done_at IS NULL AND last_part_at < $2 \
             AND owner NOT IN (SELECT id FROM replicas WHERE seen_at >= $3) RETURNING album_key",
        );
        with_pool!(self, pool => sqlx::query(&sql)
            .bind(holder)
            .bind(last_part_before)
            .bind(alive_since)
            .fetch_all(pool)
            .await?
            .iter()
            .map(|r| Ok(r.try_get("album_key")?))
            .collect())
    }

    /// Forgets albums finished before `before_ms`.
    pub async fn purge_albums(&self, before_ms: i64) -> Result<u64> {
        let sql = self.sql("DELETE FROM albums WHERE done_at < $1");
        Ok(
            with_pool!(self, pool => sqlx::query(&sql).bind(before_ms).execute(pool).await?.rows_affected()),
        )
    }
}
