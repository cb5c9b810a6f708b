-- Images citizens sent (screenshots, photos of ads): evidence by Telegram's file_unique_id and
-- the SHA-256 of the bytes, with what OCR read, so an image seen again joins its report without
-- a second OCR run. The picture itself stays with Telegram (file_id).
CREATE TABLE images (
    file_unique_id TEXT PRIMARY KEY,
    file_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    width INTEGER,
    height INTEGER,
    ocr_text TEXT,
    ocr_error TEXT,
    report_id BIGINT REFERENCES reports (id) ON DELETE SET NULL,
    first_seen BIGINT NOT NULL
);
CREATE INDEX images_sha256 ON images (sha256);
CREATE INDEX images_report ON images (report_id);
