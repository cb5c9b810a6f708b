-- Reports, their sources, their reporters (as keyed hashes), and processed updates.
-- Times are Unix milliseconds (BIGINT), the same on SQLite and PostgreSQL.

CREATE TABLE processed_updates (
    update_key TEXT PRIMARY KEY,
    claimed_at BIGINT NOT NULL
);

CREATE TABLE reports (
    id BIGSERIAL PRIMARY KEY,
    fingerprint TEXT NOT NULL UNIQUE,
    near_fingerprint TEXT NOT NULL,
    text TEXT,
    language TEXT NOT NULL,
    label TEXT NOT NULL,
    risk INTEGER NOT NULL,
    extraction TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    first_seen BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    report_count INTEGER NOT NULL DEFAULT 0,
    decided_at BIGINT
);
CREATE INDEX reports_near ON reports (near_fingerprint);
CREATE INDEX reports_status ON reports (status, first_seen);

CREATE TABLE report_origins (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    origin_key TEXT NOT NULL,
    origin TEXT NOT NULL,
    PRIMARY KEY (report_id, origin_key)
);

CREATE TABLE report_reporters (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    reporter_hash TEXT NOT NULL,
    chat_id BIGINT,
    PRIMARY KEY (report_id, reporter_hash)
);

CREATE TABLE report_entities (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    normalized TEXT NOT NULL,
    PRIMARY KEY (report_id, kind, normalized)
);
CREATE INDEX report_entities_value ON report_entities (kind, normalized);

CREATE TABLE user_settings (
    user_hash TEXT PRIMARY KEY,
    language TEXT,
    country TEXT,
    notify BOOLEAN NOT NULL DEFAULT TRUE
);
