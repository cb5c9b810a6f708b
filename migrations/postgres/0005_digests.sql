-- Digest runs: one row per (chat, period) claims it before sending, so a restart or a second
-- replica does not post again; sent_at marks it done. A claim left unsent past a timeout is
-- taken over.
CREATE TABLE digest_runs (
    chat TEXT NOT NULL,
    period_end BIGINT NOT NULL,
    period_start BIGINT NOT NULL,
    claimed_by TEXT NOT NULL,
    claimed_at BIGINT NOT NULL,
    sent_at BIGINT,
    PRIMARY KEY (chat, period_end)
);
CREATE INDEX reports_decided ON reports (status, decided_at);
