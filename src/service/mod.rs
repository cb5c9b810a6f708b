//! Use cases: what every adapter (Telegram, the command line, a later web console) calls. They
//! take the store, the engine, the fetcher and the time; they never talk to Telegram.
//!
//! One module per use case: [`intake`] (file a report), [`links`] (read its links),
//! [`moderation`] (who may decide, the queue, a decision taken once and who is told,
//! corrections, find, history, stats), [`digests`], [`privacy`] (settings, forget, notify,
//! report links, retention), [`updates`] (the claims that make an update count once across
//! replicas, albums, images), [`admin`] (export and copy a database, for the command line).
//!
//! Architecture invariant: adapters reach the database only through [`Service`] and the
//! functions here; the domain types they read (cards, report lines, settings) are re-exported
//! below, so no adapter names the store.

use hmac::{Hmac, Mac};
use sha2::Sha256;

use crate::store::{Store, StoreError};

pub mod admin;
pub mod digests;
pub mod intake;
pub mod links;
pub mod moderation;
pub mod privacy;
pub mod updates;

pub use crate::review::{ReportStatus, ReviewAction};
pub use crate::store::{
    AlbumPart, AuditEntry, Card, Correction, Decision, Forgotten, ImageRecord, LinkRecord, Purged,
    ReportCount, ReportLine, Snapshot, Stats, StoreError as Error, Stored, TakenOver, UserSettings,
};
pub use intake::{fingerprints, shown_host, submit, Submission, Submitted};
pub use links::{read_links, LinkOutcome, LinkResult, PageRead};
pub use privacy::{purge_expired, report_for_link, report_link_token, REPORT_LINK_TTL_MS};

/// A secret for keyed hashes of citizens' ids; never logged.
#[derive(Clone)]
pub struct ReporterKey(Vec<u8>);

impl ReporterKey {
    pub fn new(secret: impl Into<Vec<u8>>) -> ReporterKey {
        ReporterKey(secret.into())
    }

    /// The keyed hash (HMAC-SHA-256) that stands for a citizen in the database.
    pub fn hash(&self, user_id: i64) -> String {
        let mut mac =
            <Hmac<Sha256> as Mac>::new_from_slice(&self.0).expect("HMAC takes a key of any length");
        mac.update(b"adwatch-reporter:");
        mac.update(&user_id.to_be_bytes());
        hex::encode(mac.finalize().into_bytes())
    }
}

impl std::fmt::Debug for ReporterKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ReporterKey(…)")
    }
}

/// What an adapter holds: the database and the key of citizens' hashes. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Service {
    store: Store,
    key: ReporterKey,
}

impl Service {
    pub fn new(store: Store, key: ReporterKey) -> Service {
        Service { store, key }
    }

    /// Start-up: opens the database (migrating it) and settles the reporter key:
    /// `REPORTER_SECRET` when configured, or the one this deployment made and stored, so
    /// restarts and replicas agree.
    pub async fn start(
        database_url: &str,
        configured: Option<ReporterKey>,
    ) -> anyhow::Result<Service> {
        let store = Store::connect(database_url).await?;
        tracing::info!(backend = store.backend(), "database ready");
        let key = match configured {
            Some(key) => key,
            None => stored_reporter_key(&store).await?,
        };
        Ok(Service::new(store, key))
    }

    /// Opens the database only, for work that hashes no citizen (digests, exports).
    pub async fn open(database_url: &str) -> Result<Service, StoreError> {
        let store = Store::connect(database_url).await?;
        Ok(Service::new(store, ReporterKey::new(Vec::new())))
    }

    /// The keyed hash that stands for this citizen.
    pub fn citizen(&self, user_id: i64) -> String {
        self.key.hash(user_id)
    }

    pub fn key(&self) -> &ReporterKey {
        &self.key
    }

    /// `sqlite` or `postgres`.
    pub fn backend(&self) -> &'static str {
        self.store.backend()
    }

    /// Does the database answer?
    pub async fn ping(&self) -> bool {
        self.store.ping().await.is_ok()
    }

    /// A service with `connections` of its own on the same database, for writes that must not
    /// wait behind the others' (the records of sent messages).
    pub fn spare(&self, connections: u32) -> Service {
        Service::new(self.store.spare(connections), self.key.clone())
    }
}

/// The key this deployment made and stored when `REPORTER_SECRET` is not set.
async fn stored_reporter_key(store: &Store) -> anyhow::Result<ReporterKey> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).map_err(|e| anyhow::anyhow!("no randomness for a secret: {e}"))?;
    let secret = store
        .secret_or_create("reporter_key", &hex::encode(bytes))
        .await?;
    tracing::warn!("REPORTER_SECRET is not set: using the key stored in the database; set REPORTER_SECRET to keep citizens' hashes apart from the data");
    Ok(ReporterKey::new(secret))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reporter_hashes_are_keyed() {
        assert_ne!(
            ReporterKey::new("a").hash(42),
            ReporterKey::new("b").hash(42)
        );
        assert_eq!(
            ReporterKey::new("a").hash(42),
            ReporterKey::new("a").hash(42)
        );
        assert!(!ReporterKey::new("a").hash(42).contains("42"));
    }
}
