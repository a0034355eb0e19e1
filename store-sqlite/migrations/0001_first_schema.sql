-- 1: the first schema.
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;
CREATE TABLE technicians (id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL) STRICT;
CREATE TABLE devices (
    id TEXT PRIMARY KEY, name TEXT NOT NULL, technician TEXT NOT NULL, created_at INTEGER NOT NULL
) STRICT;
CREATE TABLE tokens (
    hash TEXT PRIMARY KEY, kind TEXT NOT NULL, device_id TEXT, technician TEXT
) STRICT;
CREATE TABLE enroll_codes (
    hash TEXT PRIMARY KEY, technician TEXT NOT NULL, expires_at INTEGER NOT NULL,
    used_at INTEGER
) STRICT;
CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    doc BLOB NOT NULL,
    heads TEXT NOT NULL,
    technician TEXT,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    reported_at INTEGER NOT NULL,
    scheduled_start INTEGER,
    updated_at INTEGER NOT NULL
) STRICT;
CREATE INDEX jobs_technician ON jobs (technician, reported_at);
CREATE INDEX jobs_reported ON jobs (reported_at, id);
-- Every technician ever assigned a job: they may still upload work done on it.
CREATE TABLE grants (job TEXT NOT NULL, technician TEXT NOT NULL, PRIMARY KEY (job, technician)) STRICT;
-- Change feed: at most one row per (job, technician), re-inserted with a new seq on change.
CREATE TABLE feed (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, job TEXT NOT NULL, technician TEXT NOT NULL
);
CREATE UNIQUE INDEX feed_job ON feed (job, technician);
CREATE INDEX feed_technician ON feed (technician, seq);
-- What each device holds of each job (the server's sync state).
CREATE TABLE device_docs (
    device TEXT NOT NULL, job TEXT NOT NULL,
    confirmed_heads TEXT, sent_heads TEXT, sent_cursor INTEGER,
    PRIMARY KEY (device, job)
) STRICT;
CREATE INDEX device_docs_pending ON device_docs (device, sent_cursor) WHERE sent_cursor IS NOT NULL;
