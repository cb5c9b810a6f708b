-- Replicas. A claim on an update keeps the update itself (payload) and who holds it until it is
-- handled (done_at), so an update whose replica died is taken over by another instead of being
-- lost; the payload is erased once the update is handled.
ALTER TABLE processed_updates ADD COLUMN payload TEXT;
ALTER TABLE processed_updates ADD COLUMN claimed_by TEXT;
ALTER TABLE processed_updates ADD COLUMN done_at BIGINT;
CREATE INDEX processed_updates_open ON processed_updates (claimed_at) WHERE done_at IS NULL;

-- Processes alive: each one beats every few seconds. Telegram's overall send rate is shared
-- among the live ones, and a claim held by a process that stopped beating can be taken over.
CREATE TABLE replicas (
    id TEXT PRIMARY KEY,
    seen_at BIGINT NOT NULL
);
