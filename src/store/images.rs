//! Images' SQL: evidence of the pictures citizens sent, and what OCR read in them.

use sqlx::Row;

use super::{Result, Store};

/// An image as kept.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct ImageRecord {
    pub file_unique_id: String,
    #[serde(skip)]
    pub file_id: String,
    pub sha256: String,
    pub bytes: i64,
    pub width: Option<i32>,
    pub height: Option<i32>,
    /// What OCR read (cleaned), when it ran.
    pub ocr_text: Option<String>,
    /// Why OCR did not run or failed (`unavailable`, `timeout`, `too_large`, …).
    pub ocr_error: Option<String>,
    pub report_id: Option<i64>,
    pub first_seen: i64,
}

const COLUMNS: &str = "file_unique_id, file_id, sha256, bytes, width, height, ocr_text, ocr_error, report_id, first_seen";

/// An `images` row (selected with [`COLUMNS`]), from either database.
fn image_record<'r, R>(r: &'r R) -> Result<ImageRecord>
where
    R: Row,
    &'static str: sqlx::ColumnIndex<R>,
    String: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i64: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    i32: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
{
    Ok(ImageRecord {
        file_unique_id: r.try_get("file_unique_id")?,
        file_id: r.try_get("file_id")?,
        sha256: r.try_get("sha256")?,
        bytes: r.try_get("bytes")?,
        width: r.try_get("width")?,
        height: r.try_get("height")?,
        ocr_text: r.try_get("ocr_text")?,
        ocr_error: r.try_get("ocr_error")?,
        report_id: r.try_get("report_id")?,
        first_seen: r.try_get("first_seen")?,
    })
}

impl Store {
    /// An image seen before: by Telegram's unique id, or by the SHA-256 of its bytes.
    pub async fn image_seen(
        &self,
        file_unique_id: &str,
        sha256: Option<&str>,
    ) -> Result<Option<ImageRecord>> {
        let sql = self.sql(&format!(
            "SELECT {COLUMNS} FROM images WHERE file_unique_id = $1 OR ($2 IS NOT NULL AND sha256 = $2) \
             ORDER BY (file_unique_id = $1) DESC, first_seen LIMIT 1"
        ))
        .into_owned();
        with_pool!(self, pool => {
            let row = sqlx::query(&sql).bind(file_unique_id).bind(sha256).fetch_optional(pool).await?;
            row.as_ref().map(image_record).transpose()
        })
    }

    /// Keeps an image. The first record of a unique id wins, unless it holds no answer to
    /// keep: OCR was missing (`unavailable`) or failed for a passing reason (`failed`); then
    /// this reading replaces it, so the image is not read again next time.
    pub async fn save_image(&self, i: &ImageRecord) -> Result<()> {
        let sql = self
            .sql(&format!(
                "INSERT INTO images ({COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) \
             ON CONFLICT (file_unique_id) DO UPDATE SET ocr_text = excluded.ocr_text, \
             ocr_error = excluded.ocr_error, sha256 = excluded.sha256, bytes = excluded.bytes \
             WHERE images.ocr_text IS NULL AND images.ocr_error IN ('unavailable', 'failed')"
            ))
            .into_owned();
        with_pool!(self, pool => sqlx::query(&sql)
            .bind(&i.file_unique_id)
            .bind(&i.file_id)
            .bind(&i.sha256)
            .bind(i.bytes)
            .bind(i.width)
            .bind(i.height)
            .bind(&i.ocr_text)
            .bind(&i.ocr_error)
            .bind(i.report_id)
            .bind(i.first_seen)
            .execute(pool)
            .await?
            .rows_affected());
        Ok(())
    }

    /// Links images to the report they were read into (those not yet linked).
    pub async fn attach_images(&self, report_id: i64, file_unique_ids: &[String]) -> Result<()> {
        let sql = self.sql(
            "UPDATE images SET report_id = $1 WHERE file_unique_id = $2 AND report_id IS NULL",
        );
        for id in file_unique_ids {
            with_pool!(self, pool => sqlx::query(&sql).bind(report_id).bind(id).execute(pool).await?.rows_affected());
        }
        Ok(())
    }

    /// A report's images, first seen first.
    pub async fn report_images(&self, report_id: i64) -> Result<Vec<ImageRecord>> {
        let sql = self
            .sql(&format!(
            "SELECT {COLUMNS} FROM images WHERE report_id = $1 ORDER BY first_seen, file_unique_id"
        ))
            .into_owned();
        with_pool!(self, pool => {
            let rows = sqlx::query(&sql).bind(report_id).fetch_all(pool).await?;
            rows.iter()
                .map(image_record)
                .collect()
        })
    }
}
