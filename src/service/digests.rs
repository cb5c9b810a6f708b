//! Weekly digests: the period since a chat's last digest, what was approved in it, and the
//! claim that makes each chat's digest go out once across replicas. What a digest says is
//! built in [`crate::digest`]; an adapter writes and sends it.

use chrono_tz::Tz;

use super::Service;
use crate::digest::{self, Digest, Period};
use crate::store::StoreError;

type Result<T> = std::result::Result<T, StoreError>;

impl Service {
    /// The period of a chat's digest ending at `end`: since its last digest, at most 7 days;
    /// with `whole_week`, the last 7 days whatever was sent before.
    pub async fn digest_period(&self, chat: &str, end: i64, whole_week: bool) -> Result<Period> {
        if whole_week {
            return Ok(Period {
                start: end - digest::MAX_PERIOD_MS,
                end,
            });
        }
        digest::period_for(&self.store, chat, end).await
    }

    /// The digest of a period (`None` when nothing was approved in it).
    pub async fn digest(&self, period: Period, tz: Tz) -> Result<Option<Digest>> {
        digest::collect(&self.store, period, tz).await
    }

    /// Has the digest of this chat and period gone out?
    pub async fn digest_was_sent(&self, chat: &str, period_end: i64) -> Result<bool> {
        self.store.digest_was_sent(chat, period_end).await
    }

    /// Claims the digest of a chat's period for `holder` (a claim older than `stale_before_ms`
    /// is taken over); with `alone`, not while another period of the chat is claimed.
    pub async fn claim_digest(
        &self,
        chat: &str,
        period: Period,
        holder: &str,
        now_ms: i64,
        stale_before_ms: i64,
        alone: bool,
    ) -> Result<bool> {
        self.store
            .claim_digest(
                chat,
                period.start,
                period.end,
                holder,
                now_ms,
                stale_before_ms,
                alone,
            )
            .await
    }

    /// The digest of this chat and period went out.
    pub async fn digest_sent(&self, chat: &str, period_end: i64, now_ms: i64) -> Result<()> {
        self.store.digest_sent(chat, period_end, now_ms).await
    }
}
