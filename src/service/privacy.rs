//! Citizens' privacy: their settings under a keyed hash, `/forget`, `/notify off`, the links a
//! group `/report` leaves, and the retention purge.

use sha2::{Digest, Sha256};

use super::{ReporterKey, Service};
use crate::store::{Forgotten, Purged, Store, StoreError, UserSettings};

impl Service {
    /// A citizen's settings (country, language, outcome messages), if they chose any.
    pub async fn settings(&self, user_id: i64) -> Result<Option<UserSettings>, StoreError> {
        self.store.user_settings(&self.key.hash(user_id)).await
    }

    pub async fn save_settings(&self, user_id: i64, s: &UserSettings) -> Result<(), StoreError> {
        self.store
            .save_user_settings(&self.key.hash(user_id), s)
            .await
    }

    /// `/forget`: everything kept under the citizen's hash goes (see [`Forgotten`]).
    pub async fn forget(&self, user_id: i64) -> Result<Forgotten, StoreError> {
        self.store.forget_citizen(&self.key.hash(user_id)).await
    }

    /// `/notify off`: the setting, and the chats kept for outcome messages erased in the same
    /// transaction; returns how many chats went.
    pub async fn notify_off(&self, user_id: i64, s: &UserSettings) -> Result<u64, StoreError> {
        self.store.notify_off(&self.key.hash(user_id), s).await
    }

    /// A link token for this citizen's report ([`report_link_token`]).
    pub async fn report_link_token(
        &self,
        report_id: i64,
        user_id: i64,
        now_ms: i64,
    ) -> Result<Option<String>, StoreError> {
        report_link_token(&self.store, &self.key, report_id, user_id, now_ms).await
    }

    /// The report a `/start` payload opens for this citizen ([`report_for_link`]).
    pub async fn report_for_link(
        &self,
        payload: &str,
        user_id: i64,
        now_ms: i64,
    ) -> Result<Option<i64>, StoreError> {
        report_for_link(&self.store, &self.key, payload, user_id, now_ms).await
    }

    /// One pass of retention, logged: what citizens left that is older than `retention_days`
    /// ([`purge_expired`]), then the claims of updates and the albums finished more than a
    /// week ago (Telegram redelivers for a day at most). A failure is logged; the next pass
    /// tries again.
    pub async fn retention_pass(&self, retention_days: u32, now_ms: i64) {
        match self.purge_expired(retention_days, now_ms).await {
            Ok(p) => tracing::info!(
                texts = p.texts,
                chats = p.chats,
                snapshots = p.snapshots,
                images = p.images,
                origins = p.origins,
                payloads = p.payloads,
                albums = p.albums,
                tokens = p.tokens,
                "retention purge done"
            ),
            Err(e) => tracing::warn!(error = %e, "retention purge failed; will try again"),
        }
        let week_ago = now_ms - 7 * 86_400_000;
        if let Err(e) = self.store.purge_updates(week_ago).await {
            tracing::warn!(error = %e, "old update claims could not be purged");
        }
        let _ = self.store.purge_albums(week_ago).await;
    }

    /// One retention pass ([`purge_expired`]).
    pub async fn purge_expired(
        &self,
        retention_days: u32,
        now_ms: i64,
    ) -> Result<Purged, StoreError> {
        purge_expired(&self.store, retention_days, now_ms).await
    }
}

/// How long the link a group `/report` leaves (for a citizen who never started the bot) opens
/// the report.
pub const REPORT_LINK_TTL_MS: i64 = 7 * 86_400_000;

/// Random bytes in a report link's token: 160 bits, 40 hex digits. Telegram's start parameter
/// takes up to 64 of `[A-Za-z0-9_-]`; lower-case hex also survives the command's lower-casing.
const TOKEN_BYTES: usize = 20;

/// Is this what [`report_link_token`] makes? Anything else is not looked up at all.
fn is_token(s: &str) -> bool {
    s.len() == TOKEN_BYTES * 2 && s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f'))
}

/// What the store keeps of a token: its SHA-256 (the token has enough entropy that no key is
/// needed), so a copy of the database opens nothing.
fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A new token that opens `report_id` for citizen `user_id` (and nobody else) for
/// [`REPORT_LINK_TTL_MS`]. `None` when the system has no randomness to make one: then there is
/// no link rather than a guessable one.
pub async fn report_link_token(
    store: &Store,
    key: &ReporterKey,
    report_id: i64,
    user_id: i64,
    now_ms: i64,
) -> Result<Option<String>, StoreError> {
    let mut bytes = [0u8; TOKEN_BYTES];
    if getrandom::fill(&mut bytes).is_err() {
        return Ok(None);
    }
    let token = hex::encode(bytes);
    store
        .save_report_token(
            &token_hash(&token),
            report_id,
            &key.hash(user_id),
            now_ms + REPORT_LINK_TTL_MS,
        )
        .await?;
    Ok(Some(token))
}

/// The report a `/start` payload opens for citizen `user_id`: only their own token, before it
/// expires. Anything else (a report number, someone else's token, an old one) is `None`.
pub async fn report_for_link(
    store: &Store,
    key: &ReporterKey,
    payload: &str,
    user_id: i64,
    now_ms: i64,
) -> Result<Option<i64>, StoreError> {
    if !is_token(payload) {
        return Ok(None);
    }
    store
        .report_for_token(&token_hash(payload), &key.hash(user_id), now_ms)
        .await
}

/// One retention pass: what citizens left that is older than `retention_days` goes (see
/// [`Purged`]); the texts of rejected reports too.
pub async fn purge_expired(
    store: &Store,
    retention_days: u32,
    now_ms: i64,
) -> Result<Purged, StoreError> {
    let before = now_ms - i64::from(retention_days) * 86_400_000;
    store.purge_retention(before, now_ms).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_a_token_looks_like_is_looked_up() {
        assert!(is_token(&"0a".repeat(20)));
        for not in [
            "r3",
            "3",
            "",
            &"0A".repeat(20),
            &"0a".repeat(21),
            &"zz".repeat(20),
        ] {
            assert!(!is_token(not), "{not}");
        }
    }
}
