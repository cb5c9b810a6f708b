-- Links in reports and what their pages showed (evidence).
-- A snapshot is one version of a page: a page that changed between two reports of the same
-- link gets a new snapshot; an unchanged one is shared (last_seen moves on).

CREATE TABLE page_snapshots (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    url TEXT NOT NULL,
    final_url TEXT NOT NULL,
    status INTEGER NOT NULL,
    fetched_at BIGINT NOT NULL,
    last_seen BIGINT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BIGINT NOT NULL,
    truncated BOOLEAN NOT NULL,
    title TEXT,
    text TEXT NOT NULL,
    extraction TEXT NOT NULL
);
CREATE INDEX page_snapshots_url ON page_snapshots (url, fetched_at);

-- Every link of a report, read at most once per report: the row is the claim ('fetching'),
-- then the outcome ('fetched' with its snapshot, or 'failed' with a reason code).
CREATE TABLE report_links (
    report_id BIGINT NOT NULL REFERENCES reports (id) ON DELETE CASCADE,
    url TEXT NOT NULL,
    state TEXT NOT NULL,
    failure TEXT,
    detail TEXT,
    snapshot_id BIGINT REFERENCES page_snapshots (id),
    updated_at BIGINT NOT NULL,
    PRIMARY KEY (report_id, url)
);
