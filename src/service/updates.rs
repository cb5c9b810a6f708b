//! What makes an update count once across replicas: its claim (with its copy until it is
//! done), the records of what its handling sent, the heartbeat of live processes and the
//! takeover of a dead one's claims; albums assembled across processes; images seen before.

use super::{AlbumPart, ImageRecord, Service, StoreError, TakenOver};

type Result<T> = std::result::Result<T, StoreError>;

impl Service {
    /// Claims an update for `holder`, keeping its `payload` until it is finished: true the
    /// first time only, whichever process asks.
    pub async fn claim_update(
        &self,
        key: &str,
        payload: &str,
        holder: &str,
        now_ms: i64,
    ) -> Result<bool> {
        self.store
            .claim_delivery(key, payload, holder, now_ms)
            .await
    }

    pub async fn finish_update(&self, key: &str, holder: &str, now_ms: i64) -> Result<()> {
        self.store.finish_update(key, holder, now_ms).await
    }

    pub async fn finish_updates(&self, keys: &[String], holder: &str, now_ms: i64) -> Result<()> {
        self.store.finish_updates(keys, holder, now_ms).await
    }

    /// Adds one record of a message the update's handling sent.
    pub async fn record_send(&self, key: &str, record: &str) -> Result<()> {
        self.store.record_send(key, record).await
    }

    /// Lets an unfinished update go, for a takeover.
    pub async fn release_update(&self, key: &str, holder: &str) -> Result<()> {
        self.store.release_update(key, holder).await
    }

    pub async fn take_over_updates(
        &self,
        holder: &str,
        claimed_before: i64,
        alive_since: i64,
        now_ms: i64,
        limit: i64,
    ) -> Result<Vec<TakenOver>> {
        self.store
            .take_over_updates(holder, claimed_before, alive_since, now_ms, limit)
            .await
    }

    /// This process is alive; returns how many are.
    pub async fn heartbeat(&self, holder: &str, now_ms: i64, alive_since: i64) -> Result<u32> {
        self.store.heartbeat(holder, now_ms, alive_since).await
    }

    pub async fn leave(&self, holder: &str) -> Result<()> {
        self.store.leave(holder).await
    }

    pub async fn add_album_part(
        &self,
        key: &str,
        message_id: i64,
        message: &str,
        holder: &str,
        now_ms: i64,
    ) -> Result<AlbumPart> {
        self.store
            .add_album_part(key, message_id, message, holder, now_ms)
            .await
    }

    pub async fn album_last_part(&self, key: &str) -> Result<Option<i64>> {
        self.store.album_last_part(key).await
    }

    pub async fn close_album(
        &self,
        key: &str,
        holder: &str,
        now_ms: i64,
    ) -> Result<Option<Vec<String>>> {
        self.store.close_album(key, holder, now_ms).await
    }

    pub async fn take_over_albums(
        &self,
        holder: &str,
        last_part_before: i64,
        alive_since: i64,
    ) -> Result<Vec<String>> {
        self.store
            .take_over_albums(holder, last_part_before, alive_since)
            .await
    }

    /// An image seen before: by Telegram's unique id, or by the SHA-256 of its bytes.
    pub async fn image_seen(
        &self,
        file_unique_id: &str,
        sha256: Option<&str>,
    ) -> Result<Option<ImageRecord>> {
        self.store.image_seen(file_unique_id, sha256).await
    }

    pub async fn save_image(&self, image: &ImageRecord) -> Result<()> {
        self.store.save_image(image).await
    }

    pub async fn attach_images(&self, report_id: i64, file_unique_ids: &[String]) -> Result<()> {
        self.store.attach_images(report_id, file_unique_ids).await
    }

    /// How many reports are in each (label, status), for the metrics.
    pub async fn report_counts(&self) -> Result<Vec<super::ReportCount>> {
        self.store.report_counts().await
    }
}
