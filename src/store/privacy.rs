//! Privacy's SQL: the tokens that open a report for the citizen who filed it, erasing what a
//! citizen asked to erase (all or nothing), and the retention purge of citizens' traces.

use sqlx::Row;

use super::{Result, Store, UserSettings};

/// What `/forget` erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Forgotten {
    /// The citizen's settings row (0 or 1).
    pub settings: u64,
    /// Their links to the reports they sent (and the chat ids kept with them).
    pub reports: u64,
    /// Their unexpired deep links to reports.
    pub tokens: u64,
}

impl Forgotten {
    pub fn total(&self) -> u64 {
        self.settings + self.reports + self.tokens
    }
}

/// What one retention pass erased.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    /// Texts of rejected reports decided before the window.
    pub texts: u64,
    /// Chat ids kept for an outcome that did not come within the window.
    pub chats: u64,
    /// Page snapshots last seen before the window that lost their text.
    pub snapshots: u64,
    /// Images first seen before the window that lost their OCR text and Telegram file id.
    pub images: u64,
    /// Forwarded-from people (user ids, usernames, names) in reports' sources.
    pub origins: u64,
    /// Copies of updates claimed before the window and never finished.
    pub payloads: u64,
    /// Albums (their parts: the citizens' messages) left unfinished.
    pub albums: u64,
    /// Deep links to reports that expired.
    pub tokens: u64,
}

/// An entity of a report as stored: where it was found too.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct EntityRecord {
    pub kind: String,
    /// Lower case, as matched across reports.
    pub normalized: String,
    /// `message` (the ad itself) or `page` (only on a page the ad links to).
    pub source: String,
}

/// Work that is still in hand (an update being handled, an album being gathered) is never cut
/// short, whatever `RETENTION_DAYS` says: it is older than this first.
const IN_HAND_MS: i64 = 86_400_000;

/// Sources that name a person rather than a place where the ad was posted.
const PERSON_ORIGINS: &str = "(origin_key LIKE 'user:%' OR origin_key LIKE 'hidden:%')";

impl Store {
    /// Keeps the hash of a token that opens `report_id` for the citizen `reporter_hash` until
    /// `expires_at`.
    pub async fn save_report_token(
        &self,
        token_hash: &str,
        report_id: i64,
        reporter_hash: &str,
        expires_at: i64,
    ) -> Result<()> {
        let sql = self.sql(
            "INSERT INTO report_tokens (token_hash, report_id, reporter_hash, expires_at) \
             VALUES ($1, $2, $3, $4)",
        );
        with_pool!(self, pool => sqlx::query(&sql)
            .bind(token_hash)
            .bind(report_id)
            .bind(reporter_hash)
            .bind(expires_at)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// The report a token opens, only for the citizen it was made for and only before it
    /// expires; `None` for anyone and anything else (the caller cannot tell which).
    pub async fn report_for_token(
        &self,
        token_hash: &str,
        reporter_hash: &str,
        now_ms: i64,
    ) -> Result<Option<i64>> {
        let sql = self.sql(
            "SELECT report_id FROM report_tokens WHERE token_hash = $1 AND reporter_hash = $2 \
             AND expires_at > $3",
        );
        with_pool!(self, pool => Ok(sqlx::query(&sql)
            .bind(token_hash)
            .bind(reporter_hash)
            .bind(now_ms)
            .fetch_optional(pool)
            .await?
            .map(|r| r.try_get("report_id"))
            .transpose()?))
    }

    /// `/forget`: the citizen's settings, their links to reports (with the chat ids kept for
    /// outcomes) and their deep links, in one transaction: all of it or, when the database
    /// refuses, nothing.
    pub async fn forget_citizen(&self, user_hash: &str) -> Result<Forgotten> {
        let settings = self.sql("DELETE FROM user_settings WHERE user_hash = $1");
        let links = self.sql("DELETE FROM report_reporters WHERE reporter_hash = $1");
        let tokens = self.sql("DELETE FROM report_tokens WHERE reporter_hash = $1");
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let settings = sqlx::query(&settings).bind(user_hash).execute(&mut *tx).await?.rows_affected();
            let reports = sqlx::query(&links).bind(user_hash).execute(&mut *tx).await?.rows_affected();
            let tokens = sqlx::query(&tokens).bind(user_hash).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(Forgotten { settings, reports, tokens })
        })
    }

