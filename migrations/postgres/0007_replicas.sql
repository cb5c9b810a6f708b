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

-- Albums: Telegram delivers each picture of an album as its own update, maybe to different
-- replicas. Each part's message is kept here until the album is finished, by the replica that
-- saw it first (its owner), or by another if the owner stops beating.
CREATE TABLE albums (
    album_key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    last_part_at BIGINT NOT NULL,
    done_at BIGINT
);
CREATE TABLE album_parts (
    album_key TEXT NOT NULL REFERENCES albums (album_key) ON DELETE CASCADE,
    message_id BIGINT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (album_key, message_id)
);
