-- 1: the office's schema on PostgreSQL, as the SQLite schema stands after its migration 8,
-- with one difference: the change feed (docs/adr/0009-postgres-and-the-feed.md).
-- Times are epoch milliseconds (BIGINT); heads are sorted 32-byte change hashes, concatenated.

CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE technicians (id TEXT PRIMARY KEY, name TEXT NOT NULL, region TEXT NOT NULL);

CREATE TABLE devices (
    num BIGSERIAL PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    technician TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    public_key TEXT,
    last_sync_at BIGINT,
    revoked BOOLEAN NOT NULL DEFAULT FALSE,
    healed_epoch TEXT
);

CREATE TABLE tokens (
    hash TEXT PRIMARY KEY, kind TEXT NOT NULL, device_id TEXT, technician TEXT
);

CREATE TABLE enroll_codes (
    hash TEXT PRIMARY KEY, technician TEXT NOT NULL, expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    doc BYTEA NOT NULL,
    heads BYTEA NOT NULL,
    technician TEXT,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    reported_at BIGINT NOT NULL,
    scheduled_start BIGINT,
    updated_at BIGINT NOT NULL,
    asset_serial TEXT,
    completed_at BIGINT,
    followup_due_at BIGINT,
    report_status TEXT NOT NULL DEFAULT 'none'
);
CREATE INDEX jobs_technician ON jobs (technician, reported_at);
CREATE INDEX jobs_reported ON jobs (reported_at, id);
CREATE INDEX jobs_asset ON jobs (asset_serial, reported_at);
CREATE INDEX jobs_followup ON jobs (followup_due_at) WHERE followup_due_at IS NOT NULL;
CREATE INDEX jobs_report ON jobs (report_status, reported_at);

-- Every technician ever assigned a job: they may still upload work done on it.
CREATE TABLE grants (job TEXT NOT NULL, technician TEXT NOT NULL, PRIMARY KEY (job, technician));

-- The change feed, one sequence per technician. A transaction that adds feed rows for a
-- technician first takes the next number from `feed_clock` (an upsert, which locks that row
-- until commit), so a technician's numbers commit in order: a device that has read number N
-- can never later find a number below N appear (ADR 0009).
CREATE TABLE feed_clock (technician TEXT PRIMARY KEY, seq BIGINT NOT NULL);
CREATE TABLE feed (
    technician TEXT NOT NULL,
    seq BIGINT NOT NULL,
    job TEXT NOT NULL,
    PRIMARY KEY (technician, seq),
    UNIQUE (job, technician)
);

-- What each device holds of each job (the server's sync state).
CREATE TABLE device_docs (
    device BIGINT NOT NULL,
    job TEXT NOT NULL,
    confirmed_heads BYTEA,
    sent_heads BYTEA,
    sent_cursor BIGINT,
    PRIMARY KEY (device, job)
);
CREATE INDEX device_docs_pending ON device_docs (device, sent_cursor)
    WHERE sent_cursor IS NOT NULL;

CREATE TABLE contracts (id TEXT PRIMARY KEY, body TEXT NOT NULL);
CREATE TABLE assets (serial TEXT PRIMARY KEY, body TEXT NOT NULL);

-- Projection of loaner units, rebuilt with the job.
CREATE TABLE loans (
    job TEXT NOT NULL, serial TEXT NOT NULL, model TEXT, issued_by TEXT NOT NULL,
    issued_at BIGINT NOT NULL, returned_at BIGINT
);
CREATE INDEX loans_job ON loans (job);

CREATE TABLE followups (
    job TEXT PRIMARY KEY, satisfaction TEXT NOT NULL, score INTEGER NOT NULL,
    comment TEXT NOT NULL, recorded_at BIGINT NOT NULL
);

CREATE TABLE complaints (
    id TEXT PRIMARY KEY, job TEXT NOT NULL, body TEXT NOT NULL, received_at BIGINT NOT NULL
);
CREATE INDEX complaints_job ON complaints (job);
CREATE INDEX complaints_received ON complaints (received_at);

CREATE TABLE maintenance_plans (id TEXT PRIMARY KEY, body TEXT NOT NULL);

CREATE TABLE users (
    name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created_at BIGINT NOT NULL,
    failed_logins INTEGER NOT NULL DEFAULT 0, locked_until BIGINT
);
CREATE TABLE sessions (
    hash TEXT PRIMARY KEY, "user" TEXT NOT NULL, csrf TEXT NOT NULL,
    created_at BIGINT NOT NULL, expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at);

-- The customer's copy of signed reports by email: a durable outbox.
CREATE TABLE mail_outbox (
    id BIGSERIAL PRIMARY KEY, job TEXT NOT NULL, version INTEGER NOT NULL,
    recipient TEXT NOT NULL, created_at BIGINT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0,
    next_at BIGINT NOT NULL, sent_at BIGINT, last_error TEXT,
    UNIQUE (job, version, recipient)
);
CREATE INDEX mail_due ON mail_outbox (next_at) WHERE sent_at IS NULL;

-- When each status event a device pushed reached the office (the visit record's timeline).
CREATE TABLE event_receipts (
    job TEXT NOT NULL, event TEXT NOT NULL, received_at BIGINT NOT NULL,
    PRIMARY KEY (job, event)
);