    /// `/notify off`: the setting saved and the chat ids kept for outcomes erased, in one
    /// transaction. Returns how many chat ids were erased.
    pub async fn notify_off(&self, user_hash: &str, settings: &UserSettings) -> Result<u64> {
        let save = self.sql(
            "INSERT INTO user_settings (user_hash, language, country, notify) VALUES ($1, $2, $3, FALSE) \
             ON CONFLICT (user_hash) DO UPDATE SET language = excluded.language, \
             country = excluded.country, notify = FALSE",
        );
        let drop_chats = self.sql(
            "UPDATE report_reporters SET chat_id = NULL WHERE reporter_hash = $1 AND chat_id IS NOT NULL",
        );
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            sqlx::query(&save)
                .bind(user_hash)
                .bind(settings.language.map(crate::extract::Lang::code))
                .bind(&settings.country)
                .execute(&mut *tx)
                .await?;
            let erased = sqlx::query(&drop_chats).bind(user_hash).execute(&mut *tx).await?.rows_affected();
            tx.commit().await?;
            Ok(erased)
        })
    }

    /// A report's entities with where each was found, message ones first.
    pub async fn report_entities(&self, report_id: i64) -> Result<Vec<EntityRecord>> {
        let sql = self.sql(
            "SELECT kind, normalized, source FROM report_entities WHERE report_id = $1 \
             ORDER BY source, kind, normalized",
        );
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(report_id).fetch_all(pool).await?;
            rows.iter()
                .map(|r| -> Result<EntityRecord> {
                    Ok(EntityRecord {
                        kind: r.try_get("kind")?,
                        normalized: r.try_get("normalized")?,
                        source: r.try_get("source")?,
                    })
                })
                .collect()
        })
    }

    /// One retention pass: whatever citizens left that is older than `before_ms` (see
    /// [`Purged`]), and the deep links expired by `now_ms`. The texts of pending and approved
    /// reports stay: moderators and digests still need them.
    pub async fn purge_retention(&self, before_ms: i64, now_ms: i64) -> Result<Purged> {
        let in_hand = before_ms.min(now_ms - IN_HAND_MS);
        let statements = [
            "UPDATE report_reporters SET chat_id = NULL WHERE chat_id IS NOT NULL AND added_at < $1",
            "UPDATE page_snapshots SET text = '', title = NULL, extraction = '{}' \
             WHERE last_seen < $1 AND (text <> '' OR title IS NOT NULL)",
            "UPDATE images SET ocr_text = NULL, file_id = '' \
             WHERE first_seen < $1 AND (ocr_text IS NOT NULL OR file_id <> '')",
            "UPDATE processed_updates SET payload = NULL, sends = NULL \
             WHERE (payload IS NOT NULL OR sends IS NOT NULL) AND claimed_at < $1",
            "DELETE FROM albums WHERE last_part_at < $1",
            "DELETE FROM report_tokens WHERE expires_at <= $1",
        ];
        let bounds = [before_ms, before_ms, before_ms, in_hand, in_hand, now_ms];
        let mut counts = [0u64; 6];
        for ((sql, bound), count) in statements.iter().zip(bounds).zip(counts.iter_mut()) {
            let sql = self.sql(sql);
            *count = with_pool!(self, pool => sqlx::query(&sql).bind(bound).execute(pool).await?.rows_affected());
        }
        let [chats, snapshots, images, payloads, albums, tokens] = counts;
        Ok(Purged {
            texts: self.purge_rejected(before_ms).await?,
            chats,
            snapshots,
            images,
            origins: self.erase_person_origins(before_ms).await?,
            payloads,
            albums,
            tokens,
        })
    }

    /// Replaces the sources added before `before_ms` that name a person (a forward from a
    /// user, or from a hidden user's name) with one that says only its kind. Each gets a new
    /// random key, so the report keeps how many distinct sources it had.
    async fn erase_person_origins(&self, before_ms: i64) -> Result<u64> {
        let select = self
            .sql(&format!(
                "SELECT report_id, origin_key, added_at FROM report_origins \
             WHERE added_at < $1 AND {PERSON_ORIGINS}"
            ))
            .into_owned();
        let delete =
            self.sql("DELETE FROM report_origins WHERE report_id = $1 AND origin_key = $2");
        let insert = self.sql(
            "INSERT INTO report_origins (report_id, origin_key, origin, added_at) VALUES ($1, $2, $3, $4)",
        );
        with_pool!(self, pool, begin => {
            let mut tx = pool.begin_with(begin).await?;
            let rows = sqlx::query(&select).bind(before_ms).fetch_all(&mut *tx).await?;
            for r in &rows {
                let report_id: i64 = r.try_get("report_id")?;
                let key: String = r.try_get("origin_key")?;
                let added_at: i64 = r.try_get("added_at")?;
                let kind = if key.starts_with("user:") { "user" } else { "hidden_user" };
                let erased = serde_json::json!({"kind": kind, "erased": true}).to_string();
                sqlx::query(&delete).bind(report_id).bind(&key).execute(&mut *tx).await?;
                sqlx::query(&insert)
                    .bind(report_id)
                    .bind(format!("erased:{}", random_hex()))
                    .bind(&erased)
                    .bind(added_at)
                    .execute(&mut *tx)
                    .await?;
            }
            tx.commit().await?;
            Ok(rows.len() as u64)
        })
    }
}

/// 16 random bytes in hex: a key no other row has.
fn random_hex() -> String {
    static COUNTER: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let mut bytes = [0u8; 16];
    // Without randomness, the time and a counter still make a key unique in this table.
    if getrandom::fill(&mut bytes).is_err() {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos() as u64)
            .unwrap_or(0);
        let n = COUNTER.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        bytes[..8].copy_from_slice(&nanos.to_be_bytes());
        bytes[8..].copy_from_slice(&n.to_be_bytes());
    }
    hex::encode(bytes)
}
