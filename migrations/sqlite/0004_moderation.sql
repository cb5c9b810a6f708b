-- Moderation: who decided, what a report duplicates, every action in an audit trail, the
-- reports a moderator put aside, and corrections of the automatic extraction.

ALTER TABLE reports ADD COLUMN decided_by BIGINT;
ALTER TABLE reports ADD COLUMN duplicate_of BIGINT;
CREATE INDEX reports_queue ON reports (status, risk, report_count, first_seen);

CREATE TABLE moderation_audit (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    moderator_id BIGINT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT,
    at BIGINT NOT NULL
);
CREATE INDEX moderation_audit_report ON moderation_audit (report_id, at);

CREATE TABLE moderator_skips (
    moderator_id BIGINT NOT NULL,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    at BIGINT NOT NULL,
    PRIMARY KEY (moderator_id, report_id)
);

CREATE TABLE report_corrections (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    field TEXT NOT NULL,
    value TEXT NOT NULL,
    moderator_id BIGINT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX report_corrections_report ON report_corrections (report_id, at);
