-- Privacy (issue 13).
--
-- The link a group /report leaves for a citizen who never started the bot: an unguessable
-- token opens the report for that citizen only (their keyed hash), until it expires. Only the
-- token's SHA-256 is kept, so the table cannot be turned back into working links.
CREATE TABLE report_tokens (
    token_hash TEXT PRIMARY KEY,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    reporter_hash TEXT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX report_tokens_expiry ON report_tokens (expires_at);
CREATE INDEX report_tokens_reporter ON report_tokens (reporter_hash);

-- When a citizen's chat id and a source were added: RETENTION_DAYS counts from then. Rows
-- from before this migration count from their report's first sighting (the earliest bound).
ALTER TABLE report_reporters ADD COLUMN added_at BIGINT NOT NULL DEFAULT 0;
UPDATE report_reporters SET added_at =
    (SELECT first_seen FROM reports WHERE reports.id = report_reporters.report_id);
CREATE INDEX report_reporters_kept ON report_reporters (added_at) WHERE chat_id IS NOT NULL;
ALTER TABLE report_origins ADD COLUMN added_at BIGINT NOT NULL DEFAULT 0;
UPDATE report_origins SET added_at =
    (SELECT first_seen FROM reports WHERE reports.id = report_origins.report_id);
CREATE INDEX report_origins_added ON report_origins (added_at);
CREATE INDEX page_snapshots_seen ON page_snapshots (last_seen);
CREATE INDEX images_first_seen ON images (first_seen);

-- Where an entity was found: in the message itself ('message'), or only on a page the message
-- links to ('page'), which a recruiter writes. Page entities reach public outputs only once a
-- moderator approved the report. Earlier rows are marked from their page when the report had a
-- page read and the report's own extraction does not name them (phones and accounts; sites
-- come from the message's own links).
ALTER TABLE report_entities ADD COLUMN source TEXT NOT NULL DEFAULT 'message';
UPDATE report_entities SET source = 'page'
WHERE kind IN ('phone', 'telegram', 'handle', 'org')
  AND EXISTS (SELECT 1 FROM report_links l
              WHERE l.report_id = report_entities.report_id AND l.state = 'fetched')
  AND NOT EXISTS (SELECT 1 FROM reports r WHERE r.id = report_entities.report_id
                  AND LOWER(r.extraction) LIKE '%' || report_entities.normalized || '%');
